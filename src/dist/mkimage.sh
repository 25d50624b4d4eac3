#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkimage.sh DEB [TAG]: the image capaudit:0.1.0 (or TAG) of
# src/dist/Containerfile, from Debian bookworm minbase with the package DEB
# (capaudit_*.deb, from debian/) installed. As root, with debootstrap and
# docker (or podman: DOCKER=podman); MIRROR names the Debian mirror
# (default deb.debian.org). tests/package/image.sh builds it so in CI.
set -eu
deb=$(realpath "$1")
tag=${2:-capaudit:0.1.0}
here=$(dirname "$(realpath "$0")")
# /var/tmp: debootstrap makes device nodes, which a nodev /tmp refuses.
work=$(mktemp -d "${TMPDIR:-/var/tmp}/capaudit-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

debootstrap --variant=minbase bookworm "$work/rootfs" "${MIRROR:-http://deb.debian.org/debian}"
cp "$deb" "$work/rootfs/tmp/capaudit.deb"
# Nothing is started inside the chroot; apt resolves the package's dependencies.
printf '#!/bin/sh\nexit 101\n' >"$work/rootfs/usr/sbin/policy-rc.d"
chmod +x "$work/rootfs/usr/sbin/policy-rc.d"
chroot "$work/rootfs" apt-get install -y -q --no-install-recommends /tmp/capaudit.deb
chroot "$work/rootfs" apt-get clean
chroot "$work/rootfs" capaudit --version
rm -rf "$work/rootfs/tmp/capaudit.deb" "$work/rootfs/usr/sbin/policy-rc.d" "$work/rootfs/var/lib/apt/lists/"*
# Nothing of the machine that built it: debootstrap copied its resolver and
# name, which the engine mounts over these for each container anyway.
: >"$work/rootfs/etc/resolv.conf"
: >"$work/rootfs/etc/hostname"

# The build context is the tarball and the Containerfile alone.
mkdir "$work/context"
tar --numeric-owner -C "$work/rootfs" -cf "$work/context/rootfs.tar" .
cp "$here/Containerfile" "$work/context/Containerfile"
"${DOCKER:-docker}" build -q -f "$work/context/Containerfile" -t "$tag" "$work/context"
