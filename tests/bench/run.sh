#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The capaudit benchmark (issue 7): how far a scan is from the kernel's floor.
#
#   tests/bench/run.sh [options] [N...]        (as root; N: 1000 10000 30000)
#
#   -r, --rounds R      timed rounds per size and mode (default 7), after one
#                       discarded warm-up round
#   -m, --modes M       any of: containers (default), host (default: host
#                       processes in the root cgroup), host-service (in
#                       /system.slice/capbench.service: two levels deep, as
#                       systemd services are), host-inherit (left in the
#                       cgroups run.sh was started in), named (containers
#                       with the state files dockerd would keep of them:
#                       config.v2.json and hostconfig.json on a tmpfs over
#                       /var/lib/docker, in a mount namespace of run.sh's own)
#   -k, --per-container K  processes per fake container (default 100)
#       --perf          also profile capaudit with perf (cpu-clock) at each size
#   -B, --versus BIN    also time another capaudit build (one without a speed
#                       trick) in the same rounds: its median paired ratio over
#                       capaudit says what the trick gains
#   -S, --snapshot      time snapshots instead of scans: `capaudit snapshot` to
#                       .tar and to .tar.zst against a floor that reads exactly
#                       the members of a capture made just before, and against
#                       a live scan; with the capture window from metadata.json;
#                       then a replay of the .tar.zst against the live scan
#                       (and its peak RSS against the archive's uncompressed
#                       size), and --verify against bsdtar -xO reading and
#                       decompressing every member
#   -h, --help
#
# Environment: CAPAUDIT (default: _build/capaudit, else ./capaudit), CC (gcc).
#
# For each N and mode it starts tests/bench/population (N paused processes in
# N/K fake docker containers with real cgroups, or as host processes), then:
#   - times capaudit (text report, --policy built-in, to /dev/null), its
#     --json, the floor (tests/bench/floor.c: open, one read, close of status
#     and cgroup per pid), `pscap -a` and the -B build, alternately, R rounds
#     after a discarded one, and prints the median of the paired ratios;
#   - counts capaudit's system calls with `strace -c -f`, per process;
#   - measures peak RSS with `/usr/bin/time -v`: the text report, --json and
#     --version (the libraries' own footprint);
#   - and, over the sizes, the per-process cost at the largest N against the
#     smallest.
# capaudit is copied first: a rebuild of the tree during the run changes
# nothing measured. It installs nothing: without strace, /usr/bin/time or
# pscap it says so and skips that part. Every process and cgroup it starts is
# gone when it exits, whatever the exit (trap; `population --cleanup` after a
# population that had to be killed).

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=7
modes="containers host"
per=100
do_perf=0
do_snap=0
versus=
sizes=()

args=("$@")	# as given: a run with mode named starts again in a mount namespace of its own
usage() { awk 'NR >= 4 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 4 { exit }' "$0"; }

while [ $# -gt 0 ]; do
	case $1 in
	-r|--rounds) rounds=$2; shift 2 ;;
	-m|--modes) modes=$2; shift 2 ;;
	-k|--per-container) per=$2; shift 2 ;;
	--perf) do_perf=1; shift ;;
	-S|--snapshot) do_snap=1; shift ;;
	-B|--versus) versus=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) sizes+=("$1"); shift ;;
	esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 30000)
for n in "${sizes[@]}" "$rounds" "$per"; do
	case $n in ''|*[!0-9]*) echo "run.sh: not a number: $n" >&2; exit 2 ;; esac
done
for m in $modes; do
	case $m in containers|host|host-service|host-inherit|named) ;;
	*) echo "run.sh: unknown mode $m" >&2; exit 2 ;;
	esac
done

# named: the state files go on a tmpfs that only this run's mount namespace
# sees, over whatever the host keeps in /var/lib/docker.
case " $modes " in
*" named "*)
	if [ -z "${CAPBENCH_PRIVATE_MOUNTS:-}" ]; then
		CAPBENCH_PRIVATE_MOUNTS=1 exec unshare -m --propagation private -- "$0" "${args[@]}"
	fi
	mkdir -p /var/lib/docker && mount -t tmpfs -o mode=0710 capbench-docker /var/lib/docker || exit 2
	;;
esac

if [ -z "${CAPAUDIT:-}" ]; then
	for c in "$top/_build/capaudit" "$top/capaudit"; do
		[ -x "$c" ] && { CAPAUDIT=$c; break; }
	done
fi
if [ -z "${CAPAUDIT:-}" ] || [ ! -x "$CAPAUDIT" ]; then
	echo "run.sh: no capaudit binary (build it, or set CAPAUDIT)" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: run as root: the population writes cgroups and capaudit reads every process" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/capaudit-bench.XXXXXX") || exit 2
