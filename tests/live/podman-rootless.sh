#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real ROOTLESS podman containers (run by a user the test creates), audited by
# capaudit and compared with what podman inspect and /proc say (CIS Docker
# Benchmark 5.4/5.5).
#
# (g) default caps (Debian's containers.conf: 11, no NET_RAW) -> pass
# (h) --cap-add=SYS_ADMIN         -> fail, "cap-added" naming SYS_ADMIN
# (i) --privileged                -> fail, "privileged": a full bounding set
#                                    (000001ffffffffff), if only inside the
#                                    container's user namespace
# Rootless podman gives a container no cgroup of its own on a cgroup v1/v2
# hybrid host: capaudit must name it from its supervisor, conmon (whose
# command line says -c <64-hex id>): runtime "podman", the full id. Every
# process of these containers is in a child user namespace whose uid 0 is the
# user's own uid on the host. conmon and the rootless pause process
# (catatonit), in that same user namespace but in the host's pid namespace,
# are neither containers nor container processes. Through --host-root, with
# the user's storage where capaudit looks for it (its home), each is named,
# with its image, --privileged and bounding set, as podman inspect says.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-rootless.sh"

live_init
rootless_setup
build_busybox_rootfs
rootless_import "$ROOTFS_TAR"

# The first container doubles as the probe: if rootless podman cannot run one
# at all here, that is the environment, not capaudit.
rootless_run_detached default ||
	skip "rootless podman cannot run a container here: $RUN_ERR"
rootless_run_detached sysadmin --cap-add=SYS_ADMIN ||
	hard_error "rootless podman run --cap-add=SYS_ADMIN failed: $RUN_ERR"
rootless_run_detached privileged --privileged ||
	hard_error "rootless podman run --privileged failed: $RUN_ERR"

HOST_PIDNS=$(readlink /proc/2/ns/pid) ||
	hard_error "cannot read the host's pid namespace from /proc/2/ns/pid"

# rl_root_host_uid PID: the host uid that uid 0 of PID's user namespace maps
# to (/proc/PID/uid_map), or nothing.
rl_root_host_uid() {
	awk '$1 == 0 { print $2; exit }' "/proc/$1/uid_map" 2>/dev/null
}

# rootless_truth TAG: ID, PID and CONMON of a running container, from podman
# inspect (run as the user), checked against /proc: the pid is a host pid (the
# first NSpid field) in a pid namespace of its own, its user namespace maps
# uid 0 to the user's uid, and conmon's command line names the id.
rootless_truth() {
	local name=capaudit-live-$LIVE_SUFFIX-$1 out running nspid cmd
	out=$(rl_podman inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}} {{.State.ConmonPid}}' "$name" 2>"$LIVE_TMP/inspect.err") ||
		hard_error "podman inspect $name failed: $(tr -s '\n' ' ' <"$LIVE_TMP/inspect.err" | cut -c1-300)"
	read -r ID PID running CONMON <<<"$out"
	[ "$running" = true ] && [ "$PID" -gt 0 ] && [ "$CONMON" -gt 0 ] ||
		hard_error "container $name is not running (podman inspect: $out)"
	[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$PID/status" 2>/dev/null)" = "$RL_UID" ] ||
		hard_error "$name: podman's State.Pid $PID is not a process of $RL_USER on the host"
	nspid=$(awk '$1 == "NSpid:" { $1 = ""; print substr($0, 2) }' "/proc/$PID/status")
	[ "${nspid%% *}" = "$PID" ] && [ "${nspid##* }" = 1 ] ||
		hard_error "$name: /proc/$PID/status NSpid is '$nspid', expected '$PID ... 1'"
	[ "$(readlink "/proc/$PID/ns/pid")" != "$HOST_PIDNS" ] ||
		hard_error "$name: pid $PID is in the host's pid namespace"
	ROOT_UID=$(rl_root_host_uid "$PID")
	[ "$ROOT_UID" = "$RL_UID" ] ||
		hard_error "$name: uid 0 of pid $PID's user namespace maps to host uid '$ROOT_UID', expected $RL_UID (uid_map: $(tr -s ' \n' ' ;' <"/proc/$PID/uid_map"))"
	[ "$(readlink "/proc/$PID/ns/user")" != "$(readlink /proc/2/ns/user)" ] ||
		hard_error "$name: pid $PID is in the host's user namespace"
	cmd=$(tr '\0' ' ' <"/proc/$CONMON/cmdline" 2>/dev/null)
	[ "$(cat "/proc/$CONMON/comm" 2>/dev/null)" = conmon ] && [[ $cmd == *" -c $ID "* ]] ||
		hard_error "$name: State.ConmonPid $CONMON is not a conmon whose command line says -c $ID: $(printf '%s' "$cmd" | cut -c1-200)"
	[ "$(awk '$1 == "PPid:" { print $2 }' "/proc/$PID/status")" = "$CONMON" ] ||
		note "$name: pid $PID's parent is not conmon $CONMON"
	note "rootless podman $1: id $ID pid $PID (NSpid $nspid) conmon $CONMON" \
		"CapEff $(proc_cap "$PID" CapEff) CapBnd $(proc_cap "$PID" CapBnd)" \
		"cgroup $(grep -m1 '^0::' "/proc/$PID/cgroup" || true) userns $(readlink "/proc/$PID/ns/user")"
}
rootless_truth default
ID_G=$ID PID_G=$PID CONMONS=("$CONMON")
rootless_truth sysadmin
ID_H=$ID PID_H=$PID CONMONS+=("$CONMON")
rootless_truth privileged
ID_I=$ID PID_I=$PID CONMONS+=("$CONMON")

