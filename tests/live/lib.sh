# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
# (SC2034: ROOTFS_TAR, IMAGE, RUN_ID, RUN_ERR, LIVE_JSON_RC and CONTAINER_OK
# are this library's results, read by the tests.)
# Helpers for the tests that start real docker and podman containers.
#
# Sourced by tests/live/*.sh (bash, set -euo pipefail). Everything a test
# creates lives in one private temporary directory or carries a name unique to
# the run, and live_cleanup (an EXIT trap, also reached on SIGINT, SIGTERM and
# SIGHUP) removes all of it: containers, pods, images, a dockerd the test
# started (and its containerd), leftover mounts, the temporary directory, and
# host directories the runtimes created that did not exist before.
#
# Exit statuses follow automake's test protocol: 0 pass, 1 fail, 77 skip,
# 99 hard error (the test itself could not do its job).

# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

LIVE_FAILURES=0
LIVE_TMP=
LIVE_JSON=

# skip REASON...: the environment cannot run this test.
skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# hard_error REASON...: the test could not do its job (automake ERROR).
hard_error() {
	printf 'ERROR: %s\n' "$*" >&2
	exit 99
}

# fail_check MESSAGE...: record a mismatch; the test goes on so that one run
# shows every mismatch, and live_finish turns the count into exit status 1.
fail_check() {
	printf 'FAIL: %s\n' "$*" >&2
	LIVE_FAILURES=$((LIVE_FAILURES + 1))
}

note() {
	printf '%s\n' "$*"
}

# live_finish: exit 1 if any check failed, 0 otherwise.
live_finish() {
	if [ "$LIVE_FAILURES" -gt 0 ]; then
		printf 'FAIL: %d check(s) failed\n' "$LIVE_FAILURES" >&2
		if [ -n "${LIVE_JSON:-}" ] && [ -s "$LIVE_JSON" ]; then
			printf -- '--- capaudit --json: summary, and the containers of this test ---\n' >&2
			jq -c --argjson ids "$(live_ids_json)" \
				'.summary,
				 {all_containers: [.containers[]? | "\(.runtime) \(.id) pids \([.processes[]?.pid])"]},
				 (.containers[]? | select(.id as $i | $ids | index($i))
				 | {runtime, id, verdict, findings, masks,
				    processes: [.processes[]? | {pid, comm, masks,
				                                 effective: .capabilities.effective}]})' \
				"$LIVE_JSON" >&2 || cat "$LIVE_JSON" >&2
		fi
		exit 1
	fi
	note "PASS: all checks passed"
	exit 0
}

# ---------------------------------------------------------------------------
# Preconditions and the private temporary directory
# ---------------------------------------------------------------------------

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (running as uid $(id -u))"
}

