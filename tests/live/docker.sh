#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real docker containers, audited by capaudit and compared with what docker
# inspect and /proc/<pid>/status say (CIS Docker Benchmark 5.4).
#
# (a) default caps                                -> fail, finding "net-raw"
# (b) --cap-drop=ALL --cap-add=NET_BIND_SERVICE   -> pass, no findings
# (c) --cap-drop=NET_RAW --cap-add=SYS_ADMIN      -> fail, "cap-added" naming
#                                                    SYS_ADMIN, no "net-raw"
# docker --privileged is not tested: it cannot start on a host whose bounding
# set lacks a capability (runc: "unable to apply caps").
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

live_init
docker_start
build_busybox_rootfs
docker_import "$ROOTFS_TAR"

# The first container doubles as the probe: if docker cannot run one at all
# here, that is the environment, not capaudit.
docker_run_detached default ||
	skip "docker cannot run a container here: $RUN_ERR"
docker_run_detached minimal --cap-drop=ALL --cap-add=NET_BIND_SERVICE --label capaudit.test=minimal ||
	hard_error "docker run --cap-drop=ALL --cap-add=NET_BIND_SERVICE failed: $RUN_ERR"
docker_run_detached sysadmin --cap-drop=NET_RAW --cap-add=SYS_ADMIN ||
	hard_error "docker run --cap-drop=NET_RAW --cap-add=SYS_ADMIN failed: $RUN_ERR"

# docker_truth TAG: ID and PID of a running container, from docker inspect.
docker_truth() {
	local name=capaudit-live-$LIVE_SUFFIX-$1 out running
	out=$(docker_cmd inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}}' "$name") ||
		hard_error "docker inspect $name failed"
	read -r ID PID running <<<"$out"
	[ "$running" = true ] && [ "$PID" -gt 0 ] ||
		hard_error "container $name is not running (docker inspect: $out)"
	note "docker $1: id $ID pid $PID CapEff $(proc_cap "$PID" CapEff) CapBnd $(proc_cap "$PID" CapBnd)"
}
docker_truth default
ID_A=$ID PID_A=$PID
docker_truth minimal
ID_B=$ID PID_B=$PID
docker_truth sysadmin
ID_C=$ID PID_C=$PID

assert_no_new_links

run_capaudit_json

check_container default docker "$ID_A" "$PID_A" fail
if [ "$CONTAINER_OK" = yes ]; then
	check_has_rule default "$ID_A" net-raw
	check_no_rule default "$ID_A" privileged
fi

check_container minimal docker "$ID_B" "$PID_B" pass
[ "$CONTAINER_OK" = yes ] && check_no_failing_findings minimal "$ID_B"

check_container sysadmin docker "$ID_C" "$PID_C" fail
if [ "$CONTAINER_OK" = yes ]; then
	check_has_rule sysadmin "$ID_C" cap-added '.message | test("SYS_ADMIN"; "i")' \
		"whose message names SYS_ADMIN"
	check_no_rule sysadmin "$ID_C" net-raw
	check_no_rule sysadmin "$ID_C" privileged
fi

# Container (a) fails, so both runs must exit 1 whatever else runs here.
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "capaudit --json exited with $LIVE_JSON_RC although container default (id ${ID_A:0:12}) fails"
run_capaudit_text 1
check_text_row default docker "$ID_A" FAIL
check_text_row minimal docker "$ID_B" PASS
check_text_row sysadmin docker "$ID_C" FAIL

# Names, images and labels from dockerd's own files, through --host-root as
# a DaemonSet mounts a host: this private dockerd keeps its state under
# $LIVE_TMP/dockerd/data, which a private mount namespace puts where
# dockerd's default is, beside the host's /proc. Compared with docker inspect.
named=$LIVE_TMP/named.json rc=0
run_capaudit_host_root "$named" "$LIVE_TMP/dockerd/data:var/lib/docker" || rc=$?
if check_host_root_run docker "$rc" "$named"; then
	for tag in default minimal sysadmin; do
		name=capaudit-live-$LIVE_SUFFIX-$tag
		want=$(docker_cmd inspect --format '{{.Id}}|{{.Name}}|{{.Config.Image}}|{{with index .Config.Labels "capaudit.test"}}{{.}}{{end}}' "$name")
		id=${want%%|*}
		check_named "$named" "docker $tag" docker "$id" \
			'"\(.id)|/\(.workload.name)|\(.workload.image)|\(.workload.labels["capaudit.test"] // "")"' "$want"
	done
	# what docker was told: --cap-drop=ALL --cap-add=NET_BIND_SERVICE
	check_named "$named" "docker minimal" docker "$ID_B" \
		'.workload.configured.bounding.capabilities | join(",")' cap_net_bind_service
fi

note "docker test took ${SECONDS}s before cleanup"
live_finish
