# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2016
# (SC2016: the sh -c scripts and jq programs expand their own $ variables.)
# Helpers for the tests that start bare OCI runtimes (runc, crun) without any
# engine: tests/live/runc.sh and tests/live/crun.sh. Sourced after lib.sh.
#
# Each container is a bundle of its own (`<runtime> spec`, edited with jq) in the
# test's private temporary directory, run detached with a private state root
# (--root), its stdio on files, and a cgroupsPath under a parent cgroup unique
# to the run (/capaudit-live-<suffix>/<runtime>-<tag>). Nothing but the
# runtime's own state names these containers (no engine, no known cgroup
# layout): where capaudit does not read that state (the private root is not
# the host root's run/runc or run/crun), it must call each one runtime
# "unknown", id "pidns:<inode of /proc/<init>/ns/pid>"; with the private root
# bound at run/<runtime> under a --host-root, runtime <runtime>, the id the
# test gave, named by its state (oci_check_named).
#
# oci_exit (the EXIT trap, chained before lib.sh's live_cleanup) deletes the
# containers, kills whatever is still in this run's cgroups and removes them.

OCI_RT=            # runc | crun
OCI_DIR=           # $LIVE_TMP/oci
OCI_STATE=         # the runtime's private --root
OCI_ROOTFS=        # the unpacked busybox tree, shared read-only by all bundles
OCI_CG_PARENT=     # capaudit-live-<suffix>, relative to every hierarchy root
OCI_CRUN_HYBRID=no # crun 1.8.1 on a v1/v2 hybrid: the bind-mount workaround
OCI_NAMES=()       # container ids given to the runtime (cleanup deletes them)
OCI_RUNTIME_PIDS=() # pids the runtime process itself had (runc/crun run -d)
OCI_NOT_CONTAINERS=() # pids that must not be container processes
OCI_RUNS=()        # "TAG NAME PID PIDNS BUNDLE" of each container run
OCI_CG_MOUNTS_BEFORE=

# Capability names, bit by bit (linux/capability.h).
OCI_CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID
	SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN
	NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE
	SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG
	MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
	WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

# docker's 14 default capabilities (moby oci/caps/defaults.go).
OCI_DOCKER_DEFAULTS=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD
	CAP_NET_RAW CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP
	CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL CAP_AUDIT_WRITE)

