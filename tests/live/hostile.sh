#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Strings a container chooses cannot forge a line or a field in any format,
# on a live host (tests/hostile.sh does the same on a fixture tree).
#
# (d1) a docker container (busybox, --network=none, default caps: fails)
#      whose processes rename themselves (each its own /proc/self/comm) to
#      names holding a newline, a carriage return, terminal escapes (ESC [2J,
#      ESC ]0;title BEL), invalid UTF-8, C1 controls, DEL, a tab, quotes,
#      backslashes (a literal \x41) and a fake "[PASS] 5.4 all clear" line;
#      each waits (no exec) on a sleep whose argv[0] is the whole name;
# (d2) the same with --cap-drop=ALL (passes);
# (l1) a shell in a pid namespace of its own (unshare), in the cgroup
#      lxc.payload.<suffix: CapAdd=[] CapDrop=[ALL]\r[PASS] 5.4 all clear\t\x41>
#      of every hierarchy, without any capability (passes), named
#      ESC ]0;pwned BEL CR TAB NEL;
# (l2) the same, in lxc.payload.<ESC [2J ESC ]0;title BEL \xff\xfe "} 1 'q'
#      \x41\ CSI DEL suffix>, with the test's capabilities (fails), named
#      CR "[PASS] 5.5 ok" \xff.
# The kernel refuses '/' and a newline in a cgroup name and takes all the
# rest; it keeps 15 bytes of a comm. What it kept is checked against /proc
# first. capaudit must report l1 and l2 as runtime lxc, their names as ids.
#
# Every format (text, json, json-lines, cis, prometheus) and the text options
# (-o RUNTIME,ID,VERDICT -n -r, -q, --tree, the C locale) are run on the
# whole host and on selections (--container with a docker id's prefix and
# with the start of l1's name, --runtime lxc, --pid of a hostile process,
# -O), and parsed back strictly: bytes (no control but newline, no DEL or
# C1, valid UTF-8), each format's grammar, every container once, ids and
# names equal to /proc's escaped as capaudit documents, the exit status
# that the selected containers' verdicts imply.
#
# HOSTILE_STRICT_FINDINGS=no skips one check (see lib-hostile.sh): that the
# container field of a text finding line is one token.
# CAPAUDIT_LIVE_KEEP=DIR keeps capaudit's outputs there.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-lxc.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-hostile.sh"

hostile_init
named_cleanup_add hostile_cgroup_cleanup
docker_start
build_busybox_rootfs
docker_import "$ROOTFS_TAR"

# The names the docker containers' processes give themselves, as printf
# formats (the first is pid 1's). Each is cut to 15 bytes by the kernel.
HOSTILE_FMTS=(
	'\n[PASS] 5.4 all clear'
	'x\r[PASS] 5.4 ok'
	'\033[2J\033]0;title\007'
	'\377\376"\047\\x41\\'
	'\302\233\302\2340m\177\t.'
	'"},{"id":"x\\'
)

hostile_docker_run d1 ||
	skip "docker cannot run a container here: $RUN_ERR"
hostile_docker_run d2 --cap-drop=ALL ||
	hard_error "docker run --cap-drop=ALL failed: $RUN_ERR"

# The cgroup names: the kernel refuses '/' and newline, takes the rest.
L1_NAME=$LIVE_SUFFIX$': CapAdd=[] CapDrop=[ALL]\r[PASS] 5.4 all clear\t\\x41'
L2_NAME=$'\e[2J\e]0;title\a\xff\xfe"} 1 \'q\' \\x41\\ \xc2\x9b\x7f '$LIVE_SUFFIX
L1_COMM=$'\e]0;pwned\a\r\t\xc2\x85'
L2_COMM=$'\r[PASS] 5.5 ok\xff'
L1_HEX=$(hpl str-hex "$L1_NAME")
L2_HEX=$(hpl str-hex "$L2_NAME")

hostile_cgroup_run "$L1_HEX" none "$L1_COMM"
L1_PID=$PID L1_MEMBERS=("${MEMBERS[@]}")
hostile_cgroup_run "$L2_HEX" all "$L2_COMM"
L2_PID=$PID L2_MEMBERS=("${MEMBERS[@]}")

hostile_docker_truth d1
D1_ID=$ID D1_PIDS=("${PIDS[@]}") D1_NAMED=("${NAMED_PIDS[@]}")
hostile_docker_truth d2
D2_ID=$ID D2_PIDS=("${PIDS[@]}") D2_NAMED=("${NAMED_PIDS[@]}")

# What the kernel kept of the lxc names and comms.
for x in "L1 $L1_PID $L1_HEX $(hpl str-hex "$L1_COMM")" "L2 $L2_PID $L2_HEX $(hpl str-hex "$L2_COMM")"; do
	read -r tag pid hex comm <<<"$x"
	[ "$(hpl cgroup-hex "$pid")" = "$(hpl str-hex /lxc.payload.)$hex" ] ||
		hard_error "$tag: /proc/$pid/cgroup does not hold the name given"
	[ "$(hpl comm-hex "$pid")" = "${comm:0:30}" ] ||
		hard_error "$tag: the kernel did not keep the comm of pid $pid: $(hpl show "$(hpl comm-hex "$pid")")"
	note "lxc $tag: pid $pid id $(hpl esc "$hex") comm $(hpl esc "$(hpl comm-hex "$pid")") CapBnd $(proc_cap "$pid" CapBnd)"
