# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
# (SC2034: EXP_* are this library's results, read by the tests.)
# Helpers for the tests of containers that their users name: LXC
# (tests/live/lxc.sh) and systemd-nspawn (tests/live/nspawn.sh). Sourced after
# lib.sh, whose helpers (live_init, fail_check, check_container, ...) these
# build on.
#
# - named_init: live_init, plus a cleanup chain (named_cleanup_add) that runs
#   before lib.sh's live_cleanup, on exit, failure and signals alike;
# - capability names and masks;
# - what capaudit's built-in policy implies for an observed bounding set
#   (policy_expect, check_policy);
# - checks lib.sh lacks for named containers: the text row with the ID in
#   full, every process of the container's cgroup attributed to it, the
#   container's union of bounding sets;
# - cgroup hierarchies, and (CAPAUDIT_LIVE_FACTS=yes) a dump of what /proc
#   says about a container process and its supervisor.

# ---------------------------------------------------------------------------
# Cleanup chain
# ---------------------------------------------------------------------------

NAMED_CLEANUPS=()

# named_cleanup_add FUNCTION: run FUNCTION at exit, before live_cleanup (which
# unmounts and removes LIVE_TMP and the host paths the test noted). Functions
# run in the order they were added, with set +eu; each must be idempotent.
named_cleanup_add() {
	NAMED_CLEANUPS+=("$1")
}

named_set_rc() {
	return "$1"
}

named_cleanup() {
	local rc=$? f
	trap '' INT TERM HUP PIPE
	set +eu
	for f in "${NAMED_CLEANUPS[@]}"; do
		"$f"
	done
	# live_cleanup takes the exit status from $?.
	named_set_rc "$rc"
	live_cleanup
}

# named_init: live_init, then named_cleanup as the EXIT trap (it ends in
# live_cleanup). lib.sh's INT/TERM/HUP/PIPE traps exit, and so reach it.
named_init() {
	live_init
	trap named_cleanup EXIT
}

# ---------------------------------------------------------------------------
# Capabilities
# ---------------------------------------------------------------------------

# Bit N of a mask is CAP_NAMES[N] (capability.h, up to Linux 6.x).
CAP_NAMES=(chown dac_override dac_read_search fowner fsetid kill setgid setuid
	setpcap linux_immutable net_bind_service net_broadcast net_admin net_raw
	ipc_lock ipc_owner sys_module sys_rawio sys_chroot sys_ptrace sys_pacct
	sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod
	lease audit_write audit_control setfcap mac_override mac_admin syslog
	wake_alarm block_suspend audit_read perfmon bpf checkpoint_restore)

# docker's 14 default capabilities (CIS 5.4's baseline, NET_RAW included).
CAP_DOCKER_DEFAULT=$((0xa80425fb))
CAP_NET_RAW_BIT=13