pop_pid=
pop_n=0
pops=()		# every population started: --cleanup touches only theirs
svc_cgroup=/system.slice/capbench.service	# host-service's cgroup

# Stop the population (it kills and reaps its own and removes its cgroups);
# if it does not go, kill it: its processes die with it (PDEATHSIG), and
# --cleanup removes the cgroups it left.
stop_population() {
	local i
	[ -n "$pop_pid" ] || return 0
	if kill -0 "$pop_pid" 2>/dev/null; then
		kill -TERM "$pop_pid" 2>/dev/null
		# It stops a few groups at a time, each given 30 s + 10 ms a process
		# before it kills their leader: wait 2 minutes + 20 ms a process.
		for ((i = 0; i < 1200 + pop_n / 5; i++)); do
			kill -0 "$pop_pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pop_pid" 2>/dev/null; then
			echo "run.sh: population $pop_pid did not stop: killing it" >&2
			kill -KILL "$pop_pid" 2>/dev/null
		fi
	fi
	wait "$pop_pid" 2>/dev/null
	pop_pid=
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	stop_population
	# Only what our own populations left: another run's (another user's
	# benchmark) fake containers end the same way and are none of ours.
	if [ -x "$work/population" ]; then
		for p in "${pops[@]}"; do
			"$work/population" --cleanup --top "$p" --host-cgroup "$svc_cgroup" \
				>"$work/cleanup.log" 2>&1 ||
				{ echo "run.sh: cleanup:" >&2; cat "$work/cleanup.log" >&2; }
		done
	fi
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say() { printf '%s\n' "$*"; }
note() { printf '  %s\n' "$*"; }

# ------------------------------------------------------------ build, tools
cc=${CC:-gcc}
build() {	# name
	if "$cc" -static -O2 -Wall -o "$work/$1" "$here/$1.c" 2>"$work/$1.cc.log"; then
		echo static
	elif "$cc" -O2 -Wall -o "$work/$1" "$here/$1.c" 2>>"$work/$1.cc.log"; then
		echo dynamic
	else
		cat "$work/$1.cc.log" >&2
		return 1
	fi
}
# A private copy: a rebuild of the tree during the run must not change what is measured.
cap_src=$CAPAUDIT
cp "$CAPAUDIT" "$work/capaudit" || exit 2
CAPAUDIT=$work/capaudit
if [ -n "$versus" ]; then
	cp "$versus" "$work/versus" || exit 2
	versus_src=$versus
	versus=$work/versus
fi
pop_link=$(build population) || { echo "run.sh: cannot build population" >&2; exit 2; }
floor_link=$(build floor) || { echo "run.sh: cannot build floor" >&2; exit 2; }

have_strace=0; have_time=0; have_pscap=0; have_perf=0
command -v strace >/dev/null && have_strace=1
[ -x /usr/bin/time ] && have_time=1
command -v pscap >/dev/null && have_pscap=1
have_bsdtar=0
command -v bsdtar >/dev/null && command -v zstd >/dev/null && have_bsdtar=1
command -v perf >/dev/null && have_perf=1
missing=()
[ $have_strace = 1 ] || missing+=("strace (package strace): no system-call counts")
[ $have_time = 1 ] || missing+=("/usr/bin/time (package time): no peak RSS")
[ $have_pscap = 1 ] || missing+=("pscap (package libcap-ng-utils): no pscap comparison")
[ $do_snap = 0 ] || [ $have_bsdtar = 1 ] ||
	missing+=("bsdtar and zstd (packages libarchive-tools, zstd): no --verify floor, no archive size")
[ $do_perf = 0 ] || [ $have_perf = 1 ] || { missing+=("perf: no profile"); do_perf=0; }

say "capaudit benchmark: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
note "capaudit:   $cap_src ($("$CAPAUDIT" --version 2>/dev/null | head -1);" \
	"sha256 $(sha256sum "$CAPAUDIT" | cut -c1-12); $(ldd "$CAPAUDIT" 2>/dev/null | grep -c '=>') shared libraries)"
note "kernel:     $(uname -r), $(nproc) CPUs, pid_max $(cat /proc/sys/kernel/pid_max)," \
	"threads-max $(cat /proc/sys/kernel/threads-max), ulimit -u $(ulimit -u), nofile $(ulimit -Hn)"
[ -z "$versus" ] || note "versus:     $versus_src (sha256 $(sha256sum "$versus" | cut -c1-12))"
note "built:      population ($pop_link), floor ($floor_link) with $cc -O2"
note "rounds:     $rounds timed + 1 warm-up; sizes ${sizes[*]}; modes $modes; $per per container"
note "load:       $(cut -d' ' -f1-4 /proc/loadavg) (before)"
for m in "${missing[@]}"; do note "missing:    $m"; done

# ------------------------------------------------------------ helpers
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
	print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed CMD...: prints "wall user+sys" in seconds (bash's time, ms resolution).
timed() {
	local TIMEFORMAT='%3R %3U %3S' t
	t=$( { time "$@" >/dev/null 2>>"$work/cmd.err"; } 2>&1 ) || true
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t"
}

cap_text() { "$CAPAUDIT" --policy built-in "$@"; }

start_population() {	# N mode
	local n=$1 mode=$2 i limit flags=()
	case $mode in
	named) flags=(--list) ;;
	host) flags=(--host --host-cgroup /) ;;
	host-service) flags=(--host --host-cgroup "$svc_cgroup") ;;
	host-inherit) flags=(--host) ;;
	esac
	# --die-with-parent: even a SIGKILL of this script stops it, cleanly.
	"$work/population" -n "$n" -k "$per" --die-with-parent "${flags[@]}" >"$work/pop.log" 2>&1 &
	pop_pid=$!
	pop_n=$n
	pops+=("$pop_pid")
	limit=$((600 + n / 20))	# tenths of a second: 60 s + 5 s per 1000
	for ((i = 0; i < limit; i++)); do
		if grep -q '^ready:' "$work/pop.log"; then
			[ "$mode" != named ] || write_state
			return 0
		fi
		kill -0 "$pop_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "run.sh: the population of $n ($mode) did not start:" >&2
	cat "$work/pop.log" >&2
	stop_population
	return 1
}

