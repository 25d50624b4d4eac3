#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The runtimes' state files under --host-root, hostile: a fifo, a file too
# large, a hard link, a directory behind a symbolic link, a malformed and a
# nested-too-deep document. None hangs, crashes or forges output: the
# container is still reported, by its id, with a note that names the file
# and why; a runc or crun state that cannot be read names no container. Built on a copy of the fixture tests/fixtures/host-named
# (tests/mkfixtures.py), whose golden reports tests/golden.sh checks.
set -u

. "$(dirname "$0")/common.sh"

host=$tmp/host
cp -a "$fixtures/host-named" "$host"
web=4e4e4e4e4e4e0000000000000000000000000000000000000000000000000000
dir=$host/var/lib/docker/containers/$web

# state ID: "<state>|<name>|<note>" of container ID in a JSON scan of $host
state() {
	timeout 20 "$capaudit" --policy built-in --host-root "$host" --json 2>"$tmp/err" |
		jq -r --arg id "$1" '.containers[] | select(.id == $id) | .workload |
			"\(.state)|\(.name // "")|\(.note // "")"'
}

# 0. As the fixture holds it: named, with its image.
check "the fixture's web is read" test "$(state $web)" = "read|web|"

# 1. A fifo no process writes: not opened to wait, not read.
mv "$dir/config.v2.json" "$tmp/config.v2.json"
mkfifo "$dir/config.v2.json"
got=$(state $web)
check "a fifo: the scan ends (no wait)" test -n "$got"
check "a fifo: noted, by id" test "$got" = "unreadable||var/lib/docker/containers/$web/config.v2.json: not a regular file"
rm "$dir/config.v2.json"

# 2. Larger than capaudit reads (4 MiB): refused, not parsed.
{ printf '{"Name": "/big", "Config": {"Labels": {"x": "'; head -c 5000000 /dev/zero | tr '\0' a; printf '"}}}'; } \
	>"$dir/config.v2.json"
check "too large: noted" test "$(state $web)" = "unreadable||var/lib/docker/containers/$web/config.v2.json: too large"

# 3. A hard link to a file elsewhere (/etc/shadow, were this root's): never read.
cp "$tmp/config.v2.json" "$tmp/elsewhere.json"
rm "$dir/config.v2.json"
ln "$tmp/elsewhere.json" "$dir/config.v2.json"
check "a hard link: noted" \
	test "$(state $web)" = "unreadable||var/lib/docker/containers/$web/config.v2.json: a file with a second name (hard link)"
rm "$dir/config.v2.json"

# 4. Nesting deeper than any state file: not a document capaudit believes.
{ printf '{"Name": "/deep", "x": '; printf '[%.0s' $(seq 100); printf ']%.0s' $(seq 100); printf '}'; } \
	>"$dir/config.v2.json"
check "nested too deep: noted" \
	test "$(state $web)" = "unreadable||var/lib/docker/containers/$web/config.v2.json: not JSON"

# 5. The whole state directory behind a link out of the host root.
mv "$host/var/lib/docker" "$tmp/docker-elsewhere"
ln -s "$tmp/docker-elsewhere" "$host/var/lib/docker"
check "a linked directory: noted, never followed" \
	test "$(state $web)" = "unreadable||var/lib/docker/containers/$web/config.v2.json: a symbolic link on the way"
rm "$host/var/lib/docker"
mv "$tmp/docker-elsewhere" "$host/var/lib/docker"

# 6. Restored: read again, and no note was kept from before.
mv "$tmp/config.v2.json" "$dir/config.v2.json"
check "restored: read again" test "$(state $web)" = "read|web|"

# 7. A name that tries to forge a finding line is one escaped word of the line it is in.
evil=5e5e5e5e5e5e
"$capaudit" --policy built-in --host-root "$host" >"$tmp/text" 2>/dev/null
check "a hostile name forges no line" test "$(grep -c '^\[PASS\]' "$tmp/text")" = 0
check "a hostile name is escaped in the finding line" \
	grep -qF "docker $evil (evil\\x1b[31m\\x0a[PASS]\\x205.4\\x20ok): NET_RAW" "$tmp/text"