# live_init: common start of every live test. Skips inside distcheck or
# without root, checks the tools, creates the private temporary directory and
# installs the cleanup trap.
live_init() {
	if [ "${CAPAUDIT_LIVE_TESTS:-yes}" = no ]; then
		skip "real-container tests are skipped inside distcheck"
	fi
	need_root

	: "${CAPAUDIT:=$PWD/capaudit}"
	case $CAPAUDIT in
	/*) ;;
	*) CAPAUDIT=$PWD/$CAPAUDIT ;;
	esac
	[ -x "$CAPAUDIT" ] || hard_error "CAPAUDIT=$CAPAUDIT is not an executable (build capaudit first)"
	export CAPAUDIT

	command -v jq >/dev/null 2>&1 || skip "jq is not installed"
	command -v timeout >/dev/null 2>&1 || skip "timeout(1) is not installed"

	trap live_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	trap 'exit 141' PIPE

	# Unix socket paths (containerd's, under dockerd's exec root) are limited
	# to 108 bytes: keep the directory short even with a long TMPDIR.
	local base=${TMPDIR:-/tmp}
	[ "${#base}" -le 40 ] && [ -d "$base" ] && [ -w "$base" ] || base=/tmp
	LIVE_TMP=$(mktemp -d "$base/capaudit-live.XXXXXXXX") ||
		hard_error "cannot create a temporary directory under $base"
	LIVE_SUFFIX=${LIVE_TMP##*.}

	# Container root filesystems are built under LIVE_TMP: it must allow exec.
	cp /bin/true "$LIVE_TMP/exec-probe" 2>/dev/null &&
		"$LIVE_TMP/exec-probe" 2>/dev/null ||
		skip "$LIVE_TMP cannot hold executables (noexec mount?)"
	rm -f "$LIVE_TMP/exec-probe"

	LIVE_LINKS_BEFORE=$(live_links)
}

# live_links: the network interfaces of the host, one name per line.
live_links() {
	ls -1 /sys/class/net 2>/dev/null | sort
}

# assert_no_new_links: a runtime must never have created a bridge or a veth
# pair here (every container runs with --network=none).
assert_no_new_links() {
	local now new
	now=$(live_links)
	new=$(comm -13 <(printf '%s\n' "$LIVE_LINKS_BEFORE") <(printf '%s\n' "$now"))
	if [ -n "$new" ]; then
		fail_check "the test created network interfaces: $(printf '%s' "$new" | tr '\n' ' ') (every container must use --network=none)"
	fi
}

# ---------------------------------------------------------------------------
# Host paths the runtimes create as a side effect
# ---------------------------------------------------------------------------

LIVE_HOST_PATHS_NEW=()

# note_host_paths PATH...: remember which of these paths do not exist yet;
# live_cleanup removes the empty directories the test left under them (never a
# file, never a non-empty directory: a concurrent user keeps its state).
note_host_paths() {
	local p
	for p in "$@"; do
		[ -e "$p" ] || LIVE_HOST_PATHS_NEW+=("$p")
	done
}

# note_cgroup_dirs NAME: the same for /sys/fs/cgroup/<every hierarchy>/NAME.
note_cgroup_dirs() {
	local h
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "$h" ] || continue
		note_host_paths "${h%/}/$1"
	done
}

LIVE_HOST_TREES_NEW=()

# note_host_trees PATH...: for caches a runtime creates with files in them
# (no setting moves them): if PATH does not exist yet, live_cleanup removes it
# with its contents.
note_host_trees() {
	local p
	for p in "$@"; do
		[ -e "$p" ] || LIVE_HOST_TREES_NEW+=("$p")
	done
}

remove_new_host_paths() {
	local p
	for p in "${LIVE_HOST_TREES_NEW[@]}"; do
		[ -d "$p" ] && rm -rf --one-file-system "$p"
	done
	for p in "${LIVE_HOST_PATHS_NEW[@]}"; do
		[ -d "$p" ] || continue
		# Bottom up; rmdir refuses what is not empty (or is a busy cgroup).
		find "$p" -xdev -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
}

# ---------------------------------------------------------------------------
# The busybox root filesystem
# ---------------------------------------------------------------------------

# build_busybox_rootfs: set ROOTFS_TAR to a tarball holding a busybox-static
# root filesystem (bin/busybox and one symlink per applet), built under
# LIVE_TMP. No registry is needed to run containers from it.
# (Helpers that skip, fail or record state return through variables: in a
# command substitution their exit and their bookkeeping would be lost.)
build_busybox_rootfs() {
	local bb root tarball applet
	bb=$(command -v busybox 2>/dev/null) || skip "busybox is not installed (package busybox-static)"
	bb=$(readlink -f "$bb")
	if command -v ldd >/dev/null 2>&1 && ldd "$bb" >/dev/null 2>&1; then
		skip "$bb is dynamically linked (install busybox-static)"
	fi
	root=$LIVE_TMP/rootfs
	tarball=$LIVE_TMP/rootfs.tar
	mkdir -p "$root/bin" "$root/dev" "$root/etc" "$root/proc" "$root/root" \
		"$root/sys" "$root/tmp"
	chmod 1777 "$root/tmp"
	cp "$bb" "$root/bin/busybox"
	for applet in $("$bb" --list); do
		case $applet in
		busybox | */*) continue ;;
		esac
		ln -s busybox "$root/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$tarball" . ||
		hard_error "cannot build the busybox root filesystem tarball"
	rm -rf "$root"
	ROOTFS_TAR=$tarball
}

# ---------------------------------------------------------------------------
# docker
# ---------------------------------------------------------------------------

# /usr/local/bin/docker may be a newer client without an engine.
DOCKER_BIN=/usr/bin/docker
LIVE_DOCKER_SOCK=/run/capaudit-test-docker.sock
LIVE_DOCKERD_PID=
LIVE_DOCKER_LOCK_FD=
LIVE_DOCKER_NAMES=()
LIVE_DOCKER_IMAGES=()

docker_cmd() {
	timeout 60 "$DOCKER_BIN" "$@"
}

