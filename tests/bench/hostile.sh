#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What hostile input costs capaudit (issue 17): time and peak memory of
# each, so that a change that lets one grow without bound shows. Not part of
# make check: some inputs take a gigabyte of tmpfs to make.
#
#   tests/bench/hostile.sh [-k]        (-k: keep the inputs made)
#
# Environment: CAPAUDIT (default: _build/capaudit), WORK (default: a new
# directory under /dev/shm, else $TMPDIR or /tmp). Needs python3, zstd and
# /usr/bin/time. Each row: what, wall seconds, peak RSS in MB, exit status,
# and what capaudit said or did.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
keep=0
[ "${1:-}" = -k ] && keep=1
capaudit=${CAPAUDIT:-$top/_build/capaudit}
[ -x "$capaudit" ] || { echo "hostile.sh: no capaudit at $capaudit (build it, or set CAPAUDIT)" >&2; exit 2; }
for tool in python3 zstd /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "hostile.sh: $tool is missing" >&2; exit 2; }
done
base=/dev/shm
[ -w "$base" ] || base=${TMPDIR:-/tmp}
work=${WORK:-$(mktemp -d "$base/capaudit-hostile.XXXXXX")} || exit 2
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
fixtures=$top/tests/fixtures

printf '%-58s %8s %8s %5s  %s\n' "input" "seconds" "peak MB" "exit" "what capaudit said"
row() {	# NAME CMD...: time it, and print a row
	local name=$1 rc said; shift
	/usr/bin/time -o "$work/time" -f '%e %M' "$@" >"$work/out" 2>"$work/err"
	rc=$?
	said=$(tail -1 "$work/err" | cut -c1-70)
	read -r secs kb < <(tail -1 "$work/time")
	printf '%-58s %8s %8d %5d  %s\n' "$name" "$secs" $((kb / 1024)) "$rc" "$said"
}

# Trees of processes, copies of fixture mixed/1001, and one of the largest files.
FIXTURES=$fixtures python3 - "$work" <<'EOF'
import os, sys
w, fx = sys.argv[1], os.environ["FIXTURES"] + "/mixed"
status = open(fx + "/1001/status").read()
cgroup = open(fx + "/1001/cgroup").read()
host = open(fx + "/1/status").read()
def tree(name, n, extra=None):
    t = os.path.join(w, name)
    os.makedirs(t + "/sys/kernel")
    open(t + "/sys/kernel/cap_last_cap", "w").write("40\n")
    os.mkdir(t + "/1")
    open(t + "/1/status", "w").write(host)
    open(t + "/1/cgroup", "w").write("0::/\n")
    for i in range(2, n + 2):
        d = "%s/%d" % (t, i)
        os.mkdir(d)
        open(d + "/status", "w").write(status.replace("Pid:\t1001", "Pid:\t%d" % i))
        open(d + "/cgroup", "w").write(cgroup)
    if extra:
        extra(t)
    return t
def big(t):
    with open(t + "/2/status", "w") as f:		# 100 MB of status
        f.write(status)
        f.truncate(100 << 20)
    with open(t + "/3/cgroup", "w") as f:		# 100,000 cgroup lines
        f.write(("0::/docker/" + "a" * 64 + "\n") * 100000)
    s = open(t + "/4/status").read().replace("Name:\tsh", "Name:\tconmon")
    open(t + "/4/status", "w").write(s)		# a supervisor with 100 MB of command line
    with open(t + "/4/cmdline", "wb") as f:
        f.write(b"/usr/bin/conmon\0" + (b"A" * 1023 + b"\0") * 102400)
tree("big", 10, big)
tree("t10k", 10000)
tree("t200k", 200000)
EOF

row "a 100 MB status, 100k cgroup lines, 100 MB cmdline" "$capaudit" -p built-in --proc-root "$work/big"
row "  the same, captured" "$capaudit" snapshot "$work/big.tar" -p built-in --proc-root "$work/big"
row "  the capture, replayed" "$capaudit" --snapshot "$work/big.tar"
row "10,000 pid directories, text" "$capaudit" -p built-in --proc-root "$work/t10k"
row "10,000 pid directories, --json" "$capaudit" -p built-in --proc-root "$work/t10k" --json
row "200,000 pid directories, text" "$capaudit" -p built-in --proc-root "$work/t200k"
row "200,000 pid directories, --json" "$capaudit" -p built-in --proc-root "$work/t200k" --json
rm -rf "$work/t200k"

# A snapshot of a million tiny members.
"$capaudit" policy show built-in >"$work/policy.ini"
python3 - "$work" <<'EOF'
import io, sys, tarfile
w = sys.argv[1]
t = tarfile.open(w + "/m1.tar", "w", format=tarfile.USTAR_FORMAT)
def add(name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
add("policy.ini", open(w + "/policy.ini", "rb").read())
add("errors", b"")
add("proc/sys/kernel/cap_last_cap", b"40\n")
add("proc/1/status", b"Name:\tinit\nCapBnd:\t000001ffffffffff\n")
for i in range(2, 1000001):
    add("proc/%d/cgroup" % i, b"0::/\n")
t.close()
EOF
zstd -q -1 --rm "$work/m1.tar" -o "$work/m1.tar.zst"
row "a snapshot of 1,000,000 members, replayed" "$capaudit" --snapshot "$work/m1.tar.zst"
row "  verified" "$capaudit" snapshot --verify "$work/m1.tar.zst"

# SIGKILL during a replay: nothing of the archive is ever on disk.
"$capaudit" snapshot "$work/s10k.tar.zst" -p built-in --proc-root "$work/t10k" 2>/dev/null
before=$(find /dev/shm /tmp "${TMPDIR:-/tmp}" -maxdepth 1 2>/dev/null | sort)
"$capaudit" --snapshot "$work/s10k.tar.zst" >/dev/null 2>&1 &
sleep 0.05
kill -KILL $! 2>/dev/null
wait $! 2>/dev/null
after=$(find /dev/shm /tmp "${TMPDIR:-/tmp}" -maxdepth 1 2>/dev/null | sort)
printf '%-58s %s\n' "SIGKILL during a replay of 10,000 processes" \
	"$([ "$before" = "$after" ] && echo "nothing left behind" || echo "LEFT: $(comm -13 <(echo "$before") <(echo "$after"))")"
row "  the same replay, whole" "$capaudit" --snapshot "$work/s10k.tar.zst"

# Policies of many sections.
python3 - "$work" <<'EOF'
import sys
w = sys.argv[1]
for n, name in ((100000, "p100k"), (9999, "p10k")):
    with open("%s/%s.ini" % (w, name), "w") as f:
        f.write("[default]\nfail-on = medium\n")
        for i in range(n):
            f.write("[s%d]\nid = %x\ncomm = c%d\n" % (i, i, i))
EOF
row "a policy of 100,000 sections" "$capaudit" policy check "$work/p100k.ini"
row "a policy of 10,000 sections (the most)" "$capaudit" policy check "$work/p10k.ini"
row "  judging 10,000 processes by it (comm: per process)" "$capaudit" -p "$work/p10k.ini" --proc-root "$work/t10k"
