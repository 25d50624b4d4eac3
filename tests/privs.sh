#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Least privilege, for real: as root, capaudit scans holding only
# CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE (none for a snapshot replay) with
# no_new_privs set, as its JSON "scanner" says and its /proc status shows;
# reports renamed into directories of other owners are not lost; as nobody
# it audits what it can read, names what it could not, and exits 2 where it
# read nothing (or, with --strict, missed anything); hidepid= is detected on
# a private procfs.
set -u

. "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (to drop privileges, and to become nobody)"; exit 77; }
prm=$(awk '/^CapPrm:/ { print $2 }' /proc/self/status)
(( (0x$prm & 0x80004) == 0x80004 )) ||
	{ echo "SKIP: root here lacks CAP_DAC_READ_SEARCH or CAP_SYS_PTRACE"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) is not installed"; exit 77; }

READ='["cap_dac_read_search","cap_sys_ptrace"]'
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# scanner_is NAME FILE EFFECTIVE: the scanner object of the report FILE holds
# exactly EFFECTIVE (a jq array) in its effective, permitted and bounding sets,
# nothing inheritable or ambient, uid 0 and no_new_privs.
scanner_is() {
	if jq -e --argjson want "$3" '.scanner as $s | $s.uid == [0,0,0,0] and $s.no_new_privs == true and
	      $s.capabilities.effective == $want and $s.capabilities.permitted == $want and
	      $s.capabilities.bounding == $want and $s.capabilities.inheritable == [] and
	      ($s.capabilities.ambient == [] or $s.capabilities.ambient == null)' "$2" >/dev/null; then
		ok "$1"
	else
		ko "$1: scanner is $(jq -c '.scanner | {uid, no_new_privs, capabilities}' "$2" 2>&1 | head -c 600)"
	fi
}

# 1. The drop, in the report: a fixture, the live /proc, a capture, a replay.
(cd "$fixtures" && "$capaudit" -p built-in --proc-root quiet --json >"$tmp/quiet.json")
scanner_is "a scan keeps only what reading takes" "$tmp/quiet.json" "$READ"
"$capaudit" -p built-in --json --pid $$ >"$tmp/live.json"
scanner_is "a live scan keeps only what reading takes" "$tmp/live.json" "$READ"
check "live: the host's namespace links are read after the drop" \
	jq -e '.host.namespaces.pid != null and .summary.namespaces_denied == 0' "$tmp/live.json"
(cd "$fixtures" && "$capaudit" snapshot "$tmp/q.tar" -p built-in --proc-root quiet --json \
	>"$tmp/capture.json" 2>/dev/null)
scanner_is "a capture keeps only what reading takes" "$tmp/capture.json" "$READ"
mkdir "$tmp/t"
TMPDIR=$tmp/t "$capaudit" --snapshot "$tmp/q.tar" --json >"$tmp/replay.json"
scanner_is "a replay keeps nothing" "$tmp/replay.json" '[]'
check "a replay leaves nothing behind" test -z "$(ls -A "$tmp/t")"

# A tar need not hold directories: a snapshot repacked from its files alone
# replays to the same report, reading its processes in place all the same.
mkdir "$tmp/x" && tar -xf "$tmp/q.tar" -C "$tmp/x"
(cd "$tmp/x" && tar -cf "$tmp/nodirs.tar" $(find . ! -type d | sed 's,^\./,,'))
TMPDIR=$tmp/t "$capaudit" --snapshot "$tmp/nodirs.tar" --json >"$tmp/replay2.json"
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$tmp/t")" ] &&
   diff <(jq -S 'del(.host.source, .duration_seconds, .timestamp)' "$tmp/replay.json") \
	<(jq -S 'del(.host.source, .duration_seconds, .timestamp)' "$tmp/replay2.json") >/dev/null; then
	ok "an archive without directories replays to the same report, leaving nothing behind"
else
	ko "an archive without directories: exit $rc, left: $(find "$tmp/t" | head -5 | tr '\n' ' ')"
fi

# privs_of STATUS: the capability sets and no_new_privs of a /proc status text.
privs_of() { awk '/^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):/ { print $1 $2 }' <<<"$1"; }

