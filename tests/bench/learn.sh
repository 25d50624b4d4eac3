#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The learn benchmark (issue 15): what `capaudit learn` costs the workloads it
# watches, and what it costs itself.
#
#   tests/bench/learn.sh [options]          (as root, docker.io installed)
#
#   -r, --rounds R      paired rounds of the workload (default 31), after one
#                       discarded warm-up round
#   -n, --iterations N  forkexec's rounds per run (default 1000): eight 1 MiB
#                       mmaps touched and unmapped, a fork and an exec each
#   -i, --idle K        idle containers beside the watch (default 50)
#   -w, --watch S       seconds of the idle watch (default 30)
#   -h, --help
#
# Environment: CAPAUDIT (default: _build/capaudit, else ./capaudit), CC (gcc).
#
# It starts a private dockerd (as tests/live/ does: no bridge, no iptables),
# then:
#   1. overhead: tests/bench/forkexec (static) runs in a container R times
#      untraced and R times while `capaudit learn` watches, in pairs a moment
#      apart (one learn runs throughout; its instance's events are off for
#      the untraced run; the order flips each round), and prints the median
#      of the paired ratios traced/untraced of forkexec's own clock and of
#      its CPU time (user + system, its children's too), the checks learn
#      saw, its CPU, and the events the ring buffers dropped;
#   2. idle: K containers that sleep, and `capaudit learn --duration S`
#      watching them and whatever else the host runs: learn's CPU as a share
#      of one core (user + system over wall, /usr/bin/time), its checks a
#      second, and its dropped events.
# Every container, the dockerd and the ftrace instances are gone when it exits.

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=31 iters=1000 idle=50 watch=30
usage() { awk 'NR >= 4 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 4 { exit }' "$0"; }
while [ $# -gt 0 ]; do
	case $1 in
	-r|--rounds) rounds=$2; shift 2 ;;
	-n|--iterations) iters=$2; shift 2 ;;
	-i|--idle) idle=$2; shift 2 ;;
	-w|--watch) watch=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "learn.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "learn.sh: needs root" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "learn.sh: needs /usr/bin/time (package time)" >&2; exit 2; }
: "${CAPAUDIT:=$top/_build/capaudit}"
[ -x "$CAPAUDIT" ] || CAPAUDIT=$top/capaudit
[ -x "$CAPAUDIT" ] || { echo "learn.sh: build capaudit first (or set CAPAUDIT)" >&2; exit 2; }

# The live tests' private dockerd and busybox image, and their cleanup.
export CAPAUDIT_LIVE_TESTS=yes
# shellcheck source=../live/lib.sh
. "$top/tests/live/lib.sh"
live_init
learn_pid=
# A learn still watching when this ends (an error, ^C) is stopped first.
bench_cleanup() {
	local rc=$?
	[ -z "$learn_pid" ] || kill -INT "$learn_pid" 2>/dev/null
	(exit "$rc")
	live_cleanup
}
trap bench_cleanup EXIT
bin=$LIVE_TMP/bin
mkdir -p "$bin"
cp "$CAPAUDIT" "$bin/capaudit" && CAPAUDIT=$bin/capaudit
"${CC:-gcc}" -O2 -static -o "$bin/forkexec" "$here/forkexec.c" ||
	{ echo "learn.sh: cannot build forkexec statically (glibc's libc.a: libc6-dev)" >&2; exit 2; }
docker_start
build_busybox_rootfs
docker_import "$ROOTFS_TAR"
docker_run_detached work || { echo "learn.sh: docker cannot run a container: $RUN_ERR" >&2; exit 2; }
work=capaudit-live-$LIVE_SUFFIX-work
docker_cmd cp "$bin/forkexec" "$work:/bin/forkexec" || exit 2

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
	print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run_work() { docker_cmd exec "$work" /bin/forkexec "$iters"; }

# One learn watches the whole phase; its instance's events are turned off for
# each untraced run and on for each traced one, so that a pair is two runs a
# moment apart, not a learn start-up apart (the start-up, about 0.3 s of CPU,
# is measured by the idle phase).
events="capability/cap_capable sched/sched_process_fork sched/sched_process_exec task/task_rename cgroup/cgroup_attach_task"
record() {	# 0 or 1
	local e
	for e in $events; do
		[ -e "$inst/events/$e/enable" ] && echo "$1" >"$inst/events/$e/enable"
	done
}