# docker_start: use the engine on the default socket if one answers;
# otherwise start a private dockerd (private data root, exec root, pid file,
# socket and config file; no bridge, no iptables, no forwarding) that
# live_cleanup stops again. Exports DOCKER_HOST. Skips when no engine can run.
docker_start() {
	[ -x "$DOCKER_BIN" ] || skip "$DOCKER_BIN is not installed (package docker.io)"
	# Only a local engine: its containers must be in this host's /proc.
	unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
	export DOCKER_CONFIG=$LIVE_TMP/docker-client
	mkdir -p "$DOCKER_CONFIG"
	# (podman reads it too, for credentials, and fails if it is missing)
	printf '{}\n' >"$DOCKER_CONFIG/config.json"

	if [ -S /var/run/docker.sock ] &&
		DOCKER_HOST=unix:///var/run/docker.sock timeout 10 "$DOCKER_BIN" version \
			--format '{{.Server.Version}}' >/dev/null 2>&1; then
		export DOCKER_HOST=unix:///var/run/docker.sock
		note "using the docker engine already running on $DOCKER_HOST"
		return 0
	fi

	local dockerd d i
	dockerd=$(command -v dockerd 2>/dev/null || echo /usr/sbin/dockerd)
	[ -x "$dockerd" ] || skip "no docker engine answers on /var/run/docker.sock and dockerd is not installed"
	# One private dockerd at a time on the fixed socket: a second one would
	# unlink the first one's socket. Two test runs at once (make check in two
	# build trees) take turns. The lock is on the dockerd binary itself so
	# that no lock file is left behind.
	exec {LIVE_DOCKER_LOCK_FD}<"$dockerd"
	if command -v flock >/dev/null 2>&1; then
		flock -w 60 "$LIVE_DOCKER_LOCK_FD" ||
			skip "another capaudit test has held the private-dockerd lock for 60 s"
	fi
	if [ -S "$LIVE_DOCKER_SOCK" ] &&
		DOCKER_HOST=unix://$LIVE_DOCKER_SOCK timeout 10 "$DOCKER_BIN" version >/dev/null 2>&1; then
		skip "another dockerd already listens on $LIVE_DOCKER_SOCK (a concurrent or killed test run?)"
	fi

	note_host_paths /run/docker /run/containerd /var/run/docker "$LIVE_DOCKER_SOCK"
	note_cgroup_dirs docker

	d=$LIVE_TMP/dockerd
	mkdir -p "$d/data" "$d/exec"
	export DOCKER_HOST=unix://$LIVE_DOCKER_SOCK
	# dockerd 20.10 writes its identity key to /etc/docker/key.json unless
	# told otherwise; an engine that no longer knows the setting refuses it.
	dockerd_launch "$dockerd" "{\"deprecated-key-path\": \"$d/key.json\"}" && return 0
	if [ -z "$LIVE_DOCKERD_PID" ] && grep -q 'deprecated-key-path' "$d/dockerd.log" 2>/dev/null; then
		dockerd_launch "$dockerd" '{}' && return 0
	fi
	skip "dockerd could not start: $(live_last_error "$d/dockerd.log")"
}

# dockerd_launch DOCKERD CONFIG-JSON: start the private dockerd and wait until
# it answers (0), or until it dies or 30 s pass (1, the log says why).
dockerd_launch() {
	local d=$LIVE_TMP/dockerd i
	# A config file of our own: a host /etc/docker/daemon.json must not
	# contradict the flags (dockerd refuses conflicting settings).
	printf '%s\n' "$2" >"$d/daemon.json"
	mkdir -p "$d/tmp"
	# setsid: a ^C to the test must reach the test's trap, not dockerd, so
	# that the containers are removed before the engine goes away. (In a
	# script, a background job is no process group leader, so setsid does not
	# fork and $! is dockerd itself.) TMPDIR:
	# containerd dumps goroutine stacks there (on SIGUSR1). The lock stays
	# with the test, not with the daemons and containers.
	TMPDIR=$d/tmp setsid "$1" \
		--config-file "$d/daemon.json" \
		--data-root "$d/data" --exec-root "$d/exec" \
		--pidfile "$d/dockerd.pid" -H "unix://$LIVE_DOCKER_SOCK" \
		--iptables=false --ip6tables=false --ip-forward=false \
		--ip-masq=false --bridge=none --userland-proxy=false \
		--storage-driver=vfs \
		</dev/null >"$d/dockerd.log" 2>&1 {LIVE_DOCKER_LOCK_FD}<&- &
	LIVE_DOCKERD_PID=$!

	for i in $(seq 1 150); do
		if ! kill -0 "$LIVE_DOCKERD_PID" 2>/dev/null; then
			wait "$LIVE_DOCKERD_PID" 2>/dev/null || true
			LIVE_DOCKERD_PID=
			return 1
		fi
		if timeout 5 "$DOCKER_BIN" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
			note "started a private dockerd (pid $LIVE_DOCKERD_PID) on $DOCKER_HOST"
			return 0
		fi
		sleep 0.2
	done
	printf 'dockerd did not answer on %s within 30 s\n' "$LIVE_DOCKER_SOCK" >>"$d/dockerd.log"
	return 1
}

# live_last_error LOG: the last line of LOG that looks like an error, on one line.
live_last_error() {
	local line
	line=$(grep -iE 'level=(error|fatal)|error|failed' "$1" 2>/dev/null | tail -n 1)
	[ -n "$line" ] || line=$(tail -n 1 "$1" 2>/dev/null)
	printf '%s' "${line:-no log}" | tr -s '\n\t' '  ' | cut -c1-300
}

# docker_import TARBALL: import the root filesystem; sets IMAGE.
docker_import() {
	local id
	IMAGE=capaudit-live-busybox:$LIVE_SUFFIX
	LIVE_DOCKER_IMAGES+=("$IMAGE")
	id=$(docker_cmd import -c 'CMD ["/bin/sh"]' "$1" "$IMAGE") ||
		hard_error "docker import of the busybox root filesystem failed"
	LIVE_DOCKER_IMAGES+=("$id")
}

