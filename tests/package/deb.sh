#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the Debian package from a release tarball in a fresh Debian 12 root
# (debootstrap, no git, nothing of this machine's but the mirror), lint it,
# install it with apt, check what it installed, and run its autopkgtest
# there. One line a check; the exit status is 1 where one failed. CI runs it
# (.ci/run); make check does not: it needs root, the network and minutes.
#
# usage: tests/package/deb.sh [-k] [-o OUTDIR] [-m MIRROR] [-c CACHEDIR] [TARBALL]
#   TARBALL   capaudit-VERSION.tar.gz; without it, `make dist` in a build
#             directory of this source tree makes one
#   -o DIR    copy the .deb (and .changes, .buildinfo, lintian's report) there
#   -m URL    the Debian mirror (default: this machine's, from /etc/apt)
#   -c DIR    keep debootstrap's packages and apt's in DIR, reused by the next
#             run (also DEBOOTSTRAP_CACHE=DIR); CI runs without it, fresh
#   -k        keep the chroot (its mounts undone) and say where
set -u
export LC_ALL=C.UTF-8

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$top/tests/package/lib.sh"
outdir='' mirror=${MIRROR:-} cache=${DEBOOTSTRAP_CACHE:-} keep=''
while getopts ko:m:c:h opt; do
	case $opt in
	k) keep=1 ;;
	o) outdir=$OPTARG ;;
	m) mirror=$OPTARG ;;
	c) cache=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
tarball=${1:-}

[ "$(id -u)" -eq 0 ] || { echo "deb.sh: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
for tool in debootstrap chroot mount umount; do
	command -v "$tool" >/dev/null || { echo "deb.sh: $tool is not installed" >&2; exit 2; }
done

# The mirror this machine installs from: deb822 sources first, then the
# one-line format; a bookworm suite of either.
find_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		     /(^|\n)Types:[^\n]*deb([ \t]|\n|$)/ && /(^|\n)Suites:[^\n]*bookworm([ \t]|\n|$)/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); print u[2]; exit } }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i + 1) == "bookworm") print $i; break } }'
}
[ -n "$mirror" ] || mirror=$(find_mirror | grep -v security | head -1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

# /var/tmp: debootstrap makes device nodes, which a nodev /tmp would refuse.
work=$(mktemp -d /var/tmp/capaudit-deb.XXXXXX) || exit 2
root=$work/root
SECONDS=0

# Every mount under the root, deepest first, undone; the tree is removed only
# once /proc/self/mounts shows none left under it, never through a mount.
mounts_under() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r; }
# The processes running in the root (a build a signal interrupted), by the
# root directory the kernel gives each: they would hold its mounts.
chroot_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
}
cleanup() {
	local rc=$? m pids i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(chroot_pids)
		[ -n "$pids" ] || break
		# shellcheck disable=SC2086
		kill "-$([ "$i" -lt 5 ] && echo TERM || echo KILL)" $pids 2>/dev/null
		sleep 1
	done
	for m in $(mounts_under); do umount "$m" 2>/dev/null || umount -l "$m"; done
	if [ -n "$(mounts_under)" ]; then
		echo "deb.sh: still mounted under $root, left in place: $(mounts_under | tr '\n' ' ')" >&2
		rc=1
	elif [ -n "$keep" ]; then
		echo "kept: $root"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
on_exit cleanup

# The tarball: the caller's, or `make dist` in a build directory of its own.
release_tarball "$work" "$top"

# A minimal Debian 12, from a tarball of its packages where a cache is given.
if [ -n "$cache" ]; then
	mkdir -p "$cache/apt" && cache=$(cd "$cache" && pwd) || exit 2
	if [ ! -s "$cache/bookworm-minbase.tgz" ]; then
		step "debootstrap --make-tarball (cache: $cache)" "$work/debootstrap.log" \
			debootstrap --variant=minbase --make-tarball="$cache/bookworm-minbase.tgz" bookworm "$work/mk" "$mirror" || giveup
		rm -rf "$work/mk"
	fi
	step "debootstrap bookworm from the cache" "$work/debootstrap.log" \
		debootstrap --variant=minbase --unpack-tarball="$cache/bookworm-minbase.tgz" bookworm "$root" "$mirror" || giveup
else
	step "debootstrap --variant=minbase bookworm ($mirror)" "$work/debootstrap.log" \
		debootstrap --variant=minbase bookworm "$root" "$mirror" || giveup
fi
mount -t proc proc "$root/proc" &&
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts" &&
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm" || giveup
if [ -n "$cache" ]; then
	mount --bind "$cache/apt" "$root/var/cache/apt/archives" || giveup
	rm -f "$root/etc/apt/apt.conf.d/docker-clean"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
# No service of a package installed here may start: the host's are running.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
mkdir "$root/build"
cp "$tarball" "$root/build/"

# Inside: build as a user (Rules-Requires-Root: no, and the tests as on a
# buildd), lint, install with apt, check, autopkgtest.
cp "$top/tests/package/lib.sh" "$root/build/lib.sh"
cat >"$root/build/inner.sh" <<'INNER'
set -u
srcname=$1 version=$2
cd /build
. /build/lib.sh
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -y -q --no-install-recommends "$@"; }
step "apt-get update" /build/apt-update.log apt-get -q update || exit 1
step "apt-get install dpkg-dev lintian autopkgtest" /build/apt-tools.log \
	apt_get install dpkg-dev lintian autopkgtest || exit 1
