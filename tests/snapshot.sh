#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Snapshots: a capture of every fixture tree replays to the very report a
# direct scan gives; --verify catches a member altered, added or removed;
# hostile archives are refused with exit 2, and nothing is written anywhere.
set -u

. "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
export TMPDIR=$tmp/t
mkdir "$TMPDIR"

# A replay keeps no capability, a direct scan those reading needs (tests/privs.sh):
# both leave out the scanner's own sets, and host.source.
norm='del(.host.source, .scanner)'
# what fixture $1 is: a host root (host-*: its proc/ and state files) or a proc root
root_of() { case $1 in host-*) echo "--host-root $1" ;; *) echo "--proc-root $1" ;; esac; }
report() {	# json of a scan of fixture $1, normalised
	# shellcheck disable=SC2046
	(cd "$fixtures" && "$capaudit" --policy built-in $(root_of "$1") --json) | jq -S "$norm"
}

# 1. Capture and replay, every fixture, every compression.
for dir in "$fixtures"/*/; do
	name=$(basename "$dir")
	case $name in no-*|bad-*) continue ;; esac
	for ext in tar tar.gz tar.zst tar.xz; do
		snap=$tmp/$name.$ext
		# shellcheck disable=SC2046
		(cd "$fixtures" && "$capaudit" snapshot "$snap" --policy built-in $(root_of "$name") 2>"$tmp/err")
		if [ $? -ne 0 ] || ! grep -q "sha256 [0-9a-f]\{64\}" "$tmp/err"; then
			ko "$name.$ext: capture failed: $(cat "$tmp/err")"
			continue
		fi
		[ "$ext" = tar ] || continue
		if diff <(report "$name") <("$capaudit" --snapshot "$snap" --json 2>/dev/null | jq -S "$norm") >"$tmp/diff"; then
			ok "$name: the replay is the report of a direct scan"
		else
			ko "$name: the replay differs"; head -20 "$tmp/diff"
		fi
		check "$name: intact" "$capaudit" snapshot --verify "$snap"
	done
	check "$name: a .tar.zst replays the same as the .tar" \
		diff <("$capaudit" --snapshot "$tmp/$name.tar" --json 2>/dev/null | jq "$norm") \
		     <("$capaudit" --snapshot "$tmp/$name.tar.zst" --json 2>/dev/null | jq "$norm")
done

# 2. The archive's digest, on stderr and in --digest-file, is sha256sum's.
(cd "$fixtures" && "$capaudit" snapshot "$tmp/d.tar" --proc-root mixed --digest-file "$tmp/d.sha" 2>/dev/null)
check "--digest-file holds the archive's SHA-256" bash -c "cd '$tmp' && sed 's, .*,  d.tar,' d.sha | sha256sum -c --quiet"
(cd "$fixtures" && "$capaudit" snapshot - --proc-root mixed >"$tmp/stdout.tar" 2>/dev/null)
check "snapshot - writes a tar to standard output" tar -tf "$tmp/stdout.tar"

# The archive is written by a thread of its own (src/snapwriter.c); where
# none can start (no task left for this user), by the scan itself: the same
# members, the same checksums.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# nobody: root is exempt from RLIMIT_NPROC. It needs a way in to the
	# fixtures, and a directory of its own to write in.
	chmod 711 "$tmp"
	mkdir -m 0777 "$tmp/inline"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	(cd "$fixtures" && as_nobody "$capaudit" snapshot "$tmp/inline/t.tar" --proc-root nested 2>"$tmp/inline/t.err")
	check "as nobody, a capture succeeds" grep -q "sha256 [0-9a-f]\{64\}" "$tmp/inline/t.err"
	(cd "$fixtures" && as_nobody bash -c 'ulimit -u 1 && exec "$0" "$@"' \
		"$capaudit" snapshot "$tmp/inline/i.tar" --proc-root nested 2>"$tmp/inline/i.err")
	check "with no thread to be had, the capture still succeeds" grep -q "sha256 [0-9a-f]\{64\}" "$tmp/inline/i.err"
	tar -xOf "$tmp/inline/t.tar" MANIFEST.sha256 | grep -v ' metadata.json$' >"$tmp/inline/t.sums"
	tar -xOf "$tmp/inline/i.tar" MANIFEST.sha256 | grep -v ' metadata.json$' >"$tmp/inline/i.sums"
	check "as nobody, the capture holds the fixture's members" \
		test -s "$tmp/inline/t.sums" -a "$(wc -l <"$tmp/inline/t.sums")" -gt 20
	check "with no thread, the same members and checksums" cmp "$tmp/inline/t.sums" "$tmp/inline/i.sums"
	check "with no thread, intact" "$capaudit" snapshot --verify "$tmp/inline/i.tar"
else
	echo "# not root or no setpriv: the capture without a writer thread is not tried"
fi
# Without libarchive (an empty file mounted over it, in a mount namespace
# of our own), the capture fails naming it, and leaves no archive behind.
libarchive=$(ldconfig -p | sed -n 's/^[[:space:]]*libarchive\.so\.13 .*=> //p' | head -1)
if [ "$(id -u)" = 0 ] && [ -n "$libarchive" ] && unshare -m true 2>/dev/null; then
	(cd "$fixtures" && unshare -m bash -c 'mount --bind /dev/null "$(readlink -f "$0")" && exec "$1" "${@:2}"' \
		"$libarchive" "$capaudit" snapshot "$tmp/nolib.tar" --proc-root mixed 2>"$tmp/nolib.err")
	check "without libarchive: exit 2" test $? -eq 2
	check "without libarchive: says so" grep -q "^capaudit: $tmp/nolib.tar: snapshots need libarchive" "$tmp/nolib.err"
	check "without libarchive: no archive, no temporary file" \
		bash -c "! ls '$tmp'/nolib.tar* 2>/dev/null | grep -q ."
else
	echo "# not root, or no mount namespace: the capture without libarchive is not tried"
fi
# A write that fails names why, and the capture fails.
(cd "$fixtures" && "$capaudit" snapshot - --proc-root mixed >/dev/full 2>"$tmp/full.err")
check "snapshot - to a full device: exit 2" test $? -eq 2
check "snapshot - to a full device: says why" grep -q "^capaudit: -: cannot write: No space left on device" "$tmp/full.err"

# A host process listed before its supervisor (pids wrap; tmpfs lists the
# newest entry first) waits for the walk's end to be placed, and keeps the
# one read of its status: the report judges what the capture archived.
if command -v strace >/dev/null && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	w=$(mktemp -d /dev/shm/capaudit-wrap.XXXXXX)
	id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	cp -r "$fixtures/quiet/1" "$fixtures/quiet/sys" "$w/"
	mkdir "$w/90" && sed 's/^Name:.*/Name:\tconmon/; s/^Pid:.*/Pid:\t90/' "$w/1/status" >"$w/90/status"
	printf '0::/libpod_parent/conmon\n' >"$w/90/cgroup"
	printf '/usr/bin/conmon\0-c\0%s\0' "$id" >"$w/90/cmdline"
	mkdir -p "$w/90/ns" && ln -s mnt:[4026531841] "$w/90/ns/mnt"
	mkdir "$w/6" && sed 's/^Name:.*/Name:\tapp/; s/^Pid:.*/Pid:\t6/; s/^PPid:.*/PPid:\t90/' "$w/1/status" >"$w/6/status"
	printf '0::/\n' >"$w/6/cgroup"
	mkdir -p "$w/6/ns" && ln -s mnt:[4026532999] "$w/6/ns/mnt"
	if [ "$(ls -f "$w" | grep -x -n '6\|90' | head -1 | cut -d: -f2)" = 6 ]; then
		strace -o "$tmp/wrap.trace" -e trace=openat2 "$capaudit" snapshot "$tmp/wrap.tar" -p built-in \
			--proc-root "$w" --json >"$tmp/wrap.json" 2>/dev/null
		check "a process before its supervisor in the walk: its status opened once" \
			test "$(grep -c '"6/status"' "$tmp/wrap.trace")" -eq 1
		check "... and it is in the supervisor's container (--pid=host, its own mounts)" \
			jq -e --arg id "$id" '.containers[] | select(.id == $id) | .processes[] | select(.pid == 6)' "$tmp/wrap.json"
		check "... and the replay says the same" diff <(jq -S "$norm" "$tmp/wrap.json") \
			<("$capaudit" --snapshot "$tmp/wrap.tar" --json 2>/dev/null | jq -S "$norm")
	else
		echo "# this tmpfs lists 90 before 6: the order of a pid wrap is not tried"
	fi
	rm -rf "$w"