"$capaudit" --policy built-in --host-root "$host" --json >"$tmp/json" 2>/dev/null
check "labels are bounded: 32 kept" test "$(jq "[.containers[] | select(.id | startswith(\"$evil\")) |
	.workload.labels | length][0]" "$tmp/json")" = 32
check "labels are bounded: the rest counted" test "$(jq "[.containers[] | select(.id | startswith(\"$evil\")) |
	.workload.labels_omitted][0]" "$tmp/json")" = 10
check "invalid UTF-8 in an image is escaped" test "$(jq -r "[.containers[] | select(.id | startswith(\"$evil\")) |
	.workload.image][0]" "$tmp/json")" = 'busy\xffbox'

# 8. runc and crun run by hand: a container is theirs only by a state that
# names its init, read by the same rules; one that cannot be read names none.
# claim ID: "<runtime> <id>|<state>|<note>" of the container whose pid namespace is pidns:ID
claim() {
	timeout 20 "$capaudit" --policy built-in --host-root "$host" --json 2>"$tmp/err" |
		jq -r --arg p "$1" '.containers[] | select(any(.processes[]; .pid == ($p | tonumber))) |
			"\(.runtime) \(.id)|\(.workload.state)|\(.workload.note // "")"'
}
check "runc by hand: named by its state" test "$(claim 6001)" = "runc runcbox|read|"
runcdir=$host/run/runc/runcbox
mv "$runcdir/state.json" "$tmp/state.json"
mkfifo "$runcdir/state.json"
check "runc state a fifo: the scan ends, and no claim" test "$(claim 6001)" = "unknown pidns:4026532601|none|"
rm "$runcdir/state.json"
{ printf '{"init_process_pid": 6001, "init_process_start": 1031783, "x": "'; head -c 5000000 /dev/zero | tr '\0' a
  printf '"}'; } >"$runcdir/state.json"
check "runc state too large: no claim" test "$(claim 6001)" = "unknown pidns:4026532601|none|"
mv "$tmp/state.json" "$runcdir/state.json"
mv "$host/run/runc" "$tmp/runc-elsewhere"
ln -s "$tmp/runc-elsewhere" "$host/run/runc"
check "runc's state directory behind a link: never followed" test "$(claim 6001)" = "unknown pidns:4026532601|none|"
rm "$host/run/runc"
mv "$tmp/runc-elsewhere" "$host/run/runc"
check "crun, its spec from the bundle: read" test "$(claim 6401)" = "crun crunold|read|"
cp "$host/run/crun/crunold/status" "$tmp/status"
jq -c '.bundle = "/../../../../etc"' "$tmp/status" >"$host/run/crun/crunold/status"
check "crun, a bundle out of the host root: noted, not read" \
	test "$(claim 6401)" = "crun crunold|unreadable|../../../../etc/config.json: outside the host root"
cp "$tmp/status" "$host/run/crun/crunold/status"
mv "$host/srv/oci" "$tmp/oci-elsewhere"
ln -s "$tmp/oci-elsewhere" "$host/srv/oci"
check "crun, a bundle behind a link: noted, never followed" \
	test "$(claim 6401)" = "crun crunold|unreadable|srv/oci/crunold/config.json: a symbolic link on the way"
rm "$host/srv/oci"
mv "$tmp/oci-elsewhere" "$host/srv/oci"
check "restored: crunold read again" test "$(claim 6401)" = "crun crunold|read|"

# 9. dockerd's data root where /etc/docker/daemon.json moves it; the default where that file says nothing dockerd takes.
mkdir -p "$host/etc/docker" "$host/srv"
mv "$host/var/lib/docker" "$host/srv/docker"
check "data root moved, no daemon.json: noted at the default" \
	test "$(state $web)" = "unreadable||var/lib/docker/containers/$web/config.v2.json: No such file or directory"
printf '{"data-root": "/srv/docker", "storage-driver": "overlay2"}\n' >"$host/etc/docker/daemon.json"
check "data-root of daemon.json: read there" test "$(state $web)" = "read|web|"
printf '{"data-root": "srv/docker"}\n' >"$host/etc/docker/daemon.json"
check "a relative data-root (dockerd refuses it): the default" \
	test "$(state $web)" = "unreadable||var/lib/docker/containers/$web/config.v2.json: No such file or directory"
printf '{"data-root": "/../../srv/docker"}\n' >"$host/etc/docker/daemon.json"
check "a data-root out of the host root: never followed" \
	test "$(state $web | cut -d'|' -f1)" = unreadable
mv "$host/srv/docker" "$host/var/lib/docker"
printf '{"data-root": ' >"$host/etc/docker/daemon.json"
check "daemon.json not JSON: the default" test "$(state $web)" = "read|web|"
rm -r "$host/etc/docker"

# 10. --proc-root alone reads no host's state: another host's /proc is not this one's.
check "--proc-root alone: no state read" test "$(cd "$fixtures" && "$capaudit" --policy built-in \
	--proc-root host-named/proc --json 2>/dev/null | jq -r '[.containers[].workload.state] | unique | join(",")')" = none
# --host-root with another --proc-root: the state of the host root, the processes of the proc root.
check "--host-root with --proc-root" test "$(cd "$fixtures" && "$capaudit" --policy built-in \
	--host-root host-named --proc-root host-named/proc --json 2>/dev/null |
	jq -r ".containers[] | select(.id == \"$web\") | .workload.name")" = web
# A pod's sandbox by its CRI's word, whatever it runs (catatonit here); by its name alone without state.
sandbox() { (cd "$fixtures" && "$capaudit" --policy built-in "$@" --json 2>/dev/null |
	jq -r '.containers[] | select(.id | startswith("b2b2b2b2b2b2")) | .pod.sandbox'); }
check "a sandbox that runs catatonit: a sandbox, as its spec says" test "$(sandbox --host-root host-named)" = true
check "the same without its state: taken for a container" test "$(sandbox --proc-root host-named/proc)" = false
# --snapshot names what is read: --host-root with it is a usage error.
"$capaudit" --snapshot /nonexistent --host-root "$host" >/dev/null 2>"$tmp/err"
check "--snapshot with --host-root: usage error" test $? = 2

finish workload
