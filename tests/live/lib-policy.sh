# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034,SC2016
# (SC2034: ID, PID, VIOLATES, SANDBOX_* and LIVE_JSON_RC are this library's
# results, read by the test. SC2016: jq programs are in single quotes.)
# Helpers for the test that judges real docker containers against policies
# (tests/live/policy-checks.sh).
#
# Sourced after lib.sh. Adds: capaudit runs with arguments of the test's own
# (--policy FILE), the truth of each yes/no check of the policy language from
# /proc, a check of capaudit's findings against that truth, and a container
# in a child user namespace of its own (an unprivileged `unshare`, which
# capaudit sees as runtime "unknown"), stopped again by policy_exit_trap
# before lib.sh's live_cleanup.

# ---------------------------------------------------------------------------
# capaudit runs
# ---------------------------------------------------------------------------

# policy_run_json NAME ARGS...: run "$CAPAUDIT" --json ARGS into
# $LIVE_TMP/NAME.json (LIVE_JSON) and check the document as a whole as
# lib.sh's run_capaudit_json does (that one takes no arguments): valid JSON,
# one document, schema_version 1, a consistent summary, and an exit status of
# 1 exactly when some container (ours or not) fails. Sets LIVE_JSON_RC.
policy_run_json() {
	local name=$1 rc=0 expect n ok nfail sum err
	shift
	LIVE_JSON=$LIVE_TMP/$name.json
	err=$LIVE_TMP/$name.err
	timeout 60 "$CAPAUDIT" --json "$@" >"$LIVE_JSON" 2>"$err" || rc=$?
	if [ -s "$err" ]; then
		note "capaudit --json $* wrote to stderr:"
		sed 's/^/  /' "$err"
	fi
	if [ "$rc" -ge 2 ]; then
		fail_check "$name: capaudit --json $* exited with status $rc (2 is a usage, policy or I/O error)"
	fi
	if ! n=$(jq -s length "$LIVE_JSON" 2>/dev/null); then
		fail_check "$name: capaudit --json $* did not print valid JSON (exit status $rc): $(head -c 300 "$LIVE_JSON")"
		live_finish
	fi
	[ "$n" = 1 ] || fail_check "$name: capaudit --json printed $n JSON documents, not one"
	read -r ok nfail sum < <(jq -r '[.containers[]? | select(.verdict == "fail")] as $f |
		[.schema_version == 1 and (.containers | type == "array"), ($f | length),
		 .summary.containers == (.containers | length) and .summary.failed == ($f | length)] | @tsv' \
		"$LIVE_JSON")
	if [ "$ok" != true ]; then
		fail_check "$name: .schema_version is not 1 or .containers is not an array"
		live_finish
	fi
	expect=0
	[ "$nfail" -gt 0 ] && expect=1
	if [ "$rc" -ne "$expect" ]; then
		fail_check "$name: capaudit --json $* exited with status $rc, expected $expect ($nfail container(s) with verdict fail)"
	fi
	[ "$sum" = true ] ||
		fail_check "$name: .summary $(jq -c '.summary | {containers, failed}' "$LIVE_JSON") disagrees with .containers ($nfail failing)"
	LIVE_JSON_RC=$rc
}

# check_policy_source NAME SOURCE: .policy.source is SOURCE ("built-in" or
# the path given to --policy).
check_policy_source() {
	local got
	got=$(jq -r .policy.source "$LIVE_JSON")
	[ "$got" = "$2" ] ||
		fail_check "$1: .policy.source is \"$got\", expected \"$2\""
}

# check_exit_status NAME ID...: the exit status the test's own containers
# (IDs) imply. If one of them fails it must be 1. If all of them pass it is 0
# unless a container of someone else (a concurrent test, the host's own)
# fails; then it is 1 and those are named, and ours are judged one by one.
check_exit_status() {
	local name=$1 mine others ids
	shift
	# (ids are hex digits or pidns:<digits>: nothing to escape)
	ids=$(printf '"%s",' "$@")
	read -r mine others < <(jq -r --argjson ids "[${ids%,}]" \
		'[.containers[] | select(.verdict == "fail")
		  | {mine: ((.id as $i | $ids | index($i)) != null), name: "\(.runtime) \(if (.id | test("^[0-9a-f]{64}$")) then .id[0:12] else .id end)"}] as $f
		 | [($f | map(select(.mine)) | length), ($f | map(select(.mine | not) | .name) | tojson)] | @tsv' "$LIVE_JSON")
	if [ "$mine" -gt 0 ]; then
		[ "$LIVE_JSON_RC" -eq 1 ] ||
			fail_check "$name: capaudit exited with $LIVE_JSON_RC although $mine container(s) of this test fail"
	elif [ "$others" = "[]" ]; then
		[ "$LIVE_JSON_RC" -eq 0 ] ||
			fail_check "$name: capaudit exited with $LIVE_JSON_RC although every container passes"
	else
		note "$name: every container of this test passes; exit status $LIVE_JSON_RC because of others: $others"
		[ "$LIVE_JSON_RC" -eq 1 ] ||
			fail_check "$name: capaudit exited with $LIVE_JSON_RC although $others fail"
	fi
}

# ---------------------------------------------------------------------------
# Truth from docker and /proc
# ---------------------------------------------------------------------------

# docker_truth TAG: ID and PID of a running container of this run, from
# docker inspect (as docker.sh's helper of the same name).
docker_truth() {
	local name=capaudit-live-$LIVE_SUFFIX-$1 out running
	out=$(docker_cmd inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}}' "$name") ||
		hard_error "docker inspect $name failed"
	read -r ID PID running <<<"$out"
	if [ "$running" != true ] || [ "$PID" -le 0 ]; then
		hard_error "container $name is not running (docker inspect: $out)"
	fi
}