else
	echo "# no strace or no /dev/shm: the read of a process before its supervisor is not counted"
fi

# The metadata describes the proc root captured, not the capturing host,
# from reads that are archived (and so replay the same).
cp -r "$fixtures/quiet" "$tmp/named"
mkdir -p "$tmp/named/sys/kernel/random"
echo 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 >"$tmp/named/sys/kernel/random/boot_id"
echo node-7 >"$tmp/named/sys/kernel/hostname"
echo 6.1.0-test >"$tmp/named/sys/kernel/osrelease"
"$capaudit" snapshot "$tmp/named.tar" -p built-in --proc-root "$tmp/named" 2>/dev/null
check "metadata: the boot id, hostname and release of the tree captured" \
	bash -c "tar -xOf '$tmp/named.tar' metadata.json | jq -e '.boot_id == \"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\" and .hostname == \"node-7\" and .kernel_release == \"6.1.0-test\"'"
check "metadata: the files it came from are archived" \
	bash -c "tar -tf '$tmp/named.tar' | grep -qx proc/sys/kernel/random/boot_id"

# The case record: into the metadata as typed, shown by --verify, the case
# on the line for the case notes; a field that could not be kept as typed
# is refused before anything is written.
note='after the alert on node-7; a \x41 stays as typed, and so does "ü"'
(cd "$fixtures" && "$capaudit" snapshot "$tmp/case.tar" --proc-root quiet --case IR-2026-0042 \
	--examiner 'J. Müller' --note "$note" 2>"$tmp/case.err")
