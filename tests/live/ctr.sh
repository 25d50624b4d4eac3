#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real containerd containers started with ctr, audited by capaudit and
# compared with what `ctr containers info`, `ctr tasks ls` and
# /proc/<pid>/status say (CIS Docker Benchmark 5.4/5.5).
#
# A private containerd (own config, root, state and socket; no CRI plugin)
# runs the containers in the namespace "capaudit-<suffix>": cgroup
# /capaudit-<suffix>/<id>, runtime "containerd", id = the id given to ctr.
#
# (g) defaults (docker's 14)                           -> fail, "net-raw"
# (h) --cap-add CAP_SYS_ADMIN --cap-drop CAP_NET_RAW   -> fail, "cap-added"
#                                                         naming SYS_ADMIN,
#                                                         no "net-raw"
# (i) --privileged                                     -> fail, "privileged"
# (j) every default dropped one by one but NET_BIND_SERVICE, and
#     --cap-add CAP_NET_BIND_SERVICE (`--cap-drop CAP_ALL` is silently
#     ignored by ctr 1.6)                              -> pass, no findings
# The containerd-shim of each container (whose command line says
# "-namespace <ns> -id <id>") is never a container process. Through
# --host-root, with the private state where containerd's default is, each is
# named, labelled and configured as ctr containers info says.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-ctr.sh"

live_init
ctr_setup
build_busybox_rootfs
ctr_build_oci_archive "$ROOTFS_TAR"
ctr_import

ID_G=capaudit-live-$LIVE_SUFFIX-default
ID_H=capaudit-live-$LIVE_SUFFIX-sysadmin
ID_I=capaudit-live-$LIVE_SUFFIX-privileged
ID_J=capaudit-live-$LIVE_SUFFIX-minimal

# The first container doubles as the probe: if containerd cannot run one at
# all here, that is the environment, not capaudit.
ctr_run_detached "$ID_G" --label capaudit.test=default ||
	skip "ctr cannot run a container here: $RUN_ERR"
ctr_truth "$ID_G"
PID_G=$CTR_PID SHIMS=("$CTR_SHIM") CAPS_G=$CTR_SPEC_CAPS

ctr_run_detached "$ID_H" --label capaudit.test=sysadmin --cap-add CAP_SYS_ADMIN --cap-drop CAP_NET_RAW ||
	hard_error "ctr run --cap-add CAP_SYS_ADMIN --cap-drop CAP_NET_RAW failed: $RUN_ERR"
ctr_run_detached "$ID_I" --label capaudit.test=privileged --privileged ||
	hard_error "ctr run --privileged failed: $RUN_ERR"
DROPS=()
for c in $(jq -r '.[]' <<<"$CAPS_G"); do
	[ "$c" = CAP_NET_BIND_SERVICE ] || DROPS+=(--cap-drop "$c")
done
ctr_run_detached "$ID_J" --label capaudit.test=minimal "${DROPS[@]}" --cap-add CAP_NET_BIND_SERVICE ||
	hard_error "ctr run ${DROPS[*]} --cap-add CAP_NET_BIND_SERVICE failed: $RUN_ERR"

ctr_truth "$ID_H"
PID_H=$CTR_PID SHIMS+=("$CTR_SHIM")
ctr_truth "$ID_I"
PID_I=$CTR_PID SHIMS+=("$CTR_SHIM")
ctr_truth "$ID_J"
PID_J=$CTR_PID SHIMS+=("$CTR_SHIM")

# The truth itself: ctr's spec, the kernel's view and the variant's intent
# must agree, or the test cannot judge capaudit.
for v in "G $ID_G $PID_G" "H $ID_H $PID_H" "I $ID_I $PID_I" "J $ID_J $PID_J"; do
	read -r tag id pid <<<"$v"
	spec=$(ctr_caps_mask "$("${CTR[@]}" containers info "$id" | jq -c '.Spec.process.capabilities.bounding // []')")
	bnd=$(proc_cap "$pid" CapBnd)
	[ "$spec" = "$bnd" ] ||
		hard_error "container $id: ctr containers info says bounding 0x$spec, /proc/$pid/status CapBnd 0x$bnd"
	cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	[ "$cg" = "/$CTR_NS/$id" ] ||
		hard_error "container $id (pid $pid): cgroup v2 path is '$cg', expected /$CTR_NS/$id"
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/2/ns/pid)" ] ||
		hard_error "container $id (pid $pid) shares the host's pid namespace"
	ctr_check_netns "$id" "$pid"
