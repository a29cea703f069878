#!/usr/bin/env python3
"""fake_am.py: a fault-injecting fake Alertmanager for the client tests.

    fake_am.py --port PORT --log FILE [--prefix /path] [--max-lifetime SEC]
               [--tls-cert PEM --tls-key PEM [--client-ca PEM]]

Listens on 127.0.0.1:PORT (HTTPS with --tls-cert; --client-ca also
demands a client certificate signed by it) and serves the parts of the Alertmanager v2 API
that zmcsync uses (alerts, silences, status, /-/healthy) under an optional
path prefix.  Faults are switched with POST /-/control (never under the
prefix), a JSON object whose keys replace the current settings:

    fail503       next N requests answer 503 (multi-line body)
    fail429       then the next N requests answer 429
    retry_after   Retry-After seconds sent with 429/503 (null: none)
    status400     every POST /api/v2/alerts answers 400
    delay         seconds to wait before answering any API request
    post_delay    seconds to wait before answering a POST (a slow push)
    garbage       GET answers carry a body that is not JSON
    echo_auth     400 or 500: every POST /api/v2/alerts, GET /-/healthy
                  and GET /api/v2/status answers with that code and a
                  body quoting the request's Authorization header (400:
                  JSON, 500: plain text), like a proxy that echoes the
                  request in its error page (null: off)
    filter400     GET /api/v2/silences with a filter answers 400
    reset         true: forget requests, alerts and silences, clear faults
    restart       true: report a new start time (uptime), like a restart

Alerts whose label alertname is "BAD" make a POST /api/v2/alerts batch fail
with 400, like Alertmanager rejecting an invalid alert.  Every request
except /-/control is appended to the log file as one JSON line: method,
path, query, bytes, alerts, auth ("basic", "bearer", "none"), auth_ok
(whether it matched FAKE_AM_USER/FAKE_AM_PASSWORD or FAKE_AM_TOKEN from
the environment), user_agent, peer_port (the client's port: one port for
many requests shows connection reuse), and the X-* headers.  Secret values are
never written.  The process exits by itself after --max-lifetime seconds.
"""
import argparse
import base64
import json
import os
import ssl
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()
STATE = {}


