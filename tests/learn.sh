#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capaudit learn without containers: its usage errors, its refusals (no
# privilege, no tracepoint) leaving nothing behind, the instance of a killed
# run removed, Ctrl-C ending it early with a report, its JSON, and its noise
# rules each documented in capaudit(8). tests/live/learn.sh learns real
# containers.
. "$(dirname "$0")/common.sh"

T=/sys/kernel/tracing
prefix=capaudit-learn-

# expect_fail NAME PATTERN COMMAND...: exit status 2, PATTERN on stderr, nothing on stdout.
expect_fail() {
	local name=$1 pattern=$2 rc=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "$name"
	else
		ko "$name (exit $rc: $(head -c 300 "$tmp/err"))"
	fi
}

# instances: ours, in the real tracefs, one a line.
instances() {
	ls "$T/instances" 2>/dev/null | grep "^$prefix" || true
}

expect_fail "--duration 0 is refused" "not a time of more than 0" "$capaudit" learn --duration 0
expect_fail "--duration beyond a day is refused" "at most a day" "$capaudit" learn --duration 25h
expect_fail "--duration must be a time" "not a time" "$capaudit" learn --duration 5x
expect_fail "learn reports as text or JSON only" "learn: --format text or json" "$capaudit" learn --format cis
expect_fail "--pid does not go with learn" "--pid goes with scan and snapshot" "$capaudit" learn --pid 1
expect_fail "--proc-root does not go with learn" "--proc-root goes with" "$capaudit" learn --proc-root /proc
expect_fail "--noise goes with learn only" "--noise goes with learn" "$capaudit" --noise
expect_fail "--buffer-size is bounded" "--buffer-size" "$capaudit" learn --buffer-size 1
expect_fail "a bad policy stops learn before it watches" "unknown rule" \
	"$capaudit" learn --duration 1 --policy-out "$tmp/p.ini" -p "$top/tests/policies/bad/02-unknown-rule-in-section.ini"
[ ! -e "$tmp/p.ini" ] && ok "nothing is written for a bad policy" || ko "a policy was written for a bad policy"

# Every noise rule of src/noise.c has its entry in capaudit(8).
rules=$(sed -n 's/^\t{ "\([a-z-]*\)", [A-Z_]*, ".*/\1/p' "$top/src/noise.c" | sort -u)
if [ -z "$rules" ]; then
	ko "the noise rules of src/noise.c could be read"
else
	missing=
	for r in $rules; do
		grep -qx "\.B ${r//-/\\\\-}" "$top/man/capaudit.8" || missing="$missing $r"
	done
	[ -z "$missing" ] && ok "each noise rule is documented ($(echo $rules | wc -w))" ||
		ko "noise rules missing from capaudit(8):$missing"
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the refusals and runs of learn need root"
	finish learn.sh
	exit $?
fi
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null
if [ ! -d "$T/events/capability/cap_capable" ]; then
	echo "SKIP: this kernel has no capability:cap_capable tracepoint (Linux 6.14+)"
	finish learn.sh
	exit $?
fi
before=$(instances)

# Not root: refused, and no instance made.
if command -v setpriv >/dev/null; then
	expect_fail "learn refuses a caller without privilege" "learning needs root" \
		setpriv --reuid 65534 --regid 65534 --clear-groups "$capaudit" learn --duration 1
	[ "$(instances)" = "$before" ] && ok "nothing is left behind by a refused run" ||
		ko "a refused run left an instance: $(instances)"
else
	echo "SKIP: setpriv is missing: the refusal without privilege is not tested"
fi

# A kernel without the tracepoint: a tracefs of the real formats, but for capability's.
fake=$tmp/tracefs
mkdir -p "$fake/events" "$fake/instances"
cp "$T/events/header_page" "$T/events/header_event" "$fake/events/" 2>/dev/null
for cpu in "$T"/per_cpu/cpu*; do
	mkdir -p "$fake/per_cpu/${cpu##*/}"
done
for sys in sched task cgroup ftrace; do
	mkdir -p "$fake/events/$sys"
	: >"$fake/events/$sys/enable"
	for ev in "$T/events/$sys"/*/; do
		ev=${ev%/}
		[ -r "$ev/format" ] || continue
		mkdir -p "$fake/events/$sys/${ev##*/}"
		cp "$ev/format" "$fake/events/$sys/${ev##*/}/format"
	done
done
expect_fail "a kernel without capability:cap_capable is said to be one" \
	"the kernel has no tracepoint capability:cap_capable.*Linux 6.14" \
	env CAPAUDIT_TRACEFS="$fake" "$capaudit" learn --duration 1
[ -z "$(ls -A "$fake/instances")" ] && ok "nothing is made in a tracefs without the tracepoint" ||
	ko "an instance was made in the fake tracefs: $(ls "$fake/instances")"

expect_fail "no tracefs where it is said to be is said" "no tracefs at $tmp/none" \
	env CAPAUDIT_TRACEFS="$tmp/none" "$capaudit" learn --duration 1

# The instance of a killed run (its pid gone) is removed at the next start; ours goes at the end.
true &
dead=$!
wait "$dead"
mkdir "$T/instances/$prefix$dead" || ko "cannot make a stale instance"
"$capaudit" learn --duration 1 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ok "learn runs for a second" || ko "learn --duration 1: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "removed 1 ftrace instance that killed runs left" "$tmp/err" && [ ! -d "$T/instances/$prefix$dead" ] &&
	ok "a killed run's instance is removed, and said" || ko "the stale instance stayed: $(cat "$tmp/err")"
[ "$(instances)" = "$before" ] && ok "learn leaves no instance of its own" || ko "left: $(instances)"
grep -q "^Learned for 1.0 s: [0-9]* capability checks, [0-9]* of them by [0-9]* containers\?; no event lost.$" \
	"$tmp/out" && ok "the report's first line says what was watched" || ko "first line: $(head -1 "$tmp/out")"

# Ctrl-C ends it early: a report still, exit 0, and the instance removed.
"$capaudit" learn --duration 120 -J >"$tmp/int.json" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 50); do
	[ -n "$(instances)" ] && [ "$(instances)" != "$before" ] && break
	sleep 0.1
done
[ -d "$T/instances/$prefix$pid" ] && ok "learn records into an instance of its own" ||
	ko "no instance $prefix$pid while learning: $(instances)"
sleep 1
kill -INT "$pid"
start=$SECONDS
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && [ $((SECONDS - start)) -lt 10 ] && ok "SIGINT ends learning at once, exit 0" ||
	ko "after SIGINT: exit $rc, $((SECONDS - start)) s"
[ ! -d "$T/instances/$prefix$pid" ] && ok "SIGINT removes the instance" || ko "the instance stayed after SIGINT"
if command -v jq >/dev/null; then
	jq -e '.schema_version == 1 and .stopped_early == true and (.seconds < 60) and (.lost_events | type) == "number"
		and (.checks >= .contained_checks) and (.containers | type) == "array"' "$tmp/int.json" >/dev/null &&
		ok "its JSON says it stopped early, with its counts" || ko "JSON: $(head -c 400 "$tmp/int.json")"
else
	echo "SKIP: jq is missing: learn's JSON is not checked"
fi

finish learn.sh
