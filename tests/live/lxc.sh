#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real LXC containers, audited by capaudit and compared with what lxc-info,
# the container's config (its lxc.cap.* lines) and /proc/<pid>/status say
# (CIS Docker Benchmark 5.4/5.5).
#
# Each container comes from the busybox template (busybox init as its init)
# in a private lxcpath under the test's temporary directory, with
# lxc.net.0.type = empty (loopback only), and is named after the run:
# (a) the template's default caps (the host's set minus SYS_MODULE,
#     SYS_TIME, MAC_OVERRIDE, MAC_ADMIN)        -> fail, "net-raw" and
#                                                  "cap-added"
# (b) lxc.cap.keep = net_bind_service          -> pass, no findings
# (c) the template's drops cleared (an empty lxc.cap.drop), then net_raw
#     and all of them but sys_time dropped     -> fail, "cap-added", no
#                                                  "net-raw"
# capaudit must report each as runtime "lxc" with the container's name as id
# (cgroup /lxc.payload.<name>), every process of its cgroup among its
# processes; the LXC monitor ("[lxc monitor] <lxcpath> <name>", cgroup
# /lxc.monitor.<name>) is never a container nor a container's process.
# Through --host-root, with the private lxcpath where LXC's default is, each
# is named as lxc-ls lists it, with the bounding set its config's lxc.cap.*
# lines give, read in order as LXC reads them.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-lxc.sh"

named_init
for tool in lxc-create lxc-start lxc-stop lxc-destroy lxc-info lxc-wait; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (package lxc)"
done

LXC_PATH=$LIVE_TMP/lxc
mkdir -p "$LXC_PATH"
LXC_NAMES=()
LXC_CGROUPS=()

# LXC keeps a lock per container under /run/lxc/lock/<lxcpath>/ and leaves
# an lxc.pivot cgroup behind in every hierarchy when a monitor exits.
note_host_paths /run/lxc /run/lxc/lock
note_cgroup_dirs lxc.pivot