# named: what dockerd 20.10 keeps of each container, as large as it writes it
# (about 3 KB of config.v2.json, 1.5 KB of hostconfig.json): a name, an
# image, labels, and the capabilities it was told.
write_state() {
	local i=0 id
	rm -rf /var/lib/docker/containers
	while read -r _ id _; do
		i=$((i + 1))
		mkdir -p "/var/lib/docker/containers/$id"
		printf '{"StreamConfig":{},"State":{"Running":true,"Paused":false,"Pid":%d,"StartedAt":"2026-12-03T10:00:00.000000000Z"},"ID":"%s","Created":"2026-12-03T10:00:00.000000000Z","Path":"sleep","Args":["1000"],"Config":{"Hostname":"%.12s","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NGINX_VERSION=1.25.3","NJS_VERSION=0.8.2","PKG_RELEASE=1~bookworm"],"Cmd":["nginx","-g","daemon off;"],"Image":"nginx:1.25","Volumes":null,"WorkingDir":"","Entrypoint":["/docker-entrypoint.sh"],"OnBuild":null,"Labels":{"com.docker.compose.project":"bench","com.docker.compose.service":"web","com.docker.compose.container-number":"%d","maintainer":"NGINX Docker Maintainers","org.opencontainers.image.source":"https://github.com/nginxinc/docker-nginx"},"StopSignal":"SIGQUIT"},"Image":"sha256:%s","NetworkSettings":{"Bridge":"","SandboxID":"","HairpinMode":false,"Networks":{"none":{"IPAMConfig":null,"Links":null,"Aliases":null,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0}}},"LogPath":"/var/lib/docker/containers/%s/%s-json.log","Name":"/bench-web-%d","RestartCount":0,"Driver":"overlay2","Platform":"linux","MountLabel":"","ProcessLabel":"","AppArmorProfile":"docker-default","ExecIDs":null,"HostnamePath":"/var/lib/docker/containers/%s/hostname","HostsPath":"/var/lib/docker/containers/%s/hosts","ResolvConfPath":"/var/lib/docker/containers/%s/resolv.conf"}' \
			"$i" "$id" "$id" "$i" "$id" "$id" "$id" "$i" "$id" "$id" "$id" \
			>"/var/lib/docker/containers/$id/config.v2.json"
		printf '{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"json-file","Config":{}},"NetworkMode":"none","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":["NET_RAW"],"CgroupnsMode":"host","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"private","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":67108864,"Runtime":"runc","ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":null,"OomKillDisable":false,"PidsLimit":null,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":["/proc/asound","/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"],"ReadonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}' \
			>"/var/lib/docker/containers/$id/hostconfig.json"
	done < <(grep '^container ' "$work/pop.log")
	note "named: state files of $i containers under /var/lib/docker (tmpfs)"
}

