#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind memcheck (issue 7): 0 errors and 0 leaks (definite, indirect or
# possible) for a full live scan (text, JSON, --threads, CIS, Prometheus), a
# snapshot of the live /proc (and no race in it for helgrind and DRD), its
# replay and --verify, a signed capture verified with its key and another,
# `policy check` of good and bad policies, and scans of every fixture tree,
# error paths included;
# and capaudit's exit status under valgrind is the one it has without.
#
# As root, the live commands run in a pid namespace of their own with its
# own /proc and a small population of fake docker containers
# (tests/bench/population): containers to judge, and no host's thousands of
# processes to crawl through at valgrind's pace. Otherwise they read this
# host's /proc as it is. Skipped without valgrind and in an ASan build
# (valgrind cannot run one).
set -u
. "$(dirname "$0")/lib-population.sh"

vg_opts=(--leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --num-callers=30)

# vg NAME CMD...: run CMD natively, then under memcheck; NAME.rc holds
# "native valgrind" exit statuses, NAME.log valgrind's report.
vg() {
	local name=$1 native; shift
	"$@" >/dev/null 2>&1
	native=$?
	valgrind "${vg_opts[@]}" --log-file="$out/$name.log" "$@" >/dev/null 2>"$out/$name.err"
	echo "$native $?" >"$out/$name.rc"
}

# The live commands, in the namespace or not; $out is where results go.
live() {
	vg live-text "$CAPAUDIT" --policy built-in
	vg live-json-threads "$CAPAUDIT" --policy built-in --json --threads
	vg live-cis "$CAPAUDIT" --policy built-in --format=cis
	vg live-prometheus "$CAPAUDIT" --policy built-in --format=prometheus
	# A snapshot is taken once, under valgrind: a native run is no reference (exit 0).
	valgrind "${vg_opts[@]}" --log-file="$out/live-snapshot.log" \
		"$CAPAUDIT" snapshot "$out/live.tar.zst" --policy built-in >/dev/null 2>"$out/live-snapshot.err"
	echo "0 $?" >"$out/live-snapshot.rc"
	# The archive is written by a thread of its own (src/snapwriter.c): no race.
	for tool in helgrind drd; do
		valgrind --tool=$tool --error-exitcode=99 --log-file="$out/live-snapshot-$tool.log" \
			"$CAPAUDIT" snapshot "$out/$tool.tar" --policy built-in >/dev/null 2>"$out/live-snapshot-$tool.err"
		echo "0 $?" >"$out/live-snapshot-$tool.rc"
	done
}

# ---------------------------------------------------------------- inside
# bash valgrind.sh --inside OUT, as pid 1 of a new pid namespace.
if [ "${1:-}" = --inside ]; then
	out=$2
	pop_start "$out/pop" -n 30 -k 10 --list || exit 1
	live
	exit 0
fi

# ---------------------------------------------------------------- outside
. "$(dirname "$0")/common.sh"
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
case ${CAPAUDIT_SAN:-} in *address*) echo "SKIP: an ASan build: valgrind cannot run it"; exit 77 ;; esac
export CAPAUDIT=$capaudit
out=$tmp
trap 'pop_remove_listed "$tmp/pop"; chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

# 1. The live /proc.
if [ -x "$POPULATION" ] && pidns_usable; then
	echo "# live: a pid namespace of its own, 30 processes in 3 fake docker containers"
	in_pidns bash "$0" --inside "$tmp" || ko "the population did not start: $(cat "$tmp/pop")"
	pop_stopped "$tmp/pop" || ko "the population did not stop cleanly: $(tail -3 "$tmp/pop")"
else
	echo "# live: this host's /proc, as $(id -un)"
	live
fi
snap=$tmp/live.tar.zst
vg replay-json "$capaudit" --snapshot "$snap" --json
vg replay-text "$capaudit" --snapshot "$snap"
vg verify "$capaudit" snapshot --verify "$snap"
head -c 3000 "$snap" >"$tmp/cut.tar.zst"
vg verify-truncated "$capaudit" snapshot --verify "$tmp/cut.tar.zst"

