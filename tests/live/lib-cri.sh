# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
# (SC2034: CRI_POD_ID, CRI_POD_CONFIG, CRI_CTR_ID, CRI_REPLY and RUN_ERR are
# this library's results, read by the test.)
# Helpers for the test that runs Kubernetes pods through containerd's CRI
# plugin, as a kubelet would, without a kubelet.
#
# Sourced after lib.sh and lib-ctr.sh. lib-ctr.sh's private containerd runs
# with its CRI plugin on (namespace k8s.io); tests/live/cri.py, on Debian's
# python3-grpcio, makes the CRI calls. Everything the CRI keeps is under the
# private root and state (sandboxes' network namespaces too,
# netns_mounts_under_state_dir); the pods' cgroups are
# /kubepods[/<qos>]/pod<uid>/<id> in each hierarchy, as a kubelet with the
# cgroupfs driver asks.
#
# The pods' network: containerd always adds its loopback network (lo up,
# /usr/lib/cni/loopback), and refuses a sandbox whose default network gives
# eth0 no address. The one network configured here is the static IPAM
# plugin run as the network's plugin: it reports lo's own 127.0.0.1 and
# creates nothing, so a pod's namespace holds lo alone and no link, bridge
# or route appears anywhere (CNI's cache of the results is in
# /var/lib/cni, which the CNI DEL of RemovePodSandbox empties).
#
# cri_exit_trap (the EXIT trap, in place of lib-ctr.sh's) stops and removes
# every pod sandbox of this containerd (all of them are this test's), lets
# lib-ctr.sh remove the images, kill what is left in the pods' cgroups and
# stop the shims and containerd, then removes the pods' cgroups.

CRI_PY=$(dirname "${BASH_SOURCE[0]}")/cri.py
CRI_PYTHON=
CRI_NET=
CRI_PODS=()

# cri_config: the CRI plugin's table for ctr_setup (it writes the CNI
# configuration and plugin directory under CTR_DIR). SANDBOX_IMAGE must be
# set: the CRI would pull it otherwise.
cri_config() {
	local p
	mkdir -p "$CTR_DIR/cni-conf" "$CTR_DIR/cni-bin"
	for p in loopback static; do
		ln -s "/usr/lib/cni/$p" "$CTR_DIR/cni-bin/$p" || return 1
	done
	jq -n --arg name "$CRI_NET" '{
		cniVersion: "1.0.0", name: $name,
		plugins: [{type: "static", ipam: {type: "static", addresses: [{address: "127.0.0.1/8"}]}}]
	}' >"$CTR_DIR/cni-conf/10-$CRI_NET.conflist" || return 1
	# restrict_oom_score_adj: a sandbox asks for oom_score_adj -998, and
	# going below one's own score takes CAP_SYS_RESOURCE, which no process
	# on these hosts holds (RUNTIMES.md); restricted, the CRI keeps ours.
	cat <<-EOF
		sandbox_image = "$SANDBOX_IMAGE"
		restrict_oom_score_adj = true
		netns_mounts_under_state_dir = true
		stream_server_address = "127.0.0.1"
		stream_server_port = "0"
		enable_selinux = false
		[plugins."io.containerd.grpc.v1.cri".cni]
		  bin_dir = "$CTR_DIR/cni-bin"
		  conf_dir = "$CTR_DIR/cni-conf"
		  max_conf_num = 1
		[plugins."io.containerd.grpc.v1.cri".containerd]
		  default_runtime_name = "runc"
		  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		    runtime_type = "io.containerd.runc.v2"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		      Root = "$CTR_DIR/runc"
		      SystemdCgroup = false
	EOF
}

