#!/usr/bin/env python3
"""drop_proxy.py: forwards HTTP/1.1 requests to an upstream server and,
for requests matching --drop-method/--drop-path, the first --drop N times
forwards the request but closes the client's connection instead of
answering: the upstream did the work, the client never hears of it (a
reply lost in the network).

    drop_proxy.py --port PORT --upstream http://127.0.0.1:9093 \
        --drop-method POST --drop-path /api/v2/silences --drop 1 \
        --log FILE [--max-lifetime SEC]

Listens on 127.0.0.1 only.  Every request is logged as one JSON line
(method, path, dropped).  Exits by itself after --max-lifetime seconds.
"""
import argparse
import http.client
import json
import socketserver
import threading
import time
from urllib.parse import urlsplit

LOCK = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        srv = self.server
        while True:
            line = self.rfile.readline(65537)
            if not line:
                return
            try:
                method, target, _ = line.decode("latin-1").split(" ", 2)
            except ValueError:
                return
            headers = []
            length = 0
            while True:
                h = self.rfile.readline(65537)
                if h in (b"\r\n", b"\n", b""):
                    break
                name, _, value = h.decode("latin-1").partition(":")
                value = value.strip()
                if name.lower() == "content-length":
                    length = int(value)
                if name.lower() not in ("connection", "keep-alive", "host"):
                    headers.append((name, value))
            body = self.rfile.read(length) if length else None
            up = http.client.HTTPConnection(srv.up.hostname, srv.up.port,
                                            timeout=10)
            up.request(method, target, body=body, headers=dict(headers))
            resp = up.getresponse()
            data = resp.read()
            up.close()
            path = urlsplit(target).path
            drop = False
            with LOCK:
                if (method == srv.drop_method and path == srv.drop_path
                        and srv.drop > 0):
                    srv.drop -= 1
                    drop = True
                with open(srv.logpath, "a") as f:
                    f.write(json.dumps({"method": method, "path": path,
                                        "dropped": drop}) + "\n")
            if drop:
                return  # close without an answer
            out = ["HTTP/1.1 %d %s" % (resp.status, resp.reason)]
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection",
                                     "content-length"):
                    out.append("%s: %s" % (k, v))
            out.append("Content-Length: %d" % len(data))
            out.append("Connection: keep-alive")
            self.wfile.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
                             + data)
            self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--drop-method", default="POST")
    ap.add_argument("--drop-path", default="/api/v2/silences")
    ap.add_argument("--drop", type=int, default=1)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-lifetime", type=float, default=300)
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.up = urlsplit(a.upstream)
    srv.drop_method, srv.drop_path, srv.drop = a.drop_method, a.drop_path, a.drop
    srv.logpath = a.log
    open(a.log, "w").close()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(a.max_lifetime)


if __name__ == "__main__":
    main()
