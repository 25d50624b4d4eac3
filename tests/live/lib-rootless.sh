# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
# (SC2034: RL_* and RUN_ID/RUN_ERR/IMAGE are this library's results.)
# Helpers for the test that starts real ROOTLESS podman containers.
#
# Sourced after lib.sh by tests/live/podman-rootless.sh. Rootless podman
# needs an unprivileged user: rootless_setup creates one whose name is unique
# to the run (useradd -m), gives it /etc/subuid and /etc/subgid ranges and a
# /run/user/<uid> of its own, and writes a private containers.conf (the one
# lib.sh's podman_setup writes for rootful podman, with the user's own
# directories) and storage.conf. rl_podman runs podman as that user, with a
# clean environment.
#
# rootless_cleanup (chained in front of lib.sh's live_cleanup on EXIT, so also
# reached on SIGINT, SIGTERM and SIGHUP) removes the containers, stops the
# rootless pause process (catatonit) and every other process of the user,
# waits until none is left (zombies included: pid 1 reaps them), then removes
# the user with its home, its runtime directory, its lock file, its
# subordinate id lines, and restores the shadow-utils backup files (/etc/*-)
# that useradd and userdel rewrote.

RL_USER=
RL_UID=
RL_GID=
RL_HOME=
RL_RUNDIR=
RL_CONFDIR=
RL_SAVED=
RL_OURS=no
RL_SHM_LOCK=
RL_SHM_LOCK_NEW=no
# The account files whose state is restored at exit. The primary databases
# are only compared (a concurrent change there must never be lost); the
# subordinate id files lose our lines; the backups are restored exactly.
RL_ETC_PRIMARY=(passwd group shadow gshadow)
RL_ETC_SUBID=(subuid subgid)
RL_ETC_BACKUPS=(passwd- group- shadow- gshadow- subuid- subgid-)

# rl_podman ARGS...: podman as the test's user, with a clean environment, in
# the user's private configuration and storage; stdin from /dev/null.
rl_podman() {
	(
		cd / &&
			timeout 60 setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
				env -i HOME="$RL_HOME" USER="$RL_USER" LOGNAME="$RL_USER" LANG=C \
				XDG_RUNTIME_DIR="$RL_RUNDIR" \
				PATH=/usr/sbin:/usr/bin:/sbin:/bin \
				CONTAINERS_CONF="$RL_CONFDIR/containers.conf" \
				CONTAINERS_STORAGE_CONF="$RL_CONFDIR/storage.conf" \
				TMPDIR="$RL_HOME/tmp" \
				podman --root "$RL_HOME/storage" --runroot "$RL_RUNDIR/containers" \
				--storage-driver=vfs --runtime=runc "$@" </dev/null
	)
}

# rl_user_pids [all]: pids of the user's processes (not zombies; with "all",
# zombies too), from the real uid in /proc/<pid>/status.
rl_user_pids() {
	[ -n "$RL_UID" ] || return 0
	# One pass over every status file (State comes before Uid in each);
	# processes that vanish meanwhile are skipped silently.
	grep -sHE '^(State|Uid):' /proc/[0-9]*/status 2>/dev/null |
		awk -v uid="$RL_UID" -v all="${1:-}" '
			{ split($0, a, ":"); pid = a[1]; sub("^/proc/", "", pid); sub("/status$", "", pid)
			  split(a[3], v, /[ \t]+/) }
			a[2] == "State" { state[pid] = v[2] }
			a[2] == "Uid" && v[2] == uid && (all == "all" || state[pid] != "Z") { print pid }'
	return 0
}

# rl_free_subid_start: the first id above every range in /etc/subuid and
# /etc/subgid (and at least 100000).
rl_free_subid_start() {
	cat /etc/subuid /etc/subgid 2>/dev/null |
		awk -F: 'BEGIN { m = 100000 } NF >= 3 && $2 + $3 > m { m = $2 + $3 } END { print m }'
}