# cri_setup: a private containerd serving the CRI on CTR_SOCK, ready for
# pods (the runtime and its network both ready). Skips where the CRI plugin
# cannot run here, or no python3 has the grpc module.
cri_setup() {
	local py i ready=
	for py in "${PYTHON:-}" python3 /usr/bin/python3; do
		[ -n "$py" ] && "$py" -c 'import grpc' 2>/dev/null && { CRI_PYTHON=$py; break; }
	done
	[ -n "$CRI_PYTHON" ] || skip "no python3 with the grpc module (package python3-grpcio) to speak the CRI"
	for i in loopback static; do
		[ -x "/usr/lib/cni/$i" ] || skip "/usr/lib/cni/$i is not installed (package containernetworking-plugins)"
	done
	CRI_NET=capaudit-lo-$LIVE_SUFFIX
	note_host_paths /var/lib/cni
	ctr_setup cri_config
	trap cri_exit_trap EXIT

	# The plugin loads after containerd answers, or fails to and leaves
	# containerd running without it.
	for i in $(seq 1 100); do
		cri_call Version '{"version": "v1"}' 2>/dev/null && break
		sleep 0.2
	done
	[ -n "$CRI_REPLY" ] ||
		skip "containerd's CRI plugin does not answer: $(grep -i 'cri' "$CTR_DIR/containerd.log" | grep -iE 'error|fail' | tail -n 1 | cut -c1-300)"
	note "the CRI: $CRI_REPLY"
	for i in $(seq 1 100); do
		cri_call Status '{}' && ready=$(jq -r '[.status.conditions[] | select(.status)] | length' <<<"$CRI_REPLY")
		[ "$ready" = 2 ] && return 0
		sleep 0.2
	done
	skip "the CRI is not ready: $(jq -c '[.status.conditions[]? | select(.status | not)]' <<<"${CRI_REPLY:-null}")"
}

# cri_call METHOD [JSON]: one CRI call; the reply (JSON) in CRI_REPLY, or a
# non-zero return with the error on stderr and CRI_REPLY empty.
cri_call() {
	CRI_REPLY=
	CRI_REPLY=$(timeout 150 "$CRI_PYTHON" "$CRI_PY" "$CTR_SOCK" "$@")
}

# cri_must METHOD [JSON]: cri_call, or the test cannot go on.
cri_must() {
	cri_call "$@" 2>"$LIVE_TMP/cri.err" ||
		hard_error "CRI $1 failed: $(tr -s '\n' ' ' <"$LIVE_TMP/cri.err" | cut -c1-400)"
}

# cri_wait_image REF: the CRI knows the image ctr imported (its own store
# follows containerd's events, a moment later).
cri_wait_image() {
	local i
	for i in $(seq 1 50); do
		cri_must ImageStatus "$(jq -cn --arg r "$1" '{image: {image: $r}}')"
		[ "$(jq -r '.image.id // ""' <<<"$CRI_REPLY")" = "" ] || return 0
		sleep 0.2
	done
	hard_error "the CRI does not see image $1, which ctr imported"
}

# cri_run_pod NAME NAMESPACE UID CGROUP-PARENT LABELS-JSON: RunPodSandbox as a
# kubelet asks for a pod (the pid namespace per container, network and IPC
# the pod's); sets CRI_POD_ID, and CRI_POD_CONFIG (the PodSandboxConfig, which
# CreateContainer is given again), or returns non-zero with the CRI's error in
# RUN_ERR. The pod's cgroups are the exit trap's to remove.
cri_run_pod() {
	local parts part acc=
	CRI_POD_CONFIG=$(jq -cn --arg name "$1" --arg ns "$2" --arg uid "$3" --arg cg "$4" \
		--argjson labels "$5" '{
		metadata: {name: $name, namespace: $ns, uid: $uid, attempt: 0},
		hostname: $name, labels: $labels,
		linux: {cgroup_parent: $cg,
			security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}
	}')
	# /kubepods, its QoS level and the pod's level, in every hierarchy
	IFS=/ read -ra parts <<<"${4#/}"
	for part in "${parts[@]}"; do
		acc=${acc:+$acc/}$part
		note_cgroup_dirs "$acc"
	done
	CTR_CGROUPS+=("${4#/}")
	RUN_ERR=
	if ! cri_call RunPodSandbox "$(jq -cn --argjson c "$CRI_POD_CONFIG" '{config: $c}')" 2>"$LIVE_TMP/cri.err"; then
		RUN_ERR=$(tr -s '\n' ' ' <"$LIVE_TMP/cri.err" | cut -c1-400)
		return 1
	fi
	CRI_POD_ID=$(jq -r .pod_sandbox_id <<<"$CRI_REPLY")
	CRI_PODS+=("$CRI_POD_ID")
	CTR_IDS+=("$CRI_POD_ID")
}

