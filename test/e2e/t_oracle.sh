#!/bin/bash
# t_oracle: the Oracle dialect, which cannot run here, held to golden files
# and to the Oracle 11g subset (SPEC 7).  Regenerates what zmcsync sends
# to Oracle -- the init script as `zmcsync init-db --print --dialect
# oracle` prints it with no database configured, the state-on-event view
# as compiled in, and every statement of the run (build/sql_driver) --
# and diffs it against test/golden/oracle/.  Then runs
# test/oracle-subset-check over all of it, including the DDL inside the
# init script's PL/SQL blocks, and checks the scripts are runnable as
# printed in SQL*Plus, mirror the sqlite tables and view column for
# column, and that drop.sql removes every object init.sql creates.
#
# After an intended change to the Oracle SQL, review the diff this test
# prints and accept it with
#     UPDATE_GOLDEN=1 bash test/e2e/t_oracle.sh
. "$(dirname "$0")/lib.sh"

DRIVER=$(dirname "$ZMCSYNC")/sql_driver
GOLDEN=$TOP/test/golden/oracle
CHECKER=$TOP/test/oracle-subset-check
SQLDIR=$TOP/sql/oracle
need "$ZMCSYNC"
need "$DRIVER"
need python3
[ -x "$CHECKER" ] || die "missing component: $CHECKER"
for f in init.sql view_state_on_event.sql drop.sql zmc_indexes.sql; do
	[ -f "$SQLDIR/$f" ] || die "missing component: sql/oracle/$f"
done
G=$T_TMP/gen
mkdir -p "$G" "$T_TMP/home"

# zmcsync with no configuration and no database settings in the environment.
: > "$T_TMP/empty.conf"
zx() { env -i PATH="$PATH" HOME="$T_TMP/home" LANG=C.UTF-8 "$ZMCSYNC" "$@"; }

# --- regenerate ----------------------------------------------------------
check_rc "init-db --print --dialect oracle works with no database configured" 0 \
    zx -c "$T_TMP/empty.conf" init-db --print --dialect oracle
cp "$T_TMP/last.out" "$G/init.sql"
check_eq "init-db --print: nothing on stderr" "$(cat "$T_TMP/last.err")" ""
check_rc "init-db --print --dialect oracle without any configuration file" 0 \
    zx -c /dev/null init-db --print --dialect oracle
check "same script without a configuration file" cmp -s "$T_TMP/last.out" "$G/init.sql"
printf '[database]\ndialect = oracle\n' > "$T_TMP/dialect.conf"
check_rc "init-db --print with database.dialect = oracle and no connection" 0 \
    zx -c "$T_TMP/dialect.conf" init-db --print
check "same script from database.dialect" cmp -s "$T_TMP/last.out" "$G/init.sql"
check "printed init script is sql/oracle/init.sql byte for byte" \
    cmp -s "$G/init.sql" "$SQLDIR/init.sql"

check_rc "init-db --demo --dialect oracle is refused" 2 \
    zx -c "$T_TMP/empty.conf" init-db --demo --dialect oracle
check "refusal names oracle" grep -q "refused on oracle" "$T_TMP/last.err"
check_eq "refusal prints no script" "$(cat "$T_TMP/last.out")" ""
check_rc "init-db --demo --print --dialect oracle is refused too" 2 \
    zx -c "$T_TMP/empty.conf" init-db --demo --print --dialect oracle
check_eq "no script printed with --demo --print" "$(cat "$T_TMP/last.out")" ""

check_rc "sql_driver statements oracle" 0 "$DRIVER" statements oracle
cp "$T_TMP/last.out" "$G/statements.sql"
check_rc "sql_driver file oracle/view_state_on_event.sql" 0 \
    "$DRIVER" file oracle/view_state_on_event.sql
cp "$T_TMP/last.out" "$G/view_state_on_event.sql"
for f in view_state_on_event.sql drop.sql zmc_indexes.sql; do
	check_rc "sql_driver file oracle/$f" 0 "$DRIVER" file "oracle/$f"
	check "compiled-in oracle/$f is the source file" cmp -s "$T_TMP/last.out" "$SQLDIR/$f"
