#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real docker containers judged against policies: the built-in one, and
# files of the test's own (capaudit.ini(5)), with capaudit --json [--policy].
# Every expectation about a yes/no check comes from /proc/<pid>/status
# (NSpid, NoNewPrivs, Seccomp, Uid) and /proc/<pid>/ns/* against kthreadd's
# /proc/2/ns/* (pid 1's are unreadable here).
#
# Containers (busybox `sleep 1000`, all --network=none):
#  secure      --cap-drop=ALL --cap-add=NET_BIND_SERVICE --cap-add=CHOWN
#              (the "secure nginx")
#  base        --cap-drop=NET_RAW: docker's defaults otherwise
#  hostpid     --cap-drop=NET_RAW --pid=host
#  hostipc     --cap-drop=NET_RAW --ipc=host
#  hostuts     --cap-drop=NET_RAW --uts=host
#  unconfined  --cap-drop=NET_RAW --security-opt seccomp=unconfined
#  nnp         --cap-drop=NET_RAW --security-opt no-new-privileges
#  user        --cap-drop=NET_RAW --user 1000:1000
#  sandbox     not docker: an unprivileged `unshare --user --map-root-user
#              --pid` (runtime "unknown"), the only cheap container in a
#              child user namespace here (docker shares the host's user
#              namespace unless dockerd runs with userns-remap)
# and, started later (phase B), with docker's defaults, NET_RAW included:
#  vuln        the "vulnerable nginx"
#  pcap        the one container an exception section lets keep NET_RAW
# (NET_RAW is dropped from the phase A containers so that they pass the
# built-in policy: a run where every container of the test passes must exit
# 0, and the seccomp=unconfined one passes with a warning until a policy
# raises seccomp.)
#
# Phase A, every container of the test passing the built-in policy:
#  A1 --policy built-in: all pass, exit 0 (unless someone else's container
#     fails); each low check (host-pid 5.16, host-ipc 5.17, host-uts 5.21,
#     seccomp 5.22, no-new-privs 5.26, root 4.1, host-user 5.31) is a finding
#     (severity low, fails false, the docker flag in its remediation) exactly
#     where /proc says it is broken. host-net (5.10) is checked absent only:
#     the test never runs --network=host; its presence is proven on the
#     "confinement" fixture (tests/golden.sh).
#  A2 the built-in policy with `seccomp = high`: unconfined fails on
#     seccomp (high, fails true), exit 1; base, hostpid, ... still pass.
#  A3 the web-server example of capaudit.ini(5) for docker ([web] runtime =
#     docker, comm = sleep, cap-added.allow = NET_BIND_SERVICE CHOWN): secure
#     passes; base fails on cap-added, judged by section "web"; no other
#     runtime's container is judged by [web].
# Phase B:
#  B1 --policy built-in: vuln fails on net-raw (high, cis 5.4), exit 1;
#     secure still passes; the low checks again, now against pure defaults.
#  B2 the NET_RAW example of capaudit.ini(5) with an exception section
#     `id = <first 12 hex of pcap's id>`, net-raw = off: pcap passes with no
#     net-raw finding, vuln still fails on net-raw, and no finding of any
#     other container names that section.
# shellcheck disable=SC2016 # jq programs are in single quotes
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-policy.sh"

live_init
trap policy_exit_trap EXIT
docker_start
build_busybox_rootfs
docker_import "$ROOTFS_TAR"
note "engine and image ready after ${SECONDS}s"

# ---------------------------------------------------------------------------
# Phase A: the containers
# ---------------------------------------------------------------------------

# The first container doubles as the probe: if docker cannot run one at all
# here, that is the environment, not capaudit.
docker_run_detached secure --cap-drop=ALL --cap-add=NET_BIND_SERVICE --cap-add=CHOWN ||
	skip "docker cannot run a container here: $RUN_ERR"