# strace -c -f: calls of each system call, "name calls" lines.
syscalls() {	# out CMD...
	local out=$1; shift
	strace -c -f -o "$out.raw" -- "$@" >/dev/null 2>&1
	awk '$NF != "syscall" && $NF != "total" && $1 !~ /^-/ && NF >= 5 { print $NF, $4 }
	     $NF == "total" { print "TOTAL", $4 }' "$out.raw" >"$out"
}
calls() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }

peak_rss() {	# CMD... -> kB
	/usr/bin/time -v -o "$work/time.v" "$@" >/dev/null 2>&1
	awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.v"
}

# The members of the capture at $1, as floor -l reads them: "<type> <path under /proc>".
member_list() {
	tar -xOf "$1" MANIFEST.sha256 |
		awk '$2 ~ /^[fld]$/ && $3 ~ /^proc\// { sub(/^proc\//, "", $3); print $2, $3 }'
}
capture_window() { tar -xOf "$1" metadata.json | sed -n 's/.*"capture_window_seconds": *\([0-9.e+-]*\).*/\1/p'; }
ratio_of() {	# file-a file-b field(1 wall, 2 cpu): median of a/b, paired by round
	paste -d' ' "$1" "$2" | awk -v f="$3" '$(f + 2) > 0 { print $f / $(f + 2) }' | median
}

snapres=()	# "mode n procs members floor tar zst scan tar/f zst/f tar/scan zst/scan cpu... window load"

# Captures against their floor and a live scan, R paired rounds in alternating order.
snapshot_bench() {	# mode n
	local mode=$1 n=$2 r what order members procs load win
	: >"$work/cmd.err"
	# A capture made just before: its members are what the floor reads.
	"$CAPAUDIT" --policy built-in snapshot "$work/list.tar" 2>"$work/cap.err" ||
		{ echo "run.sh: capaudit snapshot failed:" >&2; cat "$work/cap.err" >&2; exit 1; }
	member_list "$work/list.tar" >"$work/members"
	members=$(wc -l <"$work/members")
	rm -f "$work/list.tar"
	"$work/floor" -l "$work/members" >/dev/null
	note "floor: $("$work/floor" -l "$work/members") ($members members)"
	load=$(cut -d' ' -f1 /proc/loadavg)
	for what in floor tar zst scan procs win vzst; do : >"$work/s.$what"; done
	for ((r = 1; r <= rounds; r++)); do
		if ((r % 2)); then order="floor tar zst vzst scan"; else order="scan vzst zst tar floor"; fi
		for what in $order; do
			case $what in
			floor) timed "$work/floor" -l "$work/members" >>"$work/s.floor" ;;
			tar) timed "$CAPAUDIT" --policy built-in snapshot "$work/snap.tar" >>"$work/s.tar"
			     capture_window "$work/snap.tar" >>"$work/s.win"
			     rm -f "$work/snap.tar" ;;
			zst) timed "$CAPAUDIT" --policy built-in snapshot "$work/snap.tar.zst" >>"$work/s.zst"
			     rm -f "$work/snap.tar.zst" ;;
			scan) timed cap_text >>"$work/s.scan" ;;
			vzst) [ -n "$versus" ] || continue
			      timed "$versus" --policy built-in snapshot "$work/snap.tar.zst" >>"$work/s.vzst"
			      rm -f "$work/snap.tar.zst" ;;
			esac
		done
		"$work/floor" | awk '{ print $1 }' >>"$work/s.procs"
	done
	procs=$(median <"$work/s.procs")
	win=$(median <"$work/s.win")
	for what in floor tar zst scan; do
		note "$(printf '%-5s' "$what") wall s: $(cut -d' ' -f1 "$work/s.$what" | tr '\n' ' ')  cpu s: $(cut -d' ' -f2 "$work/s.$what" | tr '\n' ' ')"
	done
	local tf zf ts zs ctf czf cts czs
	tf=$(ratio_of "$work/s.tar" "$work/s.floor" 1); ctf=$(ratio_of "$work/s.tar" "$work/s.floor" 2)
	zf=$(ratio_of "$work/s.zst" "$work/s.floor" 1); czf=$(ratio_of "$work/s.zst" "$work/s.floor" 2)
	ts=$(ratio_of "$work/s.tar" "$work/s.scan" 1); cts=$(ratio_of "$work/s.tar" "$work/s.scan" 2)
	zs=$(ratio_of "$work/s.zst" "$work/s.scan" 1); czs=$(ratio_of "$work/s.zst" "$work/s.scan" 2)
	note "median paired ratio .tar/floor: $tf (wall), $ctf (cpu); .tar.zst/floor: $zf, $czf"
	note "median paired ratio .tar/scan: $ts (wall), $cts (cpu); .tar.zst/scan: $zs, $czs"
	note "capture window (metadata.json, median of the .tar captures): $win s"
	[ -z "$versus" ] || note "median paired ratio versus .tar.zst/capaudit .tar.zst: $(ratio_of "$work/s.vzst" "$work/s.zst" 1) (wall), $(ratio_of "$work/s.vzst" "$work/s.zst" 2) (cpu)"
	if [ -s "$work/cmd.err" ]; then
		note "stderr of the timed commands (first lines, digests aside):"
		grep -v ': sha256 ' "$work/cmd.err" | head -5 | sed 's/^/    /'
	fi
	note "load average (1 min) when the timing began: $load"
	replay_bench
	snapres+=("$mode $n $procs $members $(cut -d' ' -f1 "$work/s.floor" | median) \
$(cut -d' ' -f1 "$work/s.tar" | median) $(cut -d' ' -f1 "$work/s.zst" | median) \
$(cut -d' ' -f1 "$work/s.scan" | median) $tf $zf $ts $zs $ctf $czf $win $load")
}

