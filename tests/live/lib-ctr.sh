# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
# (SC2034: IMAGE, CTR_ARCHIVE, RUN_ERR, CTR_PID, CTR_SHIM and CTR_SPEC_CAPS
# are this library's results, read by the test.)
# Helpers for the tests that start real containerd containers with ctr.
#
# Sourced after lib.sh. Everything lives in lib.sh's private LIVE_TMP: a
# private containerd (its own config, root, state, temp and opt dirs, its own
# gRPC socket, no CRI plugin unless lib-cri.sh asks for it), runc's state
# (--runc-root) and the image archive. The containers run in a containerd
# namespace unique to the run ("capaudit-<suffix>"), so their cgroups are
# /capaudit-<suffix>/<id>. ctr_exit_trap (the EXIT trap, chained in front of
# lib.sh's live_cleanup) deletes the tasks, containers and images, stops the
# shims and the containerd this test started, and nothing else.

CTR_DIR=
CTR_SOCK=
CTR_NS=
CTR_CONTAINERD_PID=
CTR_IDS=()
CTR_IMAGES=()
CTR_CGROUPS=()
CTR=()

# ctr_exit_trap: stop what this library started, then lib.sh's cleanup with
# the exit status the test had.
ctr_exit_trap() {
	local rc=$?
	trap '' INT TERM HUP PIPE
	set +eu
	ctr_stop
	(exit "$rc")
	live_cleanup
}

# ctr_setup [CRI-CONFIG-FN]: start a private containerd; sets CTR_SOCK,
# CTR_NS and CTR (the ctr command line for this daemon and namespace). Without
# CRI-CONFIG-FN the CRI plugin is disabled (it would want CNI); with it, the
# function prints the body of the CRI plugin's table (it may write files under
# CTR_DIR, set by then), and CTR_NS is the CRI's namespace, k8s.io. Skips when
# containerd cannot run here.
# shellcheck disable=SC2120
ctr_setup() {
	local b i cri_fn=${1:-} cri=
	local disabled='disabled_plugins = ["io.containerd.grpc.v1.cri"]'
	for b in containerd ctr containerd-shim-runc-v2 runc; do
		command -v "$b" >/dev/null 2>&1 || skip "$b is not installed (package containerd / runc)"
	done

	CTR_DIR=$LIVE_TMP/ctd
	CTR_SOCK=$CTR_DIR/c.sock
	CTR_NS=capaudit-$LIVE_SUFFIX
	[ -z "$cri_fn" ] || CTR_NS=k8s.io
	[ "${#CTR_SOCK}" -lt 100 ] || hard_error "containerd socket path $CTR_SOCK is too long"
	mkdir -p "$CTR_DIR/root" "$CTR_DIR/state" "$CTR_DIR/tmp" "$CTR_DIR/opt" \
		"$CTR_DIR/runc" "$CTR_DIR/fifo"
	trap ctr_exit_trap EXIT

	# Every path private. The shims put their sockets in /run/containerd/s
	# whatever the state dir is (containerd 1.6 hard-codes it): live_cleanup
	# removes that directory if this test created it and left it empty. The
	# namespace's cgroup parent (/capaudit-<suffix> in each hierarchy) is
	# left behind by runc.
	if [ -n "$cri_fn" ]; then
		disabled=
		cri=$("$cri_fn") || hard_error "$cri_fn could not write the CRI plugin's configuration"
	fi
	cat >"$CTR_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTR_DIR/root"
		state = "$CTR_DIR/state"
		temp = "$CTR_DIR/tmp"
		$disabled
		[grpc]
		  address = "$CTR_SOCK"
		[ttrpc]
		  address = "$CTR_SOCK.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins]
		  [plugins."io.containerd.internal.v1.opt"]
		    path = "$CTR_DIR/opt"
	EOF
	if [ -n "$cri_fn" ]; then
		printf '  [plugins."io.containerd.grpc.v1.cri"]\n' >>"$CTR_DIR/config.toml"
		printf '%s\n' "$cri" | sed 's/^/    /' >>"$CTR_DIR/config.toml"
	fi
	note_host_paths /run/containerd /run/containerd/s
	if [ -z "$cri_fn" ]; then
		CTR_CGROUPS=("$CTR_NS")
		note_cgroup_dirs "$CTR_NS"
	fi

	containerd --config "$CTR_DIR/config.toml" >"$CTR_DIR/containerd.log" 2>&1 &
	CTR_CONTAINERD_PID=$!
	CTR=(timeout 60 ctr --address "$CTR_SOCK" --namespace "$CTR_NS")
	for i in $(seq 1 150); do
		if ! kill -0 "$CTR_CONTAINERD_PID" 2>/dev/null; then
			wait "$CTR_CONTAINERD_PID" 2>/dev/null || true
			CTR_CONTAINERD_PID=
			skip "containerd cannot start here: $(live_last_error "$CTR_DIR/containerd.log")"
		fi
		if [ -S "$CTR_SOCK" ] &&
			timeout 5 ctr --address "$CTR_SOCK" version >/dev/null 2>&1; then
			note "started a private containerd (pid $CTR_CONTAINERD_PID) on $CTR_SOCK, namespace $CTR_NS"
			return 0
		fi
		sleep 0.2
	done
	skip "containerd did not answer on $CTR_SOCK within 30 s: $(live_last_error "$CTR_DIR/containerd.log")"
}