# cap_bit NAME: the bit number of NAME (sys_admin, SYS_ADMIN, CAP_SYS_ADMIN).
cap_bit() {
	local n=${1,,} i
	n=${n#cap_}
	for i in "${!CAP_NAMES[@]}"; do
		[ "${CAP_NAMES[$i]}" = "$n" ] && {
			printf '%d\n' "$i"
			return 0
		}
	done
	hard_error "unknown capability name: $1"
}

# caps_mask NAME...: the mask of these capabilities, as 16 hex digits.
# (Names only from the test itself: cap_bit's hard_error would be lost in a
# command substitution, so an unknown name is caught by the caller's check.)
caps_mask() {
	local m=0 n b
	for n in "$@"; do
		b=$(cap_bit "$n") || return 1
		m=$((m | (1 << b)))
	done
	printf '%016x\n' "$m"
}

# mask_names_json HEX: the lower-case cap_* names of the bits of HEX, sorted,
# as a JSON array (bits beyond the table as "cap_N").
mask_names_json() {
	local v=$((16#$1)) i out=()
	for ((i = 0; i < 64; i++)); do
		[ $(((v >> i) & 1)) -eq 1 ] || continue
		if [ "$i" -lt ${#CAP_NAMES[@]} ]; then
			out+=("cap_${CAP_NAMES[$i]}")
		else
			out+=("cap_$i")
		fi
	done
	printf '%s\n' "${out[@]}" | jq -R . | jq -cs 'map(select(. != "")) | sort'
}

# cap_last_cap: the highest capability number the kernel knows.
cap_last_cap() {
	local n
	n=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null) || n=40
	[ "$n" -lt ${#CAP_NAMES[@]} ] || n=$((${#CAP_NAMES[@]} - 1))
	printf '%d\n' "$n"
}

# ---------------------------------------------------------------------------
# What capaudit's built-in policy implies for a bounding set
# ---------------------------------------------------------------------------

# policy_expect HEX: what the built-in policy says about a container whose
# bounding set (the union of its processes') is HEX. Sets
#   EXP_PRIVILEGED  yes/no: HEX holds every capability the host's pid 1 holds
#                   below bit 38 (5.5, critical)
#   EXP_NET_RAW     yes/no: NET_RAW in HEX (5.4, high)
#   EXP_ADDED       hex: the capabilities beyond docker's 14 defaults; NET_RAW
#                   is named by net-raw, never here (5.4, medium)
#   EXP_VERDICT     fail when any of these holds (all are medium or above),
#                   pass otherwise.
policy_expect() {
	local bnd=$((16#$1)) host low=$(((1 << 38) - 1)) hostlow
	host=$(proc_cap 1 CapBnd)
	hostlow=$((16#$host & low))
	EXP_PRIVILEGED=no EXP_NET_RAW=no
	[ $((bnd & hostlow)) -eq "$hostlow" ] && EXP_PRIVILEGED=yes
	[ $(((bnd >> CAP_NET_RAW_BIT) & 1)) -eq 1 ] && EXP_NET_RAW=yes
	EXP_ADDED=$(printf '%016x' $((bnd & ~CAP_DOCKER_DEFAULT)))
	EXP_VERDICT=pass
	if [ "$EXP_PRIVILEGED" = yes ] || [ "$EXP_NET_RAW" = yes ] ||
		[ $((16#$EXP_ADDED)) -ne 0 ]; then
		EXP_VERDICT=fail
	fi
}

# check_policy LABEL ID HEX: the container's findings are the ones the
# built-in policy implies for the bounding set HEX, each naming exactly the
# capabilities that make it (findings[].capabilities). With a privileged
# finding expected, only that one is checked.
check_policy() {
	local label=$1 id=$2 names
	policy_expect "$3"
	if [ "$EXP_PRIVILEGED" = yes ]; then
		check_has_rule "$label" "$id" privileged '.severity == "critical"' \
			"with severity \"critical\" (bounding 0x$3 holds all the host's pid 1 holds)"
		return 0
	fi
	check_no_rule "$label" "$id" privileged
	if [ "$EXP_NET_RAW" = yes ]; then
		check_has_rule "$label" "$id" net-raw \
			'.severity == "high" and .cis == "5.4" and .capabilities == ["cap_net_raw"]' \
			"with severity \"high\", cis \"5.4\" and capabilities [\"cap_net_raw\"] (bounding 0x$3)"
	else
		check_no_rule "$label" "$id" net-raw
	fi
	if [ $((16#$EXP_ADDED)) -ne 0 ]; then
		names=$(mask_names_json "$EXP_ADDED")
		check_has_rule "$label" "$id" cap-added \
			".severity == \"medium\" and .cis == \"5.4\" and ((.capabilities // []) | sort) == $names" \
			"with severity \"medium\", cis \"5.4\" and capabilities $names (bounding 0x$3 beyond docker's defaults)"
	else
		check_no_rule "$label" "$id" cap-added
	fi
}

# ---------------------------------------------------------------------------
# More checks of capaudit's output
# ---------------------------------------------------------------------------

# check_pid_in_one_container LABEL PID: exactly one container holds PID.
check_pid_in_one_container() {
	local label=$1 pid=$2 got
	got=$(jq -c --argjson pid "$pid" \
		'[.containers[] | select(any(.processes[]?; .pid == $pid)) | "\(.runtime) \(.id)"]' "$LIVE_JSON")
	[ "$(jq length <<<"$got")" -eq 1 ] ||
		fail_check "$label: pid $pid is a process of $(jq length <<<"$got") containers, expected exactly 1: $got"
}

# check_members LABEL RUNTIME ID PID...: every one of these pids (the
# processes in the container's cgroup) that still runs after the scan is a
# process of the container; the container's .masks.bounding is the union of
# their CapBnd. Sets MEMBERS_BND (the union, 16 hex digits).
check_members() {
	local label=$1 runtime=$2 id=$3 pid u=0 alive=() out missing got
	shift 3
	for pid in "$@"; do
		[ -r "/proc/$pid/status" ] || continue
		alive+=("$pid")
		u=$((u | 16#$(proc_cap "$pid" CapBnd)))
	done
	MEMBERS_BND=$(printf '%016x' "$u")
	[ ${#alive[@]} -gt 0 ] || hard_error "$label: no process of its cgroup is alive"
	out=$(jq -c --arg id "$id" --arg rt "$runtime" --argjson pids "$(printf '%s\n' "${alive[@]}" | jq -cs .)" \
		'first(.containers[] | select(.id == $id and .runtime == $rt)) // null
		 | if . == null then null
		   else [([.processes[]?.pid] as $have | $pids - $have), .masks.bounding] end' \
		"$LIVE_JSON")
	[ "$out" != null ] || return 0
	missing=$(jq -r '.[0] | map(tostring) | join(" ")' <<<"$out")
	got=$(jq -c '.[1]' <<<"$out")
	[ -z "$missing" ] ||
		fail_check "$runtime container $label (id $id): processes of its cgroup missing from its .processes: $missing (of ${alive[*]})"
	[ "$got" = "\"0x$MEMBERS_BND\"" ] ||
		fail_check "$runtime container $label (id $id): .masks.bounding is $got, expected \"0x$MEMBERS_BND\" (the union of CapBnd of pids ${alive[*]})"
}

# ---------------------------------------------------------------------------
# cgroups and /proc
# ---------------------------------------------------------------------------

# cgroup_hierarchies: the mount points of every cgroup hierarchy under
# /sys/fs/cgroup (v1 controllers, name=systemd, cgroup2), one per line.
cgroup_hierarchies() {
	awk '($9 == "cgroup" || $9 == "cgroup2") && ($5 == "/sys/fs/cgroup" || index($5, "/sys/fs/cgroup/") == 1) { print $5 }' \
		/proc/self/mountinfo | sort -u
}

# cgroup_procs_under DIR...: the pids in DIR and every cgroup below it.
cgroup_procs_under() {
	local d
	for d in "$@"; do
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -nu
}

# ppid_of PID
ppid_of() {
	awk '$1 == "PPid:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

# nspid_inner PID: the pid of PID in its innermost pid namespace.
nspid_inner() {
	awk '$1 == "NSpid:" { print $NF }' "/proc/$1/status" 2>/dev/null
}

# same_pidns_as_host PID: yes/no (against kthreadd, RUNTIMES.md).
same_pidns_as_host() {
	if [ "$(readlink "/proc/$1/ns/pid" 2>/dev/null)" = "$(readlink /proc/2/ns/pid 2>/dev/null)" ]; then
		echo yes
	else
		echo no
	fi
}

# dump_facts LABEL PID...: with CAPAUDIT_LIVE_FACTS=yes, print what /proc
# says about each PID (cgroup file, Name, cmdline, NSpid, caps, uid_map when
# not the identity, pid namespace, parent chain): the facts attribution
# builds on.
dump_facts() {
	local label=$1 pid x chain map
	[ "${CAPAUDIT_LIVE_FACTS:-no}" = yes ] || return 0
	shift
	for pid in "$@"; do
		note "=== $label: pid $pid"
		note "--- /proc/$pid/cgroup"
		cat "/proc/$pid/cgroup" 2>/dev/null || true
		note "--- Name: $(awk '$1 == "Name:" { print $2 }' "/proc/$pid/status" 2>/dev/null)"
		note "--- cmdline (NUL as space): $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
		grep -E '^(NSpid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' "/proc/$pid/status" 2>/dev/null || true
		map=$(tr -s ' ' <"/proc/$pid/uid_map" 2>/dev/null | sed 's/^ //')
		[ "$map" = "0 0 4294967295" ] || note "--- uid_map: $map"
		note "--- shares the host pid namespace: $(same_pidns_as_host "$pid") ($(readlink "/proc/$pid/ns/pid" 2>/dev/null))"
		chain='' x=$pid
		while [ -n "$x" ] && [ "$x" -gt 1 ]; do
			chain+="$x $(cat "/proc/$x/comm" 2>/dev/null) <- "
			x=$(ppid_of "$x")
		done
		note "--- parent chain: ${chain}1 $(cat /proc/1/comm 2>/dev/null)"
	done
}
