# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# What tests/package/deb.sh and rpm.sh share (deb.sh's chroot sources it
# too): a line a check, failures counted, the tarball a build starts from.

fail=0
ok() { echo "PASS: $1"; }
ko() { echo "FAIL: $1"; fail=1; }
# step NAME LOG COMMAND...: PASS or FAIL, and the log's tail on a failure.
step() {
	local name=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		ok "$name"
	else
		ko "$name (exit $?)"
		tail -60 "$log"
		return 1
	fi
}
giveup() { echo "${0##*/}: gave up after $SECONDS s" >&2; exit 1; }
# The script's header, from its usage line to its -k line.
usage() { sed -n '/^# usage:/,/^#   -k/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
# finish: the closing line, and the exit status (1 where a check failed).
finish() {
	echo "${0##*/}: $([ "$fail" -eq 0 ] && echo passed || echo FAILED) in $SECONDS s"
	exit "$fail"
}

# release_tarball DIR SRCDIR: where tarball is empty, `make dist` of the
# source tree SRCDIR in DIR/dist makes it; sets tarball (absolute), srcname
# (capaudit-VERSION) and version.
release_tarball() {
	if [ -z "$tarball" ]; then
		[ -x "$2/configure" ] || { echo "${0##*/}: no $2/configure: run autoreconf -fi, or give a tarball" >&2; exit 2; }
		mkdir "$1/dist" &&
			step "make dist" "$1/dist.log" sh -c 'cd "$1" && "$2/configure" --disable-live-tests && make dist' sh "$1/dist" "$2" ||
			giveup
		tarball=$(ls "$1"/dist/capaudit-*.tar.gz)
	fi
	[ -f "$tarball" ] || { echo "${0##*/}: no tarball $tarball" >&2; exit 2; }
	tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
	srcname=$(basename "$tarball" .tar.gz)
	# shellcheck disable=SC2034 # the callers'
	version=${srcname#capaudit-}
}

# on_exit FUNCTION: FUNCTION at the exit, however it comes (a signal too).
on_exit() {
	# shellcheck disable=SC2064 # the name, now
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
