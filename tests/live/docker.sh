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
	# ...and no process holds more than docker was told
	got=$(jq -r '[.containers[] | .findings[] | select(.rule == "beyond-configured")] | length' "$named")
	[ "$got" = 0 ] || fail_check "beyond-configured where every process is as docker started it ($got findings)"
fi

# The seed of capaudit.ini(5): the container named web, from nginx, keeps
# NET_BIND_SERVICE and CHOWN after --cap-drop=ALL, whatever id docker gives
# it: removed and run again, it has a new id and the same exception.
printf '%s\n' '[default]' 'cap-added = medium' 'cap-added.allow = @none' '' \
	'[web]' 'name = web' 'image = nginx:*' 'cap-added.allow = NET_BIND_SERVICE CHOWN' >"$LIVE_TMP/seed.ini"
seed_image=nginx:capaudit-$LIVE_SUFFIX
LIVE_DOCKER_IMAGES+=("$seed_image")
docker_cmd tag "$IMAGE" "$seed_image" || hard_error "docker tag $IMAGE $seed_image failed"
LIVE_DOCKER_NAMES+=(web)
web_ids=()
for round in 1 2; do
	[ "$round" = 1 ] || docker_cmd rm -f web >/dev/null || hard_error "docker rm -f web failed"
	web_id=$(docker_cmd run -d --network=none --name web --cap-drop=ALL --cap-add=NET_BIND_SERVICE \
		--cap-add=CHOWN "$seed_image" sleep 1000 2>"$LIVE_TMP/run.err" | tail -n 1)
	[ -n "$web_id" ] || hard_error "docker run --name web failed: $(head -c 300 "$LIVE_TMP/run.err")"
	web_ids+=("$web_id")
	rc=0
	run_capaudit_host_root "$LIVE_TMP/seed$round.json" "$LIVE_TMP/dockerd/data:var/lib/docker" -- \
		--json --policy "$LIVE_TMP/seed.ini" || rc=$?
	if check_host_root_run "seed, run $round" "$rc" "$LIVE_TMP/seed$round.json"; then
		got=$(jq -r --arg id "$web_id" '.containers[] | select(.id == $id) |
			"\(.verdict) \(.workload.name) \([.findings[].rule] | join(","))"' "$LIVE_TMP/seed$round.json")
		[ "$got" = "pass web " ] ||
			fail_check "seed, run $round: web (id ${web_id:0:12}) is '$got' by the seed policy, not 'pass web '"
		# the others are judged by [default]: container default holds docker's 14
		got=$(jq -r --arg id "$ID_A" '.containers[] | select(.id == $id) |
			[.findings[] | select(.rule == "cap-added") | .section] | join(",")' "$LIVE_TMP/seed$round.json")
		[ "$got" = default ] || fail_check "seed, run $round: container default judged by '$got', not [default]"
	fi
done
[ "${web_ids[0]}" != "${web_ids[1]}" ] || fail_check "docker gave web the same id twice: no restart was tested"
# ...and on the replay of a snapshot of that host, by the policy it captured
rc=0
run_capaudit_host_root "$LIVE_TMP/seed.snap.out" "$LIVE_TMP/dockerd/data:var/lib/docker" -- \
	snapshot "$LIVE_TMP/seed.tar" --policy "$LIVE_TMP/seed.ini" || rc=$?
if [ "$rc" -le 1 ] && [ -s "$LIVE_TMP/seed.tar" ]; then
	"$CAPAUDIT" --snapshot "$LIVE_TMP/seed.tar" --json >"$LIVE_TMP/seed.replay.json" 2>"$LIVE_TMP/seed.replay.err" ||
		[ $? -eq 1 ] || fail_check "seed: the replay failed: $(head -c 300 "$LIVE_TMP/seed.replay.err")"
	check_named "$LIVE_TMP/seed.replay.json" "seed, replayed" docker "${web_ids[1]}" \
		'"\(.verdict) \(.workload.name) \([.findings[].rule] | join(","))"' "pass web "
else
	fail_check "seed: the snapshot through --host-root exited with $rc: $(head -c 300 "$LIVE_TMP/seed.snap.out.err")"
fi
note "seed: web passed as ${web_ids[0]:0:12} and, run again, as ${web_ids[1]:0:12}"

# beyond-configured: a root shell of the host moved into container default's
# cgroups, then into its pid, UTS, IPC and network namespaces with nsenter,
# holds every capability the host holds; docker was told its 14.
mapfile -t procs < <(cgroup_dirs_of "$PID_A" | sed 's|$|/cgroup.procs|')
[ ${#procs[@]} -gt 0 ] || hard_error "no cgroup directory of container default (pid $PID_A)"
# shellcheck disable=SC2016
setsid sh -c 'for f in "$@"; do echo 0 >"$f" || exit 1; done
	exec nsenter -t "$0" -p -u -i -n sleep 300' "$PID_A" "${procs[@]}" </dev/null >/dev/null 2>&1 &
entered=$!
# shellcheck disable=SC2317
entered_stop() {
	local rc=$?
	set +e
	kill -KILL "$entered" 2>/dev/null
	wait "$entered" 2>/dev/null
	(exit "$rc")
	live_cleanup
}
trap entered_stop EXIT
inner=
for _ in $(seq 1 50); do
	inner=$(awk '{ print $1 }' "/proc/$entered/task/$entered/children" 2>/dev/null || true)
	[ -n "$inner" ] && grep -q "/docker/$ID_A" "/proc/$inner/cgroup" 2>/dev/null && break
	inner=
	sleep 0.1
done
[ -n "$inner" ] || hard_error "nsenter into container default did not start (pid $entered)"
rc=0
run_capaudit_host_root "$LIVE_TMP/entered.json" "$LIVE_TMP/dockerd/data:var/lib/docker" || rc=$?
if check_host_root_run "entered with nsenter" "$rc" "$LIVE_TMP/entered.json"; then
	got=$(jq -r --arg id "$ID_A" '.containers[] | select(.id == $id) | .findings[] |
		select(.rule == "beyond-configured") |
		"\(.severity) \(.fails) \(.pids | map(tostring) | join(",")) \(.capabilities | index("cap_sys_admin") != null)"' \
		"$LIVE_TMP/entered.json")
	want="high true $entered,$inner true"
	[ "$got" = "$want" ] ||
		fail_check "entered with nsenter (pids $entered, $inner): beyond-configured is '$got', not '$want'"
	jq -r --arg id "$ID_A" '.containers[] | select(.id == $id) | .findings[] |
		select(.rule == "beyond-configured") | .message' "$LIVE_TMP/entered.json" |
		grep -q "^pids $entered, $inner hold capabilities its runtime was not told to grant: " ||
		fail_check "entered with nsenter: the finding's message does not name pids $entered, $inner"
	note "entered with nsenter: pids $entered, $inner found beyond what docker was told"
fi
kill -KILL "$entered" "$inner" 2>/dev/null || true
wait "$entered" 2>/dev/null || true

note "docker test took ${SECONDS}s before cleanup"
live_finish