check "case: on the line for the case notes" \
	grep -q "^capaudit: snapshot $tmp/case.tar: case IR-2026-0042, sha256 [0-9a-f]\{64\} (" "$tmp/case.err"
check "case: into the metadata as typed" bash -c "tar -xOf '$tmp/case.tar' metadata.json |
	jq -e --arg note '$note' '.case_id == \"IR-2026-0042\" and .examiner == \"J. Müller\" and .note == \$note'"
"$capaudit" snapshot --verify "$tmp/case.tar" >"$tmp/case.out"
check "case: --verify shows it, escaped, and the verdict last" diff - "$tmp/case.out" <<EOF
captured: $(tar -xOf "$tmp/case.tar" metadata.json | jq -r .capture_start)
case: IR-2026-0042
examiner: J. Müller
note: ${note//\\x/\\x5cx}
$tmp/case.tar: intact
EOF
check "no case given: null in the metadata" bash -c "tar -xOf '$tmp/named.tar' metadata.json |
	jq -e '.case_id == null and .examiner == null and .note == null'"
for bad in "--case=" "--note=$(printf 'two\nlines')" "--examiner=$(printf 'caf\xe9')" \
	"--case=$(head -c 257 /dev/zero | tr '\0' x)"; do
	(cd "$fixtures" && "$capaudit" snapshot "$tmp/badcase.tar" --proc-root quiet "$bad" 2>"$tmp/err")
	if [ $? -eq 2 ] && grep -q '^capaudit: --[a-z]*: ' "$tmp/err" && ! ls "$tmp"/badcase.tar* >/dev/null 2>&1; then
		ok "case: refused, nothing written: $(head -1 "$tmp/err")"
	else
		ko "case: ${bad:0:20}... not refused: $(cat "$tmp/err")"
	fi
done

# 3. --no-cmdline leaves out containers' command lines, never a supervisor's.
(cd "$fixtures" && "$capaudit" snapshot "$tmp/nc.tar" --no-cmdline --proc-root nested 2>/dev/null)
check "--no-cmdline: no container's cmdline (511)" bash -c "! tar -tf '$tmp/nc.tar' | grep -qx proc/511/cmdline"
check "--no-cmdline: conmon's is kept (510)" bash -c "tar -tf '$tmp/nc.tar' | grep -qx proc/510/cmdline"
check "--no-cmdline: a host process's is kept (500)" bash -c "tar -tf '$tmp/nc.tar' | grep -qx proc/500/cmdline"

# 4. --verify: altered, added, removed members; an archive that is no snapshot.
mkdir "$tmp/x" && tar -xf "$tmp/mixed.tar" -C "$tmp/x"
expect_verify() {	# NAME ARCHIVE STATUS PATTERN
	"$capaudit" snapshot --verify "$2" >"$tmp/out" 2>&1
	local rc=$?
	if [ "$rc" -eq "$3" ] && grep -q -- "$4" "$tmp/out"; then ok "$1"; else ko "$1: exit $rc: $(head -3 "$tmp/out")"; fi
}
members=$(tar -tf "$tmp/mixed.tar")
printf 'X' | dd of="$tmp/x/proc/1001/status" bs=1 seek=10 conv=notrunc status=none
(cd "$tmp/x" && tar -cf "$tmp/altered.tar" --no-recursion $members)
expect_verify "one flipped byte is caught" "$tmp/altered.tar" 1 "altered: proc/1001/status"
tar -xf "$tmp/mixed.tar" -C "$tmp/x" proc/1001/status
# Members in another order than the manifest's (capaudit writes both alike): compared by name.
(cd "$tmp/x" && tar -cf "$tmp/reordered.tar" --no-recursion $(tr ' ' '\n' <<<"$members" | tac))
expect_verify "members in another order: intact" "$tmp/reordered.tar" 0 "intact"
printf 'X' | dd of="$tmp/x/proc/1001/status" bs=1 seek=10 conv=notrunc status=none
(cd "$tmp/x" && tar -cf "$tmp/reordered.tar" --no-recursion $(tr ' ' '\n' <<<"$members" | tac))
expect_verify "members in another order, one altered: caught" "$tmp/reordered.tar" 1 "altered: proc/1001/status"
tar -xf "$tmp/mixed.tar" -C "$tmp/x" proc/1001/status
echo extra >"$tmp/x/proc/1001/extra"
(cd "$tmp/x" && tar -cf "$tmp/added.tar" --no-recursion $members proc/1001/extra)
expect_verify "an added member is caught" "$tmp/added.tar" 1 "added: proc/1001/extra"
(cd "$tmp/x" && tar -cf "$tmp/removed.tar" --no-recursion $(printf '%s\n' $members | grep -vx proc/1002/status))
expect_verify "a removed member is caught" "$tmp/removed.tar" 1 "missing: proc/1002/status"
# One flipped byte in any member: every file (an empty one gains a byte),
# every link's target, the manifest itself (a member's sum, or a line
# broken: altered either way).
flipped=0 missed=()
while read -r type name; do
	f=$tmp/x/$name
	case $type in
	-)	if [ -s "$f" ]; then
			c=$(head -c 1 "$f"); [ "$c" = X ] && c=Y || c=X
			printf '%s' "$c" | dd of="$f" bs=1 count=1 conv=notrunc status=none
		else
			printf X >"$f"
		fi ;;
	l)	t=$(readlink "$f"); ln -sfn "${t%?}X" "$f" ;;
	*)	continue ;;
	esac
	(cd "$tmp/x" && tar -cf "$tmp/flip.tar" --no-recursion $members)
	"$capaudit" snapshot --verify "$tmp/flip.tar" >"$tmp/out" 2>&1
	rc=$?
	if [ "$name" = MANIFEST.sha256 ]; then
		[ "$rc" -eq 1 ] || missed+=("$name (exit $rc)")
	elif [ "$rc" -ne 1 ] || ! grep -qx "altered: $name" "$tmp/out"; then
		missed+=("$name (exit $rc)")
	fi
	flipped=$((flipped + 1))
	rm -f "$f" && tar -xf "$tmp/mixed.tar" -C "$tmp/x" "$name"
