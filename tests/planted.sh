#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The attacker's test. As nobody, plant at every path root capaudit writes
# (-O, snapshot FILE, --digest-file) or reads (--policy, policy check and
# show, --snapshot, snapshot --verify, --proc-root, the keys of --sign and
# --key) a symbolic link to a root-owned file, a symbolic link to
# /dev/zero, a fifo, a directory, a hard link to the root-owned file and a
# symbolic link on the way there, in a
# sticky world-writable directory (/tmp) and in a directory nobody owns (a
# service account's, node_exporter's textfile directory); then run root
# capaudit with the kernel's protected_symlinks, protected_fifos,
# protected_regular and protected_hardlinks off, as on hosts without
# systemd's defaults. The root-owned file stays the same to the byte, every
# run is over within seconds with its documented message and exit status 2,
# the planted entry is as it was, and nothing is left beside it. Then trees
# nobody made for --proc-root: links to /etc/shadow and to /, a fifo, a
# device, a hard link, 100 MB files: nothing outside the tree is read or
# printed, nothing blocks.
set -u

. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: the victim is root's, the attacker nobody: needs root"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) is not installed"; exit 77; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# The kernel's guards off for the run, restored however it ends.
guards=(protected_symlinks protected_fifos protected_regular protected_hardlinks)
declare -A was
for g in "${guards[@]}"; do
	was[$g]=$(cat "/proc/sys/fs/$g") || { echo "SKIP: no fs.$g"; exit 77; }
done
restore() { for g in "${guards[@]}"; do echo "${was[$g]}" >"/proc/sys/fs/$g"; done; }
trap 'restore; chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
for g in "${guards[@]}"; do
	echo 0 >"/proc/sys/fs/$g" 2>/dev/null || { echo "SKIP: cannot set fs.$g (a container?)"; exit 77; }
done

chmod 755 "$tmp"
mkdir -m 755 "$tmp/victims"
head -c 4096 /dev/urandom | base64 >"$tmp/victims/victim"
chmod 600 "$tmp/victims/victim"
sum=$(sha256sum <"$tmp/victims/victim")
mkdir -m 1777 "$tmp/shared"			# like /tmp
mkdir -m 755 "$tmp/svc" && chown 65534:65534 "$tmp/svc"	# a service account's own
mkdir -m 700 "$tmp/out"				# where root's own outputs go
(cd "$fixtures" && "$capaudit" snapshot "$tmp/good.tar" -p built-in --proc-root quiet 2>/dev/null)
cp "$tmp/good.tar" "$tmp/good-copy.tar"

# plant KIND PATH: as nobody, what an attacker leaves at PATH.
plant() {
	case $1 in
	link)		as_nobody ln -s "$tmp/victims/victim" "$2" ;;
	zero)		as_nobody ln -s /dev/zero "$2" ;;
	fifo)		as_nobody mkfifo "$2" ;;
	dir)		as_nobody mkdir "$2" ;;
	hardlink)	as_nobody ln "$tmp/victims/victim" "$2" ;;
	way)		as_nobody ln -s "$tmp/victims" "$(dirname "$2")/way" ;;
	esac
}
# where KIND PATH: the path capaudit is given for a plant at PATH.
where() { [ "$1" = way ] && echo "$(dirname "$2")/way/victim" || echo "$2"; }
# state DIR: what DIR holds, entry by entry, for comparing before and after.
state() { (cd "$1" && find . -mindepth 1 -printf '%p %y %l %n %s\n' | sort); }