# docker_run_detached TAG ARGS...: start `sleep 1000` from IMAGE, detached,
# with --network=none and ARGS, in a container named after the run and TAG.
# Sets RUN_ID, or returns non-zero with the runtime's error in RUN_ERR.
docker_run_detached() {
	local tag=$1 name
	shift
	name=capaudit-live-$LIVE_SUFFIX-$tag
	LIVE_DOCKER_NAMES+=("$name")
	RUN_ID='' RUN_ERR=''
	if ! RUN_ID=$(docker_cmd run -d --network=none --name "$name" "$@" "$IMAGE" sleep 1000 2>"$LIVE_TMP/run.err"); then
		RUN_ERR=$(tr -s '\n' ' ' <"$LIVE_TMP/run.err" | cut -c1-300)
		return 1
	fi
	RUN_ID=$(printf '%s' "$RUN_ID" | tail -n 1)
}

# stop_daemon NAME PID: SIGTERM, up to 30 s, then SIGKILL; reap it.
stop_daemon() {
	local i
	kill -TERM "$2" 2>/dev/null || true
	for i in $(seq 1 150); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$2" 2>/dev/null; then
		printf 'warning: %s (pid %s) ignored SIGTERM for 30 s; killing it\n' "$1" "$2" >&2
		kill -KILL "$2" 2>/dev/null || true
	fi
	wait "$2" 2>/dev/null || true
}