done
[ "$(proc_cap "$L1_PID" CapBnd)" = 0000000000000000 ] ||
	hard_error "setpriv did not empty the bounding set of pid $L1_PID"

assert_no_new_links

# ---------------------------------------------------------------------------
# What each container must look like, escaped as capaudit escapes
# ---------------------------------------------------------------------------

L1_ID=$(hpl esc "$L1_HEX")
L2_ID=$(hpl esc "$L2_HEX")
[[ $L1_ID$L2_ID =~ ^[\ -~]*$ ]] || hard_error "the expected escaped ids are not printable ASCII"

# The test's containers, as check_selection expects them: docker's default
# set fails (NET_RAW), none passes; l1 holds nothing, l2 what this test holds.
C_D1=$(hostile_container docker "$D1_ID" fail 'CapAdd=[] CapDrop=[]')
C_D2=$(hostile_container docker "$D2_ID" pass 'CapAdd=[] CapDrop=[ALL]')
C_L1=$(hostile_container lxc "$L1_ID" pass 'CapAdd=? CapDrop=? Bounding=[] (no default set is known for lxc)')
L2_BND=$(proc_cap "$L2_PID" CapBnd)
policy_expect "$L2_BND"
[ "$EXP_VERDICT" = fail ] || hard_error "l2 (bounding set $L2_BND) would pass: the test runs with too few capabilities"
C_L2=$(hostile_container lxc "$L2_ID" fail "CapAdd=? CapDrop=? Bounding=[$(cis_names "$L2_BND")] (no default set is known for lxc)")
LIVE_IDS+=("$D1_ID" "$D2_ID" "$L1_ID" "$L2_ID")

# ---------------------------------------------------------------------------
# The whole host, then each selection
# ---------------------------------------------------------------------------

check_selection all no 1 "$C_D1" "$C_D2" "$C_L1" "$C_L2" --
LIVE_JSON=$LAST_DIR/json
[ "$JSON_OK" = yes ] || live_finish

# Every process of each container, its name as /proc/<pid>/comm has it,
# escaped; and nothing else.
{
	hpl comms-esc "${D1_PIDS[@]}" | sed "s/^/$D1_ID\t/"
	hpl comms-esc "${D2_PIDS[@]}" | sed "s/^/$D2_ID\t/"
	hpl comms-esc "${L1_MEMBERS[@]}" | H_ID=$L1_ID awk '{ print ENVIRON["H_ID"] "\t" $0 }'
	hpl comms-esc "${L2_MEMBERS[@]}" | H_ID=$L2_ID awk '{ print ENVIRON["H_ID"] "\t" $0 }'
} | sort >"$LIVE_TMP/comms.want"
jq -r '.containers[] | .id as $id | .processes[] | "\($id)\t\(.pid)\t\(.comm)"' "$LIVE_JSON" |
	awk -F '\t' 'NR == FNR { ids[$1]; next } $1 in ids' "$LIVE_TMP/comms.want" - | sort >"$LIVE_TMP/comms.got"
cmp -s "$LIVE_TMP/comms.want" "$LIVE_TMP/comms.got" ||
	fail_check "json: the processes of the test's containers and their comms differ from /proc (< /proc, > capaudit): $(diff "$LIVE_TMP/comms.want" "$LIVE_TMP/comms.got" | sed -n 1,6p | tr '\n' ' ')"
# Every hostile name in both docker containers, and in the tree (its COMM
# cells escaped by libsmartcols).
for i in "${!HOSTILE_FMTS[@]}"; do
	name_esc=$(hpl esc "$(hpl fmt-hex "${HOSTILE_FMTS[$i]}" 15)")
	for pid in "${D1_NAMED[$i]}" "${D2_NAMED[$i]}"; do
		n=$(H_C=$pid$'\t'$name_esc awk -F '\t' 'BEGIN { c = ENVIRON["H_C"] } $2 "\t" $3 == c { n++ } END { print n + 0 }' "$LIVE_TMP/comms.got")
		[ "$n" -eq 1 ] || fail_check "json: pid $pid is not named '$name_esc'"
		n=$(tree_comm_count "$LAST_DIR/tree-comm" "$pid" "$name_esc")
		[ "$n" -eq 1 ] || fail_check "tree: $n rows of pid $pid with COMM '$name_esc', expected 1"
	done
done
for pid in "$L1_PID" "$L2_PID"; do
	name_esc=$(hpl esc "$(hpl comm-hex "$pid")")
	n=$(tree_comm_count "$LAST_DIR/tree-comm" "$pid" "$name_esc")
	[ "$n" -eq 1 ] || fail_check "tree: $n rows of pid $pid with COMM '$name_esc', expected 1"
done

# The docker containers by a prefix of their ids.
check_selection d1-prefix yes 1 "$C_D1" -- --container "${D1_ID:0:10}"
check_selection d2-prefix yes 0 "$C_D2" -- --container "${D2_ID:0:10}"
# An lxc container by the start of its name, spaces and brackets included.
check_selection l1-name yes 0 "$C_L1" -- --container "$LIVE_SUFFIX: CapAdd=[] CapDrop=[ALL]"
check_selection lxc no 1 "$C_L1" "$C_L2" -- --runtime lxc
# One hostile process each.
check_selection d1-pid yes 1 "$C_D1" -- --pid "${D1_NAMED[2]}"
check_selection l2-pid yes 1 "$C_L2" -- --pid "$L2_PID"

note "hostile test took ${SECONDS}s before cleanup"
live_finish