# ctr_go_arch: the GOARCH of this machine (an image's platform).
ctr_go_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64 | arm64) echo arm64 ;;
	armv7* | armv6* | armhf) echo arm ;;
	i?86) echo 386 ;;
	ppc64le) echo ppc64le ;;
	s390x) echo s390x ;;
	riscv64) echo riscv64 ;;
	*) dpkg --print-architecture 2>/dev/null || uname -m ;;
	esac
}

# ctr_blob FILE MEDIATYPE: store FILE as a blob of the OCI layout in
# $CTR_DIR/oci; prints its descriptor (JSON).
ctr_blob() {
	local digest size
	digest=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	cp "$1" "$CTR_DIR/oci/blobs/sha256/$digest"
	jq -cn --arg m "$2" --arg d "sha256:$digest" --argjson s "$size" \
		'{mediaType: $m, digest: $d, size: $s}'
}

# ctr_build_oci_archive ROOTFS_TAR: an OCI image layout (oci-layout,
# index.json, blobs for the layer, config and manifest) as a tar in
# CTR_ARCHIVE, whose one manifest is named IMAGE.
ctr_build_oci_archive() {
	IMAGE=localhost/capaudit-live-busybox:$LIVE_SUFFIX
	ctr_oci_layout_add "$IMAGE" "$1" '{"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]}'
	ctr_oci_layout_pack
}

# ctr_oci_layout_add REF LAYER_TAR CONFIG: add to the OCI image layout in
# $CTR_DIR/oci (made on the first call) an image named REF of one layer,
# LAYER_TAR, whose image config's "config" is CONFIG (JSON: Cmd, Entrypoint,
# Env, Labels).
ctr_oci_layout_add() {
	local layout=$CTR_DIR/oci ref=$1 layer diffid cfg man
	mkdir -p "$layout/blobs/sha256"
	[ -e "$layout/index.json" ] || printf '{"schemaVersion": 2, "manifests": []}\n' >"$layout/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}\n' >"$layout/oci-layout"
	layer=$(ctr_blob "$2" application/vnd.oci.image.layer.v1.tar)
	diffid=$(jq -r .digest <<<"$layer")
	jq -cn --arg arch "$(ctr_go_arch)" --arg diff "$diffid" --argjson c "$3" '{
		architecture: $arch, os: "linux", config: $c,
		rootfs: {type: "layers", diff_ids: [$diff]},
		history: [{created_by: "capaudit live test"}]
	}' >"$CTR_DIR/config.json" || hard_error "cannot write the image config of $ref"
	cfg=$(ctr_blob "$CTR_DIR/config.json" application/vnd.oci.image.config.v1+json)
	jq -cn --argjson c "$cfg" --argjson l "$layer" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: $c, layers: [$l]
	}' >"$CTR_DIR/manifest.json"
	man=$(ctr_blob "$CTR_DIR/manifest.json" application/vnd.oci.image.manifest.v1+json)
	jq -c --argjson m "$man" --arg ref "$ref" \
		'.manifests += [$m + {annotations: {"org.opencontainers.image.ref.name": $ref}}]' \
		"$layout/index.json" >"$CTR_DIR/index.json" && mv "$CTR_DIR/index.json" "$layout/index.json"
	rm -f "$CTR_DIR/config.json" "$CTR_DIR/manifest.json"
}

