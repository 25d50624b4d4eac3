#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh TARGET SECONDS|-runs=N [LIBFUZZER-OPTION...]: fuzz one target of a
# build configured with --enable-fuzzing, from its seeds (made by seeds.sh
# when missing) and its regressions, with its dictionary. Run from the build
# directory. New inputs go to fuzz-corpus/TARGET, crashes and leaks to
# fuzz-artifacts/; the exit status is libFuzzer's (0: nothing found).
set -eu

[ $# -ge 2 ] || { echo "usage: $0 status|cgroup|policy|snapshot SECONDS|-runs=N [OPTION...]" >&2; exit 2; }
target=$1 limit=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
bin=${FUZZ_BINDIR:-$PWD/tests/fuzz}/fuzz_$target
[ -x "$bin" ] || { echo "$0: no $bin: configure with CC=clang --enable-fuzzing and make" >&2; exit 2; }
seeds=${FUZZ_SEEDS:-$PWD/fuzz-seeds}
[ -d "$seeds/$target" ] || bash "$src/seeds.sh" "$seeds" >/dev/null
corpus=$PWD/fuzz-corpus/$target
mkdir -p "$corpus" fuzz-artifacts

case $limit in
-runs=*) opts=("$limit") ;;
*) opts=(-max_total_time="$limit") ;;
esac
# An execution of fuzz_snapshot costs about its input's size (a pass of
# verify, one of the replay, a scan): keep inputs to the size of the small
# seeds; a tar reader's mistakes need no large archive.
[ "$target" = snapshot ] && opts+=(-max_len=32768)
# One process: nothing else writes the corpus, so it is not read back
# every second (rereading re-hashes every new unit: 6 % of fuzz_snapshot).
opts+=(-reload=0)
# ASan's quarantine keeps freed memory from reuse for 256 MiB of later
# allocations by default: an execution frees a few hundred KiB, so 16 MiB
# still holds every block freed in the last few dozen executions, where a
# use after free is caught as surely, while what one execution touches
# stays in the cache instead of fresh pages (a fifth of the RSS, and 8 %
# more executions a second for fuzz_snapshot). Set ASAN_OPTIONS to choose
# otherwise; regress.sh and make check keep ASan's defaults.
export ASAN_OPTIONS=${ASAN_OPTIONS-quarantine_size_mb=16}
inputs=("$corpus" "$seeds/$target")
[ -d "$src/regressions/$target" ] && inputs+=("$src/regressions/$target")
# Leaks fail a run as crashes do; the timeout and memory limit catch an
# input that hangs the reader or makes it allocate without bound.
"$bin" "${opts[@]}" -dict="$src/$target.dict" -artifact_prefix=fuzz-artifacts/"$target"- \
	-detect_leaks=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$@" "${inputs[@]}"