# The command of each use, given the path P.
declare -A cmds=(
	[output]='"$capaudit" -p built-in --proc-root "$fixtures/quiet" -O "$P"'
	[snapshot]='"$capaudit" snapshot "$P" -p built-in --proc-root "$fixtures/quiet"'
	[digest]='"$capaudit" snapshot "$tmp/out/d.tar" -p built-in --proc-root "$fixtures/quiet" --digest-file "$P"'
	[policy]='"$capaudit" --policy "$P" --proc-root "$fixtures/quiet"'
	[check]='"$capaudit" policy check "$P"'
	[show]='"$capaudit" policy show "$P"'
	[replay]='"$capaudit" --snapshot "$P"'
	[verify]='"$capaudit" snapshot --verify "$P"'
	[root]='"$capaudit" -p built-in --proc-root "$P"'
	[sign]='"$capaudit" snapshot "$tmp/out/s.tar" -p built-in --proc-root "$fixtures/quiet" --sign "$P"'
	[key]='"$capaudit" snapshot --verify "$tmp/good.tar" --key "$P"'
)
outputs="output snapshot digest"
# expect USE KIND: the exit status and the message that capaudit(8) gives.
expect() {
	local out=no
	case " $outputs " in *" $1 "*) out=yes ;; esac
	case $2:$out:$1 in
	link:*|zero:*|way:*)	echo "2 refusing to follow the symbolic link" ;;
	fifo:yes:*)		echo "2 refusing a fifo that uid 65534 made" ;;
	fifo:no:root)		echo "2 Not a directory" ;;
	fifo:no:*)		echo "2 it is a fifo, not a regular file" ;;
	dir:no:root)		echo "2 cannot read $P/sys/kernel/cap_last_cap: No such file" ;;
	dir:*)			echo "2 Is a directory" ;;
	hardlink:yes:*)		echo "0 " ;;	# replaced: the victim's own name keeps its bytes
	hardlink:no:root)	echo "2 Not a directory" ;;
	hardlink:no:*)		echo "2 refusing a file with a second name (a hard link)" ;;
	esac
}

n=0
for d in shared svc; do
	for kind in link zero fifo dir hardlink way; do
		for use in output snapshot digest policy check show replay verify root sign key; do
			n=$((n + 1))
			rm -rf "${tmp:?}/$d/"* "${tmp:?}/out/"*
			plant "$kind" "$tmp/$d/p.tar"
			P=$(where "$kind" "$tmp/$d/p.tar")
			before=$(state "$tmp/$d")
			read -r want msg < <(expect "$use" "$kind")
			start=$(date +%s%N)
			eval "timeout 10 ${cmds[$use]}" >"$tmp/stdout" 2>"$tmp/stderr"
			rc=$?
			ms=$((($(date +%s%N) - start) / 1000000))
			after=$(state "$tmp/$d")
			name="$use at $d/$kind"
			if [ "$(sha256sum <"$tmp/victims/victim")" != "$sum" ]; then
				ko "$name: THE VICTIM CHANGED"
				head -c 4096 /dev/urandom | base64 >"$tmp/victims/victim"
				sum=$(sha256sum <"$tmp/victims/victim")
			elif [ "$want" = 0 ]; then
				# the hard link replaced by a whole report, nothing else there
				if [ "$rc" -le 1 ] && [ "$(stat -c %h "$tmp/$d/p.tar")" = 1 ] &&
				   [ "$(find "$tmp/$d" -mindepth 1 | wc -l)" = 1 ] && [ "$ms" -lt 5000 ]; then
					ok "$name: replaced, the victim whole (exit $rc, ${ms} ms)"
				else
					ko "$name: exit $rc, ${ms} ms, $(ls -la "$tmp/$d" | tr '\n' ' ')"
				fi
			elif [ "$rc" -eq "$want" ] && grep -q -- "$msg" "$tmp/stderr" && [ "$before" = "$after" ] &&
			     [ -z "$(ls -A "$tmp/out")" ] && [ "$ms" -lt 5000 ]; then
				ok "$name: exit $rc in ${ms} ms, '$msg', nothing changed"
			else
				ko "$name: exit $rc (want $want) in ${ms} ms: $(head -c 300 "$tmp/stderr") $(
					[ "$before" = "$after" ] || echo "; the directory changed: $after")$(
					[ -z "$(ls -A "$tmp/out")" ] || echo "; left in out/: $(ls -A "$tmp/out")")"
			fi
		done
	done
