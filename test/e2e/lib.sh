# lib.sh: shared harness for the end-to-end tests (sourced by test/e2e/t_*.sh,
# and by test/bench and test/pkg).  Starts real components on 127.0.0.1, on
# free ports, in a temporary directory, and stops them on exit.  Every wait
# is bounded.  Each test script ends with `t_done`, which prints
# "N passed, N failed".
#
# ZMC_BACKEND (sqlite, the default, or postgresql) picks the ZMC database
# of zmc_db / zmc_init: a SQLite file through the sqliteodbc driver, or a
# real PostgreSQL server this harness starts, through psqlODBC.  A script
# whose first lines say "# backend: any" is run once per backend by
# test/run; "# backend: postgresql" runs it on PostgreSQL only.
#
# The helpers live in lib/, by concern:
#   lib/check.sh  assertions (ok, fail, check, check_eq, check_rc, die, t_done)
#   lib/proc.sh   process control (T_PIDS, t_cleanup on exit, need,
#                 freeport, wait_http)
#   lib/leak.sh   the test secrets and the leak check (t_secret, t_secret_file)
#   lib/am.sh     a real Alertmanager (am_start, am_stop, am_alerts,
#                 am_silences) and the fake (fake_start, ctl, posts)
#   lib/db.sh     the test database and config (sqlite_db, zmc_db, with_db,
#                 dead_db_conn, write_conf, sql, sql_file, sql_defer/flush)
#   lib/pg.sh     the PostgreSQL server (pg_start, pg_db, pg_stop, pg_restart)
# zmc.sh (sourced after this file) holds the ZMC fixtures.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${ZMCSYNC:=$TOP/build/zmcsync}"
FREEPORT=$TOP/build/freeport
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/zmcsync-test.XXXXXX")
: "${ZMC_BACKEND:=sqlite}"
T_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib

. "$T_LIB/check.sh"
. "$T_LIB/proc.sh"
. "$T_LIB/leak.sh"
. "$T_LIB/am.sh"
. "$T_LIB/db.sh"
. "$T_LIB/pg.sh"
