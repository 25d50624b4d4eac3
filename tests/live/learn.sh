#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capaudit learn on real docker and podman containers running known busybox
# workloads. For each: the least set learn prints is what the workload needs
# (no SYS_ADMIN from probes, the runtime's start-up apart), a privileged
# container gets the same set as a default one, a process started by
# `exec` for a few milliseconds counts, the container run again with
# exactly the printed fix runs its workload, and with any one of those
# capabilities fewer it fails; the policy learn writes passes `policy check`
# and judges the containers run with their least sets PASS.
#
# Workloads (busybox, whose ping has no datagram fallback: NET_RAW is a need):
#   sleeper   sleep                           -> (none)
#   ping      ping -c1 127.0.0.1              -> NET_RAW
#   chown     chown 1 /tmp                    -> CHOWN
#   node      mknod a device, chown it        -> CHOWN MKNOD
#   privnode  the same, privileged            -> CHOWN MKNOD
#   exec      sleep; `exec ping` meanwhile    -> NET_RAW
# docker's --privileged cannot start on this VM (RUNTIMES.md): there
# --cap-add=ALL --cap-drop=SYS_RESOURCE stands in for it.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

live_init
T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null || true
[ -d "$T/events/capability/cap_capable" ] ||
	skip "this kernel has no capability:cap_capable tracepoint (Linux 6.14+)"
build_busybox_rootfs

# The workloads, each run once a few seconds after its container starts, then kept alive.
declare -A WORK=(
	[sleeper]='true'
	[ping]='ping -c1 -W2 127.0.0.1 >/dev/null'
	[chown]='chown 1 /tmp'
	[node]='mknod /tmp/null c 1 3 && chown 1 /tmp/null'
	[privnode]='mknod /tmp/null c 1 3 && chown 1 /tmp/null'
	[exec]='true'
)
# What proves a fix: the workload itself, or for exec the command exec ran.
declare -A PROVE=(
	[sleeper]='true' [ping]="${WORK[ping]}" [chown]="${WORK[chown]}" [node]="${WORK[node]}"
	[privnode]="${WORK[privnode]}" [exec]="${WORK[ping]}"
)
# What a runtime's default set lacks that a workload needs (podman: NET_RAW, MKNOD).
declare -A EXTRA=(
	[podman-ping]=--cap-add=NET_RAW [podman-exec]=--cap-add=NET_RAW [podman-node]=--cap-add=MKNOD
)
declare -A WANT=(
	[sleeper]='' [ping]='cap_net_raw' [chown]='cap_chown' [node]='cap_chown,cap_mknod'
	[privnode]='cap_chown,cap_mknod' [exec]='cap_net_raw'
)

# cname RT TAG: the container's name.
cname() {
	printf 'capaudit-learn-%s-%s-%s' "$LIVE_SUFFIX" "$1" "$2"
}

# rt_run RT ARGS...: the runtime's own command line.
rt_run() {
	local rt=$1
	shift
	case $rt in
	docker) docker_cmd "$@" ;;
	podman) "${PODMAN[@]}" "$@" ;;
	esac
}

# start RT TAG ARGS...: the workload TAG, detached, after 3 s, then asleep.
start() {
	local rt=$1 tag=$2 name
	shift 2
	name=$(cname "$rt" "$tag")
	[ "$rt" = docker ] && LIVE_DOCKER_NAMES+=("$name")
	rt_run "$rt" run -d --network=none --name "$name" ${EXTRA[$rt-$tag]:+"${EXTRA[$rt-$tag]}"} "$@" "$IMAGE" \
		sh -c "sleep 3; ${WORK[$tag]}; echo \$? >/tmp/rc; sleep 1000" >/dev/null 2>"$LIVE_TMP/run.err" ||
		hard_error "$rt run $tag $*: $(head -c 300 "$LIVE_TMP/run.err")"
}