useradd --create-home builder && chown builder /build &&
	runuser -u builder -- tar -C /build -xf "/build/$srcname.tar.gz" || exit 1
ln -s "$srcname.tar.gz" "/build/capaudit_$version.orig.tar.gz"
[ ! -e "/build/$srcname/.git" ] && ! command -v git >/dev/null &&
	ok "no git in the chroot or the tree" || ko "git in the chroot or the tree"
debver=$(cd "/build/$srcname" && dpkg-parsechangelog -S Version)
[ "${debver%-*}" = "$version" ] && ok "debian/changelog $debver is of capaudit $version" ||
	ko "debian/changelog $debver is not of capaudit $version"
step "apt-get build-dep ./$srcname" /build/build-dep.log apt_get build-dep "./$srcname" || exit 1
step "dpkg-buildpackage -us -uc -b (as a user)" /build/build.log \
	runuser -u builder -- sh -c "cd /build/$srcname && dpkg-buildpackage -us -uc -b" || exit 1
grep -q '^# FAIL: *0$' /build/build.log && grep -q '^# PASS: *[1-9]' /build/build.log &&
	ok "make check ran in the build: $(grep -E '^# (PASS|SKIP)' /build/build.log | tr -s ' \n' ' ')" ||
	ko "make check did not run in the build"
changes=$(ls /build/capaudit_*.changes)
deb=$(ls /build/capaudit_*.deb)
# lintian exits 2 on tags at or above --fail-on (and, with --show-overrides,
# on overridden ones too: hence none). Each override says why in its file.
if runuser -u builder -- lintian --fail-on error,warning --display-info "$changes" >/build/lintian.log 2>&1; then
	overridden=$(grep -v '^#' "/build/$srcname/debian/capaudit.lintian-overrides" | cut -d' ' -f2 | tr '\n' ' ')
	ok "lintian: no error, no warning ($(grep -c '^I: ' /build/lintian.log) info; overridden: ${overridden% })"
else
	ko "lintian: errors or warnings"
fi
sed 's/^/  lintian: /' /build/lintian.log
dpkg-deb -c "$deb" | awk '{ print $6 }' >/build/contents
missing=0
for f in ./usr/bin/capaudit ./etc/capaudit/policy.ini ./usr/share/man/man8/capaudit.8.gz \
	 ./usr/share/man/man5/capaudit.ini.5.gz ./usr/share/bash-completion/completions/capaudit \
	 ./usr/share/doc/capaudit/README.md.gz ./usr/share/doc/capaudit/copyright \
	 ./usr/share/doc/capaudit/examples/cis-net-raw.ini ./lib/systemd/system/capaudit.service \
	 ./lib/systemd/system/capaudit.timer ./usr/share/doc/capaudit/examples/capaudit-daemonset.yaml \
	 ./usr/share/doc/capaudit/examples/capaudit-alerts.yml; do
	grep -qxF "$f" /build/contents || { ko "the .deb has no $f"; missing=1; }
done
[ "$missing" -eq 1 ] || ok "the .deb has $(wc -l </build/contents) entries, the expected ones among them"

