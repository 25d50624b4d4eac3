#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -O writes every format atomically: the file holds exactly what stdout would,
# no temporary file is left, and a write that cannot happen leaves the
# previous report whole and exits 2.
set -u

. "$(dirname "$0")/common.sh"
scan() { (cd "$fixtures" && "$capaudit" --policy built-in --proc-root mixed --color=never "$@"); }
strip() { sed -E 's/^(capaudit_scan_(duration|timestamp)_seconds) .*/\1/' "$@"; }

for f in text json json-lines cis prometheus; do
	scan --format "$f" >"$tmp/stdout.$f"
	rc1=$?
	scan --format "$f" -O "$tmp/report.$f"
	rc2=$?
	if [ "$rc1" -eq "$rc2" ] && [ -s "$tmp/report.$f" ] &&
	   diff -q <(strip "$tmp/stdout.$f") <(strip "$tmp/report.$f") >/dev/null; then
		ok "$f: -O holds what stdout does, exit $rc2"
	else
		ko "$f: -O differs from stdout (exit $rc1 / $rc2)"
	fi
done
left=$(find "$tmp" -name 'report.*.??????' | wc -l)
[ "$left" -eq 0 ] && ok "no temporary file left" || ko "$left temporary files left"
[ "$(stat -c %a "$tmp/report.prometheus")" = 644 ] && ok "the report is readable by a collector" ||
	ko "mode $(stat -c %a "$tmp/report.prometheus")"

# A directory that refuses the write: exit 2, the old report untouched.
mkdir "$tmp/ro"
echo old >"$tmp/ro/report.prom"
chmod a-w "$tmp/ro"
if [ "$(id -u)" -ne 0 ]; then
	scan --format prometheus -O "$tmp/ro/report.prom" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(cat "$tmp/ro/report.prom")" = old ] && grep -q "cannot write" "$tmp/err" &&
		ok "an unwritable directory: exit 2, the old report whole" || ko "unwritable directory: exit $rc"
fi
scan --format json -O "$tmp/missing/dir/report.json" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot write $tmp/missing/dir/report.json" "$tmp/err" &&
	ok "a missing directory: exit 2, said before the scan" || ko "missing directory: exit $rc: $(cat "$tmp/err")"

finish output
