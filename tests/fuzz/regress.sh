#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every fuzz target's checks, in every build and without libFuzzer: the
# seed corpora (fixtures, policies, snapshots of the fixtures) and every
# input that once broke something (tests/fuzz/regressions/<target>/) run
# through tests/fuzz/replay_<target>. A crash, a sanitizer report or a
# broken check fails the test.
set -u

. "$(dirname "$0")/../common.sh"
bindir=${FUZZ_BINDIR:-$PWD/tests/fuzz}
regressions=$top/tests/fuzz/regressions

if ! bash "$top/tests/fuzz/seeds.sh" "$tmp/seeds" >"$tmp/seeds.log" 2>&1; then
	ko "seeds.sh: $(tail -3 "$tmp/seeds.log")"
	finish "fuzz regressions"
	exit
fi
for target in status cgroup policy snapshot; do
	inputs=("$tmp/seeds/$target")
	[ -d "$regressions/$target" ] && inputs+=("$regressions/$target")
	if "$bindir/replay_$target" "${inputs[@]}" >"$tmp/out" 2>&1; then
		ok "$target: $(tail -1 "$tmp/out")"
	else
		ko "$target: $(tail -5 "$tmp/out")"
	fi
done
finish "fuzz regressions"