echo "== overhead: forkexec $iters in a docker container, $rounds paired rounds"
run_work >/dev/null
# (not holding the private dockerd's lock, which cleanup needs)
/usr/bin/time -f '%U %S %e' -o "$LIVE_TMP/time" "$CAPAUDIT" learn --duration 3600 --json \
	>"$LIVE_TMP/learn.json" 2>"$LIVE_TMP/learn.err" {LIVE_DOCKER_LOCK_FD}<&- &
time_pid=$! learn_pid= inst=
for _ in $(seq 200); do
	learn_pid=$(pgrep -P "$time_pid" | head -n 1)
	inst=/sys/kernel/tracing/instances/capaudit-learn-$learn_pid
	[ -n "$learn_pid" ] && [ -e "$inst/tracing_on" ] && break
	sleep 0.05
done
[ -e "$inst/tracing_on" ] || { echo "learn.sh: learn made no instance: $(cat "$LIVE_TMP/learn.err")" >&2; exit 2; }
sleep 1	# its first scan
ticks() { awk '{ print $14 + $15 }' "/proc/$learn_pid/stat"; }
: >"$LIVE_TMP/pairs"
for r in $(seq 0 "$rounds"); do
	t0=$(ticks)
	if [ $((r % 2)) -eq 1 ]; then
		record 0; read -r u ucpu < <(run_work); record 1; read -r t tcpu < <(run_work)
	else
		record 1; read -r t tcpu < <(run_work); record 0; read -r u ucpu < <(run_work)
	fi
	t1=$(ticks)
	[ "$r" -gt 0 ] || continue	# the warm-up pair
	ratio=$(echo "$t / $u" | bc -l) cratio=$(echo "$tcpu / $ucpu" | bc -l)
	printf '  round %d: untraced %.3f s (CPU %.3f), traced %.3f s (CPU %.3f), ratio %.3f (CPU %.3f); learn used %d ticks\n' \
		"$r" "$u" "$ucpu" "$t" "$tcpu" "$ratio" "$cratio" $((t1 - t0))
	echo "$ratio $cratio $((t1 - t0)) $t" >>"$LIVE_TMP/pairs"
done
record 1
kill -INT "$learn_pid"
wait "$time_pid"
learn_pid=
read -r u s e <"$LIVE_TMP/time"
printf 'overhead: median traced/untraced %.3f wall, %.3f CPU (target 1.10); learn saw %d checks (%.0f a traced second) and used %.2f s CPU in all (%d ticks while the pairs ran); lost events %d\n' \
	"$(cut -d' ' -f1 "$LIVE_TMP/pairs" | median)" "$(cut -d' ' -f2 "$LIVE_TMP/pairs" | median)" \
	"$(jq .checks "$LIVE_TMP/learn.json")" \
	"$(echo "$(jq .checks "$LIVE_TMP/learn.json") / $(awk '{ s += $4 } END { print s }' "$LIVE_TMP/pairs")" | bc -l)" \
	"$(echo "$u + $s" | bc -l)" "$(awk '{ s += $3 } END { print s }' "$LIVE_TMP/pairs")" "$(jq .lost_events "$LIVE_TMP/learn.json")"

echo "== idle: $idle sleeping containers and this host's own load, watched for $watch s"
docker_cmd rm -f "$work" >/dev/null
for i in $(seq "$idle"); do
	docker_run_detached "idle$i" >/dev/null || { echo "learn.sh: idle container $i: $RUN_ERR" >&2; exit 2; }
done
/usr/bin/time -f '%U %S %e' -o "$LIVE_TMP/time" "$CAPAUDIT" learn --duration "$watch" --json \
	>"$LIVE_TMP/idle.json" 2>"$LIVE_TMP/idle.err" || { cat "$LIVE_TMP/idle.err" >&2; exit 2; }
read -r u s e <"$LIVE_TMP/time"
printf 'idle: learn used %.2f s CPU (user %.2f, system %.2f) in %.2f s: %.2f %% of one core (target 5); %d checks (%.0f/s), %d by %d containers; lost events %d\n' \
	"$(echo "$u + $s" | bc -l)" "$u" "$s" "$e" "$(echo "($u + $s) * 100 / $e" | bc -l)" \
	"$(jq .checks "$LIVE_TMP/idle.json")" "$(echo "$(jq .checks "$LIVE_TMP/idle.json") / $watch" | bc -l)" \
	"$(jq .contained_checks "$LIVE_TMP/idle.json")" "$(jq '.containers | length' "$LIVE_TMP/idle.json")" \
	"$(jq .lost_events "$LIVE_TMP/idle.json")"
live_finish