# rootless_setup: the user, its subordinate ids, runtime directory and
# podman configuration; chains rootless_cleanup into the EXIT trap. Skips
# when rootless podman cannot work here.
rootless_setup() {
	local t conf=/usr/share/containers/containers.conf f err start
	for t in podman conmon runc setpriv useradd userdel usermod newuidmap newgidmap; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (rootless podman needs podman, conmon, runc, uidmap, passwd, util-linux)"
	done
	[ -r "$conf" ] || skip "$conf is missing (package podman / golang-github-containers-common)"
	if [ -r /proc/sys/user/max_user_namespaces ] &&
		[ "$(cat /proc/sys/user/max_user_namespaces)" = 0 ]; then
		skip "user namespaces are disabled (user.max_user_namespaces = 0)"
	fi
	if [ -r /proc/sys/kernel/unprivileged_userns_clone ] &&
		[ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
		skip "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)"
	fi

	trap rl_exit_trap EXIT

	# The account files as they are now.
	RL_SAVED=$LIVE_TMP/etc-saved
	mkdir -p "$RL_SAVED"
	for f in "${RL_ETC_PRIMARY[@]}" "${RL_ETC_SUBID[@]}" "${RL_ETC_BACKUPS[@]}"; do
		if [ -e "/etc/$f" ]; then
			cp -p "/etc/$f" "$RL_SAVED/$f"
		else
			: >"$RL_SAVED/$f.absent"
		fi
	done

	# A name unique to the run (LIVE_SUFFIX is mktemp's random part).
	RL_USER=capaudit-rl-$(printf '%s' "$LIVE_SUFFIX" | tr '[:upper:]' '[:lower:]')
	getent passwd "$RL_USER" >/dev/null 2>&1 &&
		hard_error "user $RL_USER already exists"
	note_host_paths /run/user
	RL_OURS=yes
	err=$(useradd -m -U -s /usr/sbin/nologin -c "capaudit live test" "$RL_USER" 2>&1) || {
		getent passwd "$RL_USER" >/dev/null 2>&1 || RL_OURS=no
		hard_error "useradd $RL_USER failed: $err"
	}
	RL_UID=$(id -u "$RL_USER") && RL_GID=$(id -g "$RL_USER") ||
		hard_error "cannot read the uid of $RL_USER"
	RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
	[ -d "$RL_HOME" ] || hard_error "useradd did not create the home directory of $RL_USER"

	# useradd allocates subordinate ids itself when the files exist; where it
	# did not, give the user a free range.
	if ! grep -q "^$RL_USER:" /etc/subuid 2>/dev/null ||
		! grep -q "^$RL_USER:" /etc/subgid 2>/dev/null; then
		start=$(rl_free_subid_start)
		err=$(usermod --add-subuids "$start-$((start + 65535))" \
			--add-subgids "$start-$((start + 65535))" "$RL_USER" 2>&1) ||
			hard_error "cannot give $RL_USER subordinate ids: $err"
	fi

	RL_RUNDIR=/run/user/$RL_UID
	[ -e "$RL_RUNDIR" ] && hard_error "$RL_RUNDIR already exists (left over by an earlier run?)"
	mkdir -p /run/user
	mkdir -m 700 "$RL_RUNDIR"
	chown "$RL_UID:$RL_GID" "$RL_RUNDIR"
	RL_SHM_LOCK=/dev/shm/libpod_rootless_lock_$RL_UID
	[ -e "$RL_SHM_LOCK" ] || RL_SHM_LOCK_NEW=yes

	mkdir -p "$RL_HOME/storage" "$RL_HOME/tmp" "$RL_HOME/cni" "$RL_HOME/volumes"
	chown "$RL_UID:$RL_GID" "$RL_HOME/storage" "$RL_HOME/tmp" "$RL_HOME/cni" "$RL_HOME/volumes"

	# The containers.conf of lib.sh's podman_setup (RUNTIMES.md's settings,
	# file locks, private tmp, network and volume directories), owned by root
	# and readable by the user.
	RL_CONFDIR=$RL_HOME/capaudit-conf
	mkdir -m 755 "$RL_CONFDIR"
	podman_write_conf "$conf" "$RL_CONFDIR/containers.conf" "$RL_RUNDIR/libpod/tmp" "$RL_HOME/cni" \
		"$RL_HOME/volumes"
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
		"$RL_RUNDIR/containers" "$RL_HOME/storage" >"$RL_CONFDIR/storage.conf"
	chmod 644 "$RL_CONFDIR/containers.conf" "$RL_CONFDIR/storage.conf"

	note "rootless podman as user $RL_USER (uid $RL_UID), subuid $(grep "^$RL_USER:" /etc/subuid | cut -d: -f2-)"
	if ! err=$(rl_podman info --format '{{.Host.Security.Rootless}} {{.Host.OCIRuntime.Name}}' 2>&1); then
		skip "rootless podman cannot start: $(printf '%s' "$err" | tail -n 1 | cut -c1-300)"
	fi
	case $err in
	*true\ runc*) ;;
	*) hard_error "podman as $RL_USER is not rootless with runc: $(printf '%s' "$err" | tail -n 1)" ;;
	esac
}