# ctr_oci_layout_pack: the layout as a tar in CTR_ARCHIVE.
ctr_oci_layout_pack() {
	local layout=$CTR_DIR/oci
	CTR_ARCHIVE=$CTR_DIR/busybox-oci.tar
	tar --numeric-owner --owner=0 --group=0 -C "$layout" -cf "$CTR_ARCHIVE" \
		oci-layout index.json blobs ||
		hard_error "cannot build the OCI image archive"
	rm -rf "$layout"
}

# ctr_import [REF...]: import CTR_ARCHIVE (unpacked for the default
# snapshotter): IMAGE alone, or every image of the archive, each of whose
# full names REF... must then be among ctr's images.
ctr_import() {
	local err ref base=()
	[ $# -gt 0 ] || { set -- "$IMAGE"; base=(--base-name "${IMAGE%:*}"); }
	CTR_IMAGES+=("$@")
	if ! err=$("${CTR[@]}" images import "${base[@]}" "$CTR_ARCHIVE" 2>&1); then
		hard_error "ctr images import failed: $(printf '%s' "$err" | tr -s '\n' ' ' | cut -c1-300)"
	fi
	for ref in "$@"; do
		"${CTR[@]}" images ls -q 2>/dev/null | grep -qxF "$ref" ||
			hard_error "ctr images import did not create $ref (images: $("${CTR[@]}" images ls -q 2>&1 | tr '\n' ' '); import said: $(printf '%s' "$err" | tr -s '\n' ' ' | cut -c1-200))"
	done
}

# ctr_run_detached ID ARGS...: `ctr run -d --null-io ARGS IMAGE ID sleep
# 1000` (a new network namespace with no interface but lo, since there is no
# --net-host and no --cni). Returns non-zero with the error in RUN_ERR.
ctr_run_detached() {
	local id=$1
	shift
	CTR_IDS+=("$id")
	RUN_ERR=''
	if ! "${CTR[@]}" run -d --null-io --runc-root "$CTR_DIR/runc" \
		--fifo-dir "$CTR_DIR/fifo" "$@" "$IMAGE" "$id" sleep 1000 \
		>"$LIVE_TMP/run.out" 2>"$LIVE_TMP/run.err"; then
		RUN_ERR=$(cat "$LIVE_TMP/run.out" "$LIVE_TMP/run.err" | tr -s '\n' ' ' | cut -c1-300)
		return 1
	fi
}

# ctr_truth ID: CTR_PID (the task's pid, from `ctr tasks ls`, RUNNING),
# CTR_SHIM (its containerd-shim: the init's parent, whose command line names
# this namespace and ID) and CTR_SPEC_CAPS (the bounding capabilities of the
# container's OCI spec, from `ctr containers info`, as a JSON array).
ctr_truth() {
	local id=$1 line status shimcmd ppid
	line=$("${CTR[@]}" tasks ls 2>/dev/null | awk -v id="$id" '$1 == id')
	read -r _ CTR_PID status <<<"$line"
	if [ "${status:-}" != RUNNING ] || ! [ "${CTR_PID:-0}" -gt 0 ]; then
		hard_error "task $id is not running (ctr tasks ls: ${line:-no such task})"
	fi
	CTR_SPEC_CAPS=$("${CTR[@]}" containers info "$id" | jq -c '.Spec.process.capabilities.bounding // []') ||
		hard_error "ctr containers info $id failed"
	ppid=$(awk '$1 == "PPid:" { print $2 }' "/proc/$CTR_PID/status")
	CTR_SHIM=$ppid
	shimcmd=$(tr '\0' ' ' <"/proc/$ppid/cmdline" 2>/dev/null || true)
	case " $shimcmd " in
	*" -namespace $CTR_NS "*"-id $id "*) ;;
	*) hard_error "the parent (pid $ppid, $(cat "/proc/$ppid/comm" 2>/dev/null)) of task $id (pid $CTR_PID) is not its shim: $shimcmd" ;;
	esac
	note "ctr $id: pid $CTR_PID shim $CTR_SHIM CapEff $(proc_cap "$CTR_PID" CapEff) CapBnd $(proc_cap "$CTR_PID" CapBnd) spec bounding $CTR_SPEC_CAPS"
}

