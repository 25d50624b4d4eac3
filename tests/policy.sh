#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The policy language: the built-in policy round-trips through `policy show`
# and `policy check`, the shipped policy.ini is it byte for byte, every
# example of capaudit.ini(5) (examples/ of the build) is accepted, and every malformed policy under
# tests/policies/bad is refused with exit 2 and its expected file:line: message.
set -u

. "$(dirname "$0")/common.sh"
# The built-in, shown, is a policy that shows itself unchanged.
"$capaudit" policy show built-in >"$tmp/builtin.ini" || ko "policy show built-in"
if "$capaudit" policy check "$tmp/builtin.ini" && "$capaudit" policy show "$tmp/builtin.ini" >"$tmp/again.ini" &&
   cmp -s "$tmp/builtin.ini" "$tmp/again.ini"; then
	ok "built-in round-trips through show and check"
else
	ko "built-in round-trips through show and check"
	diff -u "$tmp/builtin.ini" "$tmp/again.ini"
fi
# The shipped file, where this build made one.
if [ -f policy.ini ]; then
	if cmp -s policy.ini "$tmp/builtin.ini"; then ok "policy.ini is the built-in"; else ko "policy.ini is the built-in"; fi
fi

# Every example of the man page, as the build took it out for docdir/examples
# (Makefile.am): one file a `.\" example begin NAME` marker, each accepted.
n=0
for name in $(sed -n 's/^\.\\" example begin //p' "$top/man/capaudit.ini.5"); do
	n=$((n + 1))
	if [ ! -s "examples/$name" ]; then
		ko "capaudit.ini(5) example $name: the build made no examples/$name"
	elif "$capaudit" policy check "examples/$name" 2>"$tmp/err"; then
		ok "capaudit.ini(5) example $name"
	else
		ko "capaudit.ini(5) example $name: $(cat "$tmp/err")"
	fi
done
markers=$(grep -c '^\.\\" example begin' "$top/man/capaudit.ini.5")
[ "$n" -ge 3 ] && [ "$n" -eq "$markers" ] && ok "capaudit.ini(5) has $n named examples" ||
	ko "capaudit.ini(5) has $n named examples of $markers, expected 3 or more, each named"

# Tricky but valid: comments on continuation lines, a byte order mark, CRLF,
# a list that starts on the next line. Each is accepted and shows itself unchanged.
for good in "$top"/tests/policies/good/*.ini; do
	[ -e "$good" ] || continue
	name=$(basename "$good" .ini)
	if "$capaudit" policy check "$good" 2>"$tmp/err" && "$capaudit" policy show "$good" >"$tmp/g1.ini" &&
	   "$capaudit" policy show "$tmp/g1.ini" >"$tmp/g2.ini" && cmp -s "$tmp/g1.ini" "$tmp/g2.ini"; then
		ok "good/$name"
	else
		ko "good/$name: $(cat "$tmp/err")"
	fi
done

# The corpus of mistakes: FILE.ini beside FILE.err, the message expected on stderr.
for bad in "$top"/tests/policies/bad/*.ini; do
	[ -e "$bad" ] || continue
	name=$(basename "$bad" .ini)
	want=$(cat "${bad%.ini}.err")
	got=$(cd "$(dirname "$bad")" && "$capaudit" policy check "$name.ini" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$got" = "$want" ]; then
		ok "bad/$name"
	else
		ko "bad/$name: exit $rc, stderr '$got', want exit 2, '$want'"
	fi
	# A scan with it audits nothing either.
	got=$(cd "$(dirname "$bad")" && "$capaudit" --policy "$name.ini" --proc-root "$top/tests/fixtures/quiet" 2>&1)
	rc=$?
	[ "$rc" -eq 2 ] && [ "$got" = "$want" ] || ko "bad/$name as --policy: exit $rc, output '$got'"
done

# Large policies: a section limit, a size limit, and a twin found among
# thousands without comparing every pair (each in a few milliseconds).
big() {	# SECTIONS [TWIN-OF:AT ...]: [default] and SECTIONS sections, some made twins
	python3 - "$@" <<'EOF'
import sys
n, twins = int(sys.argv[1]), dict(a.split(":")[::-1] for a in sys.argv[2:])
print("[default]\nfail-on = medium")
for i in range(n):
    print("[s%d]\nid = %x" % (i, int(twins.get(str(i), i))))
EOF
}
big 9999 >"$tmp/big.ini"
check "10,000 sections are a policy" "$capaudit" policy check "$tmp/big.ini"
big 10000 >"$tmp/big.ini"
check "10,001 are not, said at the one too many" \
	bash -c "'$capaudit' policy check '$tmp/big.ini' 2>&1 | grep -qx 'capaudit: $tmp/big.ini:20001: more than 10000 sections'"
# s9000 twins s5000 and s7001 twins s7000: the second of a pair that comes first is named
big 9000 5000:8999 7000:7001 >"$tmp/big.ini"
check "among thousands, the first twin in the file is named" \
	bash -c "'$capaudit' policy check '$tmp/big.ini' 2>&1 | grep -qx 'capaudit: $tmp/big.ini:14005: section \[s7001\] selects the same as \[s7000\] (line 14003)'"
{ echo "[default]"; head -c 1100000 /dev/zero | tr '\0' ';'; echo; } >"$tmp/huge.ini"
check "a policy over 1 MiB is refused" \
	bash -c "'$capaudit' policy check '$tmp/huge.ini' 2>&1 | grep -qx 'capaudit: $tmp/huge.ini: cannot read: larger than 1048576 bytes'"

finish policy
