#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A forensic snapshot of a host running real containers of three runtimes,
# replayed elsewhere, gives the live report of the moment it was taken.
#
# Containers (busybox `sleep 1000`, no network beyond loopback):
#  docker  default       docker's 14, NET_RAW included    -> fail, net-raw
#  docker  minimal       --cap-drop=ALL --cap-add=NET_BIND_SERVICE -> pass
#  podman  default       Debian's containers.conf (11)     -> pass
#  podman  privileged    --privileged                      -> fail, privileged
#  runc    default       `runc spec`'s KILL, NET_BIND_SERVICE, AUDIT_WRITE
#  runc    sysadmin      docker's 14 minus NET_RAW plus SYS_ADMIN -> fail,
#                        cap-added
#
# 1. `capaudit snapshot LIVE.tar --json --policy built-in` writes the archive
#    and prints the live report of the moment captured.
# 2. As nobody, with no capability, in a new mount and pid namespace whose
#    /proc is a fresh procfs that holds none of the host's processes, with
#    a clean environment and copies of capaudit and the archive:
#    `capaudit scan --snapshot COPY.tar --json`.
# 3. Both documents are equal apart from host.source, timings (any
#    duration or timestamp key at the top or in host) and "scanner" (what
#    capaudit itself held); both runs exit with the same status.
# 4. The replayed report holds each container with the runtime's id and pid,
#    and the capability sets the runtime reports (docker inspect's
#    CapAdd/CapDrop against docker's defaults, podman inspect's
#    EffectiveCaps/BoundingCaps, the bundle's config.json) and that
#    /proc/<pid>/status still shows: two empty reports cannot pass.
#    A replay as root, traced, creates no file (no O_CREAT, mkdir, link...),
#    and leaves /dev/shm and its working directory as they were.
# 5. `snapshot --verify` calls the archive intact; a copy with one byte of
#    one member's data flipped is ALTERED, naming that member (exit 1).
# shellcheck disable=SC2015,SC2016
# (SC2015: in `A && B || fail_check`, B is a check too; SC2016: the sh -c
# scripts and jq programs expand their own $ variables.)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-oci.sh"

live_init
for tool in setpriv unshare python3 tar; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
NOBODY=65534

# oci_setup installs oci_exit as the EXIT trap: it deletes the runc
# containers, then runs live_cleanup (docker, podman, LIVE_TMP).
oci_setup runc
docker_start
docker_import "$ROOTFS_TAR"
DOCKER_IMAGE=$IMAGE
podman_setup
podman_import "$ROOTFS_TAR"
PODMAN_IMAGE=$IMAGE

# ---------------------------------------------------------------------------
# The containers, and what each runtime says about them
# ---------------------------------------------------------------------------

# engine_truth TOOL NAME: ID and PID of a running docker or podman container,
# from its inspect.
engine_truth() {
	local tool=$1 name=$2 out running
	shift 2
	if [ "$tool" = docker ]; then
		out=$(docker_cmd inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}}' "$name")
	else
		out=$("${PODMAN[@]}" inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}}' "$name")
	fi || hard_error "$tool inspect $name failed"
	read -r ID PID running <<<"$out"
	[ "$running" = true ] && [ "$PID" -gt 0 ] ||
		hard_error "$tool container $name is not running ($tool inspect: $out)"
	note "$tool $name: id $ID pid $PID CapEff $(proc_cap "$PID" CapEff) CapBnd $(proc_cap "$PID" CapBnd)"
}

# names_json NAME...: capaudit's spelling (cap_chown) of capability names
# (CHOWN, CAP_CHOWN), as a sorted JSON array without duplicates.
names_json() {
	printf '%s\n' "$@" | jq -R 'ascii_downcase | ltrimstr("cap_") | "cap_" + .' | jq -cs 'map(select(. != "cap_")) | unique'
}