done < <(tar -tvf "$tmp/mixed.tar" | awk '{ print substr($1, 1, 1), $6 }')
if [ ${#missed[@]} -eq 0 ] && [ "$flipped" -gt 50 ]; then
	ok "a flipped byte is caught in each of the $flipped file and link members"
else
	ko "a flipped byte is not caught in ${#missed[@]} of $flipped members: ${missed[*]:0:5}"
fi
(cd "$tmp/x" && tar -cf "$tmp/flip.tar" --no-recursion $members)
check "with every byte put back, intact again" "$capaudit" snapshot --verify "$tmp/flip.tar"
head -c 3000 "$tmp/mixed.tar.gz" >"$tmp/cut.tar.gz"
expect_verify "a truncated archive is unreadable" "$tmp/cut.tar.gz" 2 "capaudit: "
(cd "$tmp/x" && tar -cf "$tmp/nomanifest.tar" proc)
expect_verify "no manifest, no snapshot" "$tmp/nomanifest.tar" 2 "not a capaudit snapshot"
head -1 "$tmp/x/MANIFEST.sha256" >>"$tmp/x/MANIFEST.sha256"
(cd "$tmp/x" && tar -cf "$tmp/twice.tar" --no-recursion $members)
expect_verify "a manifest that names a member twice is malformed, so altered" "$tmp/twice.tar" 1 \
	"altered: MANIFEST.sha256 (malformed)"
tar -xf "$tmp/mixed.tar" -C "$tmp/x" MANIFEST.sha256

# 5. Hostile archives: refused, exit 2, nothing written outside.
escape=$tmp/escape-$$
hostile() {	# NAME ARCHIVE
	"$capaudit" --snapshot "$2" >/dev/null 2>"$tmp/err"
	local rc=$? left
	left=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 | wc -l)
	if [ "$rc" -eq 2 ] && [ -s "$tmp/err" ] && [ ! -e "$escape" ] && [ "$left" -eq 0 ]; then
		ok "hostile $1: refused ($(head -c 120 "$tmp/err"))"
	else
		ko "hostile $1: exit $rc, $left left in TMPDIR, escape $( [ -e "$escape" ] && echo made || echo not made): $(cat "$tmp/err")"
	fi
}
(cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" &&
 tar -rf "$tmp/h.tar" -P --transform="s,^proc/1001/status,../../../..$escape," proc/1001/status 2>/dev/null)
hostile "member with .." "$tmp/h.tar"
(cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" &&
 tar -rf "$tmp/h.tar" -P --transform="s,^proc/1001/status,$escape," proc/1001/status 2>/dev/null)
hostile "absolute member" "$tmp/h.tar"
ln -s /etc/passwd "$tmp/x/proc/1001/cgroup2" && (cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" &&
 tar -rf "$tmp/h.tar" --transform='s,cgroup2,cgroup9,' proc/1001/cgroup2)
hostile "symlink out of the tree" "$tmp/h.tar"
mkdir -p "$tmp/x/proc/1001/ns" && ln -s /etc/passwd "$tmp/x/proc/1001/ns/net" &&
 (cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" && tar -rf "$tmp/h.tar" proc/1001/ns/net)
hostile "namespace link to a path" "$tmp/h.tar"
(cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" && tar -rf "$tmp/h.tar" proc/1001/status)
hostile "duplicate member" "$tmp/h.tar"
truncate -s 17M "$tmp/x/proc/1001/environ" && (cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" &&
 tar -rf "$tmp/h.tar" proc/1001/environ)
hostile "huge member" "$tmp/h.tar"
ln "$tmp/x/proc/1001/status" "$tmp/x/proc/1001/status2" && (cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" &&
 tar -rf "$tmp/h.tar" proc/1001/status proc/1001/status2 --transform='s,status$,status0,')
check "the hard link is in the archive as one" bash -c "tar -tvf '$tmp/h.tar' | grep -q 'status2 link to'"
hostile "a hard link" "$tmp/h.tar"
rm "$tmp/x/proc/1001/status2"
mkfifo "$tmp/x/proc/1001/fifo" && (cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" && tar -rf "$tmp/h.tar" proc/1001/fifo)
hostile "a fifo" "$tmp/h.tar"
mkdir -p "$tmp/x/etc" && echo x >"$tmp/x/etc/passwd" && (cd "$tmp/x" && cp -a "$tmp/mixed.tar" "$tmp/h.tar" &&
 tar -rf "$tmp/h.tar" etc/passwd)
hostile "a member outside proc/" "$tmp/h.tar"
head -c 20000 "$tmp/mixed.tar" >"$tmp/h.tar"
hostile "a truncated archive" "$tmp/h.tar"
head -c 3000 "$tmp/mixed.tar.gz" >"$tmp/h.tar.gz"
hostile "a truncated .tar.gz" "$tmp/h.tar.gz"
printf 'garbage' >"$tmp/h.tar"
hostile "not an archive" "$tmp/h.tar"
# A whole snapshot, in a compression capaudit does not write: no other filter is bid.
python3 -c 'import bz2, sys; sys.stdout.buffer.write(bz2.compress(open(sys.argv[1], "rb").read()))' \
	"$tmp/mixed.tar" >"$tmp/h.tar.bz2"
hostile "a bzip2-compressed snapshot" "$tmp/h.tar.bz2"
# A header that claims a 900 MiB manifest, and nothing behind it: refused,
# and (outside ASan, which reserves its own) without asking for the 900 MiB.
python3 -c 'import tarfile, sys
t = tarfile.TarInfo("MANIFEST.sha256"); t.size = 900 << 20
sys.stdout.buffer.write(t.tobuf(format=tarfile.USTAR_FORMAT))' >"$tmp/h.tar"
hostile "a header claiming a 900 MiB manifest" "$tmp/h.tar"
if [ -z "${CAPAUDIT_SAN:-}" ] && command -v strace >/dev/null; then
	strace -f -e trace=mmap -o "$tmp/mmap" "$capaudit" snapshot --verify "$tmp/h.tar" >/dev/null 2>&1
	if awk -F', ' '$2 + 0 >= 900 * 1048576 { found = 1 } END { exit !found }' "$tmp/mmap"; then
		ko "--verify of it mapped 900 MiB: $(grep -c mmap "$tmp/mmap") mmaps"
	else
		ok "--verify of it asks for no 900 MiB ($(grep -c mmap "$tmp/mmap") mmaps, none that large)"
	fi
fi

# 5. Only the snapshot commands load libarchive and libcrypto (src/snaplibs.c).
loaded() {	# the shared objects the dynamic linker opened for a command
	(cd "$fixtures" && LD_DEBUG=files "$capaudit" "$@" 2>&1 >/dev/null) | sed -n 's/.*file=\([^ ]*\).*/\1/p'
}
loaded --policy built-in --proc-root mixed --json >"$tmp/scan.libs"
loaded snapshot "$tmp/l.tar" --proc-root mixed >"$tmp/snap.libs"
loaded --snapshot "$tmp/l.tar" --json >"$tmp/replay.libs"
if grep -q 'libjson-c' "$tmp/scan.libs" && ! grep -q 'libarchive\|libcrypto' "$tmp/scan.libs"; then
	ok "a scan loads neither libarchive nor libcrypto"
else
	ko "a scan loads: $(tr '\n' ' ' <"$tmp/scan.libs")"
fi
check "a capture loads libarchive" grep -q libarchive "$tmp/snap.libs"
check "a capture loads libcrypto" grep -q libcrypto "$tmp/snap.libs"
check "a replay loads libarchive" grep -q libarchive "$tmp/replay.libs"

finish snapshot