done
check_eq "statements.sql holds every statement id" \
    "$(grep -c '^-- [A-Z_]* ([0-9]* parameters)$' "$G/statements.sql")" \
    "$(grep -c '^	SQL_[A-Z_]* *= *0,\|^	SQL_[A-Z_]*,' "$TOP/src/dialect.h")"

# --- golden files --------------------------------------------------------
for f in init.sql view_state_on_event.sql statements.sql; do
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN"
		cp "$G/$f" "$GOLDEN/$f"
		ok "golden $f updated"
		echo "updated test/golden/oracle/$f" >&2
	elif [ ! -f "$GOLDEN/$f" ]; then
		fail "golden test/golden/oracle/$f missing (create it: UPDATE_GOLDEN=1 bash test/e2e/t_oracle.sh)"
	elif diff -u --label "test/golden/oracle/$f (golden)" --label "$f (generated now)" \
	    "$GOLDEN/$f" "$G/$f" > "$T_TMP/golden.diff"; then
		ok "golden $f"
	else
		fail "golden test/golden/oracle/$f differs from what zmcsync now generates"
		sed 's/^/    /' "$T_TMP/golden.diff" | head -80 >&2
		echo "    If the change is intended, review it and update the golden files:" >&2
		echo "        UPDATE_GOLDEN=1 bash test/e2e/t_oracle.sh" >&2
	fi
done

# --- the source view name -----------------------------------------------
check_rc "statements for view ZMC_OWNER.ALARM_VIEW" 0 "$DRIVER" statements oracle ZMC_OWNER.ALARM_VIEW
check_eq "only the view name changes" \
    "$(sed 's/NM_ALARM_SYNC_SOURCE/ZMC_OWNER.ALARM_VIEW/g' "$G/statements.sql" | md5sum)" \
    "$(md5sum < "$T_TMP/last.out")"
check_rc "a view name that is not an identifier is refused" 1 \
    "$DRIVER" statements oracle "V v; DROP TABLE NM_ALARM_SYNC_LOG"

