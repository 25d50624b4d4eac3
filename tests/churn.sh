#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scans while thousands of processes fork and exit (issue 7): no error, no
# crash, every vanished process counted, every surviving container reported.
#
# In a pid namespace of its own (with its own /proc, so that the host's
# processes neither slow the scans nor blur the counts), tests/bench/population
# --churn starts fake docker containers of three long-lived processes each
# (real cgroups, /docker/<id> in every hierarchy), one of which forks
# short-lived processes, half of them with a second thread, without end.
# capaudit scans again and again meanwhile, with and without --threads:
# every scan must exit 0 or 1, print nothing on stderr, and report every
# container with its leader and at least its three survivors, with counts
# that add up; some scans must have met processes that vanished, or the
# race was not exercised. Needs root (cgroups, a pid namespace) and jq.
set -u
. "$(dirname "$0")/lib-population.sh"

# At least 6 scans, and on until 20 seconds have passed or 30 scans were made
# (a sanitizer build is slower) - but not before the churn has made the
# thousand processes the test asserts, however slow it is on this machine
# (it runs niced), unless 120 seconds have passed.
containers=6 max_scans=30 min_scans=6 seconds=20 min_made=1000 give_up=120

# ---------------------------------------------------------------- inside
# bash churn.sh --inside OUT, as pid 1 of a new pid namespace.
if [ "${1:-}" = --inside ]; then
	out=$2
	# The churn takes what CPU the scans leave, not the other way round.
	POP_NICE=10 pop_start "$out/pop" -n $((3 * containers)) -k 3 --churn --list || exit 1
	sleep 0.5	# let the churn get going
	# Pids are handed out in order in a new namespace: the last one counts
	# the processes and threads made (far below pid_max, no wrap).
	first=$(cat /proc/sys/kernel/ns_last_pid)
	echo "$first" >"$out/first_pid"
	start=$SECONDS
	for ((i = 1; ; i++)); do
		if [ $i -gt $min_scans ]; then
			elapsed=$((SECONDS - start))
			[ $elapsed -ge $give_up ] && break
			if [ $elapsed -ge $seconds ] || [ $i -gt $max_scans ]; then
				read -r now </proc/sys/kernel/ns_last_pid	# no fork
				[ $((now - first)) -ge $min_made ] && break
			fi
		fi
		case $((i % 3)) in
		0) args=(--json) ;;
		1) args=(--json --threads) ;;
		2) args=(--threads) ;;
		esac
		echo "${args[*]}" >"$out/$i.args"
		"$CAPAUDIT" --policy built-in "${args[@]}" >"$out/$i.out" 2>"$out/$i.err"
		echo $? >"$out/$i.rc"
		echo "$i" >"$out/scans"
	done
	cat /proc/sys/kernel/ns_last_pid >"$out/last_pid"
	exit 0
fi

# ---------------------------------------------------------------- outside
. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (cgroups, a pid namespace)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
export CAPAUDIT=$capaudit
[ -x "$POPULATION" ] || { echo "ERROR: no $POPULATION (make check builds it)"; exit 99; }
pidns_usable || { echo "SKIP: cannot make a pid namespace with its own /proc (unshare)"; exit 77; }
trap 'pop_remove_listed "$tmp/pop"; chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

if ! in_pidns bash "$0" --inside "$tmp"; then
	ko "the churning population did not start"; cat "$tmp/pop" 2>/dev/null
	finish churn
	exit
fi
if pop_stopped "$tmp/pop"; then
	ok "the population stopped and removed its cgroups"
else
	ko "the population did not stop cleanly: $(tail -3 "$tmp/pop")"
fi

# The survivors: "container ID LEADER-PID" from population --list.
survivors=$(awk '$1 == "container" { printf "%s{\"id\":\"%s\",\"pid\":%d}", n++ ? "," : "", $2, $3 }' "$tmp/pop")
survivors="[$survivors]"
check "population listed its $containers containers" test "$(jq length <<<"$survivors")" -eq "$containers"

scans=$(cat "$tmp/scans" 2>/dev/null || echo 0)
bad_rc=0 noisy=0 bad_json=0 vanished_scans=0 vanished_total=0 json_scans=0
for ((i = 1; i <= scans; i++)); do
	rc=$(cat "$tmp/$i.rc") args=$(cat "$tmp/$i.args")
	if [ "$rc" -gt 1 ]; then
		ko "scan $i ($args) exits $rc"; bad_rc=$((bad_rc + 1))
	fi
	if [ -s "$tmp/$i.err" ]; then
		ko "scan $i ($args) wrote on stderr: $(head -3 "$tmp/$i.err")"; noisy=$((noisy + 1))
	fi
	case $args in *--json*) ;; *)
		# The text report: the survivors' containers, by their 12-digit short ids.
		for id in $(jq -r '.[].id[0:12]' <<<"$survivors"); do
			grep -q "$id" "$tmp/$i.out" || { ko "scan $i ($args): container $id missing"; bad_json=$((bad_json + 1)); }
		done
		continue ;;
	esac
	json_scans=$((json_scans + 1))
	# Empty where the scan is sound, else what is wrong with it.
	why=$(jq -r --argjson surv "$survivors" '
		. as $d | [.containers[].processes[].pid] as $all |
		[ ($surv[] | . as $s | ($d.containers | map(select(.id == $s.id))) as $c |
		    if ($c | length) != 1 then "container \($s.id[0:12]) reported \($c | length) times"
		    elif ([$c[0].processes[].pid] | index($s.pid)) == null then
			"container \($s.id[0:12]) without its leader \($s.pid)"
		    elif ($c[0].processes | length) < 3 then
			"container \($s.id[0:12]) with \($c[0].processes | length) processes, not its 3 survivors"
		    else empty end),
		  (if .summary.containers != (.containers | length) then
			"summary.containers \(.summary.containers), \(.containers | length) listed" else empty end),
		  (if .summary.contained != ($all | length) then
			"summary.contained \(.summary.contained), \($all | length) listed" else empty end),
		  (if ($all | unique | length) != ($all | length) then "a pid in two places" else empty end),
		  (if .summary.processes < .summary.contained then "fewer processes than contained" else empty end),
		  (if .summary.unreadable != 0 then "\(.summary.unreadable) unreadable" else empty end),
		  (if .summary.complete != true then "incomplete" else empty end)
		] | join("; ")' "$tmp/$i.out" 2>&1)
	if [ -n "$why" ]; then
		ko "scan $i ($args): $why"; bad_json=$((bad_json + 1))
		continue
	fi
	v=$(jq .summary.vanished "$tmp/$i.out")
	vanished_total=$((vanished_total + v))
	[ "$v" -gt 0 ] && vanished_scans=$((vanished_scans + 1))
done
made=$(( $(cat "$tmp/last_pid") - $(cat "$tmp/first_pid") ))
echo "# $scans scans ($json_scans JSON) while $made processes and threads were made;" \
	"$vanished_total vanished in $vanished_scans scans"
[ $bad_rc -eq 0 ] && ok "every scan exits 0 or 1"
[ $noisy -eq 0 ] && ok "no scan wrote on stderr"
[ $bad_json -eq 0 ] && ok "every scan reports every surviving container, with counts that add up"
check "thousands of processes came and went during the scans ($made)" test "$made" -ge $min_made
check "some scans met processes that vanished ($vanished_scans of $json_scans)" test "$vanished_scans" -gt 0

finish churn