declare -A RUN_ARGS=(
	[base]=""
	[hostpid]="--pid=host"
	[hostipc]="--ipc=host"
	[hostuts]="--uts=host"
	[unconfined]="--security-opt seccomp=unconfined"
	[nnp]="--security-opt no-new-privileges"
	[user]="--user 1000:1000"
)
TAGS_A=(secure base hostpid hostipc hostuts unconfined nnp user)
for tag in "${TAGS_A[@]:1}"; do
	# shellcheck disable=SC2086 # the flags are words
	docker_run_detached "$tag" --cap-drop=NET_RAW ${RUN_ARGS[$tag]} ||
		hard_error "docker run --cap-drop=NET_RAW ${RUN_ARGS[$tag]} failed: $RUN_ERR"
done

declare -A CID=() CPID=()
for tag in "${TAGS_A[@]}"; do
	docker_truth "$tag"
	CID[$tag]=$ID CPID[$tag]=$PID
	note "docker $tag: id ${ID:0:12} pid $PID NSpid '$(proc_field "$PID" NSpid)'" \
		"Uid '$(proc_field "$PID" Uid)' Seccomp $(proc_field "$PID" Seccomp)" \
		"NoNewPrivs $(proc_field "$PID" NoNewPrivs) CapBnd $(proc_cap "$PID" CapBnd)"
done

# The scenario is what the flags say, or the runtime did not apply them.
require_truth host-pid "${CPID[hostpid]}" yes "docker --pid=host"
require_truth host-pid "${CPID[base]}" no "docker default"
require_truth host-ipc "${CPID[hostipc]}" yes "docker --ipc=host"
require_truth host-ipc "${CPID[base]}" no "docker default"
require_truth host-uts "${CPID[hostuts]}" yes "docker --uts=host"
require_truth host-uts "${CPID[base]}" no "docker default"
require_truth seccomp "${CPID[unconfined]}" yes "docker --security-opt seccomp=unconfined"
require_truth seccomp "${CPID[base]}" no "docker default"
require_truth no-new-privs "${CPID[base]}" yes "docker default"
require_truth no-new-privs "${CPID[nnp]}" no "docker --security-opt no-new-privileges"
require_truth root "${CPID[base]}" yes "docker default"
require_truth root "${CPID[user]}" no "docker --user 1000:1000"
require_truth host-user "${CPID[base]}" yes "docker default"
for tag in "${TAGS_A[@]}"; do
	require_truth host-net "${CPID[$tag]}" no "docker --network=none ($tag)"
done

if sandbox_start; then
	require_truth host-user "$SANDBOX_PID" no "unshare --user sandbox"
	note "sandbox: id $SANDBOX_ID pid $SANDBOX_PID uid_map '$(tr -s ' \n' ' ' <"/proc/$SANDBOX_PID/uid_map")'" \
		"Uid '$(proc_field "$SANDBOX_PID" Uid)' CapBnd $(proc_cap "$SANDBOX_PID" CapBnd)"
else
	note "NOTE: no container in a child user namespace ($SANDBOX_ERR):" \
		"the absence of host-user is not proven by this run"
fi

assert_no_new_links
note "phase A: 8 docker containers and the sandbox running after ${SECONDS}s"

