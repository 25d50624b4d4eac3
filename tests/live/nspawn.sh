#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real systemd-nspawn containers, audited by capaudit and compared with what
# /proc/<pid>/status says (CIS Docker Benchmark 5.4/5.5).
#
# There is no systemd here (RUNTIMES.md): each machine starts as
#   systemd-nspawn -q --register=no --keep-unit --private-network
#     --console=pipe -M NAME -D DIR sleep 1000
# from a shell first moved into /machine.slice/machine-NAME.scope (NAME
# escaped: "-" is "\x2d") in every cgroup hierarchy, as machined would do;
# nspawn puts the container in .../payload and itself in .../supervisor.
# --private-network leaves the container loopback only (no veth).
# (a) default caps                             -> fail (net-raw, cap-added)
# (b) --drop-capability=CAP_NET_RAW            -> no "net-raw"; the other
#                                                 findings remain
# (c) --drop-capability= every capability but CHOWN, KILL, SETGID, SETUID
#     and NET_BIND_SERVICE                     -> what the policy implies for
#                                                 the observed CapBnd (pass)
# capaudit must report each as runtime "nspawn" with the machine name
# (unescaped) as id and as workload name; systemd-nspawn itself is never a
# container nor a container's process.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-lxc.sh"

named_init
command -v systemd-nspawn >/dev/null 2>&1 || skip "systemd-nspawn is not installed (package systemd-container)"

