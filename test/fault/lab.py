"""lab.py: the components of the fault campaign (test/fault/campaign).

Everything listens on 127.0.0.1 on free ports and lives in one temporary
directory: real Alertmanagers (one, or three clustered by gossip), a
fault proxy in front of each, a webhook receiver that records every
notification, and the ZMC database (a SQLite file, or a real PostgreSQL
server started here).  Every wait is bounded.  Python 3 standard library
only.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def die_with_parent():
    """preexec_fn: the child gets SIGKILL when the campaign dies, so a
    killed campaign leaves no Alertmanager behind (Linux prctl)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def which(name):
    return shutil.which(name)


class Fatal(Exception):
    """A component could not be started: the campaign fails loudly."""


def http_json(url, method="GET", body=None, timeout=5):
    """(status, parsed JSON or None); status 0 when unreachable."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw.strip() else None)
    except urllib.error.HTTPError as e:
        return e.code, None
    except (OSError, ValueError, http.client.HTTPException):
        return 0, None


def wait_ready(url, seconds=15):
    end = time.time() + seconds
    while time.time() < end:
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=1) as r:
                if r.status == 200:
                    return True
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return False


class QuietServer(ThreadingHTTPServer):
    """Clients that the campaign kills reset their connections: not news."""

    def handle_error(self, request, client_address):
        pass


# --- webhook receiver ---------------------------------------------------------

class Webhook:
    """Records every notification Alertmanager sends: one entry per alert
    of a payload, (time, member, status, alarm_id, fingerprint)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        hook = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                member = self.path.rsplit("/", 1)[-1]
                try:
                    p = json.loads(body)
                except ValueError:
                    p = {}
                now = time.time()
                with hook.lock:
                    for a in p.get("alerts", []):
                        hook.events.append((now, member, a.get("status"),
                                            (a.get("labels") or {}).get("alarm_id"),
                                            a.get("fingerprint")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.port = freeport()
        self.srv = QuietServer(("127.0.0.1", self.port), H)
        self.srv.daemon_threads = True
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.port

    def since(self, t):
        with self.lock:
            return [e for e in self.events if e[0] >= t]


# --- fault proxy --------------------------------------------------------------

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
       "te", "trailer", "upgrade", "expect", "content-length", "host"}


class Proxy:
    """A forwarding fault proxy in front of one Alertmanager.

    mode: "ok" forwards; "5xx", "429", "400" answer that status without
    forwarding; "hang" holds the request for hang_seconds and closes the
    connection without an answer; "drop" forwards the request and closes
    the connection instead of relaying the reply (Alertmanager acted, the
    client does not know).  A fault hits a request with probability p.
    on_reply(method, path) runs after a reply was relayed to the client
    (the campaign kills zmcsync there: between push and bookkeeping).
    """

    def __init__(self, backend_port, rng_seed):
        import random
        self.rng = random.Random(rng_seed)
        self.backend_port = backend_port
        self.lock = threading.Lock()
        self.mode = "ok"
        self.p = 1.0
        self.hang_seconds = 3.0
        self.on_reply = None
        self.faulted = 0
        px = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self, code, body=b""):
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                if code in (429, 503):
                    self.send_header("Retry-After", "0")
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with px.lock:
                    mode = px.mode
                    hit = mode != "ok" and px.rng.random() < px.p
                    if hit:
                        px.faulted += 1
                    cb = px.on_reply
                if hit and mode in ("5xx", "429", "400"):
                    code = {"429": 429, "400": 400}.get(mode) or \
                        px.rng.choice((500, 502, 503))
                    return self.answer(code, b"fault proxy: injected\n")
                if hit and mode == "hang":
                    time.sleep(px.hang_seconds)
                    self.close_connection = True
                    return
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in HOP}
                try:
                    c = http.client.HTTPConnection("127.0.0.1", px.backend_port,
                                                   timeout=10)
                    c.request(self.command, self.path, body=body, headers=hdrs)
                    r = c.getresponse()
                    rbody = r.read()
                    rh = [(k, v) for k, v in r.getheaders()
                          if k.lower() not in HOP]
                    status = r.status
                    c.close()
                except (OSError, http.client.HTTPException):
                    self.close_connection = True
                    return self.answer(502, b"fault proxy: backend down\n")
                if hit and mode == "drop":
                    self.close_connection = True
                    return
                self.send_response(status)
                for k, v in rh:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(rbody)))
                self.end_headers()
                try:
                    self.wfile.write(rbody)
                    self.wfile.flush()
                except OSError:
                    pass
                if cb is not None and self.command in ("POST", "DELETE"):
                    cb(self.command, self.path)

            do_GET = do_POST = do_DELETE = do_PUT = any

        self.port = freeport()
        self.srv = QuietServer(("127.0.0.1", self.port), H)
        self.srv.daemon_threads = True
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.port

    def set(self, mode="ok", p=1.0, on_reply=None):
        with self.lock:
            self.mode, self.p, self.on_reply = mode, p, on_reply


