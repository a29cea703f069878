#!/usr/bin/env python3
"""latency.py: end-to-end latency of a ZMC change, for make bench.

    latency.py --db FILE --zmcsync BIN --conf FILE --port PORT
               --changes K --interval SEC --log FILE [--window SEC]

Three parts run side by side:
  - a webhook receiver on 127.0.0.1:PORT (the Alertmanager's receivers
    point at it) that timestamps the first notification of each alert as
    firing and as resolved;
  - a loop standing in for zmcsync.timer: `zmcsync -q run` at every
    multiple of SEC seconds of the wall clock (a run that overruns makes
    the loop skip to the next multiple, as systemd does with a oneshot
    service still running);
  - the changes: K new alarms, each inserted into the SQLite ZMC database
    at a random moment of a window, each with its own alarm code so it is
    its own Alertmanager group; once all were notified, the same K recover
    (state A) at random moments.

Prints "firing COUNT P50 P99 MAX" and "resolve COUNT P50 P99 MAX" in
seconds (COUNT "k/K" and the figures "timeout" when notifications did not
all arrive) and "runs R longest SEC".  Every wait is bounded.
"""
import argparse
import json
import math
import random
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = {}           # (alarm_id, "firing" | "resolved") -> first notification time
STOP = threading.Event()
LOGF = None


def log(msg):
    with LOCK:
        LOGF.write("%.3f %s\n" % (time.time(), msg))
        LOGF.flush()


class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        t = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            msg = json.loads(body)
            for a in msg.get("alerts", []):
                key = (a.get("labels", {}).get("alarm_id"), a.get("status"))
                with LOCK:
                    SEEN.setdefault(key, t)
        except ValueError:
            log("webhook: body is not JSON")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def timer_loop(args, runs):
    while not STOP.is_set():
        now = time.time()
        nxt = (math.floor(now / args.interval) + 1) * args.interval
        if STOP.wait(nxt - now):
            return
        t0 = time.time()
        p = subprocess.run([args.zmcsync, "-c", args.conf, "-q", "run"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=600)
        runs.append(time.time() - t0)
        log("run at %.3f took %.3f s, exit %d %s" % (
            t0, runs[-1], p.returncode, p.stderr.decode(errors="replace").strip()[:200]))


def change(db, sqls):
    """Runs the statements in one transaction; returns the time of the commit."""
    c = sqlite3.connect(db, timeout=60, isolation_level=None)
    try:
        c.execute("BEGIN IMMEDIATE")
        for s in sqls:
            c.execute(s)
        c.execute("COMMIT")
        return time.time()
    finally:
        c.close()


def phase(args, ids, status, make_sql, window):
    """Applies make_sql(id) at random moments of window; waits for the notifications."""
    start = time.time()
    moments = sorted(random.uniform(0, window) for _ in ids)
    changed = {}
    for i, m in zip(ids, moments):
        d = start + m - time.time()
        if d > 0:
            time.sleep(d)
        changed[i] = change(args.db, make_sql(i))
        log("%s change of %d at %.3f" % (status, i, changed[i]))
    # A change is due within a run interval, a run, group_wait or
    # group_interval; the bound leaves room for the shipped 5 min
    # group_interval.
    deadline = time.time() + 3 * args.interval + 420
    while time.time() < deadline:
        with LOCK:
            if all((str(i), status) in SEEN for i in ids):
                break
        time.sleep(0.2)
    lat = []
    with LOCK:
        for i in ids:
            t = SEEN.get((str(i), status))
            if t is not None:
                lat.append(t - changed[i])
    return lat


def summary(kind, lat, k):
    if len(lat) < k:
        return "%s %d/%d timeout timeout timeout" % (kind, len(lat), k)
    lat.sort()

    def pct(q):
        return lat[max(0, math.ceil(q * len(lat)) - 1)]
    return "%s %d %.1f %.1f %.1f" % (kind, k, pct(0.50), pct(0.99), lat[-1])


def main():
    global LOGF
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--zmcsync", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--changes", type=int, required=True)
    ap.add_argument("--interval", type=float, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--window", type=float)
    args = ap.parse_args()
    LOGF = open(args.log, "a")
    k = args.changes
    window = args.window or max(args.interval, 2.0 * k)

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Hook)
    threading.Thread(target=srv.serve_forever, daemon=True).start()

    # The alarm codes of the changed alarms: one Alertmanager group each.
    base = 10000000
    ids = [base + j for j in range(k)]
    change(args.db, ["INSERT INTO NM_ALARM_CODE_LIB VALUES (%d, '延迟测试-%d', 1, "
                     "'测试', '无', 0)" % (5000 + j, j) for j in range(k)])

    runs = []
    timer = threading.Thread(target=timer_loop, args=(args, runs), daemon=True)
    timer.start()

    def fire(i):
        j = i - base
        return [
            "INSERT INTO NM_ALARM_CDR (ALARM_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, "
            "ALARM_STATE, ALARM_LEVEL, CREATE_DATE, TOTAL_ALARM) VALUES (%d, %d, 1, %d, 'U', 1, "
            "datetime('now','localtime'), 1)" % (i, 5000 + j, i),
            "INSERT INTO NM_ALARM_EVENT (EVENT_INST_ID, ALARM_CODE, APP_ENV_ID, RES_INST_ID, "
            "RESET_FLAG, EVENT_TIME, CREATE_DATE, ALARM_LEVEL, DETAIL_INFO, RES_INST_TYPE) "
            "VALUES (%d, %d, 1, %d, '1', datetime('now','localtime'), "
            "datetime('now','localtime'), 1, '延迟测试', 'HOST')" % (2 * i, 5000 + j, i)]

    def resolve(i):
        return ["UPDATE NM_ALARM_CDR SET ALARM_STATE = 'A', RESET_DATE = "
                "datetime('now','localtime') WHERE ALARM_INST_ID = %d" % i]

    out = [summary("firing", phase(args, ids, "firing", fire, window), k)]
    out.append(summary("resolve", phase(args, ids, "resolved", resolve, window), k))
    STOP.set()
    timer.join(timeout=620)
    srv.shutdown()
    out.append("runs %d longest %.1f" % (len(runs), max(runs) if runs else 0))
    print("\n".join(out))


if __name__ == "__main__":
    main()
