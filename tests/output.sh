#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -O writes every format atomically: the file holds exactly what stdout would,
# no temporary file is left, and a write that cannot happen leaves the
# previous report whole and exits 2; nor does a signal that ends a scan or
# a capture midway leave a temporary file. A fifo a process reads and a
# device are written through, never replaced; a symlink of the caller's
# leads to the file replaced. (Links, fifos and devices of another user:
# tests/planted.sh.)
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

# What is not a regular file is written through, as a shell's redirection
# would: renaming over it would replace the device, fifo or link itself
# (-O /dev/null, snapshot /dev/stdout, --digest-file /dev/stderr).
mkfifo "$tmp/fifo"	# read for 20 s at most: a capaudit that replaced it never opens it
fifo_reader "$tmp/fifo" "$tmp/from-fifo"
scan --format json -O "$tmp/fifo"
rc=$?
wait "$fifo_reader_pid"
[ -p "$tmp/fifo" ] && diff -q "$tmp/stdout.json" "$tmp/from-fifo" >/dev/null &&
	! compgen -G "$tmp/fifo.??????" >/dev/null &&
	ok "-O a fifo: the report goes through it, the fifo stays (exit $rc)" ||
	ko "-O a fifo: $(ls -l "$tmp/fifo") exit $rc"
echo old >"$tmp/target.json"
ln -s target.json "$tmp/link.json"
scan --format json -O "$tmp/link.json"
[ -L "$tmp/link.json" ] && diff -q "$tmp/stdout.json" "$tmp/target.json" >/dev/null &&
	ok "-O a symlink: the report goes to its target, the link stays" ||
	ko "-O a symlink: $(ls -l "$tmp/link.json")"
mkdir "$tmp/dir"
scan --format json -O "$tmp/dir" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot write $tmp/dir: Is a directory" "$tmp/err" && [ -z "$(ls -A "$tmp/dir")" ] &&
	ok "-O a directory: exit 2, said before the scan" || ko "-O a directory: exit $rc: $(cat "$tmp/err")"
fifo_reader "$tmp/fifo" "$tmp/digest"
(cd "$fixtures" && "$capaudit" snapshot "$tmp/link.tar" --proc-root mixed --digest-file "$tmp/fifo" 2>/dev/null)
rc=$?
wait "$fifo_reader_pid"
[ "$rc" -eq 0 ] && [ -p "$tmp/fifo" ] && [ "$(sha256sum <"$tmp/link.tar" | cut -d' ' -f1)  $tmp/link.tar" = "$(cat "$tmp/digest")" ] &&
	ok "--digest-file a fifo: the digest goes through it" || ko "--digest-file a fifo: exit $rc: $(cat "$tmp/digest")"
if [ "$(id -u)" -eq 0 ]; then
	mknod "$tmp/null" c 1 3
	(cd "$fixtures" && "$capaudit" snapshot "$tmp/null" --compress=zstd --proc-root mixed 2>/dev/null)
	rc=$?
	scan -O "$tmp/null"
	[ -c "$tmp/null" ] && [ "$rc" -eq 0 ] && [ "$(stat -c %t:%T "$tmp/null")" = 1:3 ] &&
		ok "a copy of /dev/null stays the device, a report or a capture written to it" ||
		ko "-O a null device: $(ls -l "$tmp/null")"
fi

# Ended by a signal (SIGTERM, SIGHUP; SIGINT where not ignored, as it is for
# a background job) while it reads: the temporary file goes, the previous
# report or archive stays whole. Nothing in a proc root can hold a read
# (tests/planted.sh), so strace holds one: the read of one status file waits
# 3 s, and the signal comes meanwhile.
cp -r "$fixtures/mixed" "$tmp/held"
interrupted() {	# NAME SIGNAL STATUS TARGET CMD...
	local name=$1 sig=$2 want=$3 target=$4 job pid rc i; shift 4
	echo previous >"$target"
	rm -f "$tmp/pid"
	strace -o /dev/null -P "$tmp/held/1001/status" -e trace=read -e inject=read:delay_enter=3000000 \
		bash -c 'echo $$ >"$0" && exec "$@"' "$tmp/pid" "$@" 2>/dev/null &
	job=$!
	for ((i = 0; i < 200; i++)); do
		[ -s "$tmp/pid" ] && compgen -G "$target.??????" >/dev/null && break
		sleep 0.05
	done
	pid=$(cat "$tmp/pid")
	sleep 0.2	# into the held read
	kill "-$sig" "$pid"
	wait "$job"
	rc=$?
	if [ "$rc" -eq "$want" ] && ! compgen -G "$target.??????" >/dev/null &&
	   [ "$(cat "$target")" = previous ]; then
		ok "$name: SIG$sig ends it (exit $rc), no temporary file, the old one whole"
	else
		ko "$name: SIG$sig: exit $rc (want $want), left: $(ls "$target".* 2>/dev/null)"
		kill -KILL "$pid" "$job" 2>/dev/null
	fi
}
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
	interrupted "a report" TERM 143 "$tmp/held.json" \
		"$capaudit" --policy built-in --proc-root "$tmp/held" --json -O "$tmp/held.json"
	interrupted "a snapshot" TERM 143 "$tmp/held.tar.zst" \
		"$capaudit" snapshot "$tmp/held.tar.zst" --proc-root "$tmp/held" --digest-file "$tmp/held.sha"
	interrupted "a snapshot" HUP 129 "$tmp/held.tar" \
		"$capaudit" snapshot "$tmp/held.tar" --proc-root "$tmp/held"
	check "a snapshot: its digest file is not left half-made either" \
		bash -c "! compgen -G '$tmp/held.sha.??????'"
else
	echo "# no strace (or it cannot trace here): the signal tests are not run"
fi

finish output