docker_stop() {
	local d=$LIVE_TMP/dockerd i cpid
	if [ ${#LIVE_DOCKER_NAMES[@]} -gt 0 ]; then
		timeout 60 "$DOCKER_BIN" rm -f "${LIVE_DOCKER_NAMES[@]}" >/dev/null 2>&1 || true
	fi
	if [ ${#LIVE_DOCKER_IMAGES[@]} -gt 0 ]; then
		timeout 60 "$DOCKER_BIN" rmi -f "${LIVE_DOCKER_IMAGES[@]}" >/dev/null 2>&1 || true
	fi
	# A signal between `dockerd &` and `$!` leaves only the pid file.
	if [ -z "$LIVE_DOCKERD_PID" ] && [ -s "$d/dockerd.pid" ]; then
		cpid=$(cat "$d/dockerd.pid")
		grep -qF "$d/exec" "/proc/$cpid/cmdline" 2>/dev/null && LIVE_DOCKERD_PID=$cpid
	fi
	[ -n "$LIVE_DOCKERD_PID" ] || return 0

	# The containerd that dockerd started for itself: stop it too if dockerd
	# cannot (it is ours: its pid file is under our exec root).
	cpid=$(cat "$d/exec/containerd/containerd.pid" 2>/dev/null || true)
	stop_daemon dockerd "$LIVE_DOCKERD_PID"
	LIVE_DOCKERD_PID=
	if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null &&
		grep -qF "$d/exec" "/proc/$cpid/cmdline" 2>/dev/null; then
		kill -TERM "$cpid" 2>/dev/null || true
		for i in $(seq 1 50); do
			kill -0 "$cpid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$cpid" 2>/dev/null || true
	fi
	rm -f "$LIVE_DOCKER_SOCK"
}

# ---------------------------------------------------------------------------
# podman (rootful)
# ---------------------------------------------------------------------------

PODMAN=()
LIVE_PODMAN_DIR=

# podman_write_conf SRC DEST TMP NET VOL: Debian's containers.conf SRC plus
# the settings this VM needs (RUNTIMES.md), and private per-boot, network and
# volume directories. "file" locks keep the shared /dev/shm/libpod_lock
# segment untouched: a podman whose tmp dir is new "refreshes" and would free
# every lock in that shared segment.
podman_write_conf() {
	awk -v tmp="$3" -v net="$4" -v vol="$5" '
		/^[[:space:]]*(default_ulimits|cgroup_manager|events_logger|runtime|tmp_dir|lock_type|network_config_dir|volume_path)[[:space:]]*=/ { next }
		{ print }
		/^\[containers\][[:space:]]*$/ {
			print "default_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]"
		}
		/^\[network\][[:space:]]*$/ {
			print "network_config_dir = \"" net "\""
		}
		/^\[engine\][[:space:]]*$/ {
			print "cgroup_manager = \"cgroupfs\""
			print "events_logger = \"file\""
			print "runtime = \"runc\""
			print "tmp_dir = \"" tmp "\""
			print "lock_type = \"file\""
			print "volume_path = \"" vol "\""
		}' "$1" >"$2"
	grep -q '^cgroup_manager = "cgroupfs"' "$2" && grep -q '^default_ulimits' "$2" ||
		hard_error "$1 lacks a [containers] or [engine] table; cannot derive containers.conf"
}

# podman_setup: a private podman: containers.conf of RUNTIMES.md in LIVE_TMP
# (exported as CONTAINERS_CONF), private storage (vfs), run root, tmp dir,
# lock files and network config dir, so that the host's podman state is never
# read or written. Skips when podman cannot work here.
podman_setup() {
	local p conf=/usr/share/containers/containers.conf
	command -v podman >/dev/null 2>&1 || skip "podman is not installed"
	command -v conmon >/dev/null 2>&1 || [ -x /usr/libexec/podman/conmon ] ||
		skip "conmon is not installed"
	[ -r "$conf" ] || skip "$conf is missing (package podman / golang-github-containers-common)"

	p=$LIVE_TMP/podman
	LIVE_PODMAN_DIR=$p
	mkdir -p "$p/root" "$p/runroot" "$p/tmp" "$p/net" "$p/volumes" "$p/imgtmp"

	podman_write_conf "$conf" "$p/containers.conf" "$p/tmp" "$p/net" "$p/volumes"
	export CONTAINERS_CONF=$p/containers.conf

	# Storage fully private too: a host storage.conf (overlay options,
	# additional image stores) must not leak in.
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
		"$p/runroot" "$p/root" >"$p/storage.conf"
	export CONTAINERS_STORAGE_CONF=$p/storage.conf
	# Image copies go to TMPDIR, not /var/tmp.
	export TMPDIR=$p/imgtmp

	PODMAN=(timeout 60 podman --root "$p/root" --runroot "$p/runroot" --storage-driver=vfs)

	note_host_paths /run/runc /run/libpod /run/containers /run/netns /var/lib/cni \
		/var/lib/containers
	# containers/image keeps root's blob-info cache there, whatever the
	# storage root (no setting in podman 4.3 moves it).
	note_host_trees /var/lib/containers/cache
	note_cgroup_dirs libpod_parent

	local err
	if ! err=$("${PODMAN[@]}" info --format '{{.Host.OCIRuntime.Name}}' 2>&1); then
		skip "podman cannot start: $(printf '%s' "$err" | tail -n 1 | cut -c1-300)"
	fi
}

# podman_import TARBALL: sets IMAGE.
podman_import() {
	IMAGE=localhost/capaudit-live-busybox:$LIVE_SUFFIX
	"${PODMAN[@]}" import -q -c 'CMD ["/bin/sh"]' "$1" "$IMAGE" >/dev/null ||
		hard_error "podman import of the busybox root filesystem failed"
}

# podman_run_detached TAG ARGS...: like docker_run_detached. Inside a pod
# (ARGS has --pod) the network is the pod's, created with --network=none.
podman_run_detached() {
	local tag=$1 a net=--network=none
	shift
	for a in "$@"; do
		case $a in --pod | --pod=*) net= ;; esac
	done
	RUN_ID='' RUN_ERR=''
	if ! RUN_ID=$("${PODMAN[@]}" run -d ${net:+"$net"} --name "capaudit-live-$LIVE_SUFFIX-$tag" \
		"$@" "$IMAGE" sleep 1000 2>"$LIVE_TMP/run.err"); then
		RUN_ERR=$(tr -s '\n' ' ' <"$LIVE_TMP/run.err" | cut -c1-300)
		return 1
	fi
	RUN_ID=$(printf '%s' "$RUN_ID" | tail -n 1)
}

podman_stop() {
	local i pids=()
	[ -n "$LIVE_PODMAN_DIR" ] && [ ${#PODMAN[@]} -gt 0 ] || return 0
	# Private storage: "all" is exactly what this test created.
	"${PODMAN[@]}" rm -a -f -t 0 >/dev/null 2>&1 || true
	"${PODMAN[@]}" pod rm -a -f -t 0 >/dev/null 2>&1 || true
	"${PODMAN[@]}" rmi -a -f >/dev/null 2>&1 || true
	# conmon and its exit command (podman container cleanup) outlive `rm` for
	# a moment; wait for them, then stop the stragglers: each names our
	# private directory on its command line, so each is ours.
	for i in $(seq 1 50); do
		mapfile -t pids < <(live_pids_naming "$LIVE_PODMAN_DIR")
		[ ${#pids[@]} -gt 0 ] || break
		sleep 0.2
	done
	if [ ${#pids[@]} -gt 0 ]; then
		printf 'warning: killing leftover podman helpers: %s\n' "${pids[*]}" >&2
		kill -KILL "${pids[@]}" 2>/dev/null || true
	fi
}

# live_pids_naming STRING: pids of live processes (not zombies) whose command
# line contains STRING.
live_pids_naming() {
	# One pgrep, not a grep per process: that took seconds on a busy host.
	pgrep -f -- "$(printf '%s' "$1" | sed 's/[].[*^$()+?{}|\\]/\\&/g')" | grep -vx -e "$$" -e "$BASHPID" || true
}

# ---------------------------------------------------------------------------
# Cleanup
# ---------------------------------------------------------------------------

# unmount_under DIR: unmount whatever a runtime left mounted below DIR,
# deepest first (lazy as a last resort), so that rm never meets a mount.
unmount_under() {
	local m
	awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
}

live_cleanup() {
	local rc=$?
	trap '' INT TERM HUP PIPE
	set +eu
	docker_stop
	podman_stop
	if [ -n "${LIVE_TMP:-}" ] && [ -d "$LIVE_TMP" ]; then
		unmount_under "$LIVE_TMP"
		rm -rf --one-file-system "$LIVE_TMP"
		[ -d "$LIVE_TMP" ] && printf 'warning: could not remove %s\n' "$LIVE_TMP" >&2
	fi
	remove_new_host_paths
	exit "$rc"
}

# ---------------------------------------------------------------------------
# Truth from /proc, and the checks against capaudit's output
# ---------------------------------------------------------------------------

# cgroup_dirs_of PID: the directories of PID's cgroups (one per line of
# /proc/PID/cgroup whose hierarchy is mounted under /sys/fs/cgroup), the
# cgroup2 one first.
cgroup_dirs_of() {
	local ctl path v2 out=()
	v2=$(awk '$9 == "cgroup2" && index($5, "/sys/fs/cgroup") == 1 { print $5; exit }' /proc/self/mountinfo)
	while IFS=: read -r _ ctl path; do
		if [ -z "$ctl" ]; then
			[ -n "$v2" ] && [ -d "$v2$path" ] && out=("$v2$path" "${out[@]}")
		elif [ -d "/sys/fs/cgroup/${ctl#name=}$path" ]; then
			out+=("/sys/fs/cgroup/${ctl#name=}$path")
		fi
	done <"/proc/$1/cgroup"
	[ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
}

LIVE_IDS=()

# live_ids_json: the ids of this test's containers, as a JSON array.
live_ids_json() {
	printf '%s\n' "${LIVE_IDS[@]}" | jq -R . | jq -cs 'map(select(. != ""))'
}

# proc_cap PID FIELD: the 16 lower-case hex digits of FIELD (CapEff, CapBnd,
# ...) in /proc/PID/status.
proc_cap() {
	local v
	v=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$v" ] || hard_error "cannot read $2 of pid $1 from /proc/$1/status"
	printf '%016s\n' "$(printf '%s' "$v" | tr 'A-F' 'a-f')" | tr ' ' 0
}

popcount_hex() {
	local v=$((16#$1)) n=0
	while [ "$v" -ne 0 ]; do
		n=$((n + (v & 1)))
		v=$(((v >> 1) & 0x7fffffffffffffff))
	done
	printf '%d\n' "$n"
}

# run_capaudit_json: run "$CAPAUDIT" --json into LIVE_JSON and check the
# document as a whole: valid JSON, exactly one document, schema_version 1,
# a consistent summary, and the exit status (1 when a container fails, else 0).
run_capaudit_json() {
	local rc=0 expect nfail
	LIVE_JSON=$LIVE_TMP/capaudit.json
	timeout 60 "$CAPAUDIT" --json >"$LIVE_JSON" 2>"$LIVE_TMP/capaudit.json.err" || rc=$?
	if [ -s "$LIVE_TMP/capaudit.json.err" ]; then
		note "capaudit --json wrote to stderr:"
		sed 's/^/  /' "$LIVE_TMP/capaudit.json.err"
	fi
	if [ "$rc" -ge 2 ]; then
		fail_check "capaudit --json exited with status $rc (2 is a usage, policy or I/O error)"
	fi
	if ! jq -e . "$LIVE_JSON" >/dev/null 2>&1; then
		fail_check "capaudit --json did not print valid JSON (exit status $rc): $(head -c 300 "$LIVE_JSON")"
		live_finish
	fi
	if [ "$(jq -s length "$LIVE_JSON")" != 1 ]; then
		fail_check "capaudit --json printed $(jq -s length "$LIVE_JSON") JSON documents, not one"
	fi
	if ! jq -e '.schema_version == 1' "$LIVE_JSON" >/dev/null; then
		fail_check "capaudit --json: .schema_version is $(jq -c .schema_version "$LIVE_JSON"), expected 1"
	fi
	if ! jq -e '.containers | type == "array"' "$LIVE_JSON" >/dev/null; then
		fail_check "capaudit --json: .containers is not an array"
		live_finish
	fi
	nfail=$(jq '[.containers[] | select(.verdict == "fail")] | length' "$LIVE_JSON")
	expect=0
	[ "$nfail" -gt 0 ] && expect=1
	if [ "$rc" -ne "$expect" ]; then
		fail_check "capaudit --json exited with status $rc, expected $expect ($nfail container(s) with verdict fail)"
	fi
	if ! jq -e '.summary.containers == (.containers | length)' "$LIVE_JSON" >/dev/null; then
		fail_check "capaudit --json: .summary.containers is $(jq -c .summary.containers "$LIVE_JSON"), but .containers has $(jq '.containers | length' "$LIVE_JSON") entries"
	fi
	if ! jq -e --argjson n "$nfail" '.summary.failed == $n' "$LIVE_JSON" >/dev/null; then
		fail_check "capaudit --json: .summary.failed is $(jq -c .summary.failed "$LIVE_JSON"), but $nfail container(s) have verdict fail"
	fi
	LIVE_JSON_RC=$rc
}

# live_host_root_scan OUT POLICY SRC:DEST...: capaudit --host-root --json
# --policy POLICY into OUT (stderr into OUT.err), as a DaemonSet that mounts
# a host runs it: in a mount namespace of its own, the host root is a
# directory of LIVE_TMP holding the host's /proc and, at each DEST under it,
# SRC (a private daemon's state, where the runtime keeps it by default).
# Returns 0 where capaudit exited 0 or 1.
live_host_root_scan() {
	local json=$1 policy=$2 hr=$LIVE_TMP/hostroot
	shift 2
	mkdir -p "$hr/proc"
	# shellcheck disable=SC2016
	unshare -m sh -c 'hr=$1 exe=$2 policy=$3; shift 3
		mount --make-rprivate / && mount --rbind /proc "$hr/proc" || exit 2
		for b in "$@"; do
			mkdir -p "$hr/${b#*:}" && mount --bind "${b%%:*}" "$hr/${b#*:}" || exit 2
		done
		exec "$exe" --host-root "$hr" --json --policy "$policy"' \
		sh "$hr" "$CAPAUDIT" "$policy" "$@" >"$json" 2>"$json.err" || [ $? -eq 1 ]
}

# run_capaudit_text: run "$CAPAUDIT" (text table) into LIVE_TEXT; EXPECT_RC is
# the exit status the test's own containers imply.
run_capaudit_text() {
	local rc=0
	LIVE_TEXT=$LIVE_TMP/capaudit.txt
	timeout 60 "$CAPAUDIT" >"$LIVE_TEXT" 2>"$LIVE_TMP/capaudit.txt.err" || rc=$?
	if [ -s "$LIVE_TMP/capaudit.txt.err" ]; then
		note "capaudit (text) wrote to stderr:"
		sed 's/^/  /' "$LIVE_TMP/capaudit.txt.err"
	fi
	if [ "$rc" -ne "$1" ]; then
		fail_check "capaudit (text output) exited with status $rc, expected $1"
	fi
}

# check_text_row LABEL RUNTIME ID VERDICT: the table has exactly one row for
# the container, RUNTIME and its ID as the table shows it (the first 12
# characters of a 64-hex id, any other id in full) in the first two columns
# and VERDICT (PASS, FAIL) in the last.
check_text_row() {
	local label=$1 runtime=$2 id=$3 verdict=$4 rows n last
	[[ $id =~ ^[0-9a-f]{64}$ ]] && id=${id:0:12}
	rows=$(awk -v r="$runtime" -v i="$id" '$1 == r && $2 == i' "$LIVE_TEXT")
	n=$(printf '%s' "$rows" | grep -c . || true)
	if [ "$n" -ne 1 ]; then
		fail_check "$label (id $id): text output has $n rows starting with '$runtime $id', expected 1;" \
			"rows naming it: $(grep -F -- "$id" "$LIVE_TEXT" | head -n 3 | tr -s ' \n' '  ' || true)"
		return 0
	fi
	last=$(printf '%s\n' "$rows" | awk '{ print $NF }')
	if [ "$last" != "$verdict" ]; then
		fail_check "$label (id $id): text output VERDICT column is '$last', expected '$verdict' (row: $rows)"
	fi
}

# check_container LABEL RUNTIME ID PID VERDICT: capaudit's JSON reports the
# container exactly once, with RUNTIME, the full ID and VERDICT, and its
# process PID with the masks and names of /proc/PID/status. Sets CONTAINER_OK.
check_container() {
	local label=$1 runtime=$2 id=$3 pid=$4 verdict=$5
	local what="$runtime container $label (id ${id:0:12}, pid $pid)"
	local n got eff bnd eff_after bnd_after names nbits has_raw want_raw
	CONTAINER_OK=no
	LIVE_IDS+=("$id")

	# docker, podman and CRI ids are 64 hex digits; ctr, LXC and nspawn
	# containers are named by their users, unknown ones by their pid namespace.
	case $runtime in
	docker | podman)
		[[ $id =~ ^[0-9a-f]{64}$ ]] ||
			hard_error "$what: the runtime reported an id that is not 64 hex digits: $id" ;;
	*)
		[ -n "$id" ] || hard_error "$what: empty container id" ;;
	esac
	n=$(jq --arg id "$id" '[.containers[] | select(.id == $id)] | length' "$LIVE_JSON")
	if [ "$n" -ne 1 ]; then
		fail_check "$what: $n container entries have .id == \"$id\", expected exactly 1" \
			"(runtimes: $(jq -c --arg id "$id" '[.containers[] | select(.id == $id) | .runtime]' "$LIVE_JSON"))"
		[ "$n" -gt 0 ] || return 0
	fi
	n=$(jq --arg id "$id" --arg rt "$runtime" \
		'[.containers[] | select(.id == $id and .runtime == $rt)] | length' "$LIVE_JSON")
	if [ "$n" -ne 1 ]; then
		fail_check "$what: .runtime is $(jq -c --arg id "$id" '[.containers[] | select(.id == $id) | .runtime]' "$LIVE_JSON"), expected \"$runtime\""
		return 0
	fi
	C() { jq -c --arg id "$id" --arg rt "$runtime" --argjson pid "$pid" \
		"first(.containers[] | select(.id == \$id and .runtime == \$rt)) | $1" "$LIVE_JSON"; }

	got=$(C .verdict)
	[ "$got" = "\"$verdict\"" ] ||
		fail_check "$what: .verdict is $got, expected \"$verdict\""

	n=$(C '[.processes[]? | select(.pid == $pid)] | length')
	if [ "$n" -ne 1 ]; then
		fail_check "$what: .processes has $n entries with .pid == $pid (the runtime's State.Pid), expected 1;" \
			"pids reported: $(C '[.processes[]?.pid]')"
		return 0
	fi
	P() { C "first(.processes[] | select(.pid == \$pid)) | $1"; }

	eff=$(proc_cap "$pid" CapEff)
	bnd=$(proc_cap "$pid" CapBnd)
	got=$(P .masks.effective)
	[ "$got" = "\"0x$eff\"" ] ||
		fail_check "$what: process .masks.effective is $got, expected \"0x$eff\" (CapEff in /proc/$pid/status)"
	got=$(P .masks.bounding)
	[ "$got" = "\"0x$bnd\"" ] ||
		fail_check "$what: process .masks.bounding is $got, expected \"0x$bnd\" (CapBnd in /proc/$pid/status)"

	names=$(P .capabilities.effective)
	if ! jq -e 'type == "array" and all(.[]; type == "string" and . == ascii_downcase and startswith("cap_"))' \
		<<<"$names" >/dev/null; then
		fail_check "$what: process .capabilities.effective is not an array of lower-case cap_* names: $names"
	else
		nbits=$(popcount_hex "$eff")
		[ "$(jq length <<<"$names")" -eq "$nbits" ] ||
			fail_check "$what: process .capabilities.effective has $(jq length <<<"$names") names, but CapEff 0x$eff has $nbits bits: $names"
		has_raw=$(jq 'index("cap_net_raw") != null' <<<"$names")
		want_raw=false
		[ $(((16#$eff >> 13) & 1)) -eq 1 ] && want_raw=true
		[ "$has_raw" = "$want_raw" ] ||
			fail_check "$what: process .capabilities.effective contains cap_net_raw: $has_raw, but bit 13 of CapEff 0x$eff says $want_raw"
	fi

	# The process could not have changed its sets during the scan (sleep
	# never calls capset); a change means the pid was reused or misread.
	eff_after=$(proc_cap "$pid" CapEff)
	bnd_after=$(proc_cap "$pid" CapBnd)
	[ "$eff_after$bnd_after" = "$eff$bnd" ] ||
		hard_error "$what: /proc/$pid/status changed during the test"
	CONTAINER_OK=yes
}

# findings_rules LABEL ID: the container's .findings[].rule, as a JSON array.
findings_rules() {
	jq -c --arg id "$1" 'first(.containers[] | select(.id == $id)) | [.findings[]?.rule]' "$LIVE_JSON"
}

# check_has_rule LABEL ID RULE [JQ-CONDITION [DESCRIPTION]]: a finding with
# .rule == RULE exists (and, if given, satisfies JQ-CONDITION).
check_has_rule() {
	local label=$1 id=$2 rule=$3 cond=${4:-true} desc=${5:-}
	jq -e --arg id "$id" --arg rule "$rule" \
		"first(.containers[] | select(.id == \$id)) | any(.findings[]?; .rule == \$rule and ($cond))" \
		"$LIVE_JSON" >/dev/null ||
		fail_check "container $label (id ${id:0:12}): no finding with rule \"$rule\"${desc:+ $desc}; findings: $(jq -c --arg id "$id" 'first(.containers[] | select(.id == $id)) | .findings' "$LIVE_JSON")"
}

# check_no_rule LABEL ID RULE: no finding has .rule == RULE.
check_no_rule() {
	local label=$1 id=$2 rule=$3
	jq -e --arg id "$id" --arg rule "$rule" \
		'first(.containers[] | select(.id == $id)) | any(.findings[]?; .rule == $rule) | not' \
		"$LIVE_JSON" >/dev/null ||
		fail_check "container $label (id ${id:0:12}): unexpected finding with rule \"$rule\"; findings: $(jq -c --arg id "$id" 'first(.containers[] | select(.id == $id)) | .findings' "$LIVE_JSON")"
}

# check_no_failing_findings LABEL ID: no finding fails the container, and none
# is about its capabilities (the policy's low checks may still warn).
check_no_failing_findings() {
	local label=$1 id=$2
	jq -e --arg id "$id" 'first(.containers[] | select(.id == $id)) |
		(.findings | type == "array" and
		 all(.[]; .fails == false and (.rule | IN("privileged", "net-raw", "cap-added") | not)))' \
		"$LIVE_JSON" >/dev/null ||
		fail_check "container $label (id ${id:0:12}): expected no failing or capability finding, got $(jq -c --arg id "$id" 'first(.containers[] | select(.id == $id)) | .findings' "$LIVE_JSON")"
}

# check_pids_not_containers WHAT PID...: none of these pids appears as a
# process of any container.
check_pids_not_containers() {
	local what=$1 pid n
	shift
	for pid in "$@"; do
		n=$(jq --argjson pid "$pid" '[.containers[] | select(any(.processes[]?; .pid == $pid))] | length' "$LIVE_JSON")
		[ "$n" -eq 0 ] ||
			fail_check "$what pid $pid is reported as a process of container(s) $(jq -c --argjson pid "$pid" '[.containers[] | select(any(.processes[]?; .pid == $pid)) | {runtime, id}]' "$LIVE_JSON")"
	done
}