# shellcheck disable=SC2317 # (run by named_cleanup)
lxc_cleanup() {
	local name pids=() i
	for name in "${LXC_NAMES[@]}"; do
		timeout 30 lxc-stop -P "$LXC_PATH" -n "$name" -k >/dev/null 2>&1 || true
		timeout 30 lxc-destroy -P "$LXC_PATH" -n "$name" >/dev/null 2>&1 || true
	done
	# Whatever survived: monitors name our private lxcpath on their command
	# line, and the containers' processes are in their cgroups.
	for i in $(seq 1 25); do
		mapfile -t pids < <(live_pids_naming "$LXC_PATH"; cgroup_procs_under "${LXC_CGROUPS[@]}")
		[ ${#pids[@]} -gt 0 ] || break
		[ "$i" -eq 1 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
		sleep 0.2
	done
	[ ${#pids[@]} -eq 0 ] ||
		printf 'warning: LXC processes survived the cleanup: %s\n' "${pids[*]}" >&2
	for i in "${LXC_CGROUPS[@]}"; do
		[ -d "$i" ] && rmdir "$i" 2>/dev/null
	done
	rm -rf "/run/lxc/lock$LXC_PATH"
	# The lock directory's parents, up to /run/lxc/lock, if now empty.
	i=/run/lxc/lock$LXC_PATH
	while [ "$i" != /run/lxc/lock ] && [ "$i" != / ]; do
		i=$(dirname "$i")
		[ "$i" = /run/lxc/lock ] || rmdir "$i" 2>/dev/null || break
	done
	return 0
}
named_cleanup_add lxc_cleanup

# lxc_new TAG CONFIG-LINE...: create container capaudit-live-<suffix>-TAG from
# the busybox template, without network, and append CONFIG-LINEs to its
# config. Sets NAME.
lxc_new() {
	local tag=$1 conf=$LIVE_TMP/lxc-$1.conf h
	shift
	NAME=capaudit-live-$LIVE_SUFFIX-$tag
	LXC_NAMES+=("$NAME")
	for h in $(cgroup_hierarchies); do
		LXC_CGROUPS+=("$h/lxc.payload.$NAME" "$h/lxc.monitor.$NAME")
	done
	# -f: never /etc/lxc/default.conf (a veth on lxcbr0).
	printf 'lxc.net.0.type = empty\n' >"$conf"
	if ! timeout 60 lxc-create -P "$LXC_PATH" -n "$NAME" -t busybox -f "$conf" \
		>"$LIVE_TMP/lxc-create-$tag.log" 2>&1; then
		skip "lxc-create -t busybox failed: $(live_last_error "$LIVE_TMP/lxc-create-$tag.log")"
	fi
	[ -f "$LXC_PATH/$NAME/config" ] || hard_error "lxc-create made no $LXC_PATH/$NAME/config"
	printf '%s\n' "$@" >>"$LXC_PATH/$NAME/config"
	# Loopback only, whatever the template wrote.
	if grep -E '^[[:space:]]*lxc\.net\.' "$LXC_PATH/$NAME/config" |
		grep -vqE '^[[:space:]]*lxc\.net\.0\.type[[:space:]]*=[[:space:]]*empty[[:space:]]*$'; then
		hard_error "the config of $NAME has network settings beyond lxc.net.0.type = empty: $(grep -E '^[[:space:]]*lxc\.net\.' "$LXC_PATH/$NAME/config" | tr '\n' ' ')"
	fi
}

# lxc_copy FROM TAG CONFIG-LINE...: container capaudit-live-<suffix>-TAG as
# a copy of FROM (its template config, its name replaced, and a copy of its
# root filesystem), plus CONFIG-LINEs. The busybox template spawns one ln per
# applet: copying is much faster than a second lxc-create. Sets NAME.
lxc_copy() {
	local from=capaudit-live-$LIVE_SUFFIX-$1 tag=$2 h
	shift 2
	NAME=capaudit-live-$LIVE_SUFFIX-$tag
	LXC_NAMES+=("$NAME")
	for h in $(cgroup_hierarchies); do
		LXC_CGROUPS+=("$h/lxc.payload.$NAME" "$h/lxc.monitor.$NAME")
	done
	mkdir "$LXC_PATH/$NAME" || hard_error "cannot create $LXC_PATH/$NAME"
	cp -a "$LXC_PATH/$from/rootfs" "$LXC_PATH/$NAME/rootfs" ||
		hard_error "cannot copy the root filesystem of $from"
	sed "s|$from|$NAME|g" "$LXC_PATH/$from/config" >"$LXC_PATH/$NAME/config"
	printf '%s\n' "$@" >>"$LXC_PATH/$NAME/config"
	grep -qx "lxc.rootfs.path = dir:$LXC_PATH/$NAME/rootfs" "$LXC_PATH/$NAME/config" ||
		hard_error "the config of $NAME does not point at its own root filesystem: $(grep rootfs "$LXC_PATH/$NAME/config")"
}

# lxc_run TAG: start the container TAG detached; returns non-zero with the
# reason in RUN_ERR.
lxc_run() {
	local name=capaudit-live-$LIVE_SUFFIX-$1 log=$LIVE_TMP/lxc-start-$1.log
	RUN_ERR=
	if ! timeout 30 lxc-start -P "$LXC_PATH" -n "$name" -d -o "$log" -l INFO ||
		! timeout 30 lxc-wait -P "$LXC_PATH" -n "$name" -s RUNNING -t 20; then
		RUN_ERR=$(grep -E 'ERROR|WARN' "$log" 2>/dev/null | tail -n 3 | tr -s '\n\t' '  ' | cut -c1-400)
		[ -n "$RUN_ERR" ] || RUN_ERR=$(live_last_error "$log")
		return 1
	fi
}

# lxc_expected_bnd CONFIG: the bounding set LXC gives the container, from
# the config's lxc.cap.drop / lxc.cap.keep lines (an empty drop clears the
# drops so far, keep "none" the keeps) and the bounding set of lxc-start
# (this shell's). Sets EXPECT_BND.
lxc_expected_bnd() {
	local key val drop=() keep=() m own
	own=$(proc_cap "$$" CapBnd)
	grep -qE '^[[:space:]]*lxc\.include' "$1" &&
		hard_error "$1 includes other files; this test reads lxc.cap.* from it alone"
	while IFS='=' read -r key val; do
		key=$(printf '%s' "$key" | tr -d '[:space:]')
		read -r -a words <<<"$val"
		case $key in
		lxc.cap.drop)
			if [ ${#words[@]} -eq 0 ]; then drop=(); else drop+=("${words[@]}"); fi ;;
		lxc.cap.keep)
			if [ "${words[*]}" = none ]; then keep=(); else keep+=("${words[@]}"); fi ;;
		esac
	done < <(grep -E '^[[:space:]]*lxc\.cap\.(drop|keep)[[:space:]]*=' "$1")
	if [ ${#keep[@]} -gt 0 ]; then
		[ ${#drop[@]} -eq 0 ] || hard_error "$1 sets both lxc.cap.keep and lxc.cap.drop"
		m=$(caps_mask "${keep[@]}") || hard_error "$1: unknown capability in lxc.cap.keep: ${keep[*]}"
		EXPECT_BND=$(printf '%016x' $((16#$m & 16#$own)))
	else
		m=$(caps_mask "${drop[@]}") || hard_error "$1: unknown capability in lxc.cap.drop: ${drop[*]}"
		EXPECT_BND=$(printf '%016x' $((16#$own & ~16#$m)))
	fi
	LXC_CAP_LINES=$(grep -E '^[[:space:]]*lxc\.cap\.' "$1" | tr '\n' ';')
}

# lxc_truth TAG: NAME, PID (the init, from lxc-info), MONITOR (its parent,
# the "[lxc monitor]" process) and MEMBERS (the pids of its cgroup); checks
# that /proc agrees with the config's lxc.cap.* lines.
lxc_truth() {
	local state bnd cmd dirs
	NAME=capaudit-live-$LIVE_SUFFIX-$1
	state=$(timeout 30 lxc-info -P "$LXC_PATH" -n "$NAME" -s -H) ||
		hard_error "lxc-info -s $NAME failed"
	PID=$(timeout 30 lxc-info -P "$LXC_PATH" -n "$NAME" -p -H) ||
		hard_error "lxc-info -p $NAME failed"
	if [ "$state" != RUNNING ] || ! [[ $PID =~ ^[0-9]+$ ]] || ! [ -r "/proc/$PID/status" ]; then
		hard_error "container $NAME is not running (lxc-info: state '$state', pid '$PID')"
	fi
	[ "$(nspid_inner "$PID")" = 1 ] ||
		hard_error "pid $PID of $NAME is not pid 1 of its namespace ($(grep NSpid "/proc/$PID/status"))"
	MONITOR=$(ppid_of "$PID")
	cmd=$(tr '\0' ' ' <"/proc/$MONITOR/cmdline" 2>/dev/null)
	case $cmd in
	"[lxc monitor] $LXC_PATH $NAME"*) ;;
	*) hard_error "the parent $MONITOR of $NAME's init $PID is not its LXC monitor: '$cmd'" ;;
	esac
	# Its cgroups, wherever LXC put them (removed at exit if left behind).
	mapfile -t dirs < <(cgroup_dirs_of "$PID"; cgroup_dirs_of "$MONITOR")
	LXC_CGROUPS+=("${dirs[@]}")
	case ${dirs[0]:-} in
	*/lxc.payload.$NAME) ;;
	*) hard_error "init $PID of $NAME is not in a cgroup lxc.payload.$NAME: $(tr '\n' ' ' <"/proc/$PID/cgroup")" ;;
	esac
	mapfile -t MEMBERS < <(cgroup_procs_under "${dirs[0]}")
	printf '%s\n' "${MEMBERS[@]}" | grep -qx "$PID" ||
		hard_error "init $PID of $NAME is not among the pids of ${dirs[0]}: ${MEMBERS[*]}"
	lxc_expected_bnd "$LXC_PATH/$NAME/config"
	bnd=$(proc_cap "$PID" CapBnd)
	[ "$bnd" = "$EXPECT_BND" ] ||
		hard_error "$NAME: CapBnd of its init $PID is $bnd, but its config ($LXC_CAP_LINES) implies $EXPECT_BND"
	note "lxc $1: name $NAME init $PID monitor $MONITOR members ${MEMBERS[*]} CapEff $(proc_cap "$PID" CapEff) CapBnd $bnd ($LXC_CAP_LINES)"
	dump_facts "lxc $1 init" "$PID"
	dump_facts "lxc $1 monitor" "$MONITOR"
}

lxc_new default
# The first container doubles as the probe: if LXC cannot run one at all
# here, that is the environment, not capaudit.
lxc_run default || skip "LXC cannot start a container here: $RUN_ERR"
lxc_copy default minimal 'lxc.cap.drop =' 'lxc.cap.keep = net_bind_service'
lxc_run minimal || hard_error "lxc-start with lxc.cap.keep = net_bind_service failed: $RUN_ERR"
lxc_copy default noraw 'lxc.cap.drop =' 'lxc.cap.drop = net_raw sys_module mac_admin mac_override'
lxc_run noraw || hard_error "lxc-start with lxc.cap.drop = net_raw failed: $RUN_ERR"

lxc_truth default
ID_A=$NAME PID_A=$PID MONITORS=("$MONITOR") MEMBERS_A=("${MEMBERS[@]}") BND_A=$EXPECT_BND
lxc_truth minimal
ID_B=$NAME PID_B=$PID MONITORS+=("$MONITOR") MEMBERS_B=("${MEMBERS[@]}") BND_B=$EXPECT_BND
[ "$(proc_cap "$PID_B" CapBnd)" = "$(caps_mask net_bind_service)" ] ||
	hard_error "$ID_B: lxc.cap.keep = net_bind_service gave CapBnd $(proc_cap "$PID_B" CapBnd)"
lxc_truth noraw
ID_C=$NAME PID_C=$PID MONITORS+=("$MONITOR") MEMBERS_C=("${MEMBERS[@]}") BND_C=$EXPECT_BND
[ $(((16#$BND_C >> $(cap_bit sys_time)) & 1)) -eq 1 ] ||
	hard_error "$ID_C: its cleared lxc.cap.drop left sys_time dropped (CapBnd $BND_C)"

assert_no_new_links

run_capaudit_json

# check_lxc LABEL ID PID VERDICT MEMBERS...
check_lxc() {
	local label=$1 id=$2 pid=$3 verdict=$4
	shift 4
	check_container "$label" lxc "$id" "$pid" "$verdict"
	check_pid_in_one_container "lxc $label init" "$pid"
	[ "$CONTAINER_OK" = yes ] || return 0
	check_members "$label" lxc "$id" "$@"
	check_policy "$label" "$id" "$MEMBERS_BND"
	[ "$EXP_VERDICT" = "$verdict" ] ||
		hard_error "lxc $label: the policy implies verdict $EXP_VERDICT for bounding 0x$MEMBERS_BND, the test expects $verdict"
}

check_lxc default "$ID_A" "$PID_A" fail "${MEMBERS_A[@]}"
if [ "$CONTAINER_OK" = yes ]; then
	check_has_rule default "$ID_A" net-raw
	check_has_rule default "$ID_A" cap-added
	check_no_rule default "$ID_A" privileged
fi

check_lxc minimal "$ID_B" "$PID_B" pass "${MEMBERS_B[@]}"
[ "$CONTAINER_OK" = yes ] && check_no_failing_findings minimal "$ID_B"

check_lxc noraw "$ID_C" "$PID_C" fail "${MEMBERS_C[@]}"
if [ "$CONTAINER_OK" = yes ]; then
	check_has_rule noraw "$ID_C" cap-added
	check_no_rule noraw "$ID_C" net-raw
	check_no_rule noraw "$ID_C" privileged
fi

check_pids_not_containers "LXC monitor" "${MONITORS[@]}"
# No process named lxc-start (a monitor's comm) is any container's.
n=$(jq '[.containers[] | select(any(.processes[]?; .comm == "lxc-start"))] | length' "$LIVE_JSON")
[ "$n" -eq 0 ] ||
	fail_check "a process named lxc-start (an LXC monitor) is reported as a container process: $(jq -c '[.containers[] | select(any(.processes[]?; .comm == "lxc-start")) | {runtime, id, pids: [.processes[] | select(.comm == "lxc-start") | .pid]}]' "$LIVE_JSON")"

# Containers (a) and (c) fail, so both runs must exit 1 whatever else runs.
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "capaudit --json exited with $LIVE_JSON_RC although container default ($ID_A) fails"
run_capaudit_text 1
check_text_row default lxc "$ID_A" FAIL
check_text_row minimal lxc "$ID_B" PASS
check_text_row noraw lxc "$ID_C" FAIL

# Names and configured sets from LXC's own files, through --host-root as a
# DaemonSet mounts a host: the private lxcpath is put where LXC's default
# is (var/lib/lxc) in a private mount namespace. Compared with lxc-ls and
# with the bounding set the kernel gave each (what its lxc.cap.* lines say).
named=$LIVE_TMP/named.json rc=0
run_capaudit_host_root "$named" "$LXC_PATH:var/lib/lxc" || rc=$?
if check_host_root_run lxc "$rc" "$named"; then
	listed=$(timeout 30 lxc-ls -P "$LXC_PATH" -1) || hard_error "lxc-ls -P $LXC_PATH failed"
	for v in "default $ID_A $BND_A" "minimal $ID_B $BND_B" "noraw $ID_C $BND_C"; do
		read -r tag id bnd <<<"$v"
		printf '%s\n' "$listed" | grep -qxF "$id" || hard_error "lxc-ls does not list $id: $listed"
		check_named "$named" "lxc $tag" lxc "$id" '"\(.workload.state)|\(.workload.name)"' "read|$id"
		check_named "$named" "lxc $tag" lxc "$id" '.workload.configured.bounding.mask // ""' "$(host_masked "$bnd")"
	done
fi

note "lxc test took ${SECONDS}s before cleanup"
live_finish
