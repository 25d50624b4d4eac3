#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd units of src/dist: systemd-analyze verifies them and scores the
# service's sandbox (no higher than measured), the service's command line is
# one capaudit takes and writes metrics node_exporter reads, and its sandbox
# lets a scan through: every system call of a live scan passes its filter,
# and its capability bounding set reads all that an unrestricted run reads.
set -u

. "$(dirname "$0")/common.sh"
dist=$top/src/dist

command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze (Debian: systemd)"; exit 77; }

# systemd wants ExecStart absolute and verify checks it exists: the built binary.
mkdir "$tmp/units"
sed "s|@bindir@|$(dirname "$capaudit")|g" "$dist/capaudit.service.in" >"$tmp/units/capaudit.service"
cp "$dist/capaudit.timer" "$tmp/units/"
unit=$tmp/units/capaudit.service
# value KEY: the unit's KEY= lines, values only, one a line.
value() { sed -n "s/^$1=//p" "$unit"; }

(cd "$tmp/units" && systemd-analyze verify --man=no ./capaudit.service ./capaudit.timer) >"$tmp/verify" 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/verify" ] && ok "systemd-analyze verify: both units, no complaint" ||
	ko "systemd-analyze verify (exit $rc): $(cat "$tmp/verify")"
grep -q '@bindir@' "$dist/capaudit.service.in" && ! grep -q '@bindir@' "$unit" &&
	ok "the service names its binary through @bindir@" || ko "@bindir@ missing or left unsubstituted"

# Measured 1.5 (systemd 252): what is left is what a scan needs (root, CAP_SYS_PTRACE,
# CAP_DAC_READ_SEARCH, all of /proc, the homes read-only); see the unit's comments.
max_exposure=1.6
(cd "$tmp/units" && systemd-analyze security --offline=true ./capaudit.service) >"$tmp/security" 2>&1
score=$(sed -n 's/.*Overall exposure level for capaudit.service: \([0-9.]*\).*/\1/p' "$tmp/security")
if [ -z "$score" ]; then
	ko "systemd-analyze security gave no score: $(tail -3 "$tmp/security")"
elif awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
	ok "exposure $score, at most $max_exposure"
else
	ko "exposure $score rose above $max_exposure:"
	grep '✗' "$tmp/security"
fi

# The properties the README promises, each where systemd reads it.
expect() {	# NAME KEY WANT: the unit's only KEY= line is exactly WANT
	local got
	got=$(value "$2")
	[ "$got" = "$3" ] && ok "$1" || ko "$1: $2='$got', want '$3'"
}
expect "a oneshot" Type oneshot
expect "findings (exit 1) are no failure" SuccessExitStatus 1
expect "only the two capabilities reading takes" CapabilityBoundingSet "CAP_DAC_READ_SEARCH CAP_SYS_PTRACE"
expect "no ambient capability" AmbientCapabilities ""
expect "every process visible" ProtectProc default
expect "all of /proc visible (cap_last_cap)" ProcSubset all
expect "the OS read-only" ProtectSystem strict
expect "homes read, never written" ProtectHome read-only
expect "no network" PrivateNetwork yes
expect "no new privileges" NoNewPrivileges yes
grep -q '^StateDirectory=' "$unit" && ko "StateDirectory= would chown node_exporter's directory" ||
	ok "no StateDirectory="

