#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The system-call budget of a live scan (issue 7): at most 6.5 calls per
# process for status and cgroup, plus one per namespace link, and those
# read once per container, not per process; `status` opened once and read
# once. The count is deterministic, so it is a check, not a benchmark.
#
# A known population (tests/bench/population: 200, then 400 paused
# processes, as fake docker containers of 100 and as host processes) runs
# in a pid namespace of its own with its own /proc, so that nothing else on
# the host moves the count; capaudit's calls under `strace -f -y` at the two
# sizes, differenced and divided by the processes it read in addition,
# leave start-up out. Skipped in a sanitizer build (the runtime's own calls
# would blur it) and without root (cgroups, a pid namespace) or strace.
set -u
. "$(dirname "$0")/lib-population.sh"

# ---------------------------------------------------------------- inside
# bash syscalls.sh --inside N MODE OUT, as pid 1 of a new pid namespace:
# start the population, scan once to warm up, then once under strace.
if [ "${1:-}" = --inside ]; then
	n=$2 mode=$3 out=$4 flags=()
	[ "$mode" = host ] && flags=(--host --host-cgroup /)
	pop_start "$out.pop" -n "$n" -k 100 --list "${flags[@]}" || exit 1
	"$CAPAUDIT" --policy built-in >/dev/null 2>&1
	strace -f -y -o "$out.trace" "$CAPAUDIT" --policy built-in >/dev/null 2>"$out.err"
	echo $? >"$out.rc"
	exit 0
fi

# ---------------------------------------------------------------- outside
. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (cgroups, a pid namespace)"; exit 77; }
[ -z "${CAPAUDIT_SAN:-}" ] || { echo "SKIP: a sanitizer build ($CAPAUDIT_SAN) makes calls of its own"; exit 77; }
command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
export CAPAUDIT=$capaudit
[ -x "$POPULATION" ] || { echo "ERROR: no $POPULATION (make check builds it)"; exit 99; }
pidns_usable || { echo "SKIP: cannot make a pid namespace with its own /proc (unshare)"; exit 77; }
trap 'pop_remove_listed "$tmp"/*.pop; chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

small=200 large=400

# stat TRACE: "calls readlinkat pids", where pids are those whose status
# capaudit opened; one call a line, resumed halves not counted again.
stat_trace() {
	awk '$2 ~ /^[a-z_0-9]+\(/ { calls++ }
	     $2 ~ /^readlinkat\(/ { rl++ }
	     $2 ~ /^openat\(/ && match($0, /"[0-9]+\/status"/) && !/ = -1 / { p[substr($0, RSTART, RLENGTH)] = 1 }
	     END { printf "%d %d %d\n", calls, rl, length(p) }' "$1"
}

# status_once TRACE: the pids whose status was not opened exactly once and
# read exactly once. Pid 1's is read once more, before the walk, as the host
# reference (its bounding set and namespaces): once a scan, not a process.
status_once() {
	awk '$2 ~ /^openat\(/ && match($0, /"[0-9]+\/status"/) {
		pid = substr($0, RSTART + 1, RLENGTH - 9); opens[pid]++ }
	     $2 ~ /^read\(/ && match($2, /<\/proc\/[0-9]+\/status>/) {
		pid = substr($2, RSTART + 7, RLENGTH - 15); reads[pid]++ }
	     END { if (opens[1] == 2 && reads[1] == 2) opens[1] = reads[1] = 1
		   for (pid in opens) if (opens[pid] != 1 || reads[pid] != 1)
			printf "%s (%d opens, %d reads)\n", pid, opens[pid], reads[pid] + 0
		   for (pid in reads) if (!(pid in opens)) printf "%s (read, never opened)\n", pid }' "$1"
}

for mode in containers host; do
	for n in $small $large; do
		out=$tmp/$mode.$n
		if ! in_pidns bash "$0" --inside "$n" "$mode" "$out" || [ ! -s "$out.trace" ]; then
			ko "$mode, $n processes: no traced scan"; cat "$out.pop" "$out.err" 2>/dev/null | head -20
			continue 2
		fi
		pop_stopped "$out.pop" || ko "$mode, $n processes: the population did not stop cleanly"
		rc=$(cat "$out.rc")
		if [ "$rc" -le 1 ] && [ ! -s "$out.err" ]; then
			ok "$mode, $n processes: the traced scan exits $rc, silent"
		else
			ko "$mode, $n processes: the traced scan exits $rc: $(head -3 "$out.err")"
		fi
		bad=$(status_once "$out.trace")
		if [ -z "$bad" ]; then
			ok "$mode, $n processes: every status opened once and read once"
		else
			ko "$mode, $n processes: status not opened and read exactly once: $(echo "$bad" | head -5)"
		fi
	done
	read -r c1 r1 p1 <<<"$(stat_trace "$tmp/$mode.$small.trace")"
	read -r c2 r2 p2 <<<"$(stat_trace "$tmp/$mode.$large.trace")"
	dp=$((p2 - p1))
	# Nothing else lives in the namespace: the processes read in addition are the population's.
	if [ "$dp" -eq $((large - small)) ]; then
		ok "$mode: capaudit read the $dp processes added, no more, no fewer"
	else
		ko "$mode: capaudit read $dp processes more at $large than at $small"
		continue
	fi
	per=$(awk -v c=$((c2 - c1 - (r2 - r1))) -v p="$dp" 'BEGIN { printf "%.3f", c / p }')
	per_ns=$(awk -v r=$((r2 - r1)) -v p="$dp" 'BEGIN { printf "%.3f", r / p }')
	echo "# $mode: $per system calls per process besides namespace links, $per_ns namespace links" \
		"($c1 calls for $p1 processes, $c2 for $p2)"
	check "$mode: at most 6.5 system calls per process for status and cgroup ($per)" \
		awk -v x="$per" 'BEGIN { exit !(x <= 6.5) }'
	# Namespace links are read once per container: 7 links for each of the
	# 2 containers added; host processes share the host's, read once at start.
	if [ "$mode" = containers ]; then max_rl=$((7 * (large - small) / 100)); else max_rl=0; fi
	check "$mode: namespace links read once per container ($((r2 - r1)) more, at most $max_rl)" \
		test $((r2 - r1)) -le "$max_rl"
done

finish syscalls
