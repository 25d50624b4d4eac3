#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Policies by name, on a copy of the fixture tests/fixtures/host-named: the
# seed example of capaudit.ini(5) (the container named web, from nginx, keeps
# NET_BIND_SERVICE and CHOWN after cap_drop ALL) holds when web is recreated
# with a new id, and on the replay of a snapshot; it never holds for a
# container that only says it is web from nginx, or whose state is unreadable.
set -u

. "$(dirname "$0")/common.sh"

host=$tmp/host
cp -a "$fixtures/host-named" "$host"
web=4e4e4e4e4e4e0000000000000000000000000000000000000000000000000000
cat >"$tmp/policy.ini" <<'EOF'
[default]
cap-added = medium
cap-added.allow = @none

[web]
name = web
image = nginx:*
cap-added.allow = NET_BIND_SERVICE CHOWN
EOF
check "the seed policy is valid" "$capaudit" policy check "$tmp/policy.ini"

# verdict ID [ARGS...]: "<verdict> <sections of its findings>" of container ID.
verdict() {
	local id=$1
	shift
	"$capaudit" --policy "$tmp/policy.ini" "$@" --json 2>"$tmp/err" |
		jq -r --arg id "$id" '.containers[] | select(.id == $id) |
			"\(.verdict) \([.findings[] | select(.rule == "cap-added") | .section] | join(","))"'
}

# 1. As the fixture holds it: web passes by [web]; the others fail [default]'s drop-ALL.
check "web passes by its name" test "$(verdict $web --host-root "$host")" = "pass "
check "db (podman) fails: it is not web" test "$(verdict 8e8e8e8e8e8e0000000000000000000000000000000000000000000000000000 \
	--host-root "$host")" = "fail default"

# 2. Recreated: the same name and image under a new id (cgroup and state dir).
"$capaudit" snapshot "$tmp/before.tar" --host-root "$host" --policy "$tmp/policy.ini" 2>/dev/null
new=4f4f4f4f4f4f1111111111111111111111111111111111111111111111111111
mv "$host/var/lib/docker/containers/$web" "$host/var/lib/docker/containers/$new"
sed -i "s/$web/$new/g" "$host/proc/1001/cgroup" "$host/var/lib/docker/containers/$new/config.v2.json"
check "recreated with a new id: still web, still passes" test "$(verdict $new --host-root "$host")" = "pass "
check "the old id is gone" test -z "$(verdict $web --host-root "$host")"
check "an id-only scan (no state) judges it by [default]" \
	test "$(verdict $new --proc-root "$host/proc")" = "fail default"

# ...and capaudit diff names both: the one gone and the one that appeared.
"$capaudit" diff "$tmp/before.tar" "$host" >"$tmp/diff.txt" 2>&1
check "diff: the old web is gone, by name" grep -q '^- docker 4e4e4e4e4e4e (web): gone' "$tmp/diff.txt"
check "diff: the new web appeared, by name" grep -q '^+ docker 4f4f4f4f4f4f (web): appeared' "$tmp/diff.txt"
"$capaudit" diff "$tmp/before.tar" "$host" --json 2>/dev/null >"$tmp/diff.json"
check "diff JSON: names and images" test "$(jq -r '[.containers[] | select(.id | startswith("4")) |
	"\(.change) \(.id[0:12]) \(.name) \(.image)"] | join(",")' "$tmp/diff.json")" = \
	"gone 4e4e4e4e4e4e web nginx:1.25,appeared 4f4f4f4f4f4f web nginx:1.25"

# 3. On the replay of a snapshot: the same verdicts, by the same section.
"$capaudit" snapshot "$tmp/s.tar" --host-root "$host" --policy "$tmp/policy.ini" 2>"$tmp/snap.err"
check "snapshot taken" test -s "$tmp/s.tar"
check "replayed: web passes by its name" test "$(verdict $new --snapshot "$tmp/s.tar")" = "pass "
"$capaudit" --snapshot "$tmp/s.tar" --json 2>/dev/null | jq -S '[.containers[] | {id, verdict, findings}]' >"$tmp/replay"
"$capaudit" --host-root "$host" --policy "$tmp/policy.ini" --json 2>/dev/null |
	jq -S '[.containers[] | {id, verdict, findings}]' >"$tmp/live"
check "replayed: every verdict and finding as live" cmp -s "$tmp/live" "$tmp/replay"

# 4. Another image under the name web: not the exception.
sed -i 's/"nginx:1.25"/"redis:7"/' "$host/var/lib/docker/containers/$new/config.v2.json"
check "web from redis fails" test "$(verdict $new --host-root "$host")" = "fail default"

# 5. State that cannot be read grants nothing: judged by [default], still reported by id.
printf '{"Name": "/web", "Config": {"Image": "nginx:1.25"' >"$host/var/lib/docker/containers/$new/config.v2.json"
check "unreadable state: fails by [default]" test "$(verdict $new --host-root "$host")" = "fail default"

# 6. policy show keeps every selector, and what it writes judges the same.
"$capaudit" policy show "$tmp/policy.ini" >"$tmp/shown.ini"
check "policy show writes name and image" grep -qx 'image = nginx:\*' "$tmp/shown.ini"
cp "$tmp/shown.ini" "$tmp/policy.ini"
sed -i 's/"Config": {"Image": "nginx:1.25"$/"Config": {"Image": "docker.io\/library\/nginx:1.25"}}/' \
	"$host/var/lib/docker/containers/$new/config.v2.json"
check "docker.io/library/nginx is nginx, by the shown policy" test "$(verdict $new --host-root "$host")" = "pass "

finish policy-names