done
bnd=$(proc_cap "$PID_G" CapBnd)
[ $(((16#$bnd >> 13) & 1)) -eq 1 ] ||
	hard_error "the default ctr container lacks NET_RAW (CapBnd 0x$bnd)"
bnd=$(proc_cap "$PID_H" CapBnd)
if [ $(((16#$bnd >> 13) & 1)) -ne 0 ] || [ $(((16#$bnd >> 21) & 1)) -ne 1 ]; then
	hard_error "container $ID_H: CapBnd 0x$bnd, expected SYS_ADMIN without NET_RAW"
fi
[ "$(proc_cap "$PID_I" CapBnd)" = "$(proc_cap 1 CapBnd)" ] ||
	hard_error "container $ID_I: CapBnd 0x$(proc_cap "$PID_I" CapBnd) is not the host's 0x$(proc_cap 1 CapBnd)"
[ "$(proc_cap "$PID_J" CapBnd)" = 0000000000000400 ] ||
	hard_error "container $ID_J: CapBnd 0x$(proc_cap "$PID_J" CapBnd), expected 0x0000000000000400 (NET_BIND_SERVICE)"

assert_no_new_links

# Every containerd shim alive at scan time (dockerd's too), ours included.
mapfile -t ALL_SHIMS < <(pgrep -x containerd-shim || true)
for s in "${SHIMS[@]}"; do
	printf '%s\n' "${ALL_SHIMS[@]}" | grep -qx "$s" ||
		hard_error "containerd-shim pid $s is not running (pgrep -x containerd-shim: ${ALL_SHIMS[*]})"
done

run_capaudit_json

check_container default containerd "$ID_G" "$PID_G" fail
if [ "$CONTAINER_OK" = yes ]; then
	ctr_check_entry default "$ID_G" "$PID_G"
	check_has_rule default "$ID_G" net-raw
	check_no_rule default "$ID_G" cap-added
	check_no_rule default "$ID_G" privileged
fi

check_container sysadmin containerd "$ID_H" "$PID_H" fail
if [ "$CONTAINER_OK" = yes ]; then
	ctr_check_entry sysadmin "$ID_H" "$PID_H"
	check_has_rule sysadmin "$ID_H" cap-added '.message | test("SYS_ADMIN"; "i")' \
		"whose message names SYS_ADMIN"
	check_no_rule sysadmin "$ID_H" net-raw
	check_no_rule sysadmin "$ID_H" privileged
fi

check_container privileged containerd "$ID_I" "$PID_I" fail
if [ "$CONTAINER_OK" = yes ]; then
	ctr_check_entry privileged "$ID_I" "$PID_I"
	check_has_rule privileged "$ID_I" privileged '.severity == "critical"' 'with severity "critical"'
fi

check_container minimal containerd "$ID_J" "$PID_J" pass
if [ "$CONTAINER_OK" = yes ]; then
	ctr_check_entry minimal "$ID_J" "$PID_J"
	check_no_failing_findings minimal "$ID_J"
fi

check_pids_not_containers containerd-shim "${ALL_SHIMS[@]}"
# Nor is the containerd namespace a container.
n=$(jq --arg ns "$CTR_NS" '[.containers[] | select(.id == $ns)] | length' "$LIVE_JSON")
[ "$n" -eq 0 ] ||
	fail_check "the containerd namespace $CTR_NS is reported as a container ($n entries)"

# Containers (g), (h) and (i) fail, so both runs must exit 1.
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "capaudit --json exited with $LIVE_JSON_RC although container $ID_G fails"
run_capaudit_text 1
check_text_row default containerd "$ID_G" FAIL
check_text_row sysadmin containerd "$ID_H" FAIL
check_text_row privileged containerd "$ID_I" FAIL
check_text_row minimal containerd "$ID_J" PASS

# Names, labels and configured sets from containerd's own files, through
# --host-root as a DaemonSet mounts a host: this private containerd keeps its
# task bundles under $CTR_DIR/state, which a private mount namespace puts
# where containerd's default state is (run/containerd). Compared with ctr
# containers info: ctr names a container by its id, keeps its --label among
# the spec's annotations, and its bounding set in the spec.
named=$LIVE_TMP/named.json rc=0
run_capaudit_host_root "$named" "$CTR_DIR/state:run/containerd" || rc=$?
if check_host_root_run ctr "$rc" "$named"; then
	for id in "$ID_G" "$ID_H" "$ID_I" "$ID_J"; do
		info=$("${CTR[@]}" containers info "$id") || hard_error "ctr containers info $id failed"
		check_named "$named" "ctr $id" containerd "$id" \
			'"\(.workload.state)|\(.workload.name)|\(.workload.labels["capaudit.test"] // "")"' \
			"read|$(jq -r '"\(.ID)|\(.Labels["capaudit.test"] // "")"' <<<"$info")"
		check_configured "$named" "ctr $id" containerd "$id" \
			"$(jq -c '.Spec.process.capabilities.bounding // []' <<<"$info")"
	done
fi

note "ctr test took ${SECONDS}s before cleanup"
live_finish
