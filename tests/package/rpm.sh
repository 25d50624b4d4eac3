#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the binary RPM from a release tarball with `rpmbuild -ta` (the spec
# at the tarball's top, made from src/dist/capaudit.spec.in), check what it
# holds, and run rpmlint on the spec and the packages. One line a check; the
# exit status is 1 where one failed. CI runs it (.ci/run), on Debian.
#
# usage: tests/package/rpm.sh [-k] [-o OUTDIR] [TARBALL]
#   TARBALL   capaudit-VERSION.tar.gz; without it, `make dist` in a build
#             directory of this source tree makes one
#   -o DIR    copy the binary RPMs there
#   -k        keep the rpmbuild tree and say where
set -u
export LC_ALL=C.UTF-8

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$top/tests/package/lib.sh"
outdir='' keep=''
while getopts ko:h opt; do
	case $opt in
	k) keep=1 ;;
	o) outdir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
tarball=${1:-}
for tool in rpmbuild rpm rpmlint; do
	command -v "$tool" >/dev/null || { echo "rpm.sh: $tool is not installed" >&2; exit 2; }
done

work=$(mktemp -d /var/tmp/capaudit-rpm.XXXXXX) || exit 2
# %check's tests run the built capaudit as nobody too (as root, they drop to it).
chmod 755 "$work"
SECONDS=0
cleanup() {
	local rc=$?
	if [ -n "$keep" ]; then echo "kept: $work"; else rm -rf "$work"; fi
	exit "$rc"
}
on_exit cleanup

# The tarball: the caller's, or `make dist` in a build directory of its own.
release_tarball "$work" "$top"

# The spec rpmbuild -ta reads, for rpmlint.
tar -xzf "$tarball" -C "$work" "$srcname/capaudit.spec" "$srcname/src/dist/capaudit.rpmlintrc" || giveup
spec=$work/$srcname/capaudit.spec
grep -qx "Version: *$version" "$spec" && ok "capaudit.spec is of version $version" ||
	ko "capaudit.spec is not of version $version: $(grep '^Version:' "$spec")"

# --nodeps: rpm's database on Debian holds no package, so no BuildRequires
# (Fedora's names) is installed as far as rpm knows; the Debian -dev packages
# .ci/run installs stand in for them. _topdir keeps everything in $work.
# What Fedora's redhat-rpm-config adds to rpm, Debian's rpm lacks: a
# -debuginfo package made from every %install (find-debuginfo, which strips
# the binary), and brp-compress run by bash (its `read -d` fails in dash,
# which leaves the man pages uncompressed).
cat >"$work/fedora.macros" <<'MACROS'
%_enable_debug_packages 1
%install %{?_enable_debug_packages:%{?buildsubdir:%{debug_package}}}\
%%install\
%{nil}
%__brp_compress /bin/bash %{_rpmconfigdir}/brp-compress %{?_prefix}
MACROS
step "rpmbuild -ta --nodeps $(basename "$tarball")" "$work/rpmbuild.log" \
	rpmbuild -ta --nodeps --load "$work/fedora.macros" \
		--define "_topdir $work/rpmbuild" --define "_tmppath $work/tmp" "$tarball" || giveup
grep -q '^# FAIL: *0$' "$work/rpmbuild.log" && grep -q '^# PASS: *[1-9]' "$work/rpmbuild.log" &&
	ok "%check ran make check: $(grep -E '^# (PASS|SKIP)' "$work/rpmbuild.log" | tr -s ' \n' ' ')" ||
	ko "%check did not run make check"
rpms=("$work"/rpmbuild/RPMS/*/capaudit-*"$version"-*.rpm)
bins=("$work"/rpmbuild/RPMS/*/capaudit-"$version"-1.*.rpm)
bin=${bins[0]}
[ -f "$bin" ] && ok "built $(basename "$bin")" || { ko "no binary RPM capaudit-$version-1"; giveup; }

# What the package holds, and what it asks for.
rpm -qlp "$bin" >"$work/files" 2>/dev/null
missing=0
for f in /usr/bin/capaudit /etc/capaudit/policy.ini /usr/share/man/man8/capaudit.8 \
	 /usr/share/man/man5/capaudit.ini.5 /usr/share/bash-completion/completions/capaudit \
	 /usr/share/doc/capaudit/README.md /usr/share/doc/capaudit/examples/cis-net-raw.ini \
	 /usr/lib/systemd/system/capaudit.service /usr/lib/systemd/system/capaudit.timer \
	 /usr/share/doc/capaudit/examples/capaudit-daemonset.yaml; do
	grep -qE "^$f(\.gz|\.xz|\.zst)?$" "$work/files" || { ko "the RPM has no $f"; missing=1; }
done
[ "$missing" -eq 1 ] || ok "the RPM has $(wc -l <"$work/files") files, the expected ones among them"
[ "$(rpm -qcp "$bin" 2>/dev/null)" = /etc/capaudit/policy.ini ] &&
	ok "/etc/capaudit/policy.ini is its only %config file" || ko "config files: $(rpm -qcp "$bin" | tr '\n' ' ')"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$bin" 2>/dev/null | grep -q '^cn /etc/capaudit/policy.ini$' &&
	ok "policy.ini is %config(noreplace)" || ko "policy.ini is not %config(noreplace)"
# The libraries capaudit dlopen()s: rpm's generator cannot see them.
rpm -qp --requires "$bin" >"$work/requires" 2>/dev/null
missing=0
for lib in libarchive openssl-libs libtracefs libtraceevent; do
	grep -q "^$lib(x86-64)\|^$lib\b" "$work/requires" ||
		{ ko "Requires has no $lib: $(tr '\n' ' ' <"$work/requires")"; missing=1; }
done
[ "$missing" -eq 1 ] || ok "Requires beside the generator's: $(grep -v '\.so\|^rpmlib\|^rtld\|^config(\|^/' "$work/requires" | tr '\n' ' ')"

# rpmlint: errors and warnings fail, but for what the filters beside the
# spec template name, each with its reason. Debian's rpmlint runs with
# rpmlint's own defaults, no distribution's; one of them is not Fedora's:
# man pages are gzipped there (brp-compress), and rpmlint then finds them.
printf 'CompressExtension = "gz"\n' >"$work/fedora.toml"
# The -debuginfo package is find-debuginfo's, not the spec's: not linted.
rpmlint -c "$work/fedora.toml" -r "$work/$srcname/src/dist/capaudit.rpmlintrc" "$spec" "$bin" >"$work/rpmlint.log" 2>&1
rc=$?
sed 's/^/  rpmlint: /' "$work/rpmlint.log"
summary=$(grep -E '[0-9]+ errors, [0-9]+ warnings' "$work/rpmlint.log" | tail -1)
if [ "$rc" -eq 0 ] && [[ $summary =~ \ 0\ errors,\ 0\ warnings ]]; then
	ok "rpmlint: $summary"
else
	ko "rpmlint: exit $rc: ${summary:-no summary}"
fi

if [ -n "$outdir" ]; then
	mkdir -p "$outdir" && cp "${rpms[@]}" "$outdir/" && ok "copied the RPMs to $outdir" || ko "copy the RPMs to $outdir"
fi
finish
