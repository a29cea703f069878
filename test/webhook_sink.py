#!/usr/bin/env python3
"""webhook_sink.py: records Alertmanager webhook notifications.

    webhook_sink.py --port PORT --log FILE [--max-lifetime SEC]

Listens on 127.0.0.1:PORT; every POST is answered 200 and appended to the
log file as one JSON line: {"t": unix time received, "path": ..., "body":
the notification}.  GET /-/healthy answers 200.  Exits by itself after
--max-lifetime seconds.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--max-lifetime", type=float, default=300)
args = ap.parse_args()
lock = threading.Lock()


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200 if self.path == "/-/healthy" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with lock, open(args.log, "a") as f:
            f.write(json.dumps({"t": time.time(), "path": self.path, "body": body}) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


srv = ThreadingHTTPServer(("127.0.0.1", args.port), H)
threading.Timer(args.max_lifetime, srv.shutdown).start()
srv.serve_forever()