def reset_state():
    STATE["gen"] = STATE.get("gen", 0) + 1
    STATE.update(fail503=0, fail429=0, retry_after=None, status400=False,
                 delay=0, post_delay=0, garbage=False, filter400=False,
                 echo_auth=None, alerts={},
                 silences={})
    # The start the status reports ("uptime"): set once, and again only by
    # {"restart": true}, so a reset that just clears the log does not make
    # clients re-push everything.
    STATE.setdefault("started", now_iso())


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-alertmanager"

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body, ctype="application/json", extra=None):
        if not isinstance(body, bytes):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def auth(self):
        h = self.headers.get("Authorization", "")
        if h.startswith("Basic "):
            want = "%s:%s" % (os.environ.get("FAKE_AM_USER", ""),
                              os.environ.get("FAKE_AM_PASSWORD", ""))
            try:
                got = base64.b64decode(h[6:]).decode()
            except Exception:
                got = None
            return "basic", got == want
        if h.startswith("Bearer "):
            return "bearer", h[7:] == os.environ.get("FAKE_AM_TOKEN", "")
        return "none", False

    def record(self, path, query, body, nalerts):
        kind, ok = self.auth()
        rec = {
            "method": self.command, "path": path, "query": query,
            "bytes": len(body), "alerts": nalerts, "auth": kind,
            "auth_ok": ok, "user_agent": self.headers.get("User-Agent", ""),
            "peer_port": self.client_address[1],
            "headers": {k: v for k, v in self.headers.items()
                        if k.lower().startswith("x-")},
        }
        with LOCK:
            with open(self.server.logpath, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def handle_any(self):
        u = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        if u.path == "/-/control":
            return self.control(body)
        prefix = self.server.prefix
        if not u.path.startswith(prefix + "/"):
            self.record(u.path, u.query, body, 0)
            return self.send(404, "not found under prefix\n", "text/plain")
        path = u.path[len(prefix):]
        alerts = None
        if self.command == "POST" and path == "/api/v2/alerts":
            try:
                alerts = json.loads(body)
            except ValueError:
                alerts = None
        self.record(path, u.query, body,
                    len(alerts) if isinstance(alerts, list) else 0)
        with LOCK:
            delay = STATE["delay"] + (STATE["post_delay"]
                                      if self.command == "POST" else 0)
            gen = STATE["gen"]
        if delay:
            time.sleep(delay)
        with LOCK:
            if STATE["gen"] != gen:
                # a reset came while this request slept: it must not
                # leak alerts into the next scenario
                return self.send(503, "reset while delayed\n", "text/plain")
            ra = STATE["retry_after"]
            extra = {"Retry-After": str(ra)} if ra is not None else None
            if STATE["fail503"] > 0:
                STATE["fail503"] -= 1
                return self.send(503, "service unavailable\n\tdown for\r\nmaintenance\n",
                                 "text/plain", extra)
            if STATE["fail429"] > 0:
                STATE["fail429"] -= 1
                return self.send(429, "too many requests\n", "text/plain", extra)
            garbage = STATE["garbage"]
        if garbage and self.command == "GET" and path != "/-/healthy":
            return self.send(200, "<html>{not json[", "text/html")
        return self.api(path, body, alerts)

    def api(self, path, body, alerts):
        m = self.command
        with LOCK:
            echo = STATE["echo_auth"]
        if echo and m == "GET" and path in ("/-/healthy", "/api/v2/status"):
            return self.send(echo, "upstream failed for GET %s\n"
                             "Authorization: %s\n"
                             % (path, self.headers.get("Authorization", "")),
                             "text/plain")
        if m == "GET" and path == "/-/healthy":
            return self.send(200, "OK", "text/plain")
        if m == "GET" and path == "/api/v2/status":
            return self.send(200, json.dumps({
                "versionInfo": {"version": "0.0.0-fake"},
                "cluster": {"status": "ready", "peers": []},
                "config": {"original": ""}, "uptime": STATE["started"]}))
        if path == "/api/v2/alerts":
            if m == "GET":
                with LOCK:
                    out = list(STATE["alerts"].values())
                return self.send(200, json.dumps(out, ensure_ascii=False))
            if m == "POST":
                if not isinstance(alerts, list):
                    return self.send(400, json.dumps(
                        {"code": 400, "message": "body is not an alert array"}))
                with LOCK:
                    echo = STATE["echo_auth"]
                auth = self.headers.get("Authorization", "")
                if echo == 400:
                    return self.send(400, json.dumps(
                        {"code": 400, "message": "rejected",
                         "request": {"headers": {"Authorization": auth}}}))
                if echo:
                    return self.send(echo, "upstream failed for POST %s\n"
                                     "Authorization: %s\n" % (path, auth),
                                     "text/plain")
                with LOCK:
                    if STATE["status400"]:
                        return self.send(400, json.dumps(
                            {"code": 400, "message": "rejected by fault mode"}))
                for a in alerts:
                    if (a.get("labels") or {}).get("alertname") == "BAD":
                        return self.send(400, json.dumps(
                            {"code": 400, "message": "invalid alert: BAD\nsecond line"}))
                with LOCK:
                    for a in alerts:
                        key = json.dumps(a.get("labels"), sort_keys=True)
                        STATE["alerts"][key] = a
                return self.send(200, "")
        if path == "/api/v2/silences":
            if m == "GET" and "filter=" in urlsplit(self.path).query:
                with LOCK:
                    if STATE["filter400"]:
                        return self.send(400, json.dumps(
                            "bad matcher format"))
            if m == "GET":
                with LOCK:
                    out = list(STATE["silences"].values())
                return self.send(200, json.dumps(out, ensure_ascii=False))
            if m == "POST":
                try:
                    s = json.loads(body)
                except ValueError:
                    return self.send(400, '"bad silence"')
                s["id"] = str(uuid.uuid4())
                s["status"] = {"state": "active"}
                s["updatedAt"] = now_iso()
                with LOCK:
                    STATE["silences"][s["id"]] = s
                return self.send(200, json.dumps({"silenceID": s["id"]}))
        if m == "DELETE" and path.startswith("/api/v2/silence/"):
            sid = path[len("/api/v2/silence/"):]
            with LOCK:
                s = STATE["silences"].get(sid)
                if s is None:
                    return self.send(404, "")
                if s["status"]["state"] == "expired":
                    return self.send(500, json.dumps(
                        "silence %s already expired" % sid))
                s["status"]["state"] = "expired"
            return self.send(200, "")
        return self.send(404, "no such endpoint\n", "text/plain")

    def control(self, body):
        try:
            c = json.loads(body or b"{}")
        except ValueError:
            return self.send(400, "bad control\n", "text/plain")
        with LOCK:
            if c.pop("reset", False):
                reset_state()
                open(self.server.logpath, "w").close()
            if c.pop("restart", False):
                STATE["started"] = now_iso()
            for k, v in c.items():
                if k in STATE and k not in ("alerts", "silences", "gen",
                                            "started"):
                    STATE[k] = v
        return self.send(200, "ok\n", "text/plain")

    do_GET = do_POST = do_DELETE = do_PUT = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--prefix", default="")
    ap.add_argument("--max-lifetime", type=float, default=120)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--client-ca")
    a = ap.parse_args()
    reset_state()
    open(a.log, "w").close()
    # bounded: never outlive a forgotten test
    t = threading.Timer(a.max_lifetime, lambda: os._exit(0))
    t.daemon = True
    t.start()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        if a.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.client_ca)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.prefix = a.prefix.rstrip("/")
    srv.logpath = a.log
    srv.serve_forever()


if __name__ == "__main__":
    main()
