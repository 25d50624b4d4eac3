#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capaudit diff on the fixture pair diff-old and diff-new (tests/mkfixtures.py,
# diff_pair(): every kind of change once): the text and JSON reports against
# tests/expected/diff-*.out; the same diff from snapshots of both trees; the
# exit status (1 only for a new failing finding); hosts, boots and policies
# that differ; a side without start times; bad sides and usage.
set -u

. "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
expected=$top/tests/expected
export TMPDIR=$tmp/t
mkdir "$TMPDIR"

# diff ARGS...: stdout, "--- stderr", stderr, "exit N", as tests/golden.sh keeps them
diffrun() {
	(cd "$fixtures" && "$capaudit" diff "$@" >"$tmp/out" 2>"$tmp/err"; echo "exit $?" >"$tmp/status")
	{ cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; cat "$tmp/status"; } >"$tmp/got"
}
golden() {	# NAME ARGS...
	local name=$1; shift
	diffrun "$@"
	[ -n "${UPDATE_GOLDEN:-}" ] && cp "$tmp/got" "$expected/$name.out"
	if diff -u "$expected/$name.out" "$tmp/got" >"$tmp/d"; then ok "$name"; else ko "$name"; cat "$tmp/d"; fi
}

# 1. The reports, and the exit status: NEW holds failing findings OLD did not.
golden diff-text diff-old diff-new --policy built-in
golden diff-json diff-old diff-new --policy built-in --json
check "diff-json parses" jq empty "$tmp/out"
# Backwards, what was new is resolved: none of OLD's findings beyond NEW's fails.
diffrun diff-new diff-old --policy built-in
check "backwards: exit 0, no failing finding is new" grep -qx "exit 0" "$tmp/status"
check "backwards: the privileged container is gone" grep -q "^- docker 4b4c4d4e4f50: gone, 1 process, bounding ALL, was FAIL" "$tmp/out"
diffrun diff-old diff-old --policy built-in
# (3002 has no start time in diff-old: it cannot be compared even with itself)
check "a side against itself: nothing changed" \
	grep -qx "0 containers appeared, 0 gone, 0 changed; 0 processes appeared, 0 gone, 0 changed; 0 findings new (0 failing), 0 resolved; 1 process not compared (no start time on one side)" "$tmp/out"
check "a side against itself: exit 0" grep -qx "exit 0" "$tmp/status"

# 2. Snapshots of both sides: the same diff, by the policy each holds.
for side in diff-old diff-new; do
	(cd "$fixtures" && "$capaudit" snapshot "$tmp/$side.tar.zst" --policy built-in --proc-root "$side" 2>/dev/null)
done
(cd "$tmp" && "$capaudit" diff diff-old.tar.zst diff-new.tar.zst --json >"$tmp/snap.json" 2>"$tmp/snap.err")
check "snapshots: exit 1" test $? -eq 1
check "snapshots: nothing on stderr" test ! -s "$tmp/snap.err"
norm='del(.old.source, .new.source, .old.time, .new.time)'
check "snapshots: the diff of the trees they hold" \
	diff <(sed '/^--- stderr$/,$d' "$expected/diff-json.out" | jq -S "$norm") \
	     <(jq -S "$norm" "$tmp/snap.json")
check "snapshots: each side's capture time" \
	test "$(jq -r '[.old.time, .new.time] | map(test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) | all' "$tmp/snap.json")" = true
check "a snapshot against its own tree: no change" \
	bash -c "cd '$fixtures' && '$capaudit' diff '$tmp/diff-new.tar.zst' diff-new --policy built-in | grep -q '^0 containers appeared, 0 gone, 0 changed; 0 processes'"
# One side from standard input.
check "a side may be standard input" \
	bash -c "cd '$fixtures' && '$capaudit' diff - diff-new --policy built-in <'$tmp/diff-old.tar.zst' | grep -q '^+ docker 4b4c4d4e4f50: appeared'"

# 3. Policies: each snapshot judged by its own unless --policy names one.
cat >"$tmp/lenient.ini" <<'EOF'
[default]
fail-on = critical
EOF
(cd "$fixtures" && "$capaudit" snapshot "$tmp/lenient.tar" --policy "$tmp/lenient.ini" --proc-root diff-new 2>/dev/null)
(cd "$tmp" && "$capaudit" diff diff-old.tar.zst lenient.tar >"$tmp/out" 2>"$tmp/err")
check "two policies: said on stderr" grep -q "judged by different policies (built-in, .*lenient.ini)" "$tmp/err"
check "two policies: each side's in the header" grep -q "^+++ lenient.tar: .*policy .*lenient.ini$" "$tmp/out"
(cd "$tmp" && "$capaudit" diff diff-old.tar.zst lenient.tar --policy built-in >"$tmp/out2" 2>"$tmp/err2")
check "--policy judges both: no warning" test ! -s "$tmp/err2"
check "--policy judges both: the built-in diff" \
	diff <(sed 1,2d "$tmp/out2") <(cd "$fixtures" && "$capaudit" diff diff-old diff-new --policy built-in | sed 1,2d)