# proc_field PID FIELD: the value of FIELD (NoNewPrivs, Seccomp, Uid, NSpid)
# in /proc/PID/status, fields separated by single spaces.
proc_field() {
	proc_status "$1"
	printf '%s\n' "${STATUS[$2]:-}"
}

# proc_status PID: STATUS[FIELD] = the value of each line of
# /proc/PID/status, fields separated by single spaces. (Bash builtins only:
# a fork costs milliseconds here, and the truth is read hundreds of times.)
declare -A STATUS=()
proc_status() {
	local k v
	STATUS=()
	[ -r "/proc/$1/status" ] || hard_error "cannot read /proc/$1/status"
	while read -r k v; do
		STATUS[${k%:}]=${v//$'\t'/ }
	done <"/proc/$1/status"
}

# The host's namespaces: kthreadd's, since /proc/1/ns/* is unreadable here
# (RUNTIMES.md); the two are the initial namespaces either way.
declare -A HOST_NS=()
host_ns_load() {
	local ns
	for ns in pid net ipc uts user; do
		HOST_NS[$ns]=$(readlink "/proc/2/ns/$ns" 2>/dev/null) ||
			hard_error "cannot read the host's namespaces from /proc/2/ns/$ns"
	done
}

# The yes/no checks of the policy language that these tests judge, with
# their CIS check and what docker's fix must name. host-net is judged too,
# but only its absence: the test never runs --network=host (it would share
# the host's network), so its presence is proven on the "confinement"
# fixture (tests/golden.sh: docker 555555555555, pid 105) only.
POLICY_CHECKS=(host-pid host-net host-ipc host-uts host-user seccomp no-new-privs root)
declare -A POLICY_CIS=([host-pid]=5.16 [host-net]=5.10 [host-ipc]=5.17 [host-uts]=5.21
	[host-user]=5.31 [seccomp]=5.22 [no-new-privs]=5.26 [root]=4.1)
declare -A POLICY_DOCKER_FLAG=([host-pid]=--pid=host [host-net]=--network=host
	[host-ipc]=--ipc=host [host-uts]=--uts=host [host-user]=userns-remap
	[seccomp]=seccomp=unconfined [no-new-privs]=no-new-privileges [root]=--user)

# truth CHECK PID: set VIOLATES to yes or no, from the kernel only.
truth() {
	local check=$1 pid=$2 v ns field f
	[ ${#HOST_NS[@]} -gt 0 ] || host_ns_load
	case $check in
	host-pid | host-net | host-ipc | host-uts | host-user)
		ns=${check#host-}
		v=$(readlink "/proc/$pid/ns/$ns" 2>/dev/null) || hard_error "cannot read /proc/$pid/ns/$ns"
		if [ "$v" = "${HOST_NS[$ns]}" ]; then VIOLATES=yes; else VIOLATES=no; fi
		if [ "$ns" = pid ]; then
			# NSpid lists one pid per namespace level: one field means the
			# host's pid namespace. It must agree with the link.
			proc_status "$pid"
			read -r -a f <<<"${STATUS[NSpid]:-}"
			{ [ ${#f[@]} -eq 1 ] && [ "$VIOLATES" = yes ]; } ||
				{ [ ${#f[@]} -gt 1 ] && [ "$VIOLATES" = no ]; } ||
				hard_error "pid $pid: NSpid has ${#f[@]} field(s) but ns/pid says shared=$VIOLATES"
		fi ;;
	seccomp | no-new-privs)
		field=Seccomp
		[ "$check" = seccomp ] || field=NoNewPrivs
		proc_status "$pid"
		v=${STATUS[$field]:-}
		[ -n "$v" ] || hard_error "no $field line in /proc/$pid/status"
		if [ "$v" = 0 ]; then VIOLATES=yes; else VIOLATES=no; fi ;;
	root)
		# The effective uid (second field of Uid:), as the host sees it: a
		# uid 0 that a child user namespace maps to an unprivileged host uid
		# shows as that uid here.
		proc_status "$pid"
		read -r -a f <<<"${STATUS[Uid]:-}"
		[ ${#f[@]} -ge 2 ] || hard_error "no Uid line in /proc/$pid/status"
		if [ "${f[1]}" = 0 ]; then VIOLATES=yes; else VIOLATES=no; fi ;;
	*) hard_error "truth: unknown check $check" ;;
	esac
}

# ---------------------------------------------------------------------------
# Findings against the truth, checked in one jq run per capaudit run
# ---------------------------------------------------------------------------

# jq costs tens of milliseconds a start on a busy 2-core VM, and this test
# makes hundreds of checks per capaudit run: the expect_* helpers collect
# them as jq expressions (each yields nothing, or a message per mismatch),
# and expect_check evaluates them all in one jq call. They fork nothing.
EXPECT=()

# short_id VAR ID: set VAR to ID as the text table shows it: the first 12
# characters of 64 hex digits, any other id in full.
short_id() {
	if [[ $2 =~ ^[0-9a-f]{64}$ ]]; then
		printf -v "$1" '%s' "${2:0:12}"
	else
		printf -v "$1" '%s' "$2"
	fi
}

# jq_str VAR STRING: set VAR to STRING as a jq string literal.
jq_str() {
	local s=${2//\\/\\\\}
	s=${s//\"/\\\"}
	printf -v "$1" '"%s"' "$s"
}

# jq_container VAR ID: set VAR to a jq expression: the container named ID in
# the document ($doc), or null.
jq_container() {
	local q
	jq_str q "$2"
	printf -v "$1" 'first($doc.containers[] | select(.id == %s))' "$q"
}

# expect_verdict LABEL ID VERDICT: exactly one container has .id == ID, and
# its verdict is VERDICT.
expect_verdict() {
	local sid what qid qv
	short_id sid "$2"
	jq_str what "$1 (id $sid)"
	jq_str qid "$2"
	jq_str qv "$3"
	EXPECT+=("([\$doc.containers[] | select(.id == $qid)]) as \$c |
		if (\$c | length) != 1 then $what + \": \(\$c | length) container entries, expected 1\"
		elif \$c[0].verdict != $qv then $what + \": .verdict is \(\$c[0].verdict | tojson), expected \" + ($qv | tojson) + \"; findings: \([\$c[0].findings[]? | {rule, severity, fails, section}] | tojson)\"
		else empty end")
}

# expect_finding LABEL ID RULE JQ-CONDITION DESCRIPTION: exactly one finding
# has .rule == RULE, and it satisfies JQ-CONDITION.
expect_finding() {
	local sid what c qr
	short_id sid "$2"
	jq_str what "$1 (id $sid): expected one \"$3\" finding that is $5; got "
	jq_container c "$2"
	jq_str qr "$3"
	EXPECT+=("([$c | .findings[]? | select(.rule == $qr)]) as \$f |
		if (\$f | length) == 1 and (\$f[0] | $4) then empty
		else $what + (\$f | tojson) end")
}

# expect_no_finding LABEL ID RULE: no finding has .rule == RULE.
expect_no_finding() {
	local sid what c qr
	short_id sid "$2"
	jq_str what "$1 (id $sid): unexpected \"$3\" finding: "
	jq_container c "$2"
	jq_str qr "$3"
	EXPECT+=("([$c | .findings[]? | select(.rule == $qr)]) as \$f |
		if (\$f | length) == 0 then empty else $what + (\$f | tojson) end")
}

# expect_no_failing LABEL ID: as lib.sh's check_no_failing_findings: no
# finding fails the container, and none is about its capabilities.
expect_no_failing() {
	local sid what c
	short_id sid "$2"
	jq_str what "$1 (id $sid): expected no failing or capability finding, got "
	jq_container c "$2"
	EXPECT+=("([$c | .findings[]? |
		select(.fails != false or (.rule | IN(\"privileged\", \"net-raw\", \"cap-added\")))]) as \$f |
		if (\$f | length) == 0 then empty else $what + (\$f | tojson) end")
}

# expect_check RUN: evaluate every expectation collected since the last
# call against LIVE_JSON; each mismatch is a failed check.
expect_check() {
	local run=$1 prog out line
	[ ${#EXPECT[@]} -gt 0 ] || return 0
	prog='. as $doc | '
	prog+=$(printf '(%s),\n' "${EXPECT[@]}")
	prog=${prog%,}
	EXPECT=()
	out=$(jq -r "$prog" "$LIVE_JSON" 2>"$LIVE_TMP/expect.err") ||
		hard_error "$run: the test's own jq program failed: $(head -c 300 "$LIVE_TMP/expect.err")"
	while IFS= read -r line; do
		[ -n "$line" ] && fail_check "$run: $line"
	done <<<"$out"
	return 0
}

declare -A POLICY_SEEN_YES=() POLICY_SEEN_NO=()

# expect_low_checks LABEL RUNTIME ID PID: under the built-in policy, every
# check of POLICY_CHECKS is a finding of the container exactly when the
# kernel says the process breaks it: rule, cis, severity "low", fails false,
# the pid among .pids, section "default", and a remediation that is a
# non-empty string (for docker: naming docker and the flag). Remembers, per
# check, which labels broke it and which did not.
expect_low_checks() {
	local label=$1 runtime=$2 id=$3 pid=$4 check cond flag=
	for check in "${POLICY_CHECKS[@]}"; do
		truth "$check" "$pid"
		if [ "$VIOLATES" = yes ]; then
			POLICY_SEEN_YES[$check]+=" $label"
			cond=".cis == \"${POLICY_CIS[$check]}\" and .severity == \"low\" and .fails == false
				and .section == \"default\" and any(.pids[]?; . == $pid)
				and (.remediation | type == \"string\" and length > 0)"
			[ "$runtime" = docker ] && flag=${POLICY_DOCKER_FLAG[$check]}
			[ -z "$flag" ] ||
				cond+=" and (.remediation | contains(\"docker\") and contains(\"$flag\"))"
			expect_finding "$label" "$id" "$check" "$cond" \
				"cis ${POLICY_CIS[$check]}, severity low, fails false, pid $pid, section default, with a remediation${flag:+ naming docker and $flag}"
			flag=
		else
			POLICY_SEEN_NO[$check]+=" $label"
			expect_no_finding "$label" "$id" "$check"
		fi
	done
}

# require_truth CHECK PID YES|NO WHAT: the scenario is what the test meant:
# the runtime applied the flag (a mismatch is the environment, not capaudit).
require_truth() {
	truth "$1" "$2"
	[ "$VIOLATES" = "$3" ] ||
		hard_error "$4 (pid $2): the kernel says $1 is broken=$VIOLATES, the test meant $3"
}

# ---------------------------------------------------------------------------
# A container in a child user namespace
# ---------------------------------------------------------------------------

SANDBOX_UNSHARE_PID=
SANDBOX_PID=
SANDBOX_ID=
SANDBOX_ERR=

# sandbox_start: an unprivileged process tree in a user and pid namespace of
# its own: `unshare --user --map-root-user --pid --fork` run as uid 65534
# (root inside maps to 65534 on the host), which drops its bounding set and
# sleeps. capaudit sees it as runtime "unknown", id "pidns:<inode>". Sets
# SANDBOX_PID (the sleep, pid 1 of its namespace), SANDBOX_UNSHARE_PID and
# SANDBOX_ID, or returns 1 with SANDBOX_ERR.
sandbox_start() {
	local i kids
	SANDBOX_ERR=
	if ! command -v unshare >/dev/null 2>&1 || ! command -v setpriv >/dev/null 2>&1; then
		SANDBOX_ERR="unshare or setpriv is not installed (util-linux)"
		return 1
	fi
	# setsid: a ^C reaches the test's trap, which kills this tree by pid.
	(cd / && exec setsid setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --pid --fork \
		setpriv --bounding-set=-all --inh-caps=-all sleep 1000 \
		</dev/null >"$LIVE_TMP/sandbox.log" 2>&1) &
	SANDBOX_UNSHARE_PID=$!
	for i in $(seq 1 50); do
		kids=$(cat "/proc/$SANDBOX_UNSHARE_PID/task/$SANDBOX_UNSHARE_PID/children" 2>/dev/null || true)
		kids=${kids%% }
		if [ -n "$kids" ] && [ "$(cat "/proc/$kids/comm" 2>/dev/null)" = sleep ]; then
			SANDBOX_PID=$kids
			SANDBOX_ID=pidns:$(readlink "/proc/$SANDBOX_PID/ns/pid" | tr -dc 0-9)
			return 0
		fi
		kill -0 "$SANDBOX_UNSHARE_PID" 2>/dev/null || break
		sleep 0.1
	done
	SANDBOX_ERR=$(tr -s '\n' ' ' <"$LIVE_TMP/sandbox.log" | cut -c1-300)
	SANDBOX_ERR=${SANDBOX_ERR:-no sleep process appeared within 5 s}
	sandbox_stop
	return 1
}

# sandbox_stop: SIGKILL (pid 1 of a pid namespace ignores SIGTERM from
# outside, and unshare --fork ignores it too), by pid, then reap.
sandbox_stop() {
	local p
	for p in $SANDBOX_PID $SANDBOX_UNSHARE_PID; do
		kill -KILL "$p" 2>/dev/null || true
	done
	[ -z "$SANDBOX_UNSHARE_PID" ] || wait "$SANDBOX_UNSHARE_PID" 2>/dev/null || true
	SANDBOX_PID='' SANDBOX_UNSHARE_PID=''
}

policy_return() {
	return "$1"
}

# The EXIT trap: the sandbox first, then lib.sh's live_cleanup with the
# test's exit status.
policy_exit_trap() {
	local rc=$?
	trap '' INT TERM HUP PIPE
	set +eu
	sandbox_stop
	policy_return "$rc"
	live_cleanup
}
