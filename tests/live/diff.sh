#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A host with real docker containers, snapshotted, changed, snapshotted again:
# capaudit diff reports exactly those changes, and nothing else.
#
# Before (busybox `sleep 1000`, no network beyond loopback):
#  keep      docker's default set          unchanged
#  stopped   docker's default set          stopped between the snapshots -> gone
#  entered   --cap-drop=ALL --cap-add=NET_BIND_SERVICE: root joins its
#            cgroups and namespaces (nsenter) with a shell holding the host's
#            whole set -> changed: its bound grows by what the host holds
#            beyond NET_BIND_SERVICE, the two processes appeared, new findings
# Between: privileged (--cap-add=ALL --cap-drop=SYS_RESOURCE, docker's
# --privileged on this VM, RUNTIMES.md) starts -> appeared.
# `docker exec --privileged` cannot run here, which is why the third
# container is entered by hand, as an intruder with root would.
#
# The diff of the two snapshots (--runtime docker: only this test's private
# dockerd runs docker containers) must list these three containers alone,
# the pids docker and /proc give, the capabilities /proc/<pid>/status
# gives, findings new only for the two that got worse and resolved only for
# the one gone, and exit 1; the diff of the first snapshot against the live
# host must say the same; each side against itself says nothing changed.
# shellcheck disable=SC2016
# (SC2016: jq programs expand their own $ variables.)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

live_init
command -v nsenter >/dev/null 2>&1 || skip "nsenter is not installed"

ENTER_PID=
enter_cleanup() {
	local rc=$?
	[ -n "$ENTER_PID" ] && kill -KILL "$ENTER_PID" $(pgrep -P "$ENTER_PID" 2>/dev/null) 2>/dev/null
	(exit "$rc")
	live_cleanup
}
trap enter_cleanup EXIT

docker_start
build_busybox_rootfs
docker_import "$ROOTFS_TAR"

name() { printf 'capaudit-live-%s-%s' "$LIVE_SUFFIX" "$1"; }
# truth TAG: ID and PID of a running container, from docker inspect.
truth() {
	local out running
	out=$(docker_cmd inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}}' "$(name "$1")") ||
		hard_error "docker inspect $1 failed"
	read -r ID PID running <<<"$out"
	[ "$running" = true ] && [ "$PID" -gt 0 ] || hard_error "container $1 is not running: $out"
	note "docker $1: id $ID pid $PID CapBnd $(proc_cap "$PID" CapBnd)"
}

docker_run_detached keep || skip "docker cannot run a container here: $RUN_ERR"
docker_run_detached stopped || hard_error "docker run failed: $RUN_ERR"
docker_run_detached entered --cap-drop=ALL --cap-add=NET_BIND_SERVICE || hard_error "docker run failed: $RUN_ERR"
truth keep; KEEP_ID=$ID
truth stopped; STOP_ID=$ID
truth entered; ENT_ID=$ID ENT_PID=$PID
assert_no_new_links

BEFORE=$LIVE_TMP/before.tar.zst AFTER=$LIVE_TMP/after.tar.zst
"$CAPAUDIT" snapshot "$BEFORE" --policy built-in 2>"$LIVE_TMP/err" ||
	hard_error "the first snapshot failed: $(head -c 300 "$LIVE_TMP/err")"

# ---------------------------------------------------------------------------
# The changes
# ---------------------------------------------------------------------------
docker_cmd stop -t 1 "$(name stopped)" >/dev/null || hard_error "docker stop failed"
docker_run_detached privileged --cap-add=ALL --cap-drop=SYS_RESOURCE ||
	hard_error "docker run --cap-add=ALL --cap-drop=SYS_RESOURCE failed: $RUN_ERR"
truth privileged; PRIV_ID=$ID PRIV_PID=$PID

