#!/bin/bash
# backend: any
# t_orphans.sh: a run killed between its Alertmanager writes and its
# bookkeeping orphans nothing.  For each kind of write (fire, resolve,
# relabel, silence, expire) the run is SIGKILLed right after the push,
# ZMC moves on, and the next runs leave Alertmanager as ZMC says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/zmc.sh"
need jq

killed_run() {
	ZMCSYNC_TEST_KILL_AFTER_PUSH=1 "$ZMCSYNC" -c "$CONF" run >"$T_TMP/k.out" 2>"$T_TMP/k.err"
	echo $?
}
active() { am_alerts "active=true&silenced=false" | jq -r '[.[].labels.alarm_id] | sort | join(" ")'; }
ours() { am_silences | jq -c --arg id "$1" '[.[] | select((.status.state == "active" or .status.state == "pending") and .createdBy == "zmcsync" and any(.matchers[]; .name == "alarm_id" and .value == $id))]'; }

am_start
zmc_init

# fire: pushed, not recorded; the alarm then recovers.
zmc_raise 701 9001 1 901 5
check_eq "fire: the run is killed after its push" "$(killed_run)" 137
check_eq "fire: the alert reached Alertmanager" "$(active)" "701"
check_eq "fire: a PENDING row remembers it" "$(status 701)" PENDING
zmc_state 701 A
check_rc "fire: next run" 0 zrun
check_eq "fire: resolved in Alertmanager" "$(active)" ""
check_eq "fire: RESOLVED" "$(status 701)" RESOLVED

# resolve: pushed, not recorded; the next run resolves again.
zmc_raise 702 9001 1 901 5
check_rc "resolve: fired" 0 zrun
zmc_state 702 C
check_eq "resolve: killed after the push" "$(killed_run)" 137
check_eq "resolve: the row still says FIRING" "$(status 702)" FIRING
check_rc "resolve: next run" 0 zrun
check_eq "resolve: RESOLVED" "$(status 702)" RESOLVED
check_eq "resolve: nothing active" "$(active)" ""

# first push killed, then the level changes before the row learnt of it:
# the next run fires the new set and resolves the one the killed run fired.
zmc_raise 706 9001 1 901 5
check_eq "relevel: killed after the first push" "$(killed_run)" 137
check_eq "relevel: PENDING with the first set" "$(sql "SELECT ALERT_LABELS FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=706" | jq -r .severity)" critical
sql "UPDATE NM_ALARM_CDR SET ALARM_LEVEL=2 WHERE ALARM_INST_ID=706"
check_rc "relevel: next run" 0 zrun
check_eq "relevel: FIRING" "$(status 706)" FIRING
check_eq "relevel: one active alert for the alarm" "$(am_alerts "active=true" | jq '[.[] | select(.labels.alarm_id == "706")] | length')" 1
check_eq "relevel: with the new severity" "$(am_alert 706 | jq -r .labels.severity)" error
check_eq "relevel: nothing left owed" "$(sqlite3 "$T_TMP/state/state.db" "SELECT COUNT(*) FROM owed" 2>&1)" 0
zmc_state 706 A
check_rc "relevel: cleared" 0 zrun

# relabel: old set resolved and new set fired, not recorded.
zmc_raise 703 9001 1 901 5
check_rc "relabel: fired" 0 zrun
sql "UPDATE NM_ALARM_CDR SET ALARM_LEVEL=2 WHERE ALARM_INST_ID=703"
check_eq "relabel: killed after the push" "$(killed_run)" 137
check_rc "relabel: next run" 0 zrun
check_eq "relabel: one active alert for the alarm" "$(am_alerts "active=true" | jq '[.[] | select(.labels.alarm_id == "703")] | length')" 1
check_eq "relabel: with the new severity" "$(am_alert 703 | jq -r .labels.severity)" error
check_eq "relabel: stored" "$(sql "SELECT ALERT_LABELS FROM NM_ALARM_SYNC_STATUS WHERE ALARM_INST_ID=703" | jq -r .severity)" error

# silence: resolve pushed and silence created, not recorded; the alarm then recovers.
zmc_raise 704 9002 2 902 5
check_rc "silence: fired" 0 zrun
zmc_state 704 M
check_eq "silence: killed after the push" "$(killed_run)" 137
check_eq "silence: the silence exists" "$(ours 704 | jq length)" 1
check_eq "silence: the row still says FIRING" "$(status 704)" FIRING
zmc_state 704 A
check_rc "silence: next run" 0 zrun
check_eq "silence: RESOLVED" "$(status 704)" RESOLVED
check_eq "silence: no silence of ours left for it" "$(ours 704 | jq length)" 0

# expire: silence expired, not recorded.
zmc_raise 705 9002 2 902 5
check_rc "expire: fired" 0 zrun
zmc_state 705 M
check_rc "expire: silenced" 0 zrun
check_eq "expire: SILENCED" "$(status 705)" SILENCED
zmc_state 705 C
check_eq "expire: killed after the expiry" "$(killed_run)" 137
check_eq "expire: the row still says SILENCED" "$(status 705)" SILENCED
check_rc "expire: next run" 0 zrun
check_eq "expire: RESOLVED" "$(status 705)" RESOLVED
check_eq "expire: no active silence" "$(ours 705 | jq length)" 0

# re-raise: a RESOLVED alarm comes back, is pushed, not recorded, and clears again.
zmc_raise 706 9001 1 901 5
check_rc "re-raise: fired" 0 zrun
zmc_state 706 A
check_rc "re-raise: resolved" 0 zrun
sleep 1
zmc_reraise 706
check_eq "re-raise: killed after the push" "$(killed_run)" 137
check_eq "re-raise: the alert is back in Alertmanager" "$(am_alerts "active=true" | jq '[.[] | select(.labels.alarm_id == "706")] | length')" 1
check_eq "re-raise: a PENDING row remembers it" "$(status 706)" PENDING
zmc_state 706 C
check_rc "re-raise: next run" 0 zrun
check_eq "re-raise: resolved in Alertmanager" "$(am_alerts "active=true" | jq '[.[] | select(.labels.alarm_id == "706")] | length')" 0
check_eq "re-raise: RESOLVED" "$(status 706)" RESOLVED

check_rc "a last run has nothing to fix" 0 zrun
check_eq "Alertmanager agrees with ZMC: only 703 firing" "$(active)" "703"
check_eq "no silence of ours at all" "$(am_silences | jq '[.[] | select((.status.state == "active" or .status.state == "pending"))] | length')" 0
am_stop
t_done