# ctr_caps_mask JSON-ARRAY: the capability names (CAP_X) as a 16-digit hex
# mask.
ctr_caps_mask() {
	local name bit mask=0
	for name in $(jq -r '.[]' <<<"$1"); do
		bit=$(ctr_cap_bit "$name") || hard_error "unknown capability $name"
		mask=$((mask | (1 << bit)))
	done
	printf '%016x\n' "$mask"
}

# ctr_cap_bit CAP_X: the capability's number (linux/capability.h).
ctr_cap_bit() {
	local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID
		SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST
		NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT
		SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE
		SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
		MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
		PERFMON BPF CHECKPOINT_RESTORE) i
	for i in "${!names[@]}"; do
		[ "CAP_${names[$i]}" = "$1" ] && { echo "$i"; return 0; }
	done
	return 1
}

# ctr_check_netns LABEL PID: the container has a network namespace of its
# own holding nothing but lo.
ctr_check_netns() {
	local label=$1 pid=$2 ifs
	[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
		fail_check "container $label (pid $pid) shares the host's network namespace"
	ifs=$(awk 'NR > 2 { sub(":", "", $1); print $1 }' "/proc/$pid/net/dev" | sort | tr '\n' ' ')
	[ "$ifs" = "lo " ] ||
		fail_check "container $label (pid $pid) has network interfaces '$ifs', expected only lo"
}

# ctr_check_entry LABEL ID PID: the container's entry is a plain ctr
# container (no pod, no outer container), and PID belongs to no other entry.
ctr_check_entry() {
	local label=$1 id=$2 pid=$3 got n
	got=$(jq -c --arg id "$id" 'first(.containers[] | select(.id == $id and .runtime == "containerd")) | .pod' "$LIVE_JSON")
	[ "$got" = null ] ||
		fail_check "containerd container $label (id $id): .pod is $got, expected null (a ctr container is no pod member)"
	got=$(jq -c --arg id "$id" 'first(.containers[] | select(.id == $id and .runtime == "containerd")) | .parents' "$LIVE_JSON")
	[ "$got" = "[]" ] ||
		fail_check "containerd container $label (id $id): .parents is $got, expected [] (not nested)"
	n=$(jq --argjson pid "$pid" '[.containers[] | select(any(.processes[]?; .pid == $pid))] | length' "$LIVE_JSON")
	[ "$n" -eq 1 ] ||
		fail_check "containerd container $label (id $id): its pid $pid is a process of $n container entries, expected 1: $(jq -c --argjson pid "$pid" '[.containers[] | select(any(.processes[]?; .pid == $pid)) | {runtime, id}]' "$LIVE_JSON")"
}

# ctr_cgroup_pids: the pids in this run's cgroups (CTR_CGROUPS, paths
# relative to a hierarchy's root: the namespace's, or a CRI test's pods'), any
# hierarchy.
ctr_cgroup_pids() {
	local h cg
	for cg in "${CTR_CGROUPS[@]}"; do
		for h in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
			[ -d "$h" ] || continue
			find "$h" -name cgroup.procs -exec cat {} + 2>/dev/null
		done
	done | sort -un
}

# ctr_our_shims: pids of the containerd shims serving our containerd (their
# command line says "-address $CTR_SOCK"). Reads the command lines without
# forking per process: lib.sh's live_pids_naming takes seconds on a busy VM.
ctr_our_shims() {
	local pid args i
	for pid in $(pgrep -x containerd-shim 2>/dev/null); do
		mapfile -d '' -t args <"/proc/$pid/cmdline" 2>/dev/null || continue
		for i in "${!args[@]}"; do
			if [ "${args[$i]}" = -address ] && [ "${args[$((i + 1))]:-}" = "$CTR_SOCK" ]; then
				printf '%s\n' "$pid"
				break
			fi
		done
	done
	return 0
}

# ctr_stop: delete the tasks, containers and images, stop the containerd this
# library started; then kill what is left of ours: shims naming our socket,
# processes in our namespace's cgroups.
ctr_stop() {
	local id i pids=()
	[ -n "$CTR_DIR" ] || return 0
	if [ -n "$CTR_CONTAINERD_PID" ] && kill -0 "$CTR_CONTAINERD_PID" 2>/dev/null; then
		for id in "${CTR_IDS[@]}"; do
			"${CTR[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
		done
		for id in "${CTR_IDS[@]}"; do
			for i in $(seq 1 25); do
				"${CTR[@]}" tasks delete --force "$id" >/dev/null 2>&1 && break
				"${CTR[@]}" tasks ls -q 2>/dev/null | grep -qxF "$id" || break
				sleep 0.2
			done
			"${CTR[@]}" containers delete "$id" >/dev/null 2>&1 || true
		done
		[ ${#CTR_IMAGES[@]} -eq 0 ] || "${CTR[@]}" images rm "${CTR_IMAGES[@]}" >/dev/null 2>&1 || true
	fi

	# Stragglers (a failed delete, a containerd that died): the container
	# processes first, then their shims.
	mapfile -t pids < <(ctr_cgroup_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		printf 'warning: killing leftover container processes: %s\n' "${pids[*]}" >&2
		kill -KILL "${pids[@]}" 2>/dev/null || true
	fi
	for i in $(seq 1 25); do
		mapfile -t pids < <(ctr_our_shims)
		[ ${#pids[@]} -gt 0 ] || break
		sleep 0.2
	done
	if [ ${#pids[@]} -gt 0 ]; then
		printf 'warning: killing leftover containerd shims: %s\n' "${pids[*]}" >&2
		kill -KILL "${pids[@]}" 2>/dev/null || true
		for i in $(seq 1 25); do
			[ -z "$(ctr_our_shims)" ] && break
			sleep 0.2
		done
	fi
	# A shim that did not exit by itself left its socket behind, named
	# after sha256(<containerd socket>/<namespace>/<id>) (containerd 1.6's
	# shim.SocketAddress): ours alone.
	for id in "${CTR_IDS[@]}"; do
		rm -f "/run/containerd/s/$(printf '%s' "$CTR_SOCK/$CTR_NS/$id" | sha256sum | cut -d' ' -f1)"
	done

	if [ -n "$CTR_CONTAINERD_PID" ]; then
		stop_daemon containerd "$CTR_CONTAINERD_PID"
		CTR_CONTAINERD_PID=
	fi
	# Killed processes leave their cgroups a moment later.
	for i in $(seq 1 25); do
		[ -z "$(ctr_cgroup_pids)" ] && break
		sleep 0.2
	done
}