replres=()	# "mode n procs replay_ms scan_ms replay/scan tar_mb replay_rss_mb verify_ms read_ms verify/read"

# Reading a capture back: a replay of the .tar.zst against the live text
# scan of the same population, paired, in alternating order; its peak RSS
# against the size of the archive uncompressed; and --verify against reading
# and decompressing every member (bsdtar -xO, the same library without the
# checksums and the manifest).
replay_bench() {
	local r order what rss tar_kb rd vr
	"$CAPAUDIT" --policy built-in snapshot "$work/r.tar.zst" 2>/dev/null ||
		{ echo "run.sh: capaudit snapshot failed" >&2; exit 1; }
	zstd -dcq "$work/r.tar.zst" >"$work/r.tar" 2>/dev/null || : >"$work/r.tar"
	tar_kb=$(( $(stat -c %s "$work/r.tar" 2>/dev/null || echo 0) / 1024 ))
	rm -f "$work/r.tar"
	for what in replay rscan verify read; do : >"$work/s.$what"; done
	for ((r = 1; r <= rounds; r++)); do
		if ((r % 2)); then order="replay rscan verify read"; else order="read verify rscan replay"; fi
		for what in $order; do
			case $what in
			replay) timed "$CAPAUDIT" --snapshot "$work/r.tar.zst" >>"$work/s.replay" ;;
			rscan) timed cap_text >>"$work/s.rscan" ;;
			verify) timed "$CAPAUDIT" snapshot --verify "$work/r.tar.zst" >>"$work/s.verify" ;;
			read) [ $have_bsdtar = 1 ] && timed bsdtar -xOf "$work/r.tar.zst" >>"$work/s.read" ;;
			esac
		done
	done
	rss=$( [ $have_time = 1 ] && peak_rss "$CAPAUDIT" --snapshot "$work/r.tar.zst" || echo 0)
	rd=$(ratio_of "$work/s.replay" "$work/s.rscan" 1)
	vr=$( [ $have_bsdtar = 1 ] && ratio_of "$work/s.verify" "$work/s.read" 1 || echo nan)
	note "replay wall s: $(cut -d' ' -f1 "$work/s.replay" | tr '\n' ' ') scan: $(cut -d' ' -f1 "$work/s.rscan" | tr '\n' ' ')"
	note "verify wall s: $(cut -d' ' -f1 "$work/s.verify" | tr '\n' ' ') read: $(cut -d' ' -f1 "$work/s.read" | tr '\n' ' ')"
	note "median paired ratio replay/scan: $rd; verify/read: $vr;" \
		"replay peak RSS $((rss / 1024)) MB, the archive $((tar_kb / 1024)) MB uncompressed"
	replres+=("$mode $n $(cut -d' ' -f1 "$work/s.replay" | median) $(cut -d' ' -f1 "$work/s.rscan" | median) $rd \
$tar_kb $rss $(cut -d' ' -f1 "$work/s.verify" | median) $( [ -s "$work/s.read" ] && cut -d' ' -f1 "$work/s.read" | median || echo nan) $vr")
	rm -f "$work/r.tar.zst"
}

results=()	# "mode n procs floor cap pscap ratio cpuratio pscapratio cap_over_pscap"
sysres=()	# "mode n procs openat read close readlinkat getdents64 other total net"
rssres=()	# "mode n text json version"
perfres=()

