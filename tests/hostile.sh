#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Strings a container chose - process names with newlines, terminal escapes,
# invalid UTF-8, quotes and backslashes, LXC and nspawn names that become
# container ids - cannot forge a line or a field in any format: each report of
# tests/fixtures/hostile is parsed back strictly.
set -u

. "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }

run() {	# FORMAT: the report of the hostile tree, into $tmp/FORMAT
	(cd "$fixtures" && "$capaudit" --policy built-in --proc-root hostile --format "$1" >"$tmp/$1" 2>"$tmp/$1.err")
	[ $? -eq 1 ] || ko "$1: exit status is not 1 (a docker default fails)"
}

# No C0 control byte but newline and tab, no DEL, no C1 control, valid UTF-8.
clean() {
	! LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]' "$1" &&
		! grep -q -P '\x{80}-\x{9f}' "$1" 2>/dev/null &&
		iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

for f in text json json-lines cis prometheus; do
	run "$f"
	check "$f: no control byte, valid UTF-8" clean "$tmp/$f"
	check "$f: nothing on stderr" test ! -s "$tmp/$f.err"
done

# Text: every line is a table row (after the header), a finding, a fix, or the summary.
nrows=$(jq '.containers | length' "$tmp/json")
check "text: no forged [PASS] line" bash -c "! grep -q '^\[PASS\]' '$tmp/text'"
check "text: findings are [FAIL] or [WARN]" bash -c "! grep '^\[' '$tmp/text' | grep -qv '^\[\(FAIL\|WARN\)\] '"
check "text: one table row per container" test "$(awk 'NR > 1 && NF && !/^\[|^  fix:|containers?:/' "$tmp/text" | wc -l)" -eq "$nrows"
check "text: one summary line" test "$(grep -c 'containers\?: .* audit ' "$tmp/text")" -eq 1

# JSON: strict parse; the names decode to text with no control character.
check "json: parses" jq -e . "$tmp/json"
check "json: no control character in any string" \
	jq -e '[.. | strings | test("[\u0000-\u001f\u007f-\u009f]")] | any | not' "$tmp/json"
check "json: the 4 KiB name is cut to the kernel's 64 bytes, and says so" \
	jq -e '[.containers[].processes[] | select(.comm | startswith("AAAA"))] | .[0] |
		(.comm | length) == 64 and .comm_cut == true' "$tmp/json"
check "json: the escape sequence is there, escaped" \
	jq -e '[.containers[].processes[].comm] | any(. == "\\x1b]0;owned\\x07\\x1b[31m")' "$tmp/json"
check "json: the nspawn name's newline is escaped in the id" \
	jq -e '[.containers[].id] | any(. == "fake\\x0a[PASS]\\x1b[0m")' "$tmp/json"
check "json-lines: one object a line, a container each, then the summary" \
	test "$(jq -c 'select(has("runtime"))' "$tmp/json-lines" | wc -l)" -eq "$nrows" -a \
	"$(wc -l <"$tmp/json-lines")" -eq $((nrows + 1))

# CIS: one line per container, each "<id>: CapAdd=".
check "cis: one line per container" test "$(wc -l <"$tmp/cis")" -eq "$nrows"
check "cis: every line is <id>: CapAdd=..." bash -c "! grep -qv ': CapAdd=' '$tmp/cis'"

# Prometheus: the exposition format's line grammar, every line.
name='[a-zA-Z_:][a-zA-Z0-9_:]*'
label='[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\["\\n])*"'
sample="^$name(\\{($label)(,$label)*\\})? -?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\$"
comment="^# (HELP $name .*|TYPE $name (gauge|counter|untyped))\$"
bad=$(grep -v -E -e "$sample" -e "$comment" "$tmp/prometheus")
check "prometheus: every line is a sample or a HELP/TYPE comment${bad:+ (not: $bad)}" test -z "$bad"
check "prometheus: one verdict series per container" \
	test "$(grep -c '^capaudit_container_verdict{' "$tmp/prometheus")" -eq "$nrows"

finish hostile
