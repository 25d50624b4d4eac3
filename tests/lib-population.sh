# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# What the tests that scan a live population share (tests/bench/population,
# built by make check): a pid namespace of their own with its own /proc, so
# that the host's processes neither slow the scans nor move the counts;
# starting and stopping the population in it; and removing the cgroups of a
# population killed with its namespace.
#
# A test runs itself again as the namespace's pid 1 (`in_pidns bash "$0"
# --inside ...`); that run starts the population with pop_start, scans, and
# leaves its results in files for the outer run to judge.

POPULATION=${POPULATION:-$PWD/tests/bench/population}
export POPULATION

# in_pidns CMD...: CMD as pid 1 of a new pid namespace, with its own /proc.
# Every process left in it dies when CMD exits.
in_pidns() { unshare --pid --fork --mount-proc "$@"; }

# pidns_usable: whether this run can make one (root, unshare, the kernel).
pidns_usable() { [ "$(id -u)" = 0 ] && in_pidns true 2>/dev/null; }

# pop_start LOG ARGS...: start a population with ARGS, its output in LOG,
# and wait until it is ready (a minute at most: nonzero if not). It is
# stopped when this shell exits, and then removes the cgroups it made.
# POP_NICE: its niceness (what it starts inherits it).
pop_start() {
	local log=$1 i
	shift
	nice -n "${POP_NICE:-0}" "$POPULATION" --die-with-parent "$@" >"$log" 2>&1 &
	pop_pid=$!
	trap 'kill -TERM $pop_pid 2>/dev/null; wait $pop_pid' EXIT
	for ((i = 0; i < 600; i++)); do
		grep -qs '^ready:' "$log" && return 0
		kill -0 "$pop_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# pop_stopped LOG: it stopped, and removed every cgroup it made.
pop_stopped() { grep -q '^stopped:' "$1" && ! grep -q 'cannot remove' "$1"; }

# pop_remove_listed LOG...: remove the cgroups that populations started
# with --list listed, where a killed namespace left them (empty: its
# processes died with it). Nothing else: other populations may be running.
pop_remove_listed() {
	local id dir
	for id in $(awk '$1 == "container" { print $2 }' "$@" 2>/dev/null); do
		for dir in /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id"; do
			[ -d "$dir" ] && rmdir "$dir" 2>/dev/null
		done
	done
	return 0
}