# Root joins the container: its cgroup in every hierarchy (/docker/<id>,
# RUNTIMES.md), then its namespaces but the user one; nsenter forks the
# shell into the container's pid namespace, both holding root's whole set.
cat >"$LIVE_TMP/enter.sh" <<'EOF'
id=$1 pid=$2
for m in $(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/mounts); do
	f=$m/docker/$id/cgroup.procs
	if [ -f "$f" ]; then echo $$ >"$f" || exit 1; fi
done
exec nsenter -t "$pid" -m -u -i -n -p -- /bin/sleep 1000
EOF
setsid bash "$LIVE_TMP/enter.sh" "$ENT_ID" "$ENT_PID" </dev/null >"$LIVE_TMP/enter.log" 2>&1 &
ENTER_PID=$!
disown "$ENTER_PID"	# its end, killed at cleanup, is no news
CHILD=
for _ in $(seq 1 50); do
	CHILD=$(pgrep -P "$ENTER_PID" 2>/dev/null || true)
	[ -n "$CHILD" ] && break
	sleep 0.1
done
[ -n "$CHILD" ] || hard_error "nsenter into the container did not start: $(cat "$LIVE_TMP/enter.log")"
grep -q "/docker/$ENT_ID" "/proc/$CHILD/cgroup" || hard_error "the entered shell is not in the container's cgroup"
HOST_BND=$(proc_cap "$CHILD" CapBnd)
note "entered: nsenter pid $ENTER_PID, its child $CHILD, CapBnd $HOST_BND"

"$CAPAUDIT" snapshot "$AFTER" --policy built-in 2>"$LIVE_TMP/err" ||
	hard_error "the second snapshot failed: $(head -c 300 "$LIVE_TMP/err")"

# ---------------------------------------------------------------------------
# The diff
# ---------------------------------------------------------------------------
D=$LIVE_TMP/diff.json
rc=0
"$CAPAUDIT" diff "$BEFORE" "$AFTER" --runtime docker --json >"$D" 2>"$LIVE_TMP/diff.err" || rc=$?
[ "$rc" -eq 1 ] || fail_check "diff exits $rc, not 1 (new failing findings): $(head -c 300 "$LIVE_TMP/diff.err")"
[ -s "$LIVE_TMP/diff.err" ] && fail_check "diff wrote on stderr: $(head -c 300 "$LIVE_TMP/diff.err")"
jq -e . "$D" >/dev/null || hard_error "the diff is not JSON: $(head -c 300 "$D")"
"$CAPAUDIT" diff "$BEFORE" "$AFTER" --runtime docker >"$LIVE_TMP/diff.txt" 2>&1 || true
cat "$LIVE_TMP/diff.txt"