# docker_caps NAME: the effective set docker applied, as it reports it:
# docker's defaults (or none with --cap-drop=ALL) minus CapDrop plus CapAdd.
docker_caps() {
	local out add drop priv
	out=$(docker_cmd inspect --format '{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}} {{.HostConfig.Privileged}}' "$1") ||
		hard_error "docker inspect $1 failed"
	read -r add drop priv <<<"$out"
	[ "$priv" = false ] || hard_error "docker container $1 is privileged (docker inspect: $out)"
	jq -cn --argjson defaults "$(names_json "${OCI_DOCKER_DEFAULTS[@]}")" \
		--argjson add "$(jq -c '. // [] | map(ascii_downcase | ltrimstr("cap_") | "cap_" + .)' <<<"$add")" \
		--argjson drop "$(jq -c '. // [] | map(ascii_downcase | ltrimstr("cap_") | "cap_" + .)' <<<"$drop")" \
		'(if ($drop | index("cap_all")) then [] else $defaults - $drop end) + $add | unique'
}

# podman_caps NAME FIELD: podman inspect's EffectiveCaps or BoundingCaps,
# within the host's bounding set (podman lists, for --privileged, every
# capability it knows, CAP_SYS_RESOURCE too, which this host may lack).
podman_caps() {
	local out
	out=$("${PODMAN[@]}" inspect --format "{{json .$2}}" "$1") ||
		hard_error "podman inspect $1 failed"
	jq -cn --argjson caps "$out" --argjson host "$(mask_names "$(proc_cap 1 CapBnd)")" \
		'$caps | map(ascii_downcase) | map(select(. as $c | $host | index($c))) | unique'
}