# 4. Another host, another boot: said; across boots nothing is the same process.
cp -a "$fixtures/diff-new" "$tmp/other-host"
echo node2 >"$tmp/other-host/sys/kernel/hostname"
(cd "$fixtures" && "$capaudit" diff diff-old "$tmp/other-host" --policy built-in >"$tmp/out" 2>"$tmp/err")
check "another host: a warning that names both" grep -q "the sides are two hosts (node1, node2)" "$tmp/err"
cp -a "$fixtures/diff-new" "$tmp/rebooted"
echo 0b7f0c1e-3b2d-4c5e-9f70-1a2b3c4d5e6f >"$tmp/rebooted/sys/kernel/random/boot_id"
(cd "$fixtures" && "$capaudit" diff diff-old "$tmp/rebooted" --policy built-in --json >"$tmp/out" 2>"$tmp/err")
check "another boot: a warning" grep -q "booted again between the sides (boot id 8a6f0c1e-.*, then 0b7f0c1e-" "$tmp/err"
check "another boot: every process of a container on both sides is gone and new" \
	test "$(jq '[.containers[] | select(.change == "changed") | .processes[] | .change] | (map(select(. == "changed")) | length) == 0 and length > 0' "$tmp/out")" = true
check "another boot: boots_differ" test "$(jq .boots_differ "$tmp/out")" = true

# 5. An older capture holds no stat: its processes are not compared, and it says so.
cp -a "$fixtures/diff-old" "$tmp/no-stat"
rm "$tmp"/no-stat/*/stat
(cd "$fixtures" && "$capaudit" diff "$tmp/no-stat" diff-new --policy built-in --json >"$tmp/out" 2>/dev/null)
check "no start times: every process on both sides is not compared" \
	test "$(jq .summary.processes_not_compared "$tmp/out")" -eq 6
check "no start times: no process change is made up" \
	test "$(jq '[.containers[] | .processes[]? | select(.change != "appeared")] | length' "$tmp/out")" -eq 0

# 6. Selection narrows both sides.
(cd "$fixtures" && "$capaudit" diff diff-old diff-new --policy built-in --runtime podman >"$tmp/out" 2>&1)
check "--runtime podman: only the podman container" \
	test "$(grep -c '^[-+~] ' "$tmp/out")" -eq 3	# the container and its two resolved findings
check "--runtime podman: nothing of docker" bash -c "! grep -q docker '$tmp/out'"

# 7. Bad sides and usage: exit 2, a message naming the place, nothing written.
printf 'not an archive' >"$tmp/junk.tar"
diffrun diff-old "$tmp/junk.tar"
check "a corrupt side: exit 2" grep -qx "exit 2" "$tmp/status"
check "a corrupt side: named" grep -q "junk.tar" "$tmp/err"
check "a corrupt side: no report" test ! -s "$tmp/out"
diffrun diff-old does-not-exist
check "a missing side: exit 2, named" bash -c "grep -qx 'exit 2' '$tmp/status' && grep -q does-not-exist '$tmp/err'"
diffrun diff-old
check "one side: a usage error" bash -c "grep -qx 'exit 2' '$tmp/status' && grep -q 'diff: OLD and NEW' '$tmp/err'"
diffrun diff-old diff-new --format=cis
check "--format cis: a usage error" bash -c "grep -qx 'exit 2' '$tmp/status' && grep -q 'diff: --format text or json' '$tmp/err'"
diffrun diff-old diff-new --threads
check "--threads: goes with scan and snapshot" grep -q -- "--threads goes with scan and snapshot" "$tmp/err"
diffrun - - --policy built-in </dev/null
check "both sides standard input: refused" grep -q "standard input can be one side, not both" "$tmp/err"
echo keep >"$tmp/report.txt"
(cd "$fixtures" && "$capaudit" diff diff-old "$tmp/junk.tar" -O "$tmp/report.txt" 2>/dev/null)
check "a failed diff leaves -O's file as it was" grep -qx keep "$tmp/report.txt"
(cd "$fixtures" && "$capaudit" diff diff-old diff-new --policy built-in -O "$tmp/report.txt" >/dev/null 2>&1)
check "-O holds the report" grep -q "^+ docker 4b4c4d4e4f50: appeared" "$tmp/report.txt"
check "nothing left in TMPDIR" test -z "$(ls -A "$TMPDIR")"

finish diff