# expect_phase_a RUN [TAG=VERDICT...]: the verdict of every phase A
# container and the sandbox (pass unless given).
expect_phase_a() {
	local run=$1 tag v
	shift
	declare -A want=()
	for v in "$@"; do want[${v%%=*}]=${v#*=}; done
	for tag in "${TAGS_A[@]}"; do
		expect_verdict "$run/$tag" "${CID[$tag]}" "${want[$tag]:-pass}"
	done
	[ -z "$SANDBOX_PID" ] || expect_verdict "$run/sandbox" "$SANDBOX_ID" "${want[sandbox]:-pass}"
}
# The ids of this test's containers, for check_exit_status.
mine_ids() {
	printf '%s\n' "${CID[@]}" ${SANDBOX_ID:+"$SANDBOX_ID"}
}

# ---------------------------------------------------------------------------
# A1: the built-in policy, every container of the test passing
# ---------------------------------------------------------------------------

policy_run_json A1 --policy built-in
check_policy_source A1 built-in
# lib.sh's full check of each container once (its masks and capability names
# against /proc), then the batched expectations.
declare -A OK=()
for tag in "${TAGS_A[@]}"; do
	check_container "A1/$tag" docker "${CID[$tag]}" "${CPID[$tag]}" pass
	OK[$tag]=$CONTAINER_OK
done
if [ -n "$SANDBOX_PID" ]; then
	check_container A1/sandbox unknown "$SANDBOX_ID" "$SANDBOX_PID" pass
	OK[sandbox]=$CONTAINER_OK
fi
for tag in "${TAGS_A[@]}"; do
	[ "${OK[$tag]}" = yes ] || continue
	expect_no_failing "A1/$tag" "${CID[$tag]}"
	expect_low_checks "A1/$tag" docker "${CID[$tag]}" "${CPID[$tag]}"
done
if [ -n "$SANDBOX_PID" ] && [ "${OK[sandbox]}" = yes ]; then
	expect_no_failing A1/sandbox "$SANDBOX_ID"
	expect_low_checks A1/sandbox unknown "$SANDBOX_ID" "$SANDBOX_PID"
	# capaudit knows it is in a child user namespace, and which host uid its
	# root is (the uid 0 line of /proc/PID/uid_map).
	root_uid=null
	while read -r inside outside _; do
		[ "$inside" = 0 ] && root_uid=$outside
	done <"/proc/$SANDBOX_PID/uid_map"
	jq_container c "$SANDBOX_ID"
	EXPECT+=("$c | .processes[0].userns as \$u |
		if \$u.child == true and \$u.root_host_uid == $root_uid then empty
		else \"A1/sandbox: .processes[0].userns is \(\$u | tojson), expected child true, root_host_uid $root_uid (uid_map)\" end")
fi
expect_check A1
# shellcheck disable=SC2046 # one id a word
check_exit_status A1 $(mine_ids)

note "A1 checked after ${SECONDS}s"

# ---------------------------------------------------------------------------
# A2: seccomp raised to high
# ---------------------------------------------------------------------------

POLICY_SECCOMP=$LIVE_TMP/seccomp-high.ini
"$CAPAUDIT" policy show built-in | sed 's/^seccomp = low$/seccomp = high/' >"$POLICY_SECCOMP"
grep -qx 'seccomp = high' "$POLICY_SECCOMP" ||
	hard_error "capaudit policy show built-in has no 'seccomp = low' line to raise"
"$CAPAUDIT" policy check "$POLICY_SECCOMP" ||
	hard_error "capaudit policy check rejects the built-in policy with seccomp = high"

policy_run_json A2 --policy "$POLICY_SECCOMP"
check_policy_source A2 "$POLICY_SECCOMP"
# A container fails exactly where the kernel says Seccomp: 0, and only on
# seccomp.
verdicts=()
for tag in "${TAGS_A[@]}" ${SANDBOX_PID:+sandbox}; do
	id=${CID[$tag]:-$SANDBOX_ID} pid=${CPID[$tag]:-$SANDBOX_PID}
	truth seccomp "$pid"
	if [ "$VIOLATES" = yes ]; then
		verdicts+=("$tag=fail")
		expect_finding "A2/$tag" "$id" seccomp \
			".cis == \"5.22\" and .severity == \"high\" and .fails == true and any(.pids[]?; . == $pid)" \
			"cis 5.22, severity high, fails true"
		jq_container c "$id"
		EXPECT+=("([$c | .findings[]? | select(.fails and .rule != \"seccomp\")]) as \$f |
			if (\$f | length) == 0 then empty else \"A2/$tag: failing findings besides seccomp: \(\$f | tojson)\" end")
	else
		expect_no_finding "A2/$tag" "$id" seccomp
	fi
done
expect_phase_a A2 "${verdicts[@]}"
expect_check A2
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "A2: capaudit exited with $LIVE_JSON_RC although unconfined (Seccomp: 0, seccomp = high) fails"

# ---------------------------------------------------------------------------
# A3: the web-server example, adapted to docker
# ---------------------------------------------------------------------------

POLICY_WEB=$LIVE_TMP/web.ini
cat >"$POLICY_WEB" <<'EOF'
[default]
cap-added = medium
cap-added.allow = @k8s-baseline
privileged = critical

[web]
runtime = docker
comm = sleep
cap-added.allow = NET_BIND_SERVICE CHOWN
EOF
policy_run_json A3 --policy "$POLICY_WEB"
check_policy_source A3 "$POLICY_WEB"
# [web] judges every docker process named sleep: each phase A docker
# container but secure holds more than NET_BIND_SERVICE and CHOWN.
verdicts=()
for tag in "${TAGS_A[@]:1}"; do
	verdicts+=("$tag=fail")
done
expect_phase_a A3 "${verdicts[@]}"
expect_no_failing A3/secure "${CID[secure]}"
expect_finding A3/base "${CID[base]}" cap-added \
	'.section == "web" and .fails == true and .severity == "medium"
	 and (.capabilities | index("cap_dac_override") != null)
	 and (.capabilities | index("cap_chown") == null)
	 and (.capabilities | index("cap_net_bind_service") == null)' \
	'judged by section "web", medium, failing, naming DAC_OVERRIDE but not CHOWN or NET_BIND_SERVICE'
EXPECT+=('[$doc.containers[] | select(.runtime != "docker") | select(any(.findings[]?; .section == "web"))
	| "\(.runtime) \(.id)"] as $w
	| if ($w | length) == 0 then empty
	  else "containers not run by docker are judged by section web (runtime = docker): \($w | tojson)" end')
expect_check A3
# shellcheck disable=SC2046 # one id a word
check_exit_status A3 $(mine_ids)

note "A2, A3 checked after ${SECONDS}s"

# ---------------------------------------------------------------------------
# Phase B: docker's defaults
# ---------------------------------------------------------------------------

docker_run_detached vuln || hard_error "docker run (defaults) failed: $RUN_ERR"
docker_run_detached pcap || hard_error "docker run (defaults) failed: $RUN_ERR"
for tag in vuln pcap; do
	docker_truth "$tag"
	CID[$tag]=$ID CPID[$tag]=$PID
	note "docker $tag: id ${ID:0:12} pid $PID CapBnd $(proc_cap "$PID" CapBnd)"
	# net-raw's truth: bit 13 (CAP_NET_RAW) of the bounding set.
	[ $(((16#$(proc_cap "$PID" CapBnd) >> 13) & 1)) -eq 1 ] ||
		hard_error "docker $tag: NET_RAW is not in CapBnd $(proc_cap "$PID" CapBnd); docker's defaults changed?"
done
[ "${CID[vuln]:0:12}" != "${CID[pcap]:0:12}" ] ||
	hard_error "vuln and pcap share their first 12 hex digits; run again"
require_truth host-pid "${CPID[vuln]}" no "docker default"
require_truth host-ipc "${CPID[vuln]}" no "docker default"
require_truth host-uts "${CPID[vuln]}" no "docker default"
require_truth seccomp "${CPID[vuln]}" no "docker default"
require_truth no-new-privs "${CPID[vuln]}" yes "docker default"
require_truth root "${CPID[vuln]}" yes "docker default"
require_truth host-user "${CPID[vuln]}" yes "docker default"
assert_no_new_links

# ---------------------------------------------------------------------------
# B1: the built-in policy, the vulnerable nginx
# ---------------------------------------------------------------------------

policy_run_json B1 --policy built-in
check_policy_source B1 built-in
for tag in vuln pcap; do
	check_container "B1/$tag" docker "${CID[$tag]}" "${CPID[$tag]}" fail
	[ "$CONTAINER_OK" = yes ] || continue
	expect_finding "B1/$tag" "${CID[$tag]}" net-raw \
		".cis == \"5.4\" and .severity == \"high\" and .fails == true and .section == \"default\"
		 and .capabilities == [\"cap_net_raw\"] and any(.pids[]?; . == ${CPID[$tag]})
		 and (.remediation | contains(\"docker\") and contains(\"--cap-drop=NET_RAW\"))" \
		'cis 5.4, severity high, fails true, naming cap_net_raw and docker --cap-drop=NET_RAW'
	expect_no_finding "B1/$tag" "${CID[$tag]}" privileged
	expect_no_finding "B1/$tag" "${CID[$tag]}" cap-added
	expect_low_checks "B1/$tag" docker "${CID[$tag]}" "${CPID[$tag]}"
done
expect_phase_a B1
expect_no_failing B1/secure "${CID[secure]}"
expect_check B1
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "B1: capaudit exited with $LIVE_JSON_RC although vuln fails on net-raw"

# The table agrees (without --policy: the built-in policy unless the host
# has a policy.ini of its own).
run_capaudit_text 1
check_text_row B1/vuln docker "${CID[vuln]}" FAIL
check_text_row B1/secure docker "${CID[secure]}" PASS

# ---------------------------------------------------------------------------
# B2: the NET_RAW example with one exception, by id
# ---------------------------------------------------------------------------

POLICY_EXC=$LIVE_TMP/packet-capture.ini
cat >"$POLICY_EXC" <<EOF
[default]
fail-on = medium
net-raw = high
net-raw.deny = NET_RAW
cap-added = medium
cap-added.allow = @k8s-baseline

[packet-capture]
id = ${CID[pcap]:0:12}
net-raw = off
cap-added.allow = @k8s-baseline NET_RAW
EOF
policy_run_json B2 --policy "$POLICY_EXC"
check_policy_source B2 "$POLICY_EXC"
expect_verdict B2/pcap "${CID[pcap]}" pass
expect_no_finding B2/pcap "${CID[pcap]}" net-raw
expect_no_finding B2/pcap "${CID[pcap]}" cap-added
expect_verdict B2/vuln "${CID[vuln]}" fail
# This file sets no net-raw.cis: the finding carries the cis the policy
# gives the rule (.policy.rules), whatever that is.
expect_finding B2/vuln "${CID[vuln]}" net-raw \
	'.severity == "high" and .fails == true and .section == "default"
	 and .cis == first($doc.policy.rules[] | select(.rule == "net-raw") | .cis)' \
	'severity high, fails true, judged by section default, with the cis of .policy.rules'
expect_phase_a B2
EXPECT+=("[\$doc.containers[] | select(.id != \"${CID[pcap]}\") | select(any(.findings[]?; .section == \"packet-capture\"))
	| \"\(.runtime) \(.id)\"] as \$w
	| if (\$w | length) == 0 then empty
	  else \"containers other than pcap have findings judged by section packet-capture: \(\$w | tojson)\" end")
expect_check B2
[ "$LIVE_JSON_RC" -eq 1 ] ||
	fail_check "B2: capaudit exited with $LIVE_JSON_RC although vuln fails on net-raw"

# ---------------------------------------------------------------------------
# Every low check was seen broken and kept, on real containers
# ---------------------------------------------------------------------------

for check in "${POLICY_CHECKS[@]}"; do
	note "$check: broken by${POLICY_SEEN_YES[$check]:- nobody}; kept by${POLICY_SEEN_NO[$check]:- nobody}"
	case $check in
	host-net) ;; # only its absence, see above
	host-user) [ -z "$SANDBOX_PID" ] || [ -n "${POLICY_SEEN_NO[$check]:-}" ] ||
		fail_check "$check: no container of this test kept it" ;;
	*) [ -n "${POLICY_SEEN_NO[$check]:-}" ] || fail_check "$check: no container of this test kept it" ;;
	esac
	[ "$check" = host-net ] || [ -n "${POLICY_SEEN_YES[$check]:-}" ] ||
		fail_check "$check: no container of this test broke it"
done

note "policy-checks test took ${SECONDS}s before cleanup"
live_finish