# cri_run_container POD-ID POD-CONFIG NAME IMAGE SECURITY-CONTEXT-JSON
# COMMAND...: CreateContainer and StartContainer; sets CRI_CTR_ID.
cri_run_container() {
	local pod=$1 pcfg=$2 name=$3 image=$4 sc=$5 cfg
	shift 5
	cfg=$(jq -cn --arg name "$name" --arg image "$image" --argjson sc "$sc" \
		'{metadata: {name: $name, attempt: 0}, image: {image: $image},
		  command: $ARGS.positional, linux: {security_context: $sc}}' --args "$@")
	cri_must CreateContainer "$(jq -cn --arg pod "$pod" --argjson c "$cfg" --argjson p "$pcfg" \
		'{pod_sandbox_id: $pod, config: $c, sandbox_config: $p}')"
	CRI_CTR_ID=$(jq -r .container_id <<<"$CRI_REPLY")
	CTR_IDS+=("$CRI_CTR_ID")
	cri_must StartContainer "$(jq -cn --arg id "$CRI_CTR_ID" '{container_id: $id}')"
}

# cri_exit_trap: remove the pods, stop containerd (lib-ctr.sh), remove the
# pods' cgroups, then lib.sh's cleanup with the exit status the test had.
cri_exit_trap() {
	local rc=$?
	trap '' INT TERM HUP PIPE
	set +eu
	cri_stop
	ctr_stop
	cri_remove_cgroups
	(exit "$rc")
	live_cleanup
}

# cri_remove_cgroups: the pods' own cgroups (pod<uid>, this run's alone), in
# every hierarchy. A container's cgroup outlives its killed processes for a
# moment (runc removes it as the shim reaps them): a single pass, as
# live_cleanup makes, would find the pod level busy and leave its parents.
cri_remove_cgroups() {
	local cg h i left
	for i in $(seq 1 25); do
		left=
		for cg in "${CTR_CGROUPS[@]}"; do
			for h in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
				[ -d "$h" ] || continue
				find "$h" -xdev -depth -type d -exec rmdir {} + 2>/dev/null
				[ -d "$h" ] && left="$left $h"
			done
		done
		[ -n "$left" ] || return 0
		sleep 0.2
	done
	printf 'warning: could not remove the cgroups%s\n' "$left" >&2
}

# cri_stop: stop and remove every pod sandbox this containerd has (their
# containers go with them); the images and the daemons are lib-ctr.sh's.
cri_stop() {
	local id ids=() f
	[ -n "$CRI_PYTHON" ] && [ -n "$CTR_CONTAINERD_PID" ] && kill -0 "$CTR_CONTAINERD_PID" 2>/dev/null ||
		return 0
	# A signal between RunPodSandbox and its reply leaves a pod CRI_PODS
	# does not hold: every pod here is this test's.
	cri_call ListPodSandbox '{}' 2>/dev/null || CRI_REPLY='{}'
	mapfile -t ids < <({ printf '%s\n' "${CRI_PODS[@]}"; jq -r '.items[]?.id' <<<"$CRI_REPLY"; } | sort -u | grep .)
	for id in "${ids[@]}"; do
		cri_call StopPodSandbox "$(jq -cn --arg id "$id" '{pod_sandbox_id: $id}')" >/dev/null 2>&1
		cri_call RemovePodSandbox "$(jq -cn --arg id "$id" '{pod_sandbox_id: $id}')" >/dev/null 2>&1 ||
			printf 'warning: RemovePodSandbox %s failed\n' "$id" >&2
		# CNI's cached results, where a DEL did not run
		for f in "/var/lib/cni/results/$CRI_NET-$id-eth0" "/var/lib/cni/results/cni-loopback-$id-lo"; do
			[ -e "$f" ] && rm -f "$f" && printf 'warning: removed %s\n' "$f" >&2
		done
	done
}