step "apt-get install ./$(basename "$deb")" /build/install.log apt_get install "$deb" || exit 1
got=$(capaudit --version 2>&1)
[ "$got" = "capaudit (capaudit) $version" ] && ok "capaudit --version: $got" || ko "capaudit --version: $got"
capaudit --policy built-in >/build/scan.out 2>&1
rc=$?
[ "$rc" -le 1 ] && grep -q . /build/scan.out && ok "capaudit --policy built-in: exit $rc" ||
	{ ko "capaudit --policy built-in: exit $rc"; cat /build/scan.out; }
# Installed, neither enabled nor started: the timer audits by /etc's policy,
# which the administrator reads first (debian/rules).
[ ! -e /etc/systemd/system/timers.target.wants/capaudit.timer ] &&
	grep -qx 'ExecStart=/usr/bin/capaudit .*' /lib/systemd/system/capaudit.service &&
	ok "the units are installed, the timer not enabled, ExecStart is /usr/bin/capaudit" ||
	ko "the units: enabled, or ExecStart not /usr/bin/capaudit"
dpkg-query -W -f='${Conffiles}\n' capaudit | grep -q '^ /etc/capaudit/policy.ini [0-9a-f]\{32\}$' &&
	ok "dpkg lists /etc/capaudit/policy.ini as a conffile" || ko "/etc/capaudit/policy.ini is no conffile"
capaudit snapshot /tmp/x.tar >/build/snapshot.log 2>&1 && capaudit snapshot --verify /tmp/x.tar >>/build/snapshot.log 2>&1 &&
	grep -qx '/tmp/x.tar: intact' /build/snapshot.log && ok "snapshot and snapshot --verify: libarchive and libcrypto load" ||
	{ ko "snapshot and snapshot --verify"; cat /build/snapshot.log; }
# Every soname the binary names but does not link is dlopen()ed: the package
# that holds it must be in Depends, as dpkg-shlibdeps cannot know it.
depends=$(dpkg-query -W -f='${Depends}' capaudit)
needed=$(objdump -p /usr/bin/capaudit | awk '$1 == "NEEDED" { print $2 }')
n=0
for so in $(grep -aoE 'lib[a-z0-9_+-]*\.so\.[0-9]+' /usr/bin/capaudit | sort -u); do
	grep -qxF "$so" <<<"$needed" && continue
	n=$((n + 1))
	pkg=$(dpkg -S "*/$so" 2>/dev/null | head -1 | sed 's/[:,].*//')
	if [ -n "$pkg" ] && grep -qE "(^|, )$pkg( |,|$)" <<<"$depends"; then
		ok "dlopen()ed $so: $pkg is in Depends"
	else
		ko "dlopen()ed $so: its package ${pkg:-(none)} is not in Depends: $depends"
	fi
done
[ "$n" -ge 4 ] || ko "the binary names $n sonames it does not link, expected 4 (libarchive, libcrypto, libtracefs, libtraceevent)"

# The autopkgtest on this root (null virt server), from a fresh copy of the source.
mkdir /build/test-src && tar -C /build/test-src -xf "/build/$srcname.tar.gz"
autopkgtest --output-dir /build/autopkgtest "$deb" "/build/test-src/$srcname" -- null >/build/autopkgtest.log 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c ' PASS' /build/autopkgtest/summary)" -eq 3 ]; then
	ok "autopkgtest: $(tr '\n' ';' </build/autopkgtest/summary)"
else
	ko "autopkgtest: exit $rc: $(tr '\n' ';' </build/autopkgtest/summary 2>/dev/null)"
	tail -80 /build/autopkgtest.log
fi
exit "$fail"
INNER
# In the background: bash runs a trap only once the command it waits for
# ends, and `wait` ends at a signal, where the build would not.
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LC_ALL=C.UTF-8 \
	/bin/bash /build/inner.sh "$srcname" "$version" &
wait $! || fail=1

if [ -n "$outdir" ]; then
	mkdir -p "$outdir" &&
		cp "$root"/build/capaudit_*.deb "$root"/build/capaudit-dbgsym_*.deb "$root"/build/capaudit_*.changes \
			"$root"/build/capaudit_*.buildinfo \
			"$root"/build/lintian.log "$outdir/" &&
		ok "copied $(cd "$root/build" && echo capaudit_*.deb) to $outdir" || ko "copy the .deb to $outdir"
fi
finish
