#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real rootful podman containers, audited by capaudit and compared with what
# podman inspect and /proc/<pid>/status say (CIS Docker Benchmark 5.4/5.5).
#
# (d) default caps (Debian's containers.conf drops NET_RAW) -> pass
# (e) --privileged                    -> fail, finding "privileged" (critical)
# (f) a container in a pod            -> runtime podman, its own 64-hex id
#     (cgroup /libpod_parent/<pod id>/libpod-<id>), and the pod's infra
#     container is a container of its own
# conmon (cgroup /libpod_parent/conmon) is never a container process.
# Through --host-root, with the private storage where podman's default is,
# each is named, with its image, --privileged and bounding set, as podman
# inspect says.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

live_init
podman_setup
build_busybox_rootfs
podman_import "$ROOTFS_TAR"

# The first container doubles as the probe: if podman cannot run one at all
# here, that is the environment, not capaudit.
podman_run_detached default ||
	skip "podman cannot run a container here: $RUN_ERR"
podman_run_detached privileged --privileged ||
	hard_error "podman run --privileged failed: $RUN_ERR"

# A pod with an infra container (podman builds its pause image locally from
# catatonit: no registry needed) gets a cgroup of its own; the pod itself has
# no network. Where the local pause image cannot be built, busybox is the
# infra image.
POD=capaudit-live-$LIVE_SUFFIX-pod
if ! POD_ID=$("${PODMAN[@]}" pod create --network=none --name "$POD" 2>"$LIVE_TMP/pod.err"); then
	note "podman pod create with the default infra image failed ($(tr -s '\n' ' ' <"$LIVE_TMP/pod.err" | cut -c1-200)); using $IMAGE as infra image"
	"${PODMAN[@]}" pod rm -f -t 0 "$POD" >/dev/null 2>&1 || true
	POD_ID=$("${PODMAN[@]}" pod create --network=none --name "$POD" \
		--infra-image "$IMAGE" --infra-command '["sleep","1000"]' 2>"$LIVE_TMP/pod.err") ||
		hard_error "podman pod create failed: $(tr -s '\n' ' ' <"$LIVE_TMP/pod.err" | cut -c1-300)"
fi
POD_ID=$(printf '%s' "$POD_ID" | tail -n 1)
podman_run_detached inpod --pod "$POD" ||
	hard_error "podman run --pod failed: $RUN_ERR"

# podman_truth NAME: ID, PID and CONMON of a running container, from podman
# inspect.
podman_truth() {
	local name=$1 out running
	out=$("${PODMAN[@]}" inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}} {{.State.ConmonPid}}' "$name") ||
		hard_error "podman inspect $name failed"
	read -r ID PID running CONMON <<<"$out"
	[ "$running" = true ] && [ "$PID" -gt 0 ] ||
		hard_error "container $name is not running (podman inspect: $out)"
	note "podman $name: id $ID pid $PID conmon $CONMON CapEff $(proc_cap "$PID" CapEff) CapBnd $(proc_cap "$PID" CapBnd)"
}
podman_truth "capaudit-live-$LIVE_SUFFIX-default"
ID_D=$ID PID_D=$PID CONMONS=("$CONMON")
podman_truth "capaudit-live-$LIVE_SUFFIX-privileged"
ID_E=$ID PID_E=$PID CONMONS+=("$CONMON")
podman_truth "capaudit-live-$LIVE_SUFFIX-inpod"
ID_F=$ID PID_F=$PID CONMONS+=("$CONMON")
INFRA_ID=$("${PODMAN[@]}" pod inspect --format '{{.InfraContainerID}}' "$POD") ||
	hard_error "podman pod inspect $POD failed"
podman_truth "$INFRA_ID"
ID_INFRA=$ID PID_INFRA=$PID CONMONS+=("$CONMON")
note "pod $POD_ID: member cgroup $(grep -m1 '^0::' "/proc/$PID_F/cgroup" || true)"

assert_no_new_links

# Every conmon alive at scan time, ours included.
mapfile -t ALL_CONMONS < <(pgrep -x conmon || true)
for c in "${CONMONS[@]}"; do
	printf '%s\n' "${ALL_CONMONS[@]}" | grep -qx "$c" ||
		hard_error "podman's conmon pid $c is not running (pgrep -x conmon: ${ALL_CONMONS[*]})"
done

run_capaudit_json

check_container default podman "$ID_D" "$PID_D" pass
if [ "$CONTAINER_OK" = yes ]; then
	check_no_rule default "$ID_D" net-raw
	check_no_rule default "$ID_D" privileged
fi

check_container privileged podman "$ID_E" "$PID_E" fail
[ "$CONTAINER_OK" = yes ] &&
	check_has_rule privileged "$ID_E" privileged '.severity == "critical"' 'with severity "critical"'

check_container in-pod podman "$ID_F" "$PID_F" pass
check_container pod-infra podman "$ID_INFRA" "$PID_INFRA" pass
n=$(jq --arg id "$POD_ID" '[.containers[] | select(.id == $id)] | length' "$LIVE_JSON")
[ "$n" -eq 0 ] ||
	fail_check "the pod's own id ${POD_ID:0:12} is reported as a container ($n entries); only its containers are"

check_pids_not_containers conmon "${ALL_CONMONS[@]}"

# Container (e) fails, so both runs must exit 1 whatever else runs here.
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "capaudit --json exited with $LIVE_JSON_RC although container privileged (id ${ID_E:0:12}) fails"
run_capaudit_text 1
check_text_row default podman "$ID_D" PASS
check_text_row privileged podman "$ID_E" FAIL
check_text_row in-pod podman "$ID_F" PASS

# Names and images from podman's own files, through --host-root as a
# DaemonSet mounts a host: this private podman keeps its storage under
# $LIVE_PODMAN_DIR/root, which a private mount namespace puts where podman's
# default graph root is. Compared with podman inspect: its name, its image,
# --privileged, its bounding set; a pod's member names no Kubernetes pod.
named=$LIVE_TMP/named.json rc=0
run_capaudit_host_root "$named" "$LIVE_PODMAN_DIR/root:var/lib/containers/storage" || rc=$?
if check_host_root_run podman "$rc" "$named"; then
	for v in "default $ID_D" "privileged $ID_E" "in-pod $ID_F" "pod-infra $ID_INFRA"; do
		read -r tag id <<<"$v"
		want=$("${PODMAN[@]}" inspect --format '{{.Name}}|{{.ImageName}}|{{.HostConfig.Privileged}}' "$id") ||
			hard_error "podman inspect $id failed"
		check_named "$named" "podman $tag" podman "$id" \
			'"\(.workload.name)|\(.workload.image)|\(.workload.configured.privileged)"' "$want"
		caps=$("${PODMAN[@]}" inspect --format '{{json .BoundingCaps}}' "$id") ||
			hard_error "podman inspect $id failed"
		check_configured "$named" "podman $tag" podman "$id" "$caps"
	done
	check_named "$named" "podman in-pod" podman "$ID_F" '.workload.kubernetes' null
fi

note "podman test took ${SECONDS}s before cleanup"
live_finish