# 2. What the kernel shows of capaudit while it scans. The JSON is read back
# from the kernel after the drop; this checks it from outside: a report larger
# than a pipe holds blocks capaudit in its write, after the drop, until read.
big=$tmp/big
cp -a "$fixtures/confinement" "$big"
for i in $(seq 100 400); do cp -a "$big/101" "$big/$((1000 + i))"; done
mkfifo "$tmp/fifo"
"$capaudit" -p built-in --proc-root "$big" --json >"$tmp/fifo" &
pid=$!
exec 3<"$tmp/fifo"
for _ in $(seq 100); do
	grep -q "^CapPrm:.*0000000000080004" "/proc/$pid/status" 2>/dev/null && break
	sleep 0.1
done
status=$(cat "/proc/$pid/status" 2>/dev/null)
cat <&3 >"$tmp/big.json"
exec 3<&-
wait "$pid"
want=$(printf '%s\n' CapInh:0000000000000000 CapPrm:0000000000080004 CapEff:0000000000080004 \
	CapBnd:0000000000080004 CapAmb:0000000000000000 NoNewPrivs:1)
got=$(privs_of "$status")
[ "$got" = "$want" ] && ok "/proc/<capaudit>/status during the scan: the two capabilities, no_new_privs" ||
	ko "/proc/<capaudit>/status during the scan: $(tr '\n' ' ' <<<"$got")"
check "... and that report is whole" jq -e '.summary.processes > 300' "$tmp/big.json"

# A capture's archive is written by a thread of its own (src/snapwriter.c),
# which reads nothing: it holds no capability. A capture streamed into a fifo
# holds that thread in its write until the fifo is read.
(cd "$big" && exec "$capaudit" snapshot - --proc-root . >"$tmp/fifo" 2>/dev/null) &
pid=$!
exec 3<"$tmp/fifo"
writer=
for _ in $(seq 100); do
	writer=$(ls "/proc/$pid/task" 2>/dev/null | grep -vx "$pid" | head -1)
	[ -n "$writer" ] && grep -q "^CapPrm:.*0000000000000000" "/proc/$pid/task/$writer/status" 2>/dev/null && break
	sleep 0.1
done
wstatus=$(cat "/proc/$pid/task/$writer/status" 2>/dev/null)
sstatus=$(cat "/proc/$pid/task/$pid/status" 2>/dev/null)
tar -tf - <&3 >"$tmp/big.list"
exec 3<&-
wait "$pid"
rc=$?
want0=$(printf '%s\n' CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 \
	CapBnd:0000000000080004 CapAmb:0000000000000000 NoNewPrivs:1)
got=$(privs_of "$wstatus")
[ -n "$writer" ] && [ "$got" = "$want0" ] && ok "a capture's writer thread holds no capability" ||
	ko "the writer thread ${writer:-(none seen)}: $(tr '\n' ' ' <<<"$got")"
got=$(privs_of "$sstatus")
[ "$got" = "$want" ] && ok "... while the scan's thread keeps the two" ||
	ko "the scan's thread during a capture: $(tr '\n' ' ' <<<"$got")"
[ "$rc" -eq 0 ] && grep -qx MANIFEST.sha256 "$tmp/big.list" && ok "... and that capture is whole" ||
	ko "the capture into a fifo: exit $rc, $(wc -l <"$tmp/big.list") members"

# 3. -O into directories uid 0 cannot write once CAP_DAC_OVERRIDE is gone:
# what the rename will need is kept, and no report is lost.
outcase() {	# NAME DIR WANT-SCANNER [ARGS...]
	local name=$1 dir=$2 want=$3 rc
	shift 3
	(cd "$fixtures" && "$capaudit" -p built-in --proc-root quiet --json -O "$dir/r.json" "$@" 2>"$tmp/err")
	rc=$?
	if [ "$rc" -eq 0 ] && jq -e .summary "$dir/r.json" >/dev/null 2>&1 &&
	   [ "$(find "$dir" -name 'r.json.*' | wc -l)" -eq 0 ]; then
		ok "$name: written whole, exit 0"
		scanner_is "$name: the scanner kept what the rename needs" "$dir/r.json" "$want"
	else
		ko "$name: exit $rc: $(cat "$tmp/err")"
	fi
}
mkdir -m 755 "$tmp/mine" "$tmp/alice" "$tmp/sticky"
chown 65534:65534 "$tmp/alice" "$tmp/sticky"
chmod 1777 "$tmp/sticky"
echo old >"$tmp/sticky/r.json"
chown 65534:65534 "$tmp/sticky/r.json"
outcase "-O into root's directory" "$tmp/mine" "$READ"
outcase "-O into another owner's directory" "$tmp/alice" \
	'["cap_dac_override","cap_dac_read_search","cap_sys_ptrace"]'