# capaudit's spelling of a mask: the names JSON gives, from /proc
bits_of() {	# HEX: the bit numbers set, one a line
	local m=$((16#$1)) i
	for i in $(seq 0 63); do [ $(((m >> i) & 1)) -eq 1 ] && echo "$i"; done; true
}
names_of() { jq -c '[.[] | ascii_downcase] | sort'; }

got=$(jq -c '[.containers[] | "\(.change) \(.id)"] | sort' "$D")
want=$(printf '%s\n' "appeared $PRIV_ID" "gone $STOP_ID" "changed $ENT_ID" | jq -R . | jq -cs 'sort')
[ "$got" = "$want" ] || fail_check "containers: $got, expected $want (keep: $KEEP_ID, unchanged)"

# the entered container: its bound grew by the host's set beyond NET_BIND_SERVICE (bit 10)
grew=$(jq -r --arg id "$ENT_ID" '.containers[] | select(.id == $id) | .masks.bounding.new' "$D")
[ "$grew" = "0x$HOST_BND" ] || fail_check "entered: the bound is $grew, expected 0x$HOST_BND"
nadded=$(jq --arg id "$ENT_ID" '.containers[] | select(.id == $id) | .capabilities.bounding.added | length' "$D")
want_added=$(( $(bits_of "$HOST_BND" | wc -l) - 1 ))
[ "$nadded" = "$want_added" ] || fail_check "entered: $nadded capabilities added to the bound, expected $want_added"
procs=$(jq -c --arg id "$ENT_ID" '[.containers[] | select(.id == $id) | .processes[] | "\(.change) \(.pid)"] | sort' "$D")
want=$(printf '%s\n' "appeared $ENTER_PID" "appeared $CHILD" | jq -R . | jq -cs 'sort')
[ "$procs" = "$want" ] || fail_check "entered: processes $procs, expected $want"
jq -e --arg id "$ENT_ID" '.containers[] | select(.id == $id) | .verdict == {old: "pass", new: "fail"}
	and .privileged == {old: false, new: true}' "$D" >/dev/null ||
	fail_check "entered: not pass -> fail and privileged: $(jq -c --arg id "$ENT_ID" '.containers[] | select(.id == $id) | {verdict, privileged}' "$D")"

# the privileged one: its bound is what /proc says, and it is privileged
jq -e --arg id "$PRIV_ID" --arg m "0x$(proc_cap "$PRIV_PID" CapBnd)" '.containers[] | select(.id == $id) |
	.masks.bounding == $m and .privileged and .verdict == "fail" and .processes == 1' "$D" >/dev/null ||
	fail_check "privileged: $(jq -c --arg id "$PRIV_ID" '.containers[] | select(.id == $id)' "$D")"

# findings: new only for the two that got worse, resolved only for the one gone
jq -e --arg e "$ENT_ID" --arg p "$PRIV_ID" '[.findings[] | select(.change == "new") | .id] | unique == ([$e, $p] | sort)' "$D" >/dev/null ||
	fail_check "new findings of other containers: $(jq -c '[.findings[] | select(.change == "new") | .id] | unique' "$D")"
jq -e --arg s "$STOP_ID" '[.findings[] | select(.change == "resolved") | .id] | unique == [$s]' "$D" >/dev/null ||
	fail_check "resolved findings of other containers: $(jq -c '[.findings[] | select(.change == "resolved") | .id] | unique' "$D")"
for c in "$ENT_ID" "$PRIV_ID"; do
	jq -e --arg id "$c" 'any(.findings[]; .id == $id and .change == "new" and .rule == "privileged" and .failing)' "$D" >/dev/null ||
		fail_check "no new failing privileged finding for $c"
done
jq -e --arg s "$STOP_ID" 'any(.findings[]; .id == $s and .change == "resolved" and .rule == "net-raw")' "$D" >/dev/null ||
	fail_check "the stopped container's net-raw finding is not resolved"
jq -e '.summary == {containers_appeared: 1, containers_gone: 1, containers_changed: 1, processes_appeared: 2,
	processes_gone: 0, processes_changed: 0, processes_not_compared: 0, findings_new: .summary.findings_new,
	findings_new_failing: .summary.findings_new_failing, findings_resolved: .summary.findings_resolved}
	and .summary.findings_new_failing > 0 and (.hosts_differ | not) and (.boots_differ | not) and (.policies_differ | not)' "$D" >/dev/null ||
	fail_check "summary: $(jq -c '{summary, hosts_differ, boots_differ, policies_differ}' "$D")"

# The live host now is what the second snapshot holds: the same diff.
norm='del(.new.source, .new.time, .new.policy)'
"$CAPAUDIT" diff "$BEFORE" live --runtime docker --policy built-in --json >"$LIVE_TMP/live.json" 2>/dev/null || true
diff <(jq -S "$norm" "$D") <(jq -S "$norm" "$LIVE_TMP/live.json") >"$LIVE_TMP/live.diff" ||
	fail_check "diff against live differs from diff against the second snapshot: $(head -20 "$LIVE_TMP/live.diff")"
for s in "$BEFORE" "$AFTER"; do
	n=$("$CAPAUDIT" diff "$s" "$s" --runtime docker --json | jq '[.containers, .findings] | map(length) | add')
	[ "$n" = 0 ] || fail_check "$(basename "$s") against itself: $n changes"
done

live_finish
