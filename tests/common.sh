# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# What the fixture-driven test scripts share: where things are, a private
# temporary directory, the fixture trees (unpacked from tests/fixtures.tar in
# a release tarball, see Makefile.am), and PASS/FAIL counting.

top=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
capaudit=${CAPAUDIT:-$PWD/capaudit}
tmp=$(mktemp -d) || exit 99
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

fixtures=$top/tests/fixtures
if [ ! -d "$fixtures" ] && [ -f "$top/tests/fixtures.tar" ]; then
	tar -xf "$top/tests/fixtures.tar" -C "$tmp" || exit 99
	fixtures=$tmp/fixtures
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; fail=$((fail + 1)); }
# check NAME COMMAND...: PASS where COMMAND succeeds.
check() { if "${@:2}" >/dev/null; then ok "$1"; else ko "$1"; fi; }

# finish NAME: the closing count, and the exit status automake reads.
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