outcase "-O over another owner's file in a sticky directory" "$tmp/sticky" \
	'["cap_dac_read_search","cap_fowner","cap_sys_ptrace"]'
rm -f "$tmp/alice/r.json"
TMPDIR=$tmp/t "$capaudit" --snapshot "$tmp/q.tar" --json -O "$tmp/alice/r.json"
rc=$?
[ "$rc" -eq 0 ] && [ -z "$(ls -A "$tmp/t")" ] && jq -e .summary "$tmp/alice/r.json" >/dev/null &&
	ok "replay -O into another owner's directory: written, nothing left" ||
	ko "replay -O into another owner's directory: exit $rc"
scanner_is "replay -O: only what the rename needs" "$tmp/alice/r.json" '["cap_dac_override"]'
(cd "$fixtures" && "$capaudit" snapshot "$tmp/alice/s.tar" --digest-file "$tmp/alice/s.sha" \
	--proc-root quiet 2>"$tmp/err")
rc=$?
[ "$rc" -eq 0 ] && (cd "$tmp/alice" && sed 's, .*,  s.tar,' s.sha | sha256sum -c --quiet) &&
	ok "snapshot and --digest-file into another owner's directory" ||
	ko "snapshot into another owner's directory: exit $rc: $(cat "$tmp/err")"

# 4. As nobody: what it can read, what it could not, and the exit status.
# A copy of the binary and of a fixture in a directory nobody may enter.
pub=$tmp/pub
chmod 711 "$tmp"
mkdir -m 755 "$pub"
cp "$capaudit" "$pub/capaudit"
cp -a "$fixtures/confinement" "$pub/q"
as_nobody() {	# OUT ARGS...: capaudit as nobody, in $pub; sets rc
	local out=$1
	shift
	(cd "$pub" && "${NOBODY[@]}" ./capaudit -p built-in "$@" >"$tmp/$out" 2>"$tmp/$out.err")
	rc=$?
}
expect() {	# NAME WANT-RC OUT PATTERN: exit WANT-RC and PATTERN in OUT's stderr
	if [ "$rc" -eq "$2" ] && grep -q -- "$4" "$tmp/$3.err"; then
		ok "$1"
	else
		ko "$1: exit $rc (want $2): $(head -c 400 "$tmp/$3.err")"
	fi
}

as_nobody n-live --json --pid 1
if [ "$rc" -ne 2 ] && jq -e '.scanner.uid == [65534,65534,65534,65534] and .scanner.no_new_privs and
      .scanner.capabilities.effective == [] and .host.namespaces.pid == null and
      .summary.complete == false' "$tmp/n-live" >/dev/null &&
   grep -q "the host's namespace links (/proc/1/ns, /proc/2/ns) could not be read" "$tmp/n-live.err"; then
	ok "nobody, live: audits what it reads (exit $rc), says the host's namespace links were denied"
else
	ko "nobody, live: exit $rc: $(head -c 400 "$tmp/n-live.err")"
fi
as_nobody n-live-strict --strict --pid 1
expect "nobody, live, --strict: exit 2" 2 n-live-strict "the audit is incomplete"

as_nobody n-fixture --json --proc-root q
[ "$rc" -eq 1 ] && jq -e '.summary.complete' "$tmp/n-fixture" >/dev/null && [ ! -s "$tmp/n-fixture.err" ] &&
	ok "nobody, a readable fixture: complete, silent" || ko "nobody, a readable fixture: exit $rc"

chmod 000 "$pub/q/101/cgroup"
as_nobody n-one --proc-root q
expect "nobody, one file denied: audited, exit 1" 1 n-one \
	"1 process could not be read: q/101/cgroup (Permission denied)"