# mask_names HEX: the capability names of a 16-digit mask, as a sorted JSON
# array (bit N is OCI_CAP_NAMES[N]; a bit beyond the table is cap_N).
mask_names() {
	local m=$((16#$1)) i out=()
	for i in $(seq 0 63); do
		[ $(((m >> i) & 1)) -eq 1 ] || continue
		if [ "$i" -lt ${#OCI_CAP_NAMES[@]} ]; then out+=("${OCI_CAP_NAMES[$i]}"); else out+=("$i"); fi
	done
	if [ ${#out[@]} -eq 0 ]; then echo '[]'; else names_json "${out[@]}"; fi
}

IMAGE=$DOCKER_IMAGE
docker_run_detached default ||
	skip "docker cannot run a container here: $RUN_ERR"
docker_run_detached minimal --cap-drop=ALL --cap-add=NET_BIND_SERVICE ||
	hard_error "docker run --cap-drop=ALL --cap-add=NET_BIND_SERVICE failed: $RUN_ERR"
IMAGE=$PODMAN_IMAGE
podman_run_detached default ||
	skip "podman cannot run a container here: $RUN_ERR"
podman_run_detached privileged --privileged ||
	hard_error "podman run --privileged failed: $RUN_ERR"
oci_run default . || skip "runc cannot run a container here: $RUN_ERR"
oci_truth default
RUNC_DEF_ID=pidns:$PIDNS RUNC_DEF_PID=$PID RUNC_DEF_BUNDLE=$BUNDLE
sysadm=$(printf '%s\n' "${OCI_DOCKER_DEFAULTS[@]}" CAP_SYS_ADMIN | grep -vx CAP_NET_RAW | jq -R . | jq -cs .)
oci_run sysadmin "{bounding: $sysadm, effective: $sysadm, permitted: $sysadm}" ||
	hard_error "runc run with SYS_ADMIN added and NET_RAW dropped failed: $RUN_ERR"
oci_truth sysadmin
RUNC_SYS_ID=pidns:$PIDNS RUNC_SYS_PID=$PID RUNC_SYS_BUNDLE=$BUNDLE

engine_truth docker "capaudit-live-$LIVE_SUFFIX-default"
DK_DEF_ID=$ID DK_DEF_PID=$PID
DK_DEF_CAPS=$(docker_caps "capaudit-live-$LIVE_SUFFIX-default")
engine_truth docker "capaudit-live-$LIVE_SUFFIX-minimal"
DK_MIN_ID=$ID DK_MIN_PID=$PID
DK_MIN_CAPS=$(docker_caps "capaudit-live-$LIVE_SUFFIX-minimal")
engine_truth podman "capaudit-live-$LIVE_SUFFIX-default"
PM_DEF_ID=$ID PM_DEF_PID=$PID
PM_DEF_EFF=$(podman_caps "capaudit-live-$LIVE_SUFFIX-default" EffectiveCaps)
PM_DEF_BND=$(podman_caps "capaudit-live-$LIVE_SUFFIX-default" BoundingCaps)
engine_truth podman "capaudit-live-$LIVE_SUFFIX-privileged"
PM_PRIV_ID=$ID PM_PRIV_PID=$PID
PM_PRIV_EFF=$(podman_caps "capaudit-live-$LIVE_SUFFIX-privileged" EffectiveCaps)
PM_PRIV_BND=$(podman_caps "capaudit-live-$LIVE_SUFFIX-privileged" BoundingCaps)

assert_no_new_links

# ---------------------------------------------------------------------------
# 1. Capture, with the live report of that moment
# ---------------------------------------------------------------------------

SNAP=$LIVE_TMP/live.tar
LIVE_REPORT=$LIVE_TMP/live.json
t0=$SECONDS
LIVE_RC=0
timeout 120 "$CAPAUDIT" snapshot "$SNAP" --json --policy built-in \
	>"$LIVE_REPORT" 2>"$LIVE_TMP/snapshot.err" || LIVE_RC=$?
note "capture: exit $LIVE_RC in $((SECONDS - t0))s, $(stat -c %s "$SNAP" 2>/dev/null || echo no) bytes;" \
	"stderr: $(tr -s '\n' ' ' <"$LIVE_TMP/snapshot.err" | cut -c1-300)"
[ "$LIVE_RC" -le 1 ] && [ -s "$SNAP" ] ||
	hard_error "capaudit snapshot failed (exit $LIVE_RC): $(tr -s '\n' ' ' <"$LIVE_TMP/snapshot.err" | cut -c1-300)"
grep -q 'sha256 [0-9a-f]\{64\}' "$LIVE_TMP/snapshot.err" ||
	fail_check "capaudit snapshot did not print the archive's SHA-256 on stderr"
jq -e '.host.source == "live" and (.containers | length) > 0' "$LIVE_REPORT" >/dev/null ||
	fail_check "the live report of the capture is not a live report with containers: $(head -c 300 "$LIVE_REPORT")"
# Container docker default fails whatever else runs here.
[ "$LIVE_RC" -eq 1 ] ||
	fail_check "capaudit snapshot --json exited with $LIVE_RC, expected 1 (docker default fails on net-raw)"

# ---------------------------------------------------------------------------
# 2. Replay: unprivileged, in a fresh pid namespace's /proc, clean environment
# ---------------------------------------------------------------------------

# A directory only nobody can use: LIVE_TMP (root's, 0700) lets it pass by.
R=$LIVE_TMP/replay
mkdir -p "$R/tmp"
cp "$CAPAUDIT" "$R/capaudit"
cp "$SNAP" "$R/copy.tar"
chown -R "$NOBODY:$NOBODY" "$R"
chmod 0700 "$R" "$R/tmp"
chmod 0500 "$R/capaudit"
chmod 0400 "$R/copy.tar"
chmod 0711 "$LIVE_TMP"

# Sanitizer settings survive the clean environment (make check under ASan).
REPLAY_ENV=(PATH=/usr/bin:/bin TMPDIR="$R/tmp" LC_ALL=C)
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!v:-}" ] && REPLAY_ENV+=("$v=${!v}")
done

# in_replay_ns FACTS CMD...: run CMD as nobody (no capability, no group,
# no_new_privs) inside a new mount and pid namespace with its own procfs
# on /proc; first write to FACTS (as root, from inside) what that /proc
# holds. The time limit is set inside: timeout(1) is the namespace's pid 1,
# and when it exits the kernel kills whatever is left in it (a timeout
# outside would kill unshare only, and leave CMD running).
in_replay_ns() {
	local facts=$1
	shift
	unshare --mount --pid --fork --mount-proc --propagation private \
		sh -c '
			facts=$1 probe=$2
			shift 2
			{
				echo "pids: $(ls -d /proc/[0-9]* | sed "s,/proc/,," | tr "\n" " ")"
				echo "probe: $( [ -e "/proc/$probe" ] && echo visible || echo absent)"
				echo "procfs: $(awk "\$2 == \"/proc\" { print \$1, \$3 }" /proc/self/mounts | tail -n 1)"
			} >"$facts"
			exec "$@"' sh "$facts" "$DK_DEF_PID" \
		setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups \
		--inh-caps=-all --bounding-set=-all --no-new-privs \
		env -i "${REPLAY_ENV[@]}" timeout 300 "$@"
}

# Who the replay runs as, seen from inside.
in_replay_ns "$LIVE_TMP/ns.facts" sh -c 'echo "uid: $(id -u) gid: $(id -g) groups: $(id -G)"; grep -E "^Cap(Eff|Prm|Bnd):|^NoNewPrivs:" /proc/self/status' \
	>"$LIVE_TMP/who.facts" 2>&1 || hard_error "cannot run a command as nobody in a new pid namespace: $(cat "$LIVE_TMP/who.facts")"
note "replay namespace: $(tr '\n' ';' <"$LIVE_TMP/ns.facts") $(tr -s '\n\t' '; ' <"$LIVE_TMP/who.facts")"
grep -qx 'probe: absent' "$LIVE_TMP/ns.facts" ||
	hard_error "the replay's /proc shows the host's pid $DK_DEF_PID: it is not a fresh procfs"
# (sh, and the few processes of its command substitution)
[ "$(sed -n 's/^pids: //p' "$LIVE_TMP/ns.facts" | wc -w)" -le 8 ] ||
	hard_error "the replay's /proc holds more than the namespace's own processes: $(head -n 1 "$LIVE_TMP/ns.facts")"
grep -q "^uid: $NOBODY gid: $NOBODY groups: $NOBODY\$" "$LIVE_TMP/who.facts" &&
	grep -qE '^CapEff:[[:space:]]+0+$' "$LIVE_TMP/who.facts" &&
	grep -qE '^CapPrm:[[:space:]]+0+$' "$LIVE_TMP/who.facts" ||
	hard_error "the replay would not run unprivileged: $(tr '\n' ' ' <"$LIVE_TMP/who.facts")"

REPLAY_REPORT=$LIVE_TMP/replay.json
t0=$SECONDS
REPLAY_RC=0
in_replay_ns "$LIVE_TMP/ns2.facts" "$R/capaudit" scan --snapshot "$R/copy.tar" --json \
	>"$REPLAY_REPORT" 2>"$LIVE_TMP/replay.err" || REPLAY_RC=$?
note "replay: exit $REPLAY_RC in $((SECONDS - t0))s; stderr: $(tr -s '\n' ' ' <"$LIVE_TMP/replay.err" | cut -c1-300)"
[ "$REPLAY_RC" -le 1 ] ||
	fail_check "capaudit scan --snapshot exited with $REPLAY_RC: $(tr -s '\n' ' ' <"$LIVE_TMP/replay.err" | cut -c1-300)"
[ -z "$(find "$R/tmp" -mindepth 1 -print -quit)" ] ||
	fail_check "the replay left files in its TMPDIR: $(find "$R/tmp" -mindepth 1 | head -n 3 | tr '\n' ' ')"

# ---------------------------------------------------------------------------
# 3. The two documents, apart from where and when they were read, and by whom
# ---------------------------------------------------------------------------

# shellcheck disable=SC2016 # a jq program
COMPARABLE='
	def untimed: with_entries(select(.key | test("duration|timestamp|elapsed") | not));
	del(.host.source, .scanner) | untimed | .host |= untimed'
for f in "$LIVE_REPORT" "$REPLAY_REPORT"; do
	jq -e 'type == "object"' "$f" >/dev/null 2>&1 ||
		{ fail_check "$f is no JSON object: $(head -c 300 "$f")"; live_finish; }
	jq -S "$COMPARABLE" "$f" >"$f.cmp"
done
[ "$(jq -r .host.source "$REPLAY_REPORT")" = "$R/copy.tar" ] ||
	fail_check "the replay's host.source is $(jq -c .host.source "$REPLAY_REPORT"), expected \"$R/copy.tar\""
if ! diff -u "$LIVE_REPORT.cmp" "$REPLAY_REPORT.cmp" >"$LIVE_TMP/report.diff"; then
	fail_check "the replayed report differs from the live one of the capture ($(grep -c '^[-+][^-+]' "$LIVE_TMP/report.diff") lines):"
	head -n 80 "$LIVE_TMP/report.diff" >&2
fi
[ "$REPLAY_RC" -eq "$LIVE_RC" ] ||
	fail_check "the replay exited with $REPLAY_RC, the capture with $LIVE_RC"
note "reports compared: $(jq '.containers | length' "$REPLAY_REPORT") containers," \
	"$(jq '[.containers[].processes | length] | add' "$REPLAY_REPORT") container processes," \
	"$(jq -c '.summary | {processes, failed, findings}' "$REPLAY_REPORT")"

# A replay creates no file anywhere, root's included: traced, no system call
# that creates a file, a directory, a node or a link is made, and /dev/shm
# and the working directory hold what they held.
if command -v strace >/dev/null 2>&1; then
	mkdir "$LIVE_TMP/cwd"
	shm_before=$(ls -A /dev/shm | sort)
	(cd "$LIVE_TMP/cwd" && timeout 120 strace -f -qq -o "$LIVE_TMP/replay.trace" \
		-e trace=open,openat,openat2,creat,mkdir,mkdirat,mknod,mknodat,link,linkat,symlink,symlinkat,rename,renameat,renameat2 \
		"$CAPAUDIT" --snapshot "$SNAP" --json >/dev/null 2>&1) || true
	made=$(grep -E 'O_CREAT|O_TMPFILE|(creat|mkdir|mkdirat|mknod|mknodat|link|linkat|symlink|symlinkat|rename|renameat|renameat2)\(' \
		"$LIVE_TMP/replay.trace" | grep -v ' = -1 ' || true)
	[ -s "$LIVE_TMP/replay.trace" ] || fail_check "strace recorded nothing of the replay"
	[ -z "$made" ] || fail_check "the replay made files: $(head -n 3 <<<"$made" | tr '\n' ' ')"
	[ -z "$(ls -A "$LIVE_TMP/cwd")" ] || fail_check "the replay left files in its working directory"
	[ "$(ls -A /dev/shm | sort)" = "$shm_before" ] || fail_check "/dev/shm changed during the replay"
	note "replay traced: $(wc -l <"$LIVE_TMP/replay.trace") opens and the like, none creating"
else
	note "strace is not installed: the replay's system calls are not traced"
fi

# ---------------------------------------------------------------------------
# 4. The replay holds the test's containers, with the runtimes' sets
# ---------------------------------------------------------------------------

LIVE_JSON=$REPLAY_REPORT

# check_sets LABEL ID PID EFFECTIVE BOUNDING: the replayed container ID's
# process PID holds the named sets (JSON arrays) the runtime reported.
check_sets() {
	local what="$1 (id ${2:0:12}, pid $3)" got want set
	for set in effective bounding; do
		if [ "$set" = effective ]; then want=$4; else want=$5; fi
		got=$(jq -c --arg id "$2" --argjson pid "$3" --arg set "$set" \
			'first(.containers[] | select(.id == $id)) | first(.processes[] | select(.pid == $pid))
			 | .capabilities[$set] | sort' "$LIVE_JSON")
		[ "$got" = "$want" ] ||
			fail_check "$what: replayed .capabilities.$set is $got, the runtime reports $want"
	done
}

check_container "docker default" docker "$DK_DEF_ID" "$DK_DEF_PID" fail
if [ "$CONTAINER_OK" = yes ]; then
	check_sets "docker default" "$DK_DEF_ID" "$DK_DEF_PID" "$DK_DEF_CAPS" "$DK_DEF_CAPS"
	check_has_rule "docker default" "$DK_DEF_ID" net-raw
fi
check_container "docker minimal" docker "$DK_MIN_ID" "$DK_MIN_PID" pass
if [ "$CONTAINER_OK" = yes ]; then
	check_sets "docker minimal" "$DK_MIN_ID" "$DK_MIN_PID" "$DK_MIN_CAPS" "$DK_MIN_CAPS"
	check_no_failing_findings "docker minimal" "$DK_MIN_ID"
fi
check_container "podman default" podman "$PM_DEF_ID" "$PM_DEF_PID" pass
if [ "$CONTAINER_OK" = yes ]; then
	check_sets "podman default" "$PM_DEF_ID" "$PM_DEF_PID" "$PM_DEF_EFF" "$PM_DEF_BND"
	check_no_failing_findings "podman default" "$PM_DEF_ID"
fi
check_container "podman privileged" podman "$PM_PRIV_ID" "$PM_PRIV_PID" fail
if [ "$CONTAINER_OK" = yes ]; then
	check_sets "podman privileged" "$PM_PRIV_ID" "$PM_PRIV_PID" "$PM_PRIV_EFF" "$PM_PRIV_BND"
	check_has_rule "podman privileged" "$PM_PRIV_ID" privileged '.severity == "critical"' 'with severity "critical"'
fi
check_container "runc default" unknown "$RUNC_DEF_ID" "$RUNC_DEF_PID" pass
if [ "$CONTAINER_OK" = yes ]; then
	BUNDLE=$RUNC_DEF_BUNDLE oci_check_masks default "$RUNC_DEF_ID" "$RUNC_DEF_PID"
	check_no_failing_findings "runc default" "$RUNC_DEF_ID"
fi
check_container "runc sysadmin" unknown "$RUNC_SYS_ID" "$RUNC_SYS_PID" fail
if [ "$CONTAINER_OK" = yes ]; then
	BUNDLE=$RUNC_SYS_BUNDLE oci_check_masks sysadmin "$RUNC_SYS_ID" "$RUNC_SYS_PID"
	check_has_rule "runc sysadmin" "$RUNC_SYS_ID" cap-added '.message | test("SYS_ADMIN"; "i")' \
		"whose message names SYS_ADMIN"
fi

# ---------------------------------------------------------------------------
# 5. --verify: intact, then one flipped byte
# ---------------------------------------------------------------------------

VERIFY_RC=0
timeout 60 "$CAPAUDIT" snapshot --verify "$SNAP" >"$LIVE_TMP/verify.out" 2>&1 || VERIFY_RC=$?
[ "$VERIFY_RC" -eq 0 ] && grep -qx "$SNAP: intact" "$LIVE_TMP/verify.out" ||
	fail_check "snapshot --verify of the live archive: exit $VERIFY_RC: $(head -n 3 "$LIVE_TMP/verify.out" | tr '\n' ' ')"

# Flip the first byte of the data of docker default's status member.
MEMBER=proc/$DK_DEF_PID/status
ALTERED=$LIVE_TMP/altered.tar
cp "$SNAP" "$ALTERED"
OFFSET=$(python3 - "$ALTERED" "$MEMBER" <<'EOF'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    m = t.getmember(sys.argv[2])
    if not m.isfile() or m.size == 0:
        sys.exit("%s is no regular file with data" % sys.argv[2])
    print(m.offset_data)
EOF
) || hard_error "cannot find the data of $MEMBER in $ALTERED"
python3 - "$ALTERED" "$OFFSET" <<'EOF' || hard_error "cannot flip a byte of $ALTERED"
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x20]))
EOF
cmp -s "$SNAP" "$ALTERED" && hard_error "flipping a byte left $ALTERED unchanged"
VERIFY_RC=0
timeout 60 "$CAPAUDIT" snapshot --verify "$ALTERED" >"$LIVE_TMP/verify.out" 2>&1 || VERIFY_RC=$?
[ "$VERIFY_RC" -eq 1 ] && grep -q "altered: $MEMBER\$" "$LIVE_TMP/verify.out" &&
	grep -qx "$ALTERED: ALTERED" "$LIVE_TMP/verify.out" ||
	fail_check "snapshot --verify of a copy with one byte of $MEMBER flipped (offset $OFFSET): exit $VERIFY_RC (expected 1): $(head -n 3 "$LIVE_TMP/verify.out" | tr '\n' ' ')"
[ "$(grep -cE '^(altered|added|missing): ' "$LIVE_TMP/verify.out")" -eq 1 ] ||
	fail_check "snapshot --verify reports more than the one flipped member: $(head -n 5 "$LIVE_TMP/verify.out" | tr '\n' ' ')"

oci_teardown_checks
assert_no_new_links

note "snapshot test took ${SECONDS}s before cleanup"
live_finish