done
check "the attacker could not change the victim in $n runs" test "$(sha256sum <"$tmp/victims/victim")" = "$sum"

# Root's own fifo that no process reads, root's own link to a device: refused, not waited on.
mkfifo "$tmp/out/fifo"
timeout 10 "$capaudit" -p built-in --proc-root "$fixtures/quiet" -O "$tmp/out/fifo" 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 2 ] && grep -q "a fifo that no process reads" "$tmp/stderr" && ok "-O a fifo no process reads: exit 2, at once" ||
	ko "-O a fifo no process reads: exit $rc: $(cat "$tmp/stderr")"
ln -s /dev/zero "$tmp/out/zero.ini"
timeout 10 "$capaudit" policy check "$tmp/out/zero.ini" 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 2 ] && grep -q "it is a character device, not a regular file" "$tmp/stderr" &&
	ok "a policy that is root's link to /dev/zero: exit 2, at once" || ko "policy /dev/zero: exit $rc: $(cat "$tmp/stderr")"
rm -f "$tmp/out/fifo" "$tmp/out/zero.ini"
# What the caller names on purpose still works: standard output, /dev/stdout, /dev/null.
check "-O - writes the report" bash -c "'$capaudit' -p built-in --proc-root '$fixtures/quiet' -O - | grep -q 'audit complete'"
check "-O /dev/stdout writes the report" bash -c "'$capaudit' -p built-in --proc-root '$fixtures/quiet' -O /dev/stdout | grep -q 'audit complete'"
check "-O /dev/null takes it" "$capaudit" -p built-in --proc-root "$fixtures/quiet" -O /dev/null
check "snapshot - then --snapshot - through a pipe" bash -c "cd '$fixtures' && '$capaudit' snapshot - -p built-in --proc-root quiet 2>/dev/null | '$capaudit' --snapshot - | grep -q 'audit complete'"
check "snapshot --verify - reads a pipe" bash -c "'$capaudit' snapshot --verify - <'$tmp/good.tar' | grep -q ': intact'"

# Trees nobody made, named with --proc-root: nothing outside them is read or
# printed, nothing blocks, however big.
secret=$(head -1 /etc/shadow 2>/dev/null | cut -d: -f1-2)
t=$tmp/shared/tree
as_nobody cp -r "$fixtures/mixed" "$t"
as_nobody rm "$t/1001/status" "$t/1002/cgroup" "$t/1101/status" "$t/1201/status"
as_nobody ln -s /etc/shadow "$t/1001/status"		# a link out of the tree
as_nobody mkfifo "$t/1002/cgroup"			# a read that would never end
as_nobody ln "$tmp/victims/victim" "$t/1101/status"	# root's file under a name of theirs
as_nobody ln -s / "$t/7777"				# a pid that is the root directory
as_nobody mkdir "$t/7778" && as_nobody ln -s ../1202/status "$t/7778/status"	# a link inside
as_nobody truncate -s 100M "$t/1201/status"		# 100 MB of status
as_nobody mkdir "$t/7779" && as_nobody cp "$t/1202/status" "$t/7779/status" &&
	as_nobody bash -c "yes 0::/docker/$(printf 'a%.0s' {1..64}) | head -n 100000 >'$t/7779/cgroup'"
rm "$t/2001/status" && mknod "$t/2001/status" c 1 5	# a disk image's device node
start=$(date +%s%N)
timeout 20 "$capaudit" -p built-in --proc-root "$t" --json >"$tmp/tree.json" 2>"$tmp/tree.err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "a hostile tree: the scan ends (exit $rc, ${ms} ms)" test "$rc" -le 2 -a "$ms" -lt 10000
check "a hostile tree: the report is JSON" jq -e .summary "$tmp/tree.json"
if [ -n "$secret" ]; then
	check "a hostile tree: nothing of /etc/shadow is printed" bash -c "! grep -qF '$secret' '$tmp/tree.json' '$tmp/tree.err'"