# rootless_import TARBALL: sets IMAGE.
rootless_import() {
	IMAGE=localhost/capaudit-live-busybox:$LIVE_SUFFIX
	cp "$1" "$RL_HOME/rootfs.tar"
	chmod 644 "$RL_HOME/rootfs.tar"
	rl_podman import -q -c 'CMD ["/bin/sh"]' "$RL_HOME/rootfs.tar" "$IMAGE" >/dev/null 2>"$LIVE_TMP/import.err" ||
		hard_error "rootless podman import failed: $(tr -s '\n' ' ' <"$LIVE_TMP/import.err" | cut -c1-300)"
}

# rootless_run_detached TAG ARGS...: like lib.sh's podman_run_detached, as the
# user. Sets RUN_ID, or returns non-zero with the runtime's error in RUN_ERR.
rootless_run_detached() {
	local tag=$1
	shift
	RUN_ID='' RUN_ERR=''
	if ! RUN_ID=$(rl_podman run -d --network=none --name "capaudit-live-$LIVE_SUFFIX-$tag" \
		"$@" "$IMAGE" sleep 1000 2>"$LIVE_TMP/run.err"); then
		RUN_ERR=$(grep -v 'is not a shared mount' "$LIVE_TMP/run.err" | tr -s '\n' ' ' | cut -c1-300)
		return 1
	fi
	RUN_ID=$(printf '%s' "$RUN_ID" | tail -n 1)
}

# rl_pause_pid: the rootless pause process of the user (podman's pause.pid),
# or nothing.
rl_pause_pid() {
	local f pid
	for f in "$RL_RUNDIR/libpod/tmp/pause.pid" "$RL_RUNDIR/libpod/pause.pid"; do
		[ -s "$f" ] || continue
		pid=$(tr -dc 0-9 <"$f")
		[ -n "$pid" ] && [ -d "/proc/$pid" ] || continue
		[ "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status" 2>/dev/null)" = "$RL_UID" ] || continue
		printf '%s\n' "$pid"
		return 0
	done
	return 0
}

# rl_wait_no_pids SECONDS [all]: wait until the user has no process left.
rl_wait_no_pids() {
	local i
	for i in $(seq 1 $(($1 * 5))); do
		[ -z "$(rl_user_pids "${2:-}")" ] && return 0
		sleep 0.2
	done
	[ -z "$(rl_user_pids "${2:-}")" ]
}