# learn_rt RT HOSTROOT-MOUNT PRIV-ARGS: learn the six workloads of RT; check, prove, and judge by the policy.
learn_rt() {
	local rt=$1 mount=$2 out=$LIVE_TMP/learn-$1.json pol=$LIVE_TMP/learned-$1.ini pid rc tag got want
	local -a priv=("${@:3}")
	shift 2

	# Learning starts before the containers: their start-up is seen, and must be told apart.
	local before i
	before=$(ls /sys/kernel/tracing/instances)
	run_capaudit_host_root "$out" "$mount" -- learn --duration 25 --json --policy-out "$pol" &
	pid=$!
	# it records once its instance is there (a sanitizer build takes a few seconds to get there)
	for i in $(seq 300); do
		[ "$(ls /sys/kernel/tracing/instances | grep -vxF "$before" | grep -c '^capaudit-learn-')" -gt 0 ] && break
		sleep 0.1
	done
	sleep 1
	start "$rt" sleeper
	start "$rt" ping
	start "$rt" chown
	start "$rt" node
	start "$rt" privnode "${priv[@]}"
	start "$rt" exec
	sleep 8
	# a process of a few milliseconds, started into a running container
	rt_run "$rt" exec "$(cname "$rt" exec)" ping -c1 -W2 127.0.0.1 >/dev/null ||
		fail_check "$rt: exec ping failed: the exec workload needs NET_RAW, which $rt's set has"
	rc=0
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ] || ! jq -e '.containers | type == "array"' "$out" >/dev/null 2>&1; then
		fail_check "$rt: learn exited with $rc: $(head -c 400 "$out.err")"
		return
	fi
	note "$rt: learned $(jq -r '"\(.checks) checks, \(.contained_checks) by containers, \(.lost_events) lost"' "$out")"
	[ "$(jq '.lost_events' "$out")" = 0 ] || fail_check "$rt: learn lost events at this rate"

	for tag in sleeper ping chown node privnode exec; do
		# the workload ran, and as it should, in the container as started
		got=$(rt_run "$rt" exec "$(cname "$rt" "$tag")" cat /tmp/rc 2>/dev/null || echo none)
		[ "$got" = 0 ] || fail_check "$rt $tag: the workload exited with '$got' under the set it was learned with"
		got=$(jq -r --arg n "$(cname "$rt" "$tag")" '.containers[] | select(.name == $n) | .least | join(",")' "$out")
		want=${WANT[$tag]}
		[ "$got" = "$want" ] || fail_check "$rt $tag: least set '$got', not '$want' ($(jq -c --arg n \
			"$(cname "$rt" "$tag")" '.containers[] | select(.name == $n) | {used, denied}' "$out"))"
		# every container's start-up is the runtime's: SETPCAP, SYS_ADMIN (mounts) and the rest
		got=$(jq -r --arg n "$(cname "$rt" "$tag")" \
			'.containers[] | select(.name == $n) | [.runtime[].capability] | index("cap_sys_admin") != null' "$out")
		[ "$got" = true ] || fail_check "$rt $tag: no runtime SYS_ADMIN check seen at its start (it started while learning)"
		prove "$rt" "$tag" "$out"
	done
	got=$(jq -r '[.containers[] | select((.name // "") | test("^capaudit-learn-")) | select(.least | index("cap_sys_admin"))] | length' "$out")
	[ "$got" = 0 ] || fail_check "$rt: SYS_ADMIN in a least set: a probe or the runtime's check taken for a need"

	judge "$rt" "$mount" "$pol"
}