# ------------------------------------------------------------ the runs
for mode in $modes; do
	for n in "${sizes[@]}"; do
		say ""
		say "== $n processes, $mode =="
		start_population "$n" "$mode" || exit 1
		grep -v "^container " "$work/pop.log" | sed 's/^/  /'

		# Warm-up, untimed: the first scan after processes appear is slower.
		# It also checks that capaudit runs and sees the population.
		: >"$work/cmd.err"
		cap_text >/dev/null 2>"$work/cap.err"; rc=$?
		if [ $rc -gt 1 ]; then
			echo "run.sh: capaudit exited $rc:" >&2; cat "$work/cap.err" >&2; exit 1
		fi
		"$work/floor" >/dev/null
		[ $have_pscap = 1 ] && pscap -a >/dev/null 2>&1
		if [ "$mode" = containers ] || [ "$mode" = named ]; then
			seen=$(cap_text -r -n -o FULLID,PIDS,NAME 2>/dev/null |
				awk '$1 ~ /cafebe0c$/ { c++; p += $2; if ($3 ~ /^bench-web-/) named++ }
				     END { printf "%d %d %d", c, p, named }')
			read -r c p named <<<"$seen"
			note "capaudit sees: $c fake containers, $p processes in them, $named named from their state files"
		fi

		if [ $do_snap = 1 ]; then
			snapshot_bench "$mode" "$n"
			stop_population
			sed -n '/^stopped:/p' "$work/pop.log" | sed 's/^/  /'
			continue
		fi

		load=$(cut -d' ' -f1 /proc/loadavg)
		for what in cap floor pscap procs json versus; do : >"$work/t.$what"; done
		for ((r = 1; r <= rounds; r++)); do
			# Alternate the order, so that none always runs first.
			if ((r % 2)); then order="floor cap json versus pscap"; else order="pscap versus json cap floor"; fi
			for what in $order; do
				case $what in
				floor) timed "$work/floor" >>"$work/t.floor" ;;
				cap) timed cap_text >>"$work/t.cap" ;;
				json) timed cap_text --json >>"$work/t.json" ;;
				versus) [ -n "$versus" ] && timed "$versus" --policy built-in >>"$work/t.versus" ;;
				pscap) [ $have_pscap = 1 ] && timed pscap -a >>"$work/t.pscap" ;;
				esac
			done
			"$work/floor" | awk '{ print $1 }' >>"$work/t.procs"
		done
		procs=$(median <"$work/t.procs")
		f_wall=$(cut -d' ' -f1 "$work/t.floor" | median)
		c_wall=$(cut -d' ' -f1 "$work/t.cap" | median)
		ratio=$(paste -d' ' "$work/t.cap" "$work/t.floor" | awk '$3 > 0 { print $1 / $3 }' | median)
		cratio=$(paste -d' ' "$work/t.cap" "$work/t.floor" | awk '$4 > 0 { print $2 / $4 }' | median)
		if [ $have_pscap = 1 ]; then
			p_wall=$(cut -d' ' -f1 "$work/t.pscap" | median)
			pratio=$(paste -d' ' "$work/t.pscap" "$work/t.floor" | awk '$3 > 0 { print $1 / $3 }' | median)
			cpratio=$(paste -d' ' "$work/t.cap" "$work/t.pscap" | awk '$3 > 0 { print $1 / $3 }' | median)
		else
			p_wall=nan; pratio=nan; cpratio=nan
		fi
		note "entries in /proc: $procs (kernel threads included)"
		note "floor    wall s: $(cut -d' ' -f1 "$work/t.floor" | tr '\n' ' ')"
		note "capaudit wall s: $(cut -d' ' -f1 "$work/t.cap" | tr '\n' ' ')"
		[ $have_pscap = 1 ] && note "pscap -a wall s: $(cut -d' ' -f1 "$work/t.pscap" | tr '\n' ' ')"
		jratio=$(ratio_of "$work/t.json" "$work/t.cap" 1)
		note "capaudit --json wall s: $(cut -d' ' -f1 "$work/t.json" | tr '\n' ' ')"
		note "median paired ratio capaudit/floor: $ratio (wall), $cratio (cpu)"
		note "median paired ratio --json/text: $jratio (wall), $(ratio_of "$work/t.json" "$work/t.cap" 2) (cpu)"
		if [ -n "$versus" ]; then
			vratio=$(ratio_of "$work/t.versus" "$work/t.cap" 1)
			note "versus   wall s: $(cut -d' ' -f1 "$work/t.versus" | tr '\n' ' ')"
			note "median paired ratio versus/capaudit: $vratio (wall), $(ratio_of "$work/t.versus" "$work/t.cap" 2) (cpu)"
		else
			vratio=nan
		fi
		[ $have_pscap = 1 ] && note "median paired ratio pscap/floor: $pratio, capaudit/pscap: $cpratio"
		if [ -s "$work/cmd.err" ]; then
			note "stderr of the timed commands (first lines):"
			head -5 "$work/cmd.err" | sed 's/^/    /'
		fi
		note "load average (1 min) when the timing began: $load"
		results+=("$mode $n $procs $f_wall $c_wall $p_wall $ratio $cratio $pratio $cpratio $load $jratio $vratio")

		if [ $have_strace = 1 ]; then
			syscalls "$work/sc.cap" "$CAPAUDIT" --policy built-in
			syscalls "$work/sc.ver" "$CAPAUDIT" --version
			syscalls "$work/sc.floor" "$work/floor"
			row=$(awk -v p="$procs" -v vt="$(calls "$work/sc.ver" TOTAL)" '
				{ c[$1] = $2 }
				END {
					o = c["TOTAL"]
					split("openat read close readlinkat getdents64", k, " ")
					for (i = 1; i <= 5; i++) { printf "%.3f ", c[k[i]] / p; o -= c[k[i]] }
					printf "%.3f %.3f %.3f", o / p, c["TOTAL"] / p, (c["TOTAL"] - vt) / p
				}' "$work/sc.cap")
			frow=$(awk -v p="$procs" '{ c[$1] = $2 } END { printf "%.3f", c["TOTAL"] / p }' "$work/sc.floor")
			note "system calls per process (capaudit): openat read close readlinkat getdents64 other total net-of-startup"
			note "  $row   (floor: $frow total)"
			note "capaudit's top system calls: $(sort -k2,2nr "$work/sc.cap" | grep -v TOTAL | head -8 | tr '\n' ' ')"
			sysres+=("$mode $n $procs $row $frow")
		fi

		if [ $have_time = 1 ]; then
			rss_text=$(peak_rss "$CAPAUDIT" --policy built-in)
			rss_json=$(peak_rss "$CAPAUDIT" --policy built-in --json)
			rss_ver=$(peak_rss "$CAPAUDIT" --version)
			note "peak RSS kB: text $rss_text, --json $rss_json, --version $rss_ver"
			rssres+=("$mode $n $rss_text $rss_json $rss_ver")
		fi

		if [ $do_perf = 1 ]; then
			for what in floor capaudit; do
				if [ $what = floor ]; then set -- "$work/floor"
				else set -- "$CAPAUDIT" --policy built-in; fi
				perf record -q -F 4999 -e cpu-clock -o "$work/perf.$what" -- "$@" \
					>/dev/null 2>&1
				note "perf (cpu-clock) of one $what run, by object: $(perf report -q \
					-i "$work/perf.$what" --sort dso --stdio 2>/dev/null | grep -v '^$' |
					head -5 | awk '{ printf "%s %s  ", $2, $1 }')"
			done
			note "capaudit's top symbols:"
			perf report -q -i "$work/perf.capaudit" --sort dso,sym --stdio 2>/dev/null |
				grep -v '^$' | head -20 | sed 's/^/    /'
			rm -f "$work/perf.floor" "$work/perf.capaudit"
		fi

		stop_population
		sed -n '/^stopped:/p' "$work/pop.log" | sed 's/^/  /'
		grep -v '^\(ready\|stopped\|container \|  \)' "$work/pop.log" | sed 's/^/  population: /'
	done