# The rootless pause process: catatonit, in the containers' user namespace
# but in the host's pid namespace.
PAUSE=$(rl_pause_pid)
[ -n "$PAUSE" ] ||
	hard_error "no rootless pause process of $RL_USER (pause.pid under $RL_RUNDIR/libpod)"
note "rootless pause process: pid $PAUSE comm $(cat "/proc/$PAUSE/comm") cmdline '$(tr '\0' ' ' <"/proc/$PAUSE/cmdline")'" \
	"userns $(readlink "/proc/$PAUSE/ns/user") pidns $(readlink "/proc/$PAUSE/ns/pid") (host $HOST_PIDNS)"

assert_no_new_links

# Every supervisor of the user alive at scan time.
mapfile -t USER_CONMONS < <(pgrep -u "$RL_UID" -x conmon || true)
for c in "${CONMONS[@]}"; do
	printf '%s\n' "${USER_CONMONS[@]}" | grep -qx "$c" ||
		hard_error "podman's conmon pid $c is not running (pgrep -u $RL_UID -x conmon: ${USER_CONMONS[*]})"
done

run_capaudit_json

# check_userns LABEL ID PID: every process of the container is in a child
# user namespace whose uid 0 is the user's uid on the host, and in the pid
# namespace of the container's init PID (no supervisor folded in).
check_userns() {
	local label=$1 id=$2 pid=$3 bad pidns p
	bad=$(jq -c --arg id "$id" --argjson uid "$RL_UID" \
		'first(.containers[] | select(.id == $id)) | [.processes[]?
		 | select((.userns | type) != "object" or .userns.child != true
		          or .userns.root_host_uid != $uid) | {pid, comm, userns}]' "$LIVE_JSON")
	[ "$bad" = "[]" ] ||
		fail_check "rootless podman container $label (id ${id:0:12}): processes whose .userns is not {\"child\": true, \"root_host_uid\": $RL_UID}: $bad"
	pidns=$(readlink "/proc/$pid/ns/pid")
	for p in $(jq --arg id "$id" 'first(.containers[] | select(.id == $id)) | .processes[]?.pid' "$LIVE_JSON"); do
		[ -e "/proc/$p" ] || continue
		[ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$pidns" ] ||
			fail_check "rootless podman container $label (id ${id:0:12}): pid $p ($(cat "/proc/$p/comm" 2>/dev/null)) is not in the container's pid namespace $pidns"
	done
}

check_container default podman "$ID_G" "$PID_G" pass
if [ "$CONTAINER_OK" = yes ]; then
	check_no_failing_findings default "$ID_G"
	check_userns default "$ID_G" "$PID_G"
fi

check_container sysadmin podman "$ID_H" "$PID_H" fail
if [ "$CONTAINER_OK" = yes ]; then
	check_has_rule sysadmin "$ID_H" cap-added '.message | test("SYS_ADMIN"; "i")' \
		"whose message names SYS_ADMIN"
	check_no_rule sysadmin "$ID_H" net-raw
	check_no_rule sysadmin "$ID_H" privileged
	check_userns sysadmin "$ID_H" "$PID_H"
fi

check_container privileged podman "$ID_I" "$PID_I" fail
if [ "$CONTAINER_OK" = yes ]; then
	check_has_rule privileged "$ID_I" privileged '.severity == "critical"' 'with severity "critical"'
	check_userns privileged "$ID_I" "$PID_I"
fi

check_pids_not_containers conmon "${USER_CONMONS[@]}"
check_pids_not_containers "rootless pause process (catatonit)" "$PAUSE"
# Nor a container of its own, whatever its id: the pause process is in the
# host's pid namespace and shares the containers' user namespace.
n=$(jq --arg ns "pidns:$(readlink "/proc/$PAUSE/ns/pid" | tr -dc 0-9)" \
	'[.containers[] | select(.id == $ns)] | length' "$LIVE_JSON")
[ "$n" -eq 0 ] ||
	fail_check "a container has the host's pid namespace id $(readlink "/proc/$PAUSE/ns/pid") (the pause process's)"

# Containers (h) and (i) fail, so both runs must exit 1 whatever else runs here.
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "capaudit --json exited with $LIVE_JSON_RC although container privileged (id ${ID_I:0:12}) fails"
run_capaudit_text 1
check_text_row default podman "$ID_G" PASS
check_text_row sysadmin podman "$ID_H" FAIL
check_text_row privileged podman "$ID_I" FAIL

# Names and images from the user's own podman files, through --host-root as
# a DaemonSet mounts a host: capaudit finds a rootless container's storage
# under the home (etc/passwd) of the host uid its user namespace maps root
# to, ~/.local/share/containers/storage; this user's private storage is put
# there, with the host's /etc/passwd, in a private mount namespace. Compared
# with podman inspect, as the user.
named=$LIVE_TMP/named.json rc=0
run_capaudit_host_root "$named" "$RL_HOME/storage:${RL_HOME#/}/.local/share/containers/storage" \
	"/etc/passwd:etc/passwd" || rc=$?
if check_host_root_run "rootless podman" "$rc" "$named"; then
	for v in "default $ID_G" "sysadmin $ID_H" "privileged $ID_I"; do
		read -r tag id <<<"$v"
		want=$(rl_podman inspect --format '{{.Name}}|{{.ImageName}}|{{.HostConfig.Privileged}}' "$id") ||
			hard_error "podman inspect $id failed"
		check_named "$named" "rootless podman $tag" podman "$id" \
			'"\(.workload.name)|\(.workload.image)|\(.workload.configured.privileged)"' "$want"
		caps=$(rl_podman inspect --format '{{json .BoundingCaps}}' "$id") ||
			hard_error "podman inspect $id failed"
		check_configured "$named" "rootless podman $tag" podman "$id" "$caps"
	done
fi

note "rootless podman test took ${SECONDS}s before cleanup"
live_finish