NSPAWN_PIDS=()
NSPAWN_NAMES=()
NSPAWN_SCOPE_DIRS=()
NSPAWN_LOCKS=()
mapfile -t HIERARCHIES < <(cgroup_hierarchies)
[ ${#HIERARCHIES[@]} -gt 0 ] || skip "no cgroup hierarchy is mounted under /sys/fs/cgroup"

# nspawn keeps per-machine state under /run/systemd/nspawn (propagate/NAME,
# locks); the cgroups are ours.
note_host_paths /run/systemd /run/systemd/nspawn
note_cgroup_dirs machine.slice

# shellcheck disable=SC2317 # (run by named_cleanup)
nspawn_cleanup() {
	local pid i d pids=() name
	for pid in "${NSPAWN_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	# nspawn (not booting an init) kills the container on SIGTERM and exits.
	for i in $(seq 1 50); do
		pids=()
		for pid in "${NSPAWN_PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null && pids+=("$pid")
		done
		[ ${#pids[@]} -gt 0 ] || break
		sleep 0.1
	done
	[ ${#pids[@]} -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
	for pid in "${NSPAWN_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# Anything left in our scopes (a container whose nspawn died) is ours.
	for i in $(seq 1 25); do
		mapfile -t pids < <(cgroup_procs_under "${NSPAWN_SCOPE_DIRS[@]}")
		[ ${#pids[@]} -gt 0 ] || break
		kill -KILL "${pids[@]}" 2>/dev/null || true
		sleep 0.2
	done
	[ ${#pids[@]} -eq 0 ] ||
		printf 'warning: processes survived in the nspawn scopes: %s\n' "${pids[*]}" >&2
	for d in "${NSPAWN_SCOPE_DIRS[@]}"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# Lock files of our root directories (nspawn removes them when it exits
	# normally).
	[ ${#NSPAWN_LOCKS[@]} -eq 0 ] || rm -f "${NSPAWN_LOCKS[@]}"
	for name in "${NSPAWN_NAMES[@]}"; do
		d=/run/systemd/nspawn/propagate/$name
		[ -e "$d" ] || continue
		unmount_under "$d"
		umount "$d" 2>/dev/null || true
		rm -rf --one-file-system "$d"
	done
	return 0
}
named_cleanup_add nspawn_cleanup

build_busybox_rootfs

# nspawn_run TAG ARGS...: start machine capaudit-live-<suffix>-TAG running
# `sleep 1000` in its own copy of the busybox root filesystem (nspawn locks
# the directory it runs). Sets NAME, SUPERVISOR (the systemd-nspawn pid) and
# PID (the container's init: the child of SUPERVISOR that is pid 1 of its
# namespace), or returns non-zero with the reason in RUN_ERR.
nspawn_run() {
	local tag=$1 root scope h i child err=$LIVE_TMP/nspawn-$1.err
	shift
	NAME=capaudit-live-$LIVE_SUFFIX-$tag
	scope="machine-${NAME//-/\\x2d}.scope"
	NSPAWN_NAMES+=("$NAME")
	root=$LIVE_TMP/nspawn-$tag
	mkdir -p "$root"
	tar -C "$root" -xf "$ROOTFS_TAR" || hard_error "cannot unpack the root filesystem into $root"
	mkdir -p "$root/usr" "$root/var"
	NSPAWN_LOCKS+=("/run/systemd/nspawn/locks/inode-$(stat -c '%d:%i' "$root")")

	note_cgroup_dirs "machine.slice/$scope"
	for h in "${HIERARCHIES[@]}"; do
		NSPAWN_SCOPE_DIRS+=("$h/machine.slice/$scope")
		mkdir -p "$h/machine.slice/$scope" || hard_error "cannot create cgroup $h/machine.slice/$scope"
		# A new v1 cpuset cgroup takes no task before it has cpus and mems.
		if [ -f "$h/machine.slice/cpuset.cpus" ] && [ ! -e "$h/cgroup.controllers" ]; then
			for i in cpus mems; do
				[ -n "$(cat "$h/machine.slice/cpuset.$i")" ] ||
					cat "$h/cpuset.$i" >"$h/machine.slice/cpuset.$i"
				cat "$h/machine.slice/cpuset.$i" >"$h/machine.slice/$scope/cpuset.$i"
			done
		fi
	done

	(
		for h in "${HIERARCHIES[@]}"; do
			printf '%d\n' "$BASHPID" >"$h/machine.slice/$scope/cgroup.procs" || {
				printf 'cannot move into %s\n' "$h/machine.slice/$scope" >&2
				exit 97
			}
		done
		exec systemd-nspawn -q --register=no --keep-unit --private-network \
			--console=pipe -M "$NAME" -D "$root" "$@" sleep 1000
	) </dev/null >"$LIVE_TMP/nspawn-$tag.out" 2>"$err" &
	SUPERVISOR=$!
	NSPAWN_PIDS+=("$SUPERVISOR")

	PID='' RUN_ERR=
	for i in $(seq 1 100); do
		# (exited: gone, or a zombie until this shell waits for it)
		if ! kill -0 "$SUPERVISOR" 2>/dev/null ||
			grep -q '^State:[[:space:]]*Z' "/proc/$SUPERVISOR/status" 2>/dev/null; then
			RUN_ERR="systemd-nspawn exited: $(tr -s '\n' ' ' <"$err" | cut -c1-300)"
			return 1
		fi
		for child in $(pgrep -P "$SUPERVISOR" || true); do
			if [ "$(nspid_inner "$child")" = 1 ] &&
				[ "$(cat "/proc/$child/comm" 2>/dev/null)" = sleep ]; then
				PID=$child
				break 2
			fi
		done
		sleep 0.1
	done
	if [ -z "$PID" ]; then
		RUN_ERR="no container init under systemd-nspawn (pid $SUPERVISOR) within 10 s: $(tr -s '\n' ' ' <"$err" | cut -c1-300)"
		return 1
	fi
}

# nspawn_truth TAG: checks what /proc says about the machine just started
# (NAME, SUPERVISOR, PID): the supervisor's command line and cgroup
# (.../supervisor), the init's cgroup (.../payload), the pid namespace.
# Sets MEMBERS (the pids in the scope's payload cgroup).
nspawn_truth() {
	local tag=$1 scope cmd h line
	scope="machine-${NAME//-/\\x2d}.scope"
	cmd=$(tr '\0' ' ' <"/proc/$SUPERVISOR/cmdline")
	case $cmd in
	"systemd-nspawn "*"-M $NAME -D "*) ;;
	*) hard_error "pid $SUPERVISOR is not the systemd-nspawn of $NAME: '$cmd'" ;;
	esac
	line=$(grep -m1 -E '^[0-9]+:name=systemd:|^0::' "/proc/$PID/cgroup" || true)
	case $line in
	*"/machine.slice/$scope/payload") ;;
	*) hard_error "the init $PID of $NAME is not in $scope/payload: $line" ;;
	esac
	line=$(grep -m1 -E '^[0-9]+:name=systemd:|^0::' "/proc/$SUPERVISOR/cgroup" || true)
	case $line in
	*"/machine.slice/$scope/supervisor") ;;
	*) hard_error "systemd-nspawn $SUPERVISOR of $NAME is not in $scope/supervisor: $line" ;;
	esac
	[ "$(same_pidns_as_host "$PID")" = no ] ||
		hard_error "the init $PID of $NAME shares the host's pid namespace"
	MEMBERS=()
	for h in "${HIERARCHIES[@]}"; do
		if [ -d "$h/machine.slice/$scope/payload" ]; then
			mapfile -t MEMBERS < <(cgroup_procs_under "$h/machine.slice/$scope/payload")
			break
		fi
	done
	printf '%s\n' "${MEMBERS[@]}" | grep -qx "$PID" ||
		hard_error "init $PID of $NAME is not among the pids of its payload cgroup: ${MEMBERS[*]}"
	note "nspawn $tag: machine $NAME init $PID supervisor $SUPERVISOR CapEff $(proc_cap "$PID" CapEff) CapBnd $(proc_cap "$PID" CapBnd) CapInh $(proc_cap "$PID" CapInh)"
	dump_facts "nspawn $tag init" "$PID"
	dump_facts "nspawn $tag supervisor" "$SUPERVISOR"
}

# The first machine doubles as the probe: if nspawn cannot run one at all
# here, that is the environment, not capaudit.
nspawn_run default || skip "systemd-nspawn cannot start a container here: $RUN_ERR"
nspawn_truth default
ID_A=$NAME PID_A=$PID SUPERVISORS=("$SUPERVISOR") MEMBERS_A=("${MEMBERS[@]}")
BND_A=$(proc_cap "$PID_A" CapBnd)

nspawn_run noraw --drop-capability=CAP_NET_RAW ||
	hard_error "systemd-nspawn --drop-capability=CAP_NET_RAW failed: $RUN_ERR"
nspawn_truth noraw
ID_B=$NAME PID_B=$PID SUPERVISORS+=("$SUPERVISOR") MEMBERS_B=("${MEMBERS[@]}")
BND_B=$(proc_cap "$PID_B" CapBnd)
[ "$BND_B" = "$(printf '%016x' $((16#$BND_A & ~(1 << CAP_NET_RAW_BIT))))" ] ||
	hard_error "--drop-capability=CAP_NET_RAW gave CapBnd $BND_B, the default gave $BND_A"

# (c): drop every capability the kernel knows but a small set.
KEEP=(chown kill setgid setuid net_bind_service)
KEEP_MASK=$(caps_mask "${KEEP[@]}") || hard_error "unknown capability in ${KEEP[*]}"
DROP=()
LAST_CAP=$(cap_last_cap)
for ((bit = 0; bit <= LAST_CAP; bit++)); do
	[ $(((16#$KEEP_MASK >> bit) & 1)) -eq 1 ] || DROP+=("CAP_${CAP_NAMES[$bit]^^}")
done
nspawn_run small "--drop-capability=$(IFS=,; printf '%s' "${DROP[*]}")" ||
	hard_error "systemd-nspawn --drop-capability=<all but ${KEEP[*]}> failed: $RUN_ERR"
nspawn_truth small
ID_C=$NAME PID_C=$PID SUPERVISORS+=("$SUPERVISOR") MEMBERS_C=("${MEMBERS[@]}")
BND_C=$(proc_cap "$PID_C" CapBnd)
[ "$BND_C" = "$(printf '%016x' $((16#$BND_A & 16#$KEEP_MASK)))" ] ||
	hard_error "dropping all but ${KEEP[*]} gave CapBnd $BND_C, expected $(printf '%016x' $((16#$BND_A & 16#$KEEP_MASK)))"

assert_no_new_links

# Every systemd-nspawn alive at scan time, ours included.
mapfile -t ALL_SUPERVISORS < <(pgrep -x systemd-nspawn || true)
for s in "${SUPERVISORS[@]}"; do
	printf '%s\n' "${ALL_SUPERVISORS[@]}" | grep -qx "$s" ||
		hard_error "systemd-nspawn pid $s is not running (pgrep -x systemd-nspawn: ${ALL_SUPERVISORS[*]})"
done

run_capaudit_json

# check_nspawn LABEL ID PID BND MEMBERS...: the container, its processes and
# the findings the policy implies for its bounding set. Sets VERDICT.
check_nspawn() {
	local label=$1 id=$2 pid=$3 bnd=$4
	shift 4
	policy_expect "$bnd"
	VERDICT=$EXP_VERDICT
	check_container "$label" nspawn "$id" "$pid" "$VERDICT"
	check_pid_in_one_container "nspawn $label init" "$pid"
	[ "$CONTAINER_OK" = yes ] || return 0
	check_members "$label" nspawn "$id" "$@"
	check_policy "$label" "$id" "$MEMBERS_BND"
}

check_nspawn default "$ID_A" "$PID_A" "$BND_A" "${MEMBERS_A[@]}"
VERDICT_A=$VERDICT
[ "$VERDICT_A" = fail ] ||
	hard_error "nspawn default: CapBnd $BND_A implies verdict $VERDICT_A, the test expects fail"

check_nspawn noraw "$ID_B" "$PID_B" "$BND_B" "${MEMBERS_B[@]}"
VERDICT_B=$VERDICT
[ "$CONTAINER_OK" = yes ] && check_no_rule noraw "$ID_B" net-raw

check_nspawn small "$ID_C" "$PID_C" "$BND_C" "${MEMBERS_C[@]}"
VERDICT_C=$VERDICT

check_pids_not_containers systemd-nspawn "${ALL_SUPERVISORS[@]}"

# Each named as nspawn was told (-M), unescaped from its scope's name
# (machine-capaudit\x2dlive\x2d...); nspawn without machined keeps no state
# that says more, so no configured set is claimed. This host's own root is
# the host root: nothing of nspawn's is private to the test.
for v in "default $ID_A" "noraw $ID_B" "small $ID_C"; do
	read -r tag id <<<"$v"
	check_named "$LIVE_JSON" "nspawn $tag" nspawn "$id" '"\(.workload.name)|\(.workload.configured)"' "$id|null"
done

# Container (a) fails, so both runs must exit 1 whatever else runs here.
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "capaudit --json exited with $LIVE_JSON_RC although container default ($ID_A) fails"
run_capaudit_text 1
check_text_row default nspawn "$ID_A" "${VERDICT_A^^}"
check_text_row noraw nspawn "$ID_B" "${VERDICT_B^^}"
check_text_row small nspawn "$ID_C" "${VERDICT_C^^}"

note "nspawn test took ${SECONDS}s before cleanup"
live_finish