# oci_config_masks CONFIG: "<bounding> <effective> <permitted>", the
# 16 lower-case hex digits of the masks the CAP_* lists of config.json stand
# for. An unknown name is a hard error.
oci_config_masks() {
	local names out b e p
	names=$(printf 'CAP_%s\n' "${OCI_CAP_NAMES[@]}" | jq -R . | jq -cs .)
	out=$(jq -r --argjson names "$names" '
		.process.capabilities as $c
		| [ "bounding", "effective", "permitted" ]
		| map(($c[.] // []) | unique
		      | map(. as $n | ($names | index($n)) // error("unknown capability \($n)"))
		      | map(pow(2; .)) | add // 0)
		| map(tostring) | join(" ")' "$1" 2>&1) ||
		hard_error "cannot read the capabilities of $1: $out"
	read -r b e p <<<"$out"
	printf '%016x %016x %016x\n' "$b" "$e" "$p"
}

# oci_cgroup_mounts: the mount point of every cgroup hierarchy (v1 and v2).
oci_cgroup_mounts() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $5; break } }' \
		/proc/self/mountinfo | awk '$1 == "cgroup" || $1 == "cgroup2" { print $2 }' | sort -u
}

# oci_bind_mounts_on PATH: how many mounts sit on PATH in this mount
# namespace (the crun workaround must never leak out of its `unshare -m`).
oci_bind_mounts_on() {
	awk -v p="$1" '$5 == p' /proc/self/mountinfo | wc -l
}

# oci_setup RUNTIME: check the runtime, prepare the private directories, the
# rootfs tree and the cleanup trap. Skips when the runtime is not installed.
oci_setup() {
	OCI_RT=$1
	command -v "$OCI_RT" >/dev/null 2>&1 || skip "$OCI_RT is not installed"
	OCI_DIR=$LIVE_TMP/oci
	OCI_STATE=$OCI_DIR/state
	OCI_CG_PARENT=capaudit-live-$LIVE_SUFFIX
	mkdir -p "$OCI_DIR" "$OCI_STATE"

	# Chain our cleanup before lib.sh's (which removes LIVE_TMP: the
	# containers must be gone before their rootfs is).
	trap oci_exit EXIT
	note_cgroup_dirs "$OCI_CG_PARENT"

	if [ "$OCI_RT" = crun ] && oci_is_hybrid; then
		command -v unshare >/dev/null 2>&1 || skip "crun on a cgroup v1/v2 hybrid needs unshare(1)"
		OCI_CRUN_HYBRID=yes
		: >"$OCI_DIR/empty-controllers"
		OCI_CG_MOUNTS_BEFORE=$(oci_bind_mounts_on /sys/fs/cgroup/unified/cgroup.controllers)
	fi

	build_busybox_rootfs
	OCI_ROOTFS=$OCI_DIR/rootfs
	mkdir -p "$OCI_ROOTFS"
	tar -C "$OCI_ROOTFS" -xf "$ROOTFS_TAR" ||
		hard_error "cannot unpack $ROOTFS_TAR into $OCI_ROOTFS"
}

# oci_is_hybrid: cgroup v1 controllers plus a cgroup2 mount at
# /sys/fs/cgroup/unified that has controllers (crun 1.8.1 refuses that:
# "cgroups in hybrid mode not supported, drop all controllers from cgroupv2").
oci_is_hybrid() {
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] &&
		[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
		[ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]
}

# oci_cmd [--record-pid FILE] ARGS...: run the runtime with the private state
# root (crun on a hybrid inside `unshare -m` with an empty file over
# cgroup.controllers). With --record-pid, FILE receives the pid of the
# runtime process itself (sh execs it, so $$ is that pid).
oci_cmd() {
	local pidfile=/dev/null
	if [ "${1:-}" = --record-pid ]; then
		pidfile=$2
		shift 2
	fi
	if [ "$OCI_CRUN_HYBRID" = yes ]; then
		timeout 30 unshare -m --propagation private sh -c '
			pidfile=$1 empty=$2
			shift 2
			mount --bind "$empty" /sys/fs/cgroup/unified/cgroup.controllers || exit 125
			echo $$ >"$pidfile"
			exec "$@"' sh "$pidfile" "$OCI_DIR/empty-controllers" \
			"$OCI_RT" --root "$OCI_STATE" "$@"
	else
		timeout 30 sh -c 'pidfile=$1; shift; echo $$ >"$pidfile"; exec "$@"' \
			sh "$pidfile" "$OCI_RT" --root "$OCI_STATE" "$@"
	fi
}

# oci_run TAG CAPS-JQ: create the bundle for container <runtime>-TAG (the
# runtime's own `spec` template; absolute rootfs, `sleep 1000`, no terminal,
# this run's cgroupsPath, the template's namespaces: pid, network (loopback
# only), ipc, uts, mount), apply the jq filter CAPS-JQ to
# .process.capabilities, and run it detached. Sets NAME, PID (from
# --pid-file), BUNDLE and PIDNS; or returns non-zero with the runtime's error
# in RUN_ERR.
oci_run() {
	local tag=$1 capsjq=$2 rc=0 b
	NAME=capaudit-live-$LIVE_SUFFIX-$OCI_RT-$tag
	b=$OCI_DIR/bundle-$tag
	BUNDLE=$b
	RUN_ERR='' PID='' PIDNS=''
	mkdir -p "$b"
	(cd "$b" && "$OCI_RT" spec 2>"$b/spec.err") ||
		hard_error "$OCI_RT spec failed: $(cat "$b/spec.err")"
	jq --arg root "$OCI_ROOTFS" --arg cg "/$OCI_CG_PARENT/$OCI_RT-$tag" --arg tag "$tag" "
		if (.linux.namespaces | map(.type) | index(\"network\") and index(\"pid\"))
		then . else error(\"the template lacks a network or pid namespace\") end
		| .root.path = \$root
		| .process.args = [\"sleep\", \"1000\"]
		| .process.terminal = false
		| .linux.cgroupsPath = \$cg
		| .annotations = {\"capaudit.test\": \$tag}
		| .process.capabilities |= ($capsjq)" \
		"$b/config.json" >"$b/config.json.new" 2>"$b/jq.err" ||
		hard_error "jq could not edit $b/config.json: $(cat "$b/jq.err")"
	mv "$b/config.json.new" "$b/config.json"

	OCI_NAMES+=("$NAME")
	(cd "$b" && oci_cmd --record-pid "$b/runtime.pid" run -d --pid-file "$b/init.pid" "$NAME" \
		</dev/null >"$b/run.out" 2>"$b/run.err") || rc=$?
	[ -s "$b/runtime.pid" ] && OCI_RUNTIME_PIDS+=("$(cat "$b/runtime.pid")")
	if [ "$rc" -ne 0 ]; then
		RUN_ERR="exit status $rc: $(cat "$b/run.err" "$b/run.out" | tr -s '\n' ' ' | cut -c1-300)"
		return 1
	fi
	PID=$(cat "$b/init.pid" 2>/dev/null || true)
	[[ $PID =~ ^[0-9]+$ ]] ||
		hard_error "$OCI_RT run -d $NAME succeeded but wrote no pid to --pid-file: '$PID'"
	PIDNS=$(readlink "/proc/$PID/ns/pid") ||
		hard_error "cannot read /proc/$PID/ns/pid of container $NAME"
	PIDNS=${PIDNS#pid:[}
	PIDNS=${PIDNS%]}
	[[ $PIDNS =~ ^[0-9]+$ ]] || hard_error "unexpected /proc/$PID/ns/pid link for $NAME: $PIDNS"
	OCI_RUNS+=("$tag $NAME $PID $PIDNS $BUNDLE")
}

# oci_truth TAG: compare the runtime's own report (`<runtime> state`), the
# pid file and /proc; note the facts. Needs NAME and PID from oci_run.
oci_truth() {
	local tag=$1 st spid status host_pidns nspid cg
	st=$(oci_cmd state "$NAME" 2>"$BUNDLE/state.err") ||
		hard_error "$OCI_RT state $NAME failed: $(cat "$BUNDLE/state.err")"
	read -r spid status <<<"$(jq -r '"\(.pid) \(.status)"' <<<"$st")"
	[ "$status" = running ] && [ "$spid" = "$PID" ] ||
		hard_error "$OCI_RT state $NAME: status $status pid $spid (pid file: $PID)"
	[ "$(cat "/proc/$PID/comm" 2>/dev/null)" = sleep ] ||
		hard_error "container $NAME: pid $PID is '$(cat "/proc/$PID/comm" 2>/dev/null)', not sleep"
	# A container with a pid namespace of its own: its init is pid 1 in it.
	host_pidns=$(readlink /proc/2/ns/pid 2>/dev/null || readlink /proc/self/ns/pid)
	[ "pid:[$PIDNS]" != "$host_pidns" ] ||
		hard_error "container $NAME shares the host's pid namespace"
	nspid=$(awk '$1 == "NSpid:" { $1 = ""; print substr($0, 2) }' "/proc/$PID/status")
	[ "${nspid##* }" = 1 ] ||
		hard_error "container $NAME: init pid $PID has NSpid '$nspid', expected it to be 1 inside"
	# The runtime put it into the cgroupsPath we gave.
	cg=$(grep -m1 '^0::' "/proc/$PID/cgroup" || true)
	[ "$cg" = "0::/$OCI_CG_PARENT/$OCI_RT-$tag" ] ||
		note "warning: container $NAME: /proc/$PID/cgroup says '$cg', expected 0::/$OCI_CG_PARENT/$OCI_RT-$tag"
	note "$OCI_RT $tag: id $NAME pid $PID pidns $PIDNS ppid $(awk '$1 == "PPid:" { print $2 }' "/proc/$PID/status")" \
		"NSpid '$nspid' CapEff $(proc_cap "$PID" CapEff) CapBnd $(proc_cap "$PID" CapBnd)" \
		"cgroup '$cg'"
}

# oci_check_masks LABEL ID PID: capaudit's container masks equal those of
# /proc/PID/status, and the bounding, effective and permitted sets equal the
# lists in the bundle's config.json (BUNDLE).
oci_check_masks() {
	local label=$1 id=$2 pid=$3 i set field want_proc got cfg=() masks=()
	local what="$OCI_RT container $label (id $id, pid $pid)"
	local sets=(bounding effective permitted inheritable ambient)
	local fields=(CapBnd CapEff CapPrm CapInh CapAmb)
	read -r -a cfg <<<"$(oci_config_masks "$BUNDLE/config.json")"
	mapfile -t masks < <(jq -r --arg id "$id" \
		'first(.containers[] | select(.id == $id)) | .masks
		 | (.bounding, .effective, .permitted, .inheritable, .ambient) | tojson' "$LIVE_JSON")
	for i in "${!sets[@]}"; do
		set=${sets[$i]} field=${fields[$i]}
		want_proc=$(proc_cap "$pid" "$field")
		got=${masks[$i]:-none}
		[ "$got" = "\"0x$want_proc\"" ] ||
			fail_check "$what: container .masks.$set is $got, expected \"0x$want_proc\" ($field in /proc/$pid/status)"
		if [ "$i" -lt 3 ] && [ "${cfg[$i]}" != "$want_proc" ]; then
			hard_error "$what: the runtime did not apply config.json: process.capabilities.$set is 0x${cfg[$i]}, $field is 0x$want_proc"
		fi
	done
}

# oci_check_unknown LABEL ID PID: the container has runtime "unknown" (checked
# by check_container), nothing else but its init (the pid namespace holds
# only `sleep`), no pod and no outer containers.
oci_check_unknown() {
	local label=$1 id=$2 pid=$3 got=()
	local what="$OCI_RT container $label (id $id, pid $pid)"
	mapfile -t got < <(jq -c --arg id "$id" 'first(.containers[] | select(.id == $id))
		| [.processes[]?.pid], .pod, .parents' "$LIVE_JSON")
	[ "${got[0]}" = "[$pid]" ] ||
		fail_check "$what: .processes pids are ${got[0]}, expected [$pid] (its pid namespace holds only sleep)"
	[ "${got[1]}" = null ] ||
		fail_check "$what: .pod is ${got[1]}, expected null"
	[ "${got[2]}" = "[]" ] ||
		fail_check "$what: .parents is ${got[2]}, expected [] (not nested)"
}

# oci_note_runtime_pids: just before the scan, the pids that must not be
# container processes: the runtime process itself of each `run -d` (gone by
# now), anything still naming this run's state root, and every process named
# runc or crun in the host's pid namespace (crun 1.8.1 leaves an intermediate
# child as a zombie of pid 1: comm "crun", the host's root cgroups; other
# tests' runtimes are no containers either). Sets OCI_NOT_CONTAINERS.
oci_note_runtime_pids() {
	local d pid host_pidns named=()
	OCI_NOT_CONTAINERS=("${OCI_RUNTIME_PIDS[@]}")
	mapfile -t named < <(live_pids_naming "$OCI_STATE")
	[ ${#named[@]} -eq 0 ] ||
		note "processes naming $OCI_STATE at scan time: ${named[*]}"
	OCI_NOT_CONTAINERS+=("${named[@]}")
	host_pidns=$(readlink /proc/2/ns/pid 2>/dev/null || readlink /proc/self/ns/pid)
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		case $(cat "$d/comm" 2>/dev/null) in
		runc | crun) ;;
		*) continue ;;
		esac
		[ "$(readlink "$d/ns/pid" 2>/dev/null)" = "$host_pidns" ] || continue
		note "host process $pid: $(awk '$1 == "Name:" || $1 == "State:" || $1 == "PPid:" { printf "%s %s ", $1, $2 }' "$d/status" 2>/dev/null)"
		OCI_NOT_CONTAINERS+=("$pid")
	done
}

# oci_check_runtime_not_container: none of OCI_NOT_CONTAINERS is a process
# of any container.
oci_check_runtime_not_container() {
	check_pids_not_containers "$OCI_RT (its run -d, or a runc/crun process of the host)" \
		"${OCI_NOT_CONTAINERS[@]}"
}

# oci_check_named_in OUT HOW: in the --host-root report OUT, each container
# of OCI_RUNS is the runtime's, by the id the test gave it, recognised by its
# state (source "state"), named by that id, with its init and nothing else,
# the annotation capaudit.test its tag, the bounding set of its config.json
# as configured (within the host's), and no container left by its pid
# namespace's name. HOW says where the spec was read.
oci_check_named_in() {
	local out=$1 how=$2 v tag name pid pidns bundle bnd what n
	for v in "${OCI_RUNS[@]}"; do
		read -r tag name pid pidns bundle <<<"$v"
		what="$OCI_RT $tag (--host-root, $how)"
		check_named "$out" "$what" "$OCI_RT" "$name" '"\(.source) \(.workload.state) \(.workload.name)"' \
			"state read $name"
		check_named "$out" "$what" "$OCI_RT" "$name" '[.processes[].pid] | tostring' "[$pid]"
		check_named "$out" "$what" "$OCI_RT" "$name" '.workload.labels["capaudit.test"] // ""' "$tag"
		read -r bnd _ <<<"$(oci_config_masks "$bundle/config.json")"
		check_named "$out" "$what" "$OCI_RT" "$name" '.workload.configured.bounding.mask // ""' \
			"$(host_masked "$bnd")"
		n=$(jq --arg id "pidns:$pidns" '[.containers[] | select(.id == $id)] | length' "$out")
		[ "$n" -eq 0 ] ||
			fail_check "$what: $n containers still have the id pidns:$pidns"
	done
}

# oci_check_named: capaudit --host-root with the private state root bound
# where the runtime's default is (run/runc, run/crun). crun keeps the spec it
# ran beside its status; a copy of the state root without those copies, with
# the bundles bound where their status says, gives the same from the
# bundles' config.json.
oci_check_named() {
	local out=$LIVE_TMP/named.json copy=$LIVE_TMP/state-copy rc=0
	run_capaudit_host_root "$out" "$OCI_STATE:run/$OCI_RT" || rc=$?
	check_host_root_run "$OCI_RT" "$rc" "$out" && oci_check_named_in "$out" "its own state"
	[ "$OCI_RT" = crun ] || return 0
	cp -a "$OCI_STATE" "$copy" || hard_error "cannot copy $OCI_STATE"
	find "$copy" -mindepth 2 -maxdepth 2 -name config.json -delete
	rc=0
	run_capaudit_host_root "$out" "$copy:run/crun" "$OCI_DIR:${OCI_DIR#/}" || rc=$?
	check_host_root_run "crun, the bundles' specs" "$rc" "$out" && oci_check_named_in "$out" "the bundle's spec"
}

# oci_delete_all: delete every container of this run (-f kills it), then kill
# whatever is still in this run's cgroups (all of it is ours), and remove the
# cgroups bottom up. Returns non-zero if a cgroup directory is left.
oci_delete_all() {
	local name h d pids i left=0
	for name in "${OCI_NAMES[@]}"; do
		oci_cmd delete -f "$name" >/dev/null 2>&1 || true
	done
	mapfile -t OCI_HIERARCHIES < <(oci_cgroup_mounts)
	for i in $(seq 1 50); do
		pids=()
		for h in "${OCI_HIERARCHIES[@]}"; do
			[ -d "$h/$OCI_CG_PARENT" ] || continue
			mapfile -t -O "${#pids[@]}" pids < <(find "$h/$OCI_CG_PARENT" -name cgroup.procs \
				-exec cat {} + 2>/dev/null)
		done
		[ ${#pids[@]} -gt 0 ] || break
		[ "$i" -eq 1 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
		sleep 0.1
	done
	for h in "${OCI_HIERARCHIES[@]}"; do
		d=$h/$OCI_CG_PARENT
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
		if [ -d "$d" ]; then
			printf 'warning: could not remove cgroup %s\n' "$d" >&2
			left=1
		fi
	done
	return "$left"
}

# oci_teardown_checks: delete the containers now and check that the runtime
# removed each container's cgroup in every hierarchy, that the parent cgroups
# can be removed, and that the crun workaround's bind mount never reached the
# host's mount namespace.
oci_teardown_checks() {
	local name h tag d left=() i
	for name in "${OCI_NAMES[@]}"; do
		oci_cmd delete -f "$name" >"$OCI_DIR/delete.out" 2>&1 ||
			fail_check "$OCI_RT delete -f $name failed: $(tr -s '\n' ' ' <"$OCI_DIR/delete.out" | cut -c1-300)"
	done
	mapfile -t OCI_HIERARCHIES < <(oci_cgroup_mounts)
	for i in $(seq 1 50); do
		left=()
		for name in "${OCI_NAMES[@]}"; do
			tag=${name#capaudit-live-"$LIVE_SUFFIX"-}
			for h in "${OCI_HIERARCHIES[@]}"; do
				d=$h/$OCI_CG_PARENT/$tag
				[ -d "$d" ] && left+=("$d")
			done
		done
		[ ${#left[@]} -gt 0 ] || break
		sleep 0.1
	done
	[ ${#left[@]} -eq 0 ] ||
		fail_check "$OCI_RT delete -f left the containers' cgroups behind: ${left[*]}"
	OCI_NAMES=() # deleted: oci_delete_all only empties and removes the cgroups
	oci_delete_all ||
		fail_check "cannot remove this run's cgroups /$OCI_CG_PARENT"
	if [ "$OCI_CRUN_HYBRID" = yes ] &&
		[ "$(oci_bind_mounts_on /sys/fs/cgroup/unified/cgroup.controllers)" != "$OCI_CG_MOUNTS_BEFORE" ]; then
		fail_check "the bind mount over /sys/fs/cgroup/unified/cgroup.controllers leaked out of unshare -m"
	fi
}

# oci_exit: EXIT trap; runs before lib.sh's live_cleanup.
oci_exit() {
	local rc=$?
	trap '' INT TERM HUP PIPE
	set +eu
	if [ -n "$OCI_STATE" ]; then
		oci_delete_all || true
		if [ "$OCI_CRUN_HYBRID" = yes ] &&
			[ "$(oci_bind_mounts_on /sys/fs/cgroup/unified/cgroup.controllers)" != "$OCI_CG_MOUNTS_BEFORE" ]; then
			printf 'warning: a bind mount over /sys/fs/cgroup/unified/cgroup.controllers leaked; unmounting it\n' >&2
			umount /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true
		fi
	fi
	(exit "$rc")
	live_cleanup
}

# oci_main RUNTIME: the whole test, the same for runc and crun.
#  default    the spec's caps (KILL, NET_BIND_SERVICE, AUDIT_WRITE) -> pass
#  docker14   docker's 14 defaults, NET_RAW included           -> fail, net-raw
#  minimal    NET_BIND_SERVICE only                                -> pass
#  sysadmin   the 14 plus SYS_ADMIN, minus NET_RAW  -> fail, cap-added (SYS_ADMIN)
# bounding = effective = permitted in each (the spec's own for default).
oci_main() {
	local d14 sysadm
	live_init
	oci_setup "$1"

	d14=$(printf '%s\n' "${OCI_DOCKER_DEFAULTS[@]}" | jq -R . | jq -cs .)
	sysadm=$(jq -c 'map(select(. != "CAP_NET_RAW")) + ["CAP_SYS_ADMIN"]' <<<"$d14")

	# The first container doubles as the probe: if the runtime cannot run one
	# at all here, that is the environment, not capaudit.
	oci_run default . || skip "$OCI_RT cannot run a container here: $RUN_ERR"
	oci_truth default
	ID_A=pidns:$PIDNS PID_A=$PID BUNDLE_A=$BUNDLE
	oci_run docker14 "{bounding: $d14, effective: $d14, permitted: $d14}" ||
		hard_error "$OCI_RT run with docker's 14 default capabilities failed: $RUN_ERR"
	oci_truth docker14
	ID_B=pidns:$PIDNS PID_B=$PID BUNDLE_B=$BUNDLE
	oci_run minimal '{bounding: ["CAP_NET_BIND_SERVICE"], effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"]}' ||
		hard_error "$OCI_RT run with NET_BIND_SERVICE only failed: $RUN_ERR"
	oci_truth minimal
	ID_C=pidns:$PIDNS PID_C=$PID BUNDLE_C=$BUNDLE
	oci_run sysadmin "{bounding: $sysadm, effective: $sysadm, permitted: $sysadm}" ||
		hard_error "$OCI_RT run with SYS_ADMIN added and NET_RAW dropped failed: $RUN_ERR"
	oci_truth sysadmin
	ID_D=pidns:$PIDNS PID_D=$PID BUNDLE_D=$BUNDLE

	assert_no_new_links

	oci_note_runtime_pids
	run_capaudit_json

	check_container default unknown "$ID_A" "$PID_A" pass
	if [ "$CONTAINER_OK" = yes ]; then
		BUNDLE=$BUNDLE_A oci_check_masks default "$ID_A" "$PID_A"
		oci_check_unknown default "$ID_A" "$PID_A"
		check_no_failing_findings default "$ID_A"
	fi

	check_container docker14 unknown "$ID_B" "$PID_B" fail
	if [ "$CONTAINER_OK" = yes ]; then
		BUNDLE=$BUNDLE_B oci_check_masks docker14 "$ID_B" "$PID_B"
		oci_check_unknown docker14 "$ID_B" "$PID_B"
		check_has_rule docker14 "$ID_B" net-raw
		check_no_rule docker14 "$ID_B" cap-added
		check_no_rule docker14 "$ID_B" privileged
	fi

	check_container minimal unknown "$ID_C" "$PID_C" pass
	if [ "$CONTAINER_OK" = yes ]; then
		BUNDLE=$BUNDLE_C oci_check_masks minimal "$ID_C" "$PID_C"
		oci_check_unknown minimal "$ID_C" "$PID_C"
		check_no_failing_findings minimal "$ID_C"
	fi

	check_container sysadmin unknown "$ID_D" "$PID_D" fail
	if [ "$CONTAINER_OK" = yes ]; then
		BUNDLE=$BUNDLE_D oci_check_masks sysadmin "$ID_D" "$PID_D"
		oci_check_unknown sysadmin "$ID_D" "$PID_D"
		check_has_rule sysadmin "$ID_D" cap-added '.message | test("SYS_ADMIN"; "i")' \
			"whose message names SYS_ADMIN"
		check_no_rule sysadmin "$ID_D" net-raw
		check_no_rule sysadmin "$ID_D" privileged
	fi

	oci_check_runtime_not_container

	# Container docker14 fails, so both runs must exit 1 whatever else runs.
	[ "$LIVE_JSON_RC" -eq 1 ] ||
		fail_check "capaudit --json exited with $LIVE_JSON_RC although container docker14 ($ID_B) fails"
	run_capaudit_text 1
	check_text_row "$OCI_RT container default" unknown "$ID_A" PASS
	check_text_row "$OCI_RT container docker14" unknown "$ID_B" FAIL
	check_text_row "$OCI_RT container minimal" unknown "$ID_C" PASS
	check_text_row "$OCI_RT container sysadmin" unknown "$ID_D" FAIL

	oci_check_named

	oci_teardown_checks
	assert_no_new_links

	note "$OCI_RT test took ${SECONDS}s"
	live_finish
}