# --- the 11g subset ------------------------------------------------------
check_rc "checker: statements.sql" 0 "$CHECKER" "$G/statements.sql"
check_rc "checker: printed init.sql" 0 "$CHECKER" "$G/init.sql"
for f in "$SQLDIR"/*.sql; do
	check_rc "checker: sql/oracle/$(basename "$f")" 0 "$CHECKER" "$f"
done
# The checker must not be vacuous on these files.
sed 's/WHERE ROWNUM <= ?$/LIMIT ?/' "$G/statements.sql" > "$T_TMP/mut.sql"
check "mutation applied (LIMIT)" grep -q 'LIMIT ?$' "$T_TMP/mut.sql"
check_rc "checker catches LIMIT in statements.sql" 1 "$CHECKER" "$T_TMP/mut.sql"
sed 's/FROM NM_ALARM_EVENT e$/FROM NM_ALARM_EVENT AS e/' "$SQLDIR/view_state_on_event.sql" > "$T_TMP/mut.sql"
check_rc "checker catches AS before a table alias in the view" 1 "$CHECKER" "$T_TMP/mut.sql"

# SQL*Plus compatibility, identifier lengths, the one clock, and the DDL
# inside the PL/SQL blocks (which the checker sees only as strings).
cat > "$T_TMP/lint.py" <<'PY'
import re, sys

out = []
def res(ok, name, detail=''):
    out.append(('PASS ' if ok else 'FAIL ') + name + ('' if ok else ': ' + detail))

def statements(text):
    """Statements between lines holding only '/', comment lines dropped."""
    stmts, cur, lines = [], [], text.split('\n')
    for i, line in enumerate(lines, 1):
        if line.strip() == '/':
            stmts.append((i, cur))
            cur = []
        elif line.strip().startswith('--') and not cur:
            continue
        elif line.strip() == '' and not cur:
            continue
        elif re.match(r'WHENEVER\s', line.strip(), re.I) and not cur:
            continue    # SQL*Plus command; dialect_split_script skips it too
        else:
            cur.append(line)
    return stmts, cur

def strip_comments(text):
    """Text with comments removed and string literals emptied."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith('--', i):
            while i < n and text[i] != '\n':
                i += 1
        elif text[i] == "'":
            j = i + 1
            while j < n:
                if text[j] == "'" and text[j + 1:j + 2] == "'":
                    j += 2
                elif text[j] == "'":
                    break
                else:
                    j += 1
            out.append("''")
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)

def literals(text):
    """The DDL the PL/SQL blocks run: ddl('...') strings, and the
    CREATE SEQUENCE of each seq('NAME', 'TABLE', 'ID') call."""
    found = [m.group(1).replace("''", "'") for m in
             re.finditer(r"ddl\('((?:[^']|'')*)'\)", text)]
    found += ['CREATE SEQUENCE %s START WITH 1 INCREMENT BY 1 CACHE 20' % m.group(1)
              for m in re.finditer(r"\bseq\('([A-Z_]+)', '[A-Z_]+', '[A-Z_]+'\);", text)]
    return found

def needs(text):
    """need('TABLE', 'COL,COL,...' || '...') calls: table -> columns."""
    out = {}
    for m in re.finditer(r"need\('([A-Z_]+)', ((?:'[A-Z_,]*'(?:\s*\|\|\s*)?)+)\);", text):
        out[m.group(1)] = ''.join(re.findall(r"'([A-Z_,]*)'", m.group(2))).split(',')
    return out

def lint(path, name):
    text = open(path, encoding='utf-8', errors='replace').read()
    raw = open(path, 'rb').read()
    res(all(b < 128 for b in raw), name + ': plain ASCII')
    res('&' not in text, name + ': no ampersand (SQL*Plus substitution)')
    res('??' not in text, name + ': no "??" (C trigraphs when compiled in)')
    res(text.endswith('\n/\n'), name + ': ends with a "/" line')
    stmts, rest = statements(text)
    res(not any(l.strip() for l in rest), name + ': no statement after the last "/"',
        '\n'.join(rest)[:200])
    res(len(stmts) > 0, name + ': has statements')
    for line, body in stmts:
        code = [l for l in body if not l.strip().startswith('--')]
        first = code[0].strip().upper() if code else ''
        last = code[-1].rstrip() if code else ''
        where = '%s:%d' % (name, line)
        if first.startswith(('DECLARE', 'BEGIN')):
            res(last.strip().upper() == 'END;', where + ': PL/SQL block ends with END;', last)
        else:
            res(not last.endswith(';'), where + ': plain SQL has no trailing ";"', last)
        res('' not in [l.strip() for l in body], where + ': no blank line inside', '')
        res(not any(l.lstrip().startswith(('#', '@')) for l in body),
            where + ': no line SQL*Plus would take as a command')
    code = strip_comments(text)
    long_words = [w for w in re.findall(r'[A-Za-z_][A-Za-z0-9_$#]*', code) if len(w) > 30]
    res(not long_words, name + ': identifiers at most 30 characters', ' '.join(long_words))
    for lit in literals(text):
        long_words += [w for w in re.findall(r'[A-Za-z_][A-Za-z0-9_$#]*', lit) if len(w) > 30]
    res(not long_words, name + ': identifiers in DDL at most 30 characters', ' '.join(long_words))
    sysdate = [m.start() for m in re.finditer(r'SYSDATE', code, re.I)]
    for lit in literals(text):
        sysdate += [-1 for m in re.finditer(r'SYSDATE', re.sub(r'DEFAULT SYSDATE', '', lit), re.I)]
    res(all(code[max(0, p - 8):p].upper() == 'DEFAULT ' for p in sysdate if p >= 0)
        and -1 not in sysdate, name + ': SYSDATE only as a column DEFAULT')
    res(not re.search(r'\b(CLOB|NCLOB|BLOB|LONG|TIMESTAMP|BOOLEAN)\b', code + ' '.join(literals(text)), re.I),
        name + ': no CLOB/LONG/TIMESTAMP/BOOLEAN types')
    return text

def columns(stmts, table):
    """Column names of CREATE TABLE table among stmts, in order."""
    head = re.compile(r'\s*CREATE TABLE (?:IF NOT EXISTS )?%s \(' % table)
    found = [t for t in stmts if head.match(t)]
    if len(found) != 1:
        return None
    body = found[0][found[0].index('(') + 1:found[0].rindex(')')]
    cols = []
    for line in body.split('\n'):
        w = line.strip().split()
        if w and re.match(r'^[A-Z_]+$', w[0]) and w[0] not in ('CONSTRAINT', 'UNIQUE', 'PRIMARY'):
            cols.append(w[0])
    return cols

def view_columns(text):
    m = re.search(r'CREATE (?:OR REPLACE )?VIEW (?:IF NOT EXISTS )?NM_ALARM_SYNC_SOURCE AS(.*?)\n\s*FROM ', text, re.S)
    return re.findall(r'\bAS ([A-Z_]+)\s*(?:,|$)', m.group(1), re.M) if m else None

gen, sqldir, sqlite, ddlfile = sys.argv[1:5]
texts = {}
for f in ['init.sql', 'view_state_on_event.sql', 'drop.sql', 'zmc_indexes.sql']:
    texts[f] = lint(sqldir + '/' + f, 'sql/oracle/' + f)
stmts = open(gen + '/statements.sql').read()
s, rest = statements(stmts)
res(len(s) > 20 and not any(l.strip() for l in rest), 'statements.sql splits on "/" lines')
res(not re.search(r'\bSYSDATE\b', strip_comments(stmts), re.I), 'statements.sql: no SYSDATE')

init = texts['init.sql']
ddl = literals(init) + literals(texts['zmc_indexes.sql'])
res(len(ddl) == 16, 'init.sql, zmc_indexes.sql: 16 DDL statements in the PL/SQL blocks', str(len(ddl)))
with open(ddlfile, 'w') as f:
    for d in ddl:
        f.write(d + '\n/\n')
alld = '\n'.join(ddl)
created = set(re.findall(r'CREATE (?:SEQUENCE|TABLE|VIEW) ([A-Z_]+)', alld))
dropped = set(re.findall(r'^DROP (?:SEQUENCE|TABLE|VIEW) ([A-Z_]+)$', texts['drop.sql'], re.M))
want = {'NM_ALARM_SYNC_CONFIG', 'NM_ALARM_SYNC_STATUS', 'NM_ALARM_SYNC_LOG',
        'NM_ALARM_LABEL_MAPPING', 'NM_ALARM_SYNC_LEASE', 'NM_ALARM_SYNC_CONFIG_SEQ', 'NM_ALARM_SYNC_STATUS_SEQ',
        'NM_ALARM_SYNC_LOG_SEQ', 'NM_ALARM_SYNC_MAPPING_SEQ', 'NM_ALARM_SYNC_SOURCE'}
res(created == want, 'init.sql creates the five tables, four sequences and the view',
    str(sorted(created ^ want)))
res(dropped == created, 'drop.sql drops exactly what init.sql creates', str(sorted(dropped ^ created)))
res(all(re.search(r'^\s*ddl\(', l) is None or "ddl('CREATE " in l for l in init.split('\n')),
    'init.sql: only CREATE statements run dynamically')
seqs = dict((m.group(2), (m.group(1), m.group(3))) for m in
            re.finditer(r"\bseq\('([A-Z_]+)', '([A-Z_]+)', '([A-Z_]+)'\);", init))
nd = needs(init)

lite = open(sqlite).read()
lites = strip_comments(lite).split(';\n')
for t in ['NM_ALARM_SYNC_CONFIG', 'NM_ALARM_SYNC_STATUS', 'NM_ALARM_SYNC_LOG', 'NM_ALARM_LABEL_MAPPING']:
    o = columns(ddl, t)
    l = columns(lites, t)
    res(o is not None and o == l, t + ': same columns, same order as sqlite', '%s vs %s' % (o, l))
    res(nd.get(t) == o, t + ': an existing table must have exactly these columns (need)',
        '%s vs %s' % (nd.get(t), o))
    res(t in seqs and seqs[t][1] == (o or [''])[0], t + ': its sequence feeds the first column',
        str(seqs.get(t)))
o = columns(ddl, 'NM_ALARM_SYNC_LEASE')
l = columns(lites, 'NM_ALARM_SYNC_LEASE')
res(o is not None and o == l, 'NM_ALARM_SYNC_LEASE: same columns, same order as sqlite', '%s vs %s' % (o, l))
res(nd.get('NM_ALARM_SYNC_LEASE') == o, 'NM_ALARM_SYNC_LEASE: an existing table must have exactly these columns (need)',
    '%s vs %s' % (nd.get('NM_ALARM_SYNC_LEASE'), o))
vo = view_columns(alld)
vl = view_columns(lite)
ve = view_columns(texts['view_state_on_event.sql'])
spec = ['ALARM_INST_ID', 'EVENT_INST_ID', 'ALARM_STATE', 'ALARM_LEVEL', 'ALARM_CODE', 'ALARM_NAME',
        'HOST_NAME', 'HOST_IP', 'APP_NAME', 'BUSINESS_DOMAIN', 'ENVIRONMENT', 'RES_INST_TYPE',
        'EVENT_TIME', 'STATE_TIME', 'CREATE_DATE', 'DETAIL_INFO', 'FAULT_REASON', 'DEAL_SUGGEST',
        'CLEAR_REASON', 'TOTAL_ALARM']
res(vo == spec, 'init.sql view has the SPEC 1.2 columns in order', str(vo))
res(vo == vl, 'init.sql view matches the sqlite view', '%s vs %s' % (vo, vl))
res(ve == spec, 'view_state_on_event.sql has the SPEC 1.2 columns in order', str(ve))
for line in out:
    print(line)
PY
python3 "$T_TMP/lint.py" "$G" "$SQLDIR" "$TOP/sql/sqlite/init.sql" "$T_TMP/ddl.sql" > "$T_TMP/lint.out" 2>&1 ||
    fail "lint script crashed: $(tail -3 "$T_TMP/lint.out")"
while IFS= read -r line; do
	case $line in
	PASS\ *) ok "${line#PASS }" ;;
	FAIL\ *) fail "${line#FAIL }" ;;
	*) fail "lint: $line" ;;
	esac
done < "$T_TMP/lint.out"
n=$(grep -c '^PASS\|^FAIL' "$T_TMP/lint.out")
check "lint ran all its checks ($n)" test "$n" -ge 80
check_rc "checker: the DDL inside init.sql and zmc_indexes.sql" 0 "$CHECKER" "$T_TMP/ddl.sql"
sed 's/UNIQUE (ALARM_INST_ID))$/UNIQUE (ALARM_INST_ID)) AUTOINCREMENT/' "$T_TMP/ddl.sql" > "$T_TMP/mut.sql"
check_rc "checker sees into the extracted DDL (mutation caught)" 1 "$CHECKER" "$T_TMP/mut.sql"

# --- the splitter agrees with SQL*Plus ------------------------------------
for f in "$G/init.sql" "$SQLDIR/view_state_on_event.sql" "$SQLDIR/drop.sql" "$SQLDIR/zmc_indexes.sql"; do
	check_eq "dialect_split_script: one statement per / line in $(basename "$f")" \
	    "$("$DRIVER" split oracle < "$f" | grep -c '^/$')" "$(grep -c '^/$' "$f")"
done
"$DRIVER" split oracle < "$G/init.sql" > "$T_TMP/split.sql"
check "split statements still pass the checker" "$CHECKER" "$T_TMP/split.sql"
check_eq "the view's DDL reaches the database whole" \
    "$(grep -c "LEFT JOIN SYS_DOMAIN sd ON sd.DOMAIN_ID = a.SYS_DOMAIN_ID');" "$T_TMP/split.sql")" 1
cat > "$T_TMP/ddl_of.py" <<'PY'
import re, sys
found = re.findall(r"ddl\('((?:[^']|'')*)'\)", open(sys.argv[1]).read())
print(len(found))
print(found)
PY
ddl_of() { python3 "$T_TMP/ddl_of.py" "$1" | md5sum; }
check_eq "DDL strings in the split init script" "$(python3 "$T_TMP/ddl_of.py" "$T_TMP/split.sql" | head -1)" 10
check_eq "every DDL string reaches the database unchanged" "$(ddl_of "$T_TMP/split.sql")" "$(ddl_of "$G/init.sql")"

t_done