# The command line: its report goes where it may write, into the directory it waits for.
read -r -a cmd <<<"$(value ExecStart)"
out=
for ((i = 1; i < ${#cmd[@]}; i++)); do
	[ "${cmd[i]}" = -O ] && out=${cmd[i + 1]:-}
done
[ "${cmd[0]}" = "$capaudit" ] && [ -n "$out" ] && ok "ExecStart runs capaudit with -O $out" ||
	ko "ExecStart: ${cmd[*]}"
dir=${out%/*}
expect "it writes only the report's directory" ReadWritePaths "$dir"
expect "skipped where node_exporter's directory is absent" ConditionPathIsDirectory "$dir"

# ExecStart's arguments, the report moved into a directory of ours, on a fixture.
args=("${cmd[@]:1}")
for ((i = 0; i < ${#args[@]}; i++)); do
	[ "${args[i]}" = -O ] && args[i + 1]=$tmp/textfile/capaudit.prom
done
mkdir "$tmp/textfile"
(cd "$fixtures" && "$capaudit" "${args[@]}" --proc-root mixed --policy built-in) 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok "ExecStart's options are taken (exit 1: findings)" || ko "ExecStart's options: exit $rc: $(cat "$tmp/err")"
prom=$tmp/textfile/capaudit.prom
[ "$(stat -c %a "$prom" 2>/dev/null)" = 644 ] && ok "the report is 0644, for node_exporter's user" ||
	ko "the report's mode: $(stat -c %a "$prom" 2>&1)"
sed -E 's/^(capaudit_scan_(duration|timestamp)_seconds) .*/\1 <varies>/' "$prom" >"$tmp/got"
sed '/^--- stderr$/,$d' "$top/tests/expected/mixed-prometheus.out" >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" >"$tmp/diff" && ok "the report is mixed-prometheus.out's metrics" ||
	{ ko "the report differs from tests/expected/mixed-prometheus.out"; cat "$tmp/diff"; }
if command -v promtool >/dev/null; then
	promtool check metrics <"$prom" >"$tmp/lint" 2>&1 && [ ! -s "$tmp/lint" ] &&
		ok "promtool check metrics: no complaint" || ko "promtool check metrics: $(cat "$tmp/lint")"
fi

# The timer: a calendar systemd parses, for the service of its name.
cal=$(sed -n 's/^OnCalendar=//p' "$dist/capaudit.timer")
[ -n "$cal" ] && systemd-analyze calendar "$cal" >/dev/null 2>&1 && ok "the timer's calendar $cal parses" ||
	ko "the timer's OnCalendar '$cal'"
grep -q '^Unit=' "$dist/capaudit.timer" && ko "the timer names another unit" ||
	ok "the timer starts capaudit.service"
grep -qx 'WantedBy=timers.target' "$dist/capaudit.timer" && ok "the timer is wanted by timers.target" ||
	ko "no WantedBy=timers.target"

# A live scan under the service's sandbox, as far as it can be had without systemd as PID 1.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! command -v jq >/dev/null; then
	echo "SKIP: the capability and system call checks need root, setpriv and jq"
	finish units.sh
	exit
fi
live_args=("${args[@]}")
for ((i = 0; i < ${#live_args[@]}; i++)); do
	[ "${live_args[i]}" = --format=prometheus ] && live_args[i]=--json
done
bounding=$(value CapabilityBoundingSet | tr '[:upper:]' '[:lower:]' | sed 's/cap_/+/g; s/ /,/g')
# without CAP: the unit's bounding set less CAP, as setpriv takes it.
without() { echo "$bounding" | tr , '\n' | grep -vx "+$1" | paste -sd, -; }
# norm: the JSON report without what differs from run to run.
norm() { jq -S 'del(.scanner, .summary.processes, .summary.vanished, .summary.kernel_threads)' "$1"; }
# The unit's SecureBits= and NoNewPrivileges= as setpriv takes them: a
# securebit such as noroot would leave root's execve() of capaudit holding
# nothing, which a run without them would never show.
securebits=$(value SecureBits | tr ' -' ',_' | sed 's/\([a-z_]*\)/+\1/g')
nnp=()
[ "$(value NoNewPrivileges)" = yes ] && nnp=(--no-new-privs)
# restricted BOUNDING ARGS...: capaudit as root with only BOUNDING, as the unit would run it.
restricted() {
	local b=$1
	shift
	setpriv --bounding-set="-all${b:+,$b}" --inh-caps=-all ${securebits:+--securebits="$securebits"} "${nnp[@]}" \
		-- "$capaudit" "$@"
}
# Other tests start and stop containers meanwhile: a few tries for two quiet runs.
same=
for try in 1 2 3 4 5; do
	"$capaudit" "${live_args[@]}" --policy built-in 2>/dev/null
	norm "$tmp/textfile/capaudit.prom" >"$tmp/full.json"
	restricted "$bounding" "${live_args[@]}" --policy built-in 2>/dev/null
	norm "$tmp/textfile/capaudit.prom" >"$tmp/bound.json"
	held=$(jq -c '.scanner.capabilities.permitted' "$tmp/textfile/capaudit.prom")
	cmp -s "$tmp/full.json" "$tmp/bound.json" && { same=$try; break; }
	sleep 1
done
[ -n "$same" ] && ok "this host's live scan, bounded by $bounding (held $held), is the unrestricted one" ||
	{ ko "bounded by $bounding, the live scan differs:"; diff "$tmp/full.json" "$tmp/bound.json" | head -20; }
# Each of the two is needed: the same checks fail without it.
rm -f "$tmp/textfile/capaudit.prom"
restricted "$(without sys_ptrace)" "${live_args[@]}" --policy built-in 2>/dev/null
[ "$(jq .summary.complete "$tmp/textfile/capaudit.prom")" = false ] &&
	[ "$(jq -c .scanner.capabilities.permitted "$tmp/textfile/capaudit.prom")" = '["cap_dac_read_search"]' ] &&
	ok "without CAP_SYS_PTRACE the namespace links go unread: incomplete" ||
	ko "without CAP_SYS_PTRACE the audit was complete"
# Another user's runtime state (rootless podman's, in a 0700 home): a host-named copy.
cp -a "$fixtures/host-named" "$tmp/host"
web=$(grep -l '"Name": "/web"' "$tmp"/host/var/lib/docker/containers/*/config.v2.json 2>/dev/null)
chown -R 1001:1001 "${web%/*}" && chmod 0700 "${web%/*}"
# name_read BOUNDING: whether the container "web" is named, exit 2 where capaudit did not run
name_read() {
	restricted "$1" --host-root "$tmp/host" --policy built-in --json >"$tmp/host.json" 2>/dev/null
	[ $? -le 1 ] || return 2
	jq -e '[.containers[] | select(.workload.name == "web")] | length > 0' "$tmp/host.json" >/dev/null
}
name_read "$bounding" && ok "another user's 0700 state is read under $bounding" ||
	ko "another user's 0700 state went unread under $bounding"
name_read "$(without dac_read_search)"
case $? in
0) ko "without CAP_DAC_READ_SEARCH another user's 0700 state was read" ;;
1) ok "without CAP_DAC_READ_SEARCH another user's 0700 state goes unread" ;;
*) ko "capaudit did not run under $(without dac_read_search)" ;;
esac

# Every system call of a live scan passes the unit's filter (strace's names, systemd's sets).
if command -v strace >/dev/null && command -v python3 >/dev/null; then
	strace -f -qq -o "$tmp/strace" "$capaudit" "${args[@]}" --policy built-in 2>/dev/null
	systemd-analyze syscall-filter >"$tmp/sets"
	value SystemCallFilter >"$tmp/filter"
	python3 - "$tmp/sets" "$tmp/filter" "$tmp/strace" >"$tmp/syscalls" <<'EOF'
import re, sys
sets, cur = {}, None
for line in open(sys.argv[1]):
    s = line.strip()
    if not s or s.startswith('#'):
        continue
    if not line[0].isspace():
        cur = sets.setdefault(s, [])
    elif cur is not None:
        cur.append(s)
def expand(words):
    out = set()
    for w in words:
        out |= expand(sets[w]) if w.startswith('@') else {w}
    return out
allowed = None
for line in open(sys.argv[2]):    # systemd's rules: the first list allows, ~ lists deny, later lists add back
    words = line.split()
    deny = words[0].startswith('~')
    names = expand([words[0].lstrip('~')] + words[1:])
    if allowed is None:
        allowed = set() if deny else names
    elif deny:
        allowed -= names
    else:
        allowed |= names
used = set()
for line in open(sys.argv[3]):
    m = re.match(r'\d+\s+([a-z0-9_]+)\(', line)
    if m:
        used.add(m.group(1))
print(len(used), ' '.join(sorted(used - allowed)))
EOF
	read -r n refused <"$tmp/syscalls"
	[ "${n:-0}" -gt 20 ] && [ -z "${refused:-}" ] && ok "the $n system calls of a live scan pass SystemCallFilter=" ||
		ko "SystemCallFilter= refuses: ${refused:-?} (of ${n:-0} seen)"
else
	echo "SKIP: no strace: the system call filter is not checked"
fi

finish units.sh