done

# ------------------------------------------------------------ summary
if [ $do_snap = 1 ]; then
	say ""
	say "== snapshots (medians of R rounds; ratios: medians of the paired ratios, wall-clock; cpu = user + system) =="
	printf '%-10s %6s %6s %8s %8s %8s %8s %8s %7s %7s %8s %8s %7s %7s %8s %6s\n' mode N procs members \
		floor_ms tar_ms zst_ms scan_ms tar/flr zst/flr tar/scan zst/scan cpu_t/f cpu_z/f window_s load
	for row in "${snapres[@]}"; do
		set -- $row
		awk -v m="$1" -v n="$2" -v p="$3" -v mem="$4" -v f="$5" -v t="$6" -v z="$7" -v sc="$8" \
			-v a="$9" -v b="${10}" -v c="${11}" -v d="${12}" -v e="${13}" -v g="${14}" -v w="${15}" \
			-v l="${16}" 'BEGIN {
			printf "%-10s %6d %6d %8d %8.0f %8.0f %8.0f %8.0f %7.3f %7.3f %8.3f %8.3f %7.3f %7.3f %8.3f %6s\n",
				m, n, p, mem, f * 1000, t * 1000, z * 1000, sc * 1000, a, b, c, d, e, g, w, l }'
	done
	say ""
	say "== reading a capture back: replay of the .tar.zst and --verify (medians; paired ratios, wall-clock) =="
	printf '%-10s %6s %9s %8s %8s %8s %9s %9s %8s %8s\n' mode N replay_ms scan_ms rpl/scan tar_MB rpl_rssMB \
		verify_ms read_ms vfy/read
	for row in "${replres[@]}"; do
		set -- $row
		awk -v m="$1" -v n="$2" -v rp="$3" -v sc="$4" -v r="$5" -v t="$6" -v rss="$7" -v v="$8" -v rd="$9" \
			-v vr="${10}" 'BEGIN {
			printf "%-10s %6d %9.0f %8.0f %8.3f %8.1f %9.1f %9.0f %8s %8s\n", m, n, rp * 1000, sc * 1000, r,
				t / 1024, rss / 1024, v * 1000, (rd == "nan" ? "-" : sprintf("%.0f", rd * 1000)),
				(vr == "nan" ? "-" : sprintf("%.3f", vr)) }'
	done
	say ""
	note "load: $(cut -d' ' -f1-4 /proc/loadavg) (after)"
	exit 0