as_nobody n-one-strict --proc-root q --strict
expect "nobody, one file denied, --strict: exit 2" 2 n-one-strict "the audit is incomplete"
(cd "$pub" && "$capaudit" -p built-in --proc-root q --json >"$tmp/r-one" 2>"$tmp/r-one.err")
jq -e '.summary.unreadable == 0 and .summary.complete' "$tmp/r-one" >/dev/null &&
	ok "root reads it after the drop (CAP_DAC_READ_SEARCH kept)" ||
	ko "root after the drop: $(jq -c .summary "$tmp/r-one") $(cat "$tmp/r-one.err")"
chmod 644 "$pub/q/101/cgroup"

chmod 000 "$pub/q/101/ns"
as_nobody n-ns --json --proc-root q
if [ "$rc" -eq 1 ] && jq -e '.summary.namespaces_denied == 1 and .summary.complete == false' "$tmp/n-ns" >/dev/null &&
   grep -q "whether 1 container shares the host's network.*: docker " "$tmp/n-ns.err"; then
	ok "nobody, a container's namespace links denied: named, incomplete"
else
	ko "nobody, namespace links denied: exit $rc: $(jq -c .summary "$tmp/n-ns") $(cat "$tmp/n-ns.err")"
fi
chmod 755 "$pub/q/101/ns"

for p in "$pub"/q/[0-9]*; do chmod 000 "$p/cgroup"; done
as_nobody n-none --proc-root q
expect "nobody, nothing readable: exit 2 without --strict" 2 n-none "nothing could be read"
for p in "$pub"/q/[0-9]*; do chmod 644 "$p/cgroup"; done

# 5. hidepid=, on a procfs of a private mount (and pid) namespace.
if ! unshare -m --propagation private true 2>/dev/null; then
	echo "SKIP: hidepid=: cannot make a mount namespace here"
else
	# Only nobody's processes visible, pid 1 among them: nothing to audit.
	unshare -m --propagation private sh -c 'mount -t proc -o hidepid=invisible proc /proc &&
		cd "$1" && exec "$2" --reuid=65534 --regid=65534 --clear-groups ./capaudit -p built-in' \
		sh "$pub" "$(command -v setpriv)" >/dev/null 2>"$tmp/h1.err"
	rc=$?
	expect "hidepid=invisible, nobody: pid 1 hidden, exit 2" 2 h1 "mounted with hidepid=invisible"
	# In a pid namespace whose pid 1 is nobody's: a root process is hidden.
	hide() {	# OUT HIDEPID ARGS...
		local out=$1 hp=$2
		shift 2
		unshare -m -p -f --propagation private sh -c 'mount -t proc -o "hidepid=$1" proc /proc || exit 99
			sleep 60 & cd "$2" && shift 2 &&
			exec setpriv --reuid=65534 --regid=65534 --clear-groups ./capaudit -p built-in "$@"' \
			sh "$hp" "$pub" "$@" >"$tmp/$out" 2>"$tmp/$out.err"
		rc=$?
	}
	hide h2 invisible --json
	if [ "$rc" -eq 0 ] && jq -e '.host.hidepid == "invisible" and .summary.unreadable_reasons.hidepid and
	      (.summary.complete | not)' "$tmp/h2" >/dev/null &&
	   grep -q "hidepid=invisible: the processes of other users are hidden, uncounted, from uid 65534" "$tmp/h2.err"; then
		ok "hidepid=invisible, nobody: detected, reported, exit 0"
	else
		ko "hidepid=invisible: exit $rc: $(jq -c '[.host.hidepid, .summary]' "$tmp/h2" 2>&1) $(cat "$tmp/h2.err")"
	fi
	hide h3 invisible --strict
	expect "hidepid=invisible, nobody, --strict: exit 2" 2 h3 "the audit is incomplete"
	hide h4 noaccess
	expect "hidepid=noaccess, nobody: the root process is named" 0 h4 \
		"1 process could not be read: /proc/[0-9]*/status (Operation not permitted)"
	expect "hidepid=noaccess, nobody: and why" 0 h4 \
		"hidepid=noaccess: the processes of other users are unreadable to uid 65534"
fi

finish privs
