#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# seeds.sh OUTDIR: seed corpora for the fuzz targets, one directory each
# (OUTDIR/status, cgroup, policy, snapshot), from what the tests already
# hold: the fixture trees' status, cgroup and supervisors' cmdline files,
# tests/policies (good and bad), the examples of capaudit.ini(5) and the
# built-in policy, and a snapshot of every fixture tree taken with
# $CAPAUDIT (default ./capaudit).
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
. "$(dirname "$0")/../common.sh"
[ -x "$capaudit" ] || { echo "$0: $capaudit is not built" >&2; exit 1; }
[ -d "$fixtures" ] || { echo "$0: no fixtures under $top/tests" >&2; exit 1; }
mkdir -p "$out"/status "$out"/cgroup "$out"/policy "$out"/snapshot

# seed DIR FILE: a copy named after its path under the fixtures.
seed() {
	local name=${2#"$fixtures"/}
	cp "$2" "$1/${name//\//_}"
}

while IFS= read -r -d '' f; do
	case $f in
	*/status) seed "$out/status" "$f" ;;
	*/cgroup | */cmdline) seed "$out/cgroup" "$f" ;;
	esac
done < <(find "$fixtures" -type f \( -name status -o -name cgroup -o -name cmdline \) -print0)

cp "$top"/tests/policies/good/*.ini "$out/policy/"
for f in "$top"/tests/policies/bad/*.ini; do cp "$f" "$out/policy/bad-${f##*/}"; done
"$capaudit" policy show built-in >"$out/policy/built-in.ini"
n=0
while IFS= read -r -d '' ex; do
	n=$((n + 1))
	printf '%s' "$ex" >"$out/policy/man-example$n.ini"
done < <(awk '/^\.\\" example begin/ { on = 1; next }
	      /^\.\\" example end/ { on = 0; printf "%c", 0; next }
	      on && !/^\.(EX|EE)/ { gsub(/\\-/, "-"); print }' "$top/man/capaudit.ini.5")

for dir in "$fixtures"/*/; do
	name=$(basename "$dir")
	case $name in no-* | bad-*) continue ;; esac
	# a host root (its proc/ and the runtimes' state files) or a proc root
	case $name in host-*) root=--host-root ;; *) root=--proc-root ;; esac
	(cd "$fixtures" && "$capaudit" snapshot "$out/snapshot/$name.tar" --policy built-in \
		"$root" "$name" 2>/dev/null)
done
# The smallest snapshot with a container in it: a host init and one docker
# process, status files cut to what the scan reads. Each execution of
# fuzz_snapshot costs about the archive's size, so most mutations start here.
tiny=$tmp/tiny
mkdir -p "$tiny/sys/kernel" "$tiny/1" "$tiny/40"
cp "$fixtures/quiet/sys/kernel/cap_last_cap" "$tiny/sys/kernel/"
cp -P -r "$fixtures/quiet/1/ns" "$tiny/1/"
keep='^(Name|PPid|Uid|Gid|NSpid|Kthread|Cap[A-Za-z]+|NoNewPrivs|Seccomp):'
grep -E "$keep" "$fixtures/quiet/1/status" >"$tiny/1/status"
printf '0::/init.scope\n' >"$tiny/1/cgroup"
sed -e 's/^PPid:.*/PPid:\t1/' -e 's/^CapEff:.*/CapEff:\t00000000a80425fb/' "$tiny/1/status" >"$tiny/40/status"
printf '0::/system.slice/docker-%s.scope\n' "$(printf 'ab%.0s' {1..32})" >"$tiny/40/cgroup"
(cd "$tmp" && "$capaudit" snapshot "$out/snapshot/tiny.tar" --policy built-in --proc-root tiny 2>/dev/null)
# And signed, so that mutations reach the signature's check (signer.pub, manifest.sig).
if command -v openssl >/dev/null && openssl genpkey -algorithm ed25519 -out "$tmp/seed.pem" 2>/dev/null; then
	(cd "$tmp" && "$capaudit" snapshot "$out/snapshot/tiny-signed.tar" --policy built-in --proc-root tiny \
		--sign "$tmp/seed.pem" 2>/dev/null)
fi
# One compressed, so that the reader's filters are reached too.
(cd "$fixtures" && "$capaudit" snapshot "$out/snapshot/legacy.tar.gz" --policy built-in \
	--proc-root legacy 2>/dev/null)

for d in status cgroup policy snapshot; do
	printf '%s: %s seeds\n' "$d" "$(find "$out/$d" -type f | wc -l)"
done
