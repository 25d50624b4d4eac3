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

# fifo_reader FIFO OUT: copy what is written to FIFO into OUT, in the
# background (20 s at most, pid in $fifo_reader_pid), returning once the
# reader holds FIFO open: capaudit opens a fifo without waiting and refuses
# one that no process reads.
fifo_reader() {
	local i
	rm -f "$2.ready"
	python3 - "$1" "$2" <<'EOF' &
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
open(sys.argv[2] + ".ready", "w").close()
out = open(sys.argv[2], "wb")
p = select.poll()
p.register(fd, select.POLLIN)
while p.poll(20000):
    try:
        b = os.read(fd, 65536)
    except BlockingIOError:
        continue
    if not b:
        break
    out.write(b)
EOF
	fifo_reader_pid=$!
	for ((i = 0; i < 400; i++)); do
		[ -e "$2.ready" ] && { rm -f "$2.ready"; return 0; }
		sleep 0.05
	done
	return 1
}

# finish NAME: the closing count, and the exit status automake reads.
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