fi
check "a hostile tree: nothing of the victim is printed" \
	bash -c "! grep -qF '$(head -c 40 "$tmp/victims/victim")' '$tmp/tree.json' '$tmp/tree.err'"
for want in "1001/status (Too many levels of symbolic links)" "1101/status (Too many links)" \
	    "1201/status (File too large)" "7777/status (Too many levels of symbolic links)" \
	    "2001/status (Invalid argument)" "1002/cgroup (Invalid argument)"; do
	check "a hostile tree: $want" grep -qF "$t/$want" "$tmp/tree.err"
done
check "a hostile tree: a cgroup file of 100,000 lines is read (7779)" \
	jq -e '[.containers[] | select(.id | startswith("aaaa"))] | length == 1' "$tmp/tree.json"
check "a hostile tree: the victim is unchanged" test "$(sha256sum <"$tmp/victims/victim")" = "$sum"

# capaudit installed with file capabilities (PRIVILEGES in capaudit(8)):
# then nobody may run it, and names root's files. What nobody names is opened
# with nobody's own rights; only the live /proc is read with capaudit's.
mkdir -m 755 "$tmp/sc" && cp "$capaudit" "$tmp/sc/capaudit"
sc=$tmp/sc/capaudit
if command -v setcap >/dev/null && setcap cap_dac_read_search,cap_sys_ptrace+ep "$sc" 2>/dev/null &&
   as_nobody "$sc" -p built-in --json --pid 1 2>/dev/null | jq -e '.scanner.capabilities.effective | index("cap_sys_ptrace")' >/dev/null; then
	mkdir -m 700 "$tmp/roots-tree" && cp -r "$fixtures/quiet/." "$tmp/roots-tree/"
	mkdir -m 711 "$tmp/closed" && cp -r "$fixtures/quiet" "$tmp/closed/tree" && chmod -R go-r "$tmp/closed/tree"
	sccase() {	# NAME PATTERN ARGS...: as nobody, exit 2 and PATTERN on stderr, nothing of the victim
		local name=$1 pattern=$2 rc; shift 2
		(cd "$tmp/shared" && timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$sc" "$@") \
			>"$tmp/stdout" 2>"$tmp/stderr"
		rc=$?
		if [ "$rc" -eq 2 ] && grep -q -- "$pattern" "$tmp/stderr" &&
		   ! grep -qF "$(head -c 40 "$tmp/victims/victim")" "$tmp/stdout" "$tmp/stderr"; then
			ok "with file capabilities, $name: exit 2, '$pattern'"
		else
			ko "with file capabilities, $name: exit $rc: $(head -c 300 "$tmp/stderr")"
		fi
	}
	sccase "--policy of root's file" "cannot read: Permission denied" --policy "$tmp/victims/victim"
	sccase "policy show of root's file" "cannot read: Permission denied" policy show "$tmp/victims/victim"
	sccase "--snapshot of root's file" "cannot read: Permission denied" --snapshot "$tmp/victims/victim"
	sccase "--proc-root of root's tree" "roots-tree/sys/kernel/cap_last_cap: Permission denied" -p built-in --proc-root "$tmp/roots-tree"
	sccase "--proc-root of files it cannot read" "cap_last_cap: Permission denied" -p built-in --proc-root "$tmp/closed/tree"
	sccase "-O into root's directory" "cannot write $tmp/out/r.json: Permission denied" -p built-in --pid 1 -O "$tmp/out/r.json"
	sccase "--with-environ" "--with-environ reads the secrets of other users" snapshot "$tmp/shared/e.tar" --with-environ
	check "with file capabilities, no archive was left" test ! -e "$tmp/shared/e.tar"
	check "with file capabilities, the live /proc is still read with them" \
		bash -c "cd / && setpriv --reuid=65534 --regid=65534 --clear-groups '$sc' -p built-in --json --pid 1 |
			 jq -e '.summary.namespaces_denied == 0'"
else
	echo "# setcap is missing, or file capabilities do not take here (nosuid?): not tried"
fi

finish planted