# prove RT TAG OUT: run TAG's workload again with exactly the fix learn printed: it works; with
# any one capability of the least set fewer, it fails.
prove() {
	local rt=$1 tag=$2 out=$3 fix cap rc f
	local -a flags=() fewer
	fix=$(jq -r --arg n "$(cname "$rt" "$tag")" '.containers[] | select(.name == $n) | .fix[0]' "$out")
	case $fix in
	"$rt run "*) read -r -a flags <<<"${fix#"$rt run "}" ;;
	*) fail_check "$rt $tag: the fix '$fix' is not a '$rt run' line"; return ;;
	esac
	rc=0
	rt_run "$rt" run --rm --network=none "${flags[@]}" "$IMAGE" sh -c "${PROVE[$tag]}" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail_check "$rt $tag: run with exactly '$fix' the workload exited with $rc"
	for cap in "${flags[@]}"; do
		[ "${cap#--cap-add=}" != "$cap" ] || continue
		fewer=()
		for f in "${flags[@]}"; do [ "$f" = "$cap" ] || fewer+=("$f"); done
		rc=0
		rt_run "$rt" run --rm --network=none "${fewer[@]}" "$IMAGE" sh -c "${PROVE[$tag]}" >/dev/null 2>&1 || rc=$?
		[ "$rc" -ne 0 ] || fail_check "$rt $tag: without ${cap#--cap-add=} the workload still works: not a need"
		note "$rt $tag: fails without ${cap#--cap-add=}, as it must"
	done
}

# judge RT MOUNT POLICY: the learned policy is valid, passes each container run again with its least
# set (same name, new id), and fails one that still holds the runtime's default set.
judge() {
	local rt=$1 mount=$2 pol=$3 tag out=$LIVE_TMP/judged-$1.json fix rc got
	local -a flags
	"$CAPAUDIT" policy check "$pol" >/dev/null 2>"$LIVE_TMP/check.err" ||
		{ fail_check "$rt: policy check refuses the learned policy: $(head -c 300 "$LIVE_TMP/check.err")"; return; }
	for tag in sleeper ping chown node privnode; do
		fix=$(jq -r --arg n "$(cname "$rt" "$tag")" '.containers[] | select(.name == $n) | .fix[0]' \
			"$LIVE_TMP/learn-$rt.json")
		read -r -a flags <<<"${fix#"$rt run "}"
		rt_run "$rt" rm -f "$(cname "$rt" "$tag")" >/dev/null 2>&1 || true
		rt_run "$rt" run -d --network=none --name "$(cname "$rt" "$tag")" "${flags[@]}" "$IMAGE" \
			sleep 1000 >/dev/null 2>"$LIVE_TMP/run.err" ||
			hard_error "$rt run $tag ${flags[*]}: $(head -c 300 "$LIVE_TMP/run.err")"
	done
	rc=0
	run_capaudit_host_root "$out" "$mount" -- --json --policy "$pol" || rc=$?
	check_host_root_run "$rt, judged by the learned policy" "$rc" "$out" || return
	for tag in sleeper ping chown node privnode; do
		got=$(jq -r --arg n "$(cname "$rt" "$tag")" '.containers[] | select(.workload.name == $n) |
			"\(.verdict) \([.findings[] | select(.severity != "low" and .severity != "info") | .rule] | join(","))"' "$out")
		[ "$got" = "pass " ] || fail_check "$rt $tag, run with its least set: '$got' by the learned policy, not a pass"
	done
	# exec still runs with the runtime's default set, beyond its least set: the learned rule fails it
	got=$(jq -r --arg n "$(cname "$rt" exec)" '.containers[] | select(.workload.name == $n) |
		"\(.verdict) \([.findings[].rule] | index("least-set") != null)"' "$out")
	[ "$got" = "fail true" ] || fail_check "$rt exec, still at the default set: '$got' by the learned policy, not 'fail true'"
}

docker_start
docker_import "$ROOTFS_TAR"
docker_run_detached probe || skip "docker cannot run a container here: $RUN_ERR"
learn_rt docker "$LIVE_TMP/dockerd/data:var/lib/docker" --cap-add=ALL --cap-drop=SYS_RESOURCE

podman_setup
podman_import "$ROOTFS_TAR"
podman_run_detached probe || skip "podman cannot run a container here: $RUN_ERR"
learn_rt podman "$LIVE_PODMAN_DIR/root:var/lib/containers/storage" --privileged

live_finish