rootless_cleanup() {
	local f left
	[ "$RL_OURS" = yes ] && [ -n "$RL_USER" ] || return 0
	if [ -z "$RL_UID" ]; then
		# A signal between useradd and id.
		RL_UID=$(id -u "$RL_USER" 2>/dev/null) || RL_UID=
		RL_GID=$(id -g "$RL_USER" 2>/dev/null) || RL_GID=
		RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
	fi

	if [ -n "$RL_UID" ] && [ -n "$RL_RUNDIR" ] && [ -d "$RL_RUNDIR" ] && [ -n "$RL_CONFDIR" ] &&
		[ -r "$RL_CONFDIR/containers.conf" ]; then
		rl_podman rm -a -f -t 0 >/dev/null 2>&1 || true
		# Stops the rootless pause process (catatonit).
		rl_podman system migrate >/dev/null 2>&1 || true
	fi
	if [ -n "$RL_UID" ]; then
		# conmon, podman's exit command (container cleanup) and the pause
		# process end on their own; whatever remains of this user (and only
		# of this user: its uid is new) is killed.
		if ! rl_wait_no_pids 5; then
			left=$(rl_user_pids | tr '\n' ' ')
			printf 'warning: killing leftover processes of %s: %s\n' "$RL_USER" "$left" >&2
			pkill -KILL -u "$RL_UID" 2>/dev/null || true
		fi
		# Zombies until pid 1 reaps them (this VM's pid 1 reaps late).
		if ! rl_wait_no_pids 30 all; then
			printf 'warning: processes of %s still exist: %s\n' "$RL_USER" \
				"$(rl_user_pids all | tr '\n' ' ')" >&2
		fi
	fi

	[ -n "$RL_HOME" ] && [ -d "$RL_HOME" ] && unmount_under "$RL_HOME"
	[ -n "$RL_RUNDIR" ] && [ -d "$RL_RUNDIR" ] && unmount_under "$RL_RUNDIR"
	if getent passwd "$RL_USER" >/dev/null 2>&1; then
		if ! userdel -r "$RL_USER" >/dev/null 2>"$LIVE_TMP/userdel.err"; then
			printf 'warning: userdel -r %s failed (%s); forcing\n' "$RL_USER" \
				"$(tr -s '\n' ' ' <"$LIVE_TMP/userdel.err")" >&2
			userdel -f -r "$RL_USER" >/dev/null 2>&1 ||
				printf 'warning: could not remove user %s\n' "$RL_USER" >&2
		fi
	fi
	[ -n "$RL_HOME" ] && [ -d "$RL_HOME" ] && case $RL_HOME in
	*/capaudit-rl-*) rm -rf --one-file-system "$RL_HOME" ;;
	esac
	[ -n "$RL_RUNDIR" ] && [ -d "$RL_RUNDIR" ] && rm -rf --one-file-system "$RL_RUNDIR"
	[ "$RL_SHM_LOCK_NEW" = yes ] && [ -n "$RL_SHM_LOCK" ] && rm -f "$RL_SHM_LOCK"

	rl_restore_etc
	RL_OURS=no
}

# rl_restore_etc: remove the user's subordinate id lines if userdel left
# them, and put the account files' backups (and, where their content is the
# original again, the files' times and modes) back as they were.
rl_restore_etc() {
	local f
	[ -n "$RL_SAVED" ] && [ -d "$RL_SAVED" ] || return 0
	for f in "${RL_ETC_SUBID[@]}"; do
		[ -e "/etc/$f" ] || continue
		if grep -q "^$RL_USER:" "/etc/$f"; then
			sed -i "/^$RL_USER:/d" "/etc/$f"
		fi
		if [ -e "$RL_SAVED/$f.absent" ]; then
			# usermod created it: only an empty one is ours to remove.
			[ -s "/etc/$f" ] || rm -f "/etc/$f"
		elif cmp -s "/etc/$f" "$RL_SAVED/$f"; then
			cp -p "$RL_SAVED/$f" "/etc/$f"
		else
			printf 'warning: /etc/%s changed during the test (by someone else?); only our lines were removed\n' "$f" >&2
		fi
	done
	for f in "${RL_ETC_PRIMARY[@]}"; do
		[ -e "/etc/$f" ] && [ -e "$RL_SAVED/$f" ] || continue
		if grep -q "^$RL_USER:" "/etc/$f"; then
			printf 'warning: /etc/%s still names %s\n' "$f" "$RL_USER" >&2
		elif cmp -s "/etc/$f" "$RL_SAVED/$f"; then
			touch -r "$RL_SAVED/$f" "/etc/$f"
		fi
	done
	# The backups useradd/userdel wrote: restore those that now hold our user
	# (a backup someone else rewrote since is left alone).
	for f in "${RL_ETC_BACKUPS[@]}"; do
		[ -e "/etc/$f" ] || continue
		cmp -s "/etc/$f" "$RL_SAVED/$f" 2>/dev/null && continue
		grep -q "^$RL_USER:" "/etc/$f" || continue
		if [ -e "$RL_SAVED/$f.absent" ]; then
			rm -f "/etc/$f"
		else
			cp -p "$RL_SAVED/$f" "/etc/$f"
		fi
	done
}

rl_return() {
	return "$1"
}

# The EXIT trap: rootless_cleanup first (it needs LIVE_TMP), then lib.sh's
# live_cleanup with the test's exit status.
rl_exit_trap() {
	local rc=$?
	trap '' INT TERM HUP PIPE
	set +eu
	rootless_cleanup
	rl_return "$rc"
	live_cleanup
}