# --- Alertmanager -------------------------------------------------------------

AM_BIN = "prometheus-alertmanager"


class AM:
    """One real Alertmanager; members of a cluster gossip on loopback."""

    def __init__(self, tmp, name, hook_url):
        self.name = name
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = freeport()
        self.cport = freeport()
        self.url = "http://127.0.0.1:%d" % self.port
        self.peers = []
        self.proc = None
        self.life = []      # (time, "start"|"stop"|"kill"): for failure reports
        with open(os.path.join(self.dir, "am.yml"), "w") as f:
            f.write("""route:
  receiver: hook
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 24h
receivers:
  - name: hook
    webhook_configs:
      - url: '%s/hook/%s'
        send_resolved: true
""" % (hook_url, name))

    def start(self, wipe=False):
        if wipe:
            shutil.rmtree(os.path.join(self.dir, "data"), ignore_errors=True)
        args = [AM_BIN, "--config.file=" + os.path.join(self.dir, "am.yml"),
                "--storage.path=" + os.path.join(self.dir, "data"),
                "--web.listen-address=127.0.0.1:%d" % self.port,
                "--log.level=" + os.environ.get("FAULT_AM_LOG_LEVEL", "warn")]
        if self.peers:
            args += ["--cluster.listen-address=127.0.0.1:%d" % self.cport,
                     "--cluster.advertise-address=127.0.0.1:%d" % self.cport,
                     "--cluster.gossip-interval=50ms",
                     "--cluster.pushpull-interval=1s",
                     "--cluster.settle-timeout=1s",
                     "--cluster.peer-timeout=1s",
                     "--cluster.reconnect-interval=1s",
                     "--cluster.probe-interval=200ms",
                     "--cluster.probe-timeout=200ms"]
            args += ["--cluster.peer=127.0.0.1:%d" % p for p in self.peers]
        else:
            args.append("--cluster.listen-address=")
        log = open(os.path.join(self.dir, "log"), "a")
        self.life.append((time.time(), "start"))
        self.proc = subprocess.Popen(args, stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL,
                                     preexec_fn=die_with_parent)
        log.close()
        if not wait_ready(self.url):
            raise Fatal("alertmanager %s did not start on %s (log %s)"
                        % (self.name, self.url, os.path.join(self.dir, "log")))

    def stop(self):
        """The way an operator restarts it (SIGTERM): it writes its
        notification log and silences to its data directory first."""
        if self.proc is not None and self.proc.poll() is None:
            self.life.append((time.time(), "stop"))
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        """A crash (SIGKILL): what it had not written yet is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.life.append((time.time(), "kill"))
            self.proc.send_signal(signal.SIGKILL)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.proc = None

    def up(self):
        return self.proc is not None and self.proc.poll() is None

    def alerts(self):
        st, a = http_json(self.url + "/api/v2/alerts")
        return a if st == 200 else None

    def silences(self):
        st, s = http_json(self.url + "/api/v2/silences")
        return s if st == 200 else None


# --- ZMC database -------------------------------------------------------------

FIXTURES = [
    "DELETE FROM NM_ALARM_CDR", "DELETE FROM NM_ALARM_EVENT",
    "DELETE FROM APP_ENV", "DELETE FROM DEVICE", "DELETE FROM SYS_DOMAIN",
    "DELETE FROM NM_ALARM_CODE_LIB",
    "INSERT INTO SYS_DOMAIN VALUES (901, '核心网', 'A')",
    "INSERT INTO SYS_DOMAIN VALUES (902, '测试域', 'T')",
    "INSERT INTO DEVICE VALUES (901, 'db-server-01', '10.9.0.1', 'X86')",
    "INSERT INTO DEVICE VALUES (902, 'web-server-02', '10.9.0.2', 'X86')",
    "INSERT INTO DEVICE VALUES (903, 'no-ip-host', NULL, 'ARM')",
    "INSERT INTO APP_ENV VALUES (901, '计费系统', 901, 901, 'zmc')",
    "INSERT INTO APP_ENV VALUES (902, '门户网站', 902, 901, 'zmc')",
    "INSERT INTO APP_ENV VALUES (903, 'batch', 903, 902, 'zmc')",
    "INSERT INTO APP_ENV VALUES (904, 'portal-dr', 901, 902, 'zmc')",
    "INSERT INTO NM_ALARM_CODE_LIB VALUES (9001, 'CPU使用率过高', 1, 'CPU负载持续超过90%', '检查进程占用', 3)",
    "INSERT INTO NM_ALARM_CODE_LIB VALUES (9002, '数据库连接池耗尽', 2, '连接泄漏', '重启连接池', 1)",
    "INSERT INTO NM_ALARM_CODE_LIB VALUES (9003, '磁盘空间不足', 3, '日志未清理', '清理 /var/log', 3)",
    # 9004 has no library row: alertname ZMC_9004
]

VIEW_COLS = ["ALARM_INST_ID", "EVENT_INST_ID", "ALARM_STATE", "ALARM_LEVEL",
             "ALARM_CODE", "ALARM_NAME", "HOST_NAME", "HOST_IP", "APP_NAME",
             "BUSINESS_DOMAIN", "ENVIRONMENT", "RES_INST_TYPE", "EVENT_TIME",
             "STATE_TIME", "CREATE_DATE", "DETAIL_INFO", "FAULT_REASON",
             "DEAL_SUGGEST", "CLEAR_REASON", "TOTAL_ALARM"]


def fault_view_sql():
    """The source view zmcsync reads: the shipped view plus the bad rows
    the simulator asks for in FAULT_BAD (an id that is not an integer, or
    an alarm twice)."""
    rest = ", ".join(VIEW_COLS[1:])
    allc = ", ".join(VIEW_COLS)
    return ("CREATE TABLE FAULT_BAD (ALARM_INST_ID BIGINT, KIND VARCHAR(8));\n"
            "CREATE VIEW FAULT_SRC AS SELECT %s FROM NM_ALARM_SYNC_SOURCE\n"
            " UNION ALL SELECT ALARM_INST_ID + 0.5 AS ALARM_INST_ID, %s\n"
            "  FROM NM_ALARM_SYNC_SOURCE WHERE ALARM_INST_ID IN\n"
            "   (SELECT ALARM_INST_ID FROM FAULT_BAD WHERE KIND = 'odd')\n"
            " UNION ALL SELECT %s FROM NM_ALARM_SYNC_SOURCE WHERE ALARM_INST_ID IN\n"
            "   (SELECT ALARM_INST_ID FROM FAULT_BAD WHERE KIND = 'dup');\n"
            % (allc, rest, allc))


class SqliteDB:
    backend = "sqlite"

    def __init__(self, tmp):
        self.path = os.path.join(tmp, "zmc.db")
        self.conn_str = "Driver=SQLite3;Database=%s;Timeout=5000" % self.path
        self.conf_lines = []

    def exec(self, stmts):
        c = sqlite3.connect(self.path, timeout=10)
        try:
            for s in stmts:
                c.execute(s)
            c.commit()
        finally:
            c.close()

    def query(self, q):
        c = sqlite3.connect(self.path, timeout=10)
        try:
            return [tuple("" if v is None else str(v) for v in r)
                    for r in c.execute(q).fetchall()]
        finally:
            c.close()

    def script(self, text):
        c = sqlite3.connect(self.path, timeout=10)
        try:
            c.executescript(text)
        finally:
            c.close()

    def can_stop(self):
        return False

    def close(self, keep=False):
        pass


def pg_bindir():
    cands = [os.environ.get("PG_BINDIR", "")]
    try:
        cands.append(subprocess.run(["pg_config", "--bindir"], capture_output=True,
                                    text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        pass
    base = "/usr/lib/postgresql"
    if os.path.isdir(base):
        vs = sorted((d for d in os.listdir(base) if d.isdigit()), key=int, reverse=True)
        cands += [os.path.join(base, v, "bin") for v in vs]
    for d in cands:
        if d and os.access(os.path.join(d, "initdb"), os.X_OK) and \
                os.access(os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    return None


class PgDB:
    """A private PostgreSQL server (initdb in a temporary directory owned by
    the server user, TCP on 127.0.0.1 only), role zmc with a random
    password that is never printed nor in argv."""
    backend = "postgresql"

    def __init__(self, tmp):
        self.bin = pg_bindir()
        if self.bin is None:
            raise Fatal("missing component: PostgreSQL server (initdb and pg_ctl; "
                        "Debian package postgresql)")
        self.psql = os.path.join(self.bin, "psql")
        if subprocess.run(["odbcinst", "-q", "-d", "-n", "PostgreSQL Unicode"],
                          capture_output=True).returncode != 0:
            raise Fatal("missing component: psqlODBC (Debian package odbc-postgresql)")
        out = subprocess.run(["odbcinst", "-j"], capture_output=True, text=True).stdout
        sysini = [l.split(":", 1)[1].strip() for l in out.splitlines()
                  if l.startswith("DRIVERS")][0]
        odbc = os.path.join(tmp, "odbc")
        os.makedirs(odbc, exist_ok=True)
        with open(sysini) as f, open(os.path.join(odbc, "odbcinst.ini"), "w") as g:
            for line in f:
                k = line.split("=", 1)[0].strip()
                g.write("%s=0\n" % k if k in ("CommLog", "Debug") else line)
        os.environ["ODBCSYSINI"] = odbc
        self.user = os.environ.get("ZMC_PG_USER", "postgres")
        self.root = os.environ.get("TMPDIR", "/tmp")
        import tempfile
        self.root = tempfile.mkdtemp(prefix="zmcsync-pg.", dir=self.root)
        self.data = os.path.join(self.root, "data")
        if os.getuid() == 0:
            shutil.chown(self.root, self.user)
        r = self.as_server([os.path.join(self.bin, "initdb"), "-D", self.data,
                            "-U", "postgres", "--auth-local=trust",
                            "--auth-host=scram-sha-256", "-E", "UTF8",
                            "--no-locale", "--no-sync"])
        if r.returncode != 0:
            raise Fatal("postgresql: initdb failed: " + r.stderr[-500:])
        self.port = freeport()
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = '127.0.0.1'\nport = %d\n"
                    "unix_socket_directories = '%s'\nfsync = off\n"
                    "full_page_writes = off\nmax_connections = 40\n"
                    "shared_buffers = 16MB\n" % (self.port, self.root))
        if not self.start():
            raise Fatal("postgresql: server did not start on 127.0.0.1:%d" % self.port)
        pw = os.urandom(16).hex()
        old = os.umask(0o077)
        self.pwfile = os.path.join(tmp, "pg.password")
        with open(self.pwfile, "w") as f:
            f.write(pw + "\n")
        pgpass = os.path.join(tmp, "pgpass")
        with open(pgpass, "w") as f:
            f.write("127.0.0.1:%d:*:zmc:%s\n" % (self.port, pw))
        os.umask(old)
        os.environ["PGPASSFILE"] = pgpass
        self.super("CREATE ROLE zmc LOGIN PASSWORD '%s';\n"
                   "CREATE DATABASE zmc OWNER zmc ENCODING 'UTF8' TEMPLATE template0;\n" % pw)
        self.conn_str = ("Driver=PostgreSQL Unicode;Servername=127.0.0.1;Port=%d;"
                         "Database=zmc;UseDeclareFetch=1;Fetch=1000;"
                         "KeepaliveTime=30;KeepaliveInterval=10;"
                         "pqopt={application_name=zmcsync};" % self.port)
        self.conf_lines = ["username = zmc", "password_file = " + self.pwfile]
        self.running = True

    def as_server(self, args):
        if os.getuid() == 0:
            args = ["runuser", "-u", self.user, "--"] + args
        return subprocess.run(args, capture_output=True, text=True, timeout=60)

    def super(self, sql):
        r = subprocess.run([self.psql, "-h", self.root, "-p", str(self.port), "-U",
                            "postgres", "-d", "postgres", "-qtAX", "-v",
                            "ON_ERROR_STOP=1"], input=sql, capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0:
            raise Fatal("postgresql: superuser statement failed: " + r.stderr[-300:])

    def start(self):
        r = self.as_server([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l",
                            os.path.join(self.root, "server.log"), "-w", "-t", "30",
                            "start"])
        self.running = r.returncode == 0
        return self.running

    def stop(self, mode="fast"):
        self.as_server([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m",
                        mode, "-w", "-t", "30", "stop"])
        self.running = False

    def can_stop(self):
        return True

    def _psql(self, sql, tuples=True):
        args = [self.psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "zmc",
                "-d", "zmc", "-X", "-v", "ON_ERROR_STOP=1", "-F", "\x1f"]
        args += ["-qtA"] if tuples else ["-q"]
        for _ in range(3):
            r = subprocess.run(args, input=sql, capture_output=True, text=True,
                               timeout=60)
            if r.returncode == 0:
                return r.stdout
            time.sleep(0.5)
        raise Fatal("postgresql: statement failed: %s" % r.stderr[-300:])

    def exec(self, stmts):
        self._psql("BEGIN;\n" + ";\n".join(stmts) + ";\nCOMMIT;\n", tuples=False)

    def script(self, text):
        self._psql(text, tuples=False)

    def query(self, q):
        out = self._psql(q + ";\n")
        return [tuple(l.split("\x1f")) for l in out.splitlines() if l != ""]

    def close(self, keep=False):
        self.as_server([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m",
                        "immediate", "-w", "-t", "30", "stop"])
        if keep:
            print("kept: %s (PostgreSQL data, port %d)" % (self.root, self.port))
        else:
            shutil.rmtree(self.root, ignore_errors=True)