# 2. Policies: a good one, two bad ones (refused at a line), the built-in shown.
vg policy-good "$capaudit" policy check "$top/tests/policies/good/crlf-and-all.ini"
vg policy-bad-key "$capaudit" policy check "$top/tests/policies/bad/01-unknown-key.ini"
vg policy-bad-capability "$capaudit" policy check "$top/tests/policies/bad/04-unknown-capability.ini"
vg policy-show "$capaudit" policy show built-in

# 3. Fixture trees: each report, the error path of a broken tree (exit 2),
# and a snapshot of one and its replay.
vg fixture-mixed-json "$capaudit" --policy built-in --proc-root "$fixtures/mixed" --json
vg fixture-mixed-tree "$capaudit" --policy built-in --proc-root "$fixtures/mixed" --tree --output-all
vg fixture-nested-threads "$capaudit" --policy built-in --proc-root "$fixtures/nested" --threads --json
vg fixture-kube-systemd "$capaudit" --policy built-in --proc-root "$fixtures/kube-systemd" --json
vg fixture-hostile-text "$capaudit" --policy built-in --proc-root "$fixtures/hostile"
vg fixture-legacy-cis "$capaudit" --policy built-in --proc-root "$fixtures/legacy" --format=cis
vg fixture-no-host-bounding "$capaudit" --policy built-in --proc-root "$fixtures/no-host-bounding"
vg fixture-snapshot "$capaudit" snapshot "$tmp/mixed.tar.gz" --proc-root "$fixtures/mixed"
vg fixture-replay "$capaudit" --snapshot "$tmp/mixed.tar.gz" --format=json-lines
# Signed (the key read, the manifest signed on the writer's thread), verified with its key and another.
if command -v openssl >/dev/null && openssl genpkey -algorithm ed25519 -out "$tmp/k.pem" 2>/dev/null &&
   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/other.pem" &&
   openssl pkey -in "$tmp/k.pem" -pubout -out "$tmp/k.pub" && openssl pkey -in "$tmp/other.pem" -pubout -out "$tmp/other.pub"; then
	"$capaudit" snapshot "$tmp/signed.tar.zst" --proc-root "$fixtures/mixed" --sign "$tmp/k.pem" 2>/dev/null
	vg fixture-snapshot-signed "$capaudit" snapshot "$tmp/signed2.tar" --proc-root "$fixtures/mixed" --sign "$tmp/other.pem"
	vg verify-key "$capaudit" snapshot --verify "$tmp/signed.tar.zst" --key "$tmp/k.pub"
	vg verify-otherkey "$capaudit" snapshot --verify "$tmp/signed.tar.zst" --key "$tmp/other.pub"
else
	echo "# no openssl: signed captures are not run under valgrind"
fi

# Each: valgrind's status is the native one (99: errors or leaks), and its
# summary says 0 errors.
for rcfile in "$tmp"/*.rc; do
	name=$(basename "$rcfile" .rc)
	read -r native under <"$rcfile"
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$tmp/$name.log" | tail -1)
	leaks=$(grep -E '(definitely|indirectly|possibly) lost: [1-9]' "$tmp/$name.log" | head -3)
	if [ "$under" = 99 ] || [ "${errors:-x}" != 0 ] || [ -n "$leaks" ]; then
		ko "$name: ${errors:-no} errors under valgrind (exit $under)"
		grep -v '^==[0-9]*== *$' "$tmp/$name.log" | head -60
	elif [ "$under" != "$native" ]; then
		ko "$name: exit $under under valgrind, $native without"
	elif [ "$under" -gt 1 ] && case $name in policy-bad-*|*-truncated|fixture-no-*|*-otherkey) false ;; *) true ;; esac; then
		ko "$name: exit $under: $(head -3 "$tmp/$name.err")"
	else
		ok "$name: 0 errors, 0 leaks (exit $under)"
	fi
done

finish valgrind