fi

say ""
say "== summary (medians; wall-clock; per process = over every /proc entry) =="
printf '%-12s %6s %6s %9s %9s %9s %8s %8s %9s %9s %7s %7s %6s %8s %8s\n' mode N procs \
	floor_ms capaud_ms pscap_ms cap/flr cpu_c/f pscap/flr cap/pscap us/p_cap us/p_flr load json/cap vs/cap
for row in "${results[@]}"; do
	set -- $row
	awk -v m="$1" -v n="$2" -v p="$3" -v f="$4" -v c="$5" -v s="$6" -v r="$7" -v cr="$8" \
		-v pr="$9" -v cp="${10}" -v l="${11}" -v j="${12}" -v v="${13}" 'BEGIN {
		printf "%-12s %6d %6d %9.1f %9.1f %9s %8.3f %8.3f %9s %9s %7.1f %7.1f %6s %8.3f %8s\n",
			m, n, p, f * 1000, c * 1000, (s == "nan" ? "-" : sprintf("%.1f", s * 1000)),
			r, cr, (pr == "nan" ? "-" : sprintf("%.3f", pr)),
			(cp == "nan" ? "-" : sprintf("%.3f", cp)), c * 1e6 / p, f * 1e6 / p, l, j,
			(v == "nan" ? "-" : sprintf("%.3f", v)) }'
done

if [ ${#sysres[@]} -gt 0 ]; then
	say ""
	say "== capaudit system calls per process (strace -c -f; net = minus capaudit --version's) =="
	printf '%-12s %6s %6s %7s %7s %7s %9s %9s %7s %7s %7s %7s\n' mode N procs openat read close \
		readlinkat getdents64 other total net floor
	for row in "${sysres[@]}"; do
		printf '%-12s %6s %6s %7s %7s %7s %9s %9s %7s %7s %7s %7s\n' $row
	done
fi

if [ ${#rssres[@]} -gt 0 ]; then
	say ""
	say "== peak RSS, kB (/usr/bin/time -v); scan = text report minus --version =="
	printf '%-12s %6s %9s %9s %9s %9s %9s\n' mode N text json version scan json-ver
	for row in "${rssres[@]}"; do
		set -- $row
		printf '%-12s %6s %9s %9s %9s %9s %9s\n' "$1" "$2" "$3" "$4" "$5" $(($3 - $5)) $(($4 - $5))
	done
fi

if [ ${#sizes[@]} -gt 1 ]; then
	say ""
	say "== scaling: per-process cost at the largest N over the smallest =="
	say "   (the last figure, the paired ratio's own growth, is the one a busy host disturbs least)"
	for mode in $modes; do
		printf '%s\n' "${results[@]}" | awk -v m="$mode" '$1 == m {
			if (!n || $2 < lo) { lo = $2; lc = $5 / $3; lf = $4 / $3; lr = $7 }
			if (!n || $2 > hi) { hi = $2; hc = $5 / $3; hf = $4 / $3; hr = $7 }
			n++ }
			END { if (n > 1) printf "%-12s capaudit %.2f, floor %.2f; capaudit/floor %.2f (%d vs %d)\n",
				m, hc / lc, hf / lf, hr / lr, hi, lo }'
	done
fi
say ""
note "load: $(cut -d' ' -f1-4 /proc/loadavg) (after)"
