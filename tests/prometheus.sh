#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capaudit's Prometheus textfile, as Prometheus's own tools judge it: the
# report of every fixture tree and of this host passes promtool's linter with
# no complaint, and the example alerting rules (src/dist/capaudit-alerts.yml)
# load and pass their unit tests, on series shaped like capaudit's output.
set -u

. "$(dirname "$0")/common.sh"

command -v promtool >/dev/null || { echo "SKIP: no promtool (Debian: prometheus)"; exit 77; }
alerts=$top/src/dist/capaudit-alerts.yml
rules_test=$top/tests/prometheus-rules/capaudit-alerts.test.yml

# lint NAME FILE: promtool check metrics accepts FILE, and says nothing.
lint() {
	if promtool check metrics <"$2" >"$tmp/lint" 2>&1 && [ ! -s "$tmp/lint" ]; then
		ok "$1: promtool check metrics, no complaint"
	else
		ko "$1: promtool check metrics: $(cat "$tmp/lint")"
	fi
}

# The linter is no rubber stamp: a counter without _total and without HELP.
printf '# TYPE capaudit_scans counter\ncapaudit_scans 1\n' >"$tmp/bad.prom"
promtool check metrics <"$tmp/bad.prom" >"$tmp/lint" 2>&1
[ -s "$tmp/lint" ] && ok "promtool complains of a bad textfile ($(head -1 "$tmp/lint"))" ||
	ko "promtool passed a counter without _total or HELP"

# Every fixture tree, the built-in policy; the host-named one as a host root.
for f in mixed nested privileged privileged-full-host kube-systemd kube-cgroupfs hostile confinement legacy quiet -host-named; do
	case $f in
	-*) where=(--host-root "${f#-}") f=${f#-} ;;
	*) where=(--proc-root "$f") ;;
	esac
	(cd "$fixtures" && "$capaudit" --format=prometheus --policy built-in "${where[@]}" -O "$tmp/$f.prom") 2>"$tmp/err"
	rc=$?
	if [ $rc -gt 1 ] || [ ! -s "$tmp/$f.prom" ]; then
		ko "$f: exit $rc: $(head -c 200 "$tmp/err")"
		continue
	fi
	lint "$f" "$tmp/$f.prom"
done

# This host, live.
"$capaudit" --format=prometheus --policy built-in -O "$tmp/live.prom" 2>"$tmp/err"
rc=$?
[ $rc -le 1 ] && lint "this host (exit $rc)" "$tmp/live.prom" || ko "this host: exit $rc: $(head -c 200 "$tmp/err")"

# The rules load, every one of them.
n=$(grep -c '^ *- alert:' "$alerts")
promtool check rules "$alerts" >"$tmp/rules" 2>&1 && grep -q "SUCCESS: $n rules found" "$tmp/rules" &&
	ok "promtool check rules: the $n alerts load" || ko "promtool check rules: $(cat "$tmp/rules")"
for a in $(sed -n 's/^ *- alert: *//p' "$alerts"); do
	grep -q "alertname: $a\$" "$rules_test" && ok "$a has unit tests" || ko "$a has no unit test"
done

# The alerts ask for metrics capaudit writes.
for m in $(grep -o 'capaudit_[a-z_]*' "$alerts" | sort -u); do
	grep -q "^${m}[ {]" "$tmp"/*.prom && ok "$m is one capaudit writes" || ko "$m: capaudit writes no such metric"
done
# The tests' capaudit series have the labels capaudit gives them, and a scrape's.
bad=
while read -r series; do
	name=${series%%\{*}
	got=$(echo "$series" | grep -o '[a-z_]*=' | tr -d = | grep -vx 'instance\|job' | sort | paste -sd, -)
	want=$(grep -h "^${name}[ {]" "$tmp"/*.prom | head -1 | sed 's/ [^ ]*$//' | grep -o '[a-z_]*=' | tr -d = | sort | paste -sd, -)
	[ "$got" = "$want" ] || bad="$bad $name{$got} (capaudit: {$want})"
done < <(sed -n "s/^ *- series: '\(capaudit_[^']*\)'.*/\1/p" "$rules_test")
[ -z "$bad" ] && ok "the tests' capaudit series are labelled as capaudit labels them" || ko "series unlike capaudit's:$bad"

# Stale is three of the timer's intervals.
every=$(sed -n 's|^OnCalendar=\*:0/\([0-9]*\)$|\1|p' "$top/src/dist/capaudit.timer")
grep -q "capaudit\\\\\\\\.prom\"} > $((every * 3 * 60))\$" "$alerts" &&
	ok "stale is three timer intervals ($((every * 3)) min)" || ko "the stale threshold is not 3 x ${every:-?} min"

# The unit tests pass, and fail on rules that are wrong.
(cd "$(dirname "$rules_test")" && promtool test rules "$(basename "$rules_test")") >"$tmp/test" 2>&1 &&
	ok "promtool test rules: every alert fires and stays quiet as it should" || { ko "promtool test rules:"; cat "$tmp/test"; }
mkdir -p "$tmp/broken/src/dist" "$tmp/broken/tests/prometheus-rules"
cp "$rules_test" "$tmp/broken/tests/prometheus-rules/"
sed 's/> 900$/> 9000/' "$alerts" >"$tmp/broken/src/dist/capaudit-alerts.yml"
(cd "$tmp/broken/tests/prometheus-rules" && promtool test rules "$(basename "$rules_test")") >"$tmp/test" 2>&1
[ $? -ne 0 ] && grep -q CapauditTextfileStale "$tmp/test" && ok "the unit tests catch a stale threshold ten times too long" ||
	ko "the unit tests pass rules whose stale threshold is wrong"
sed 's/verdict="fail"/verdict="pass"/' "$alerts" >"$tmp/broken/src/dist/capaudit-alerts.yml"
(cd "$tmp/broken/tests/prometheus-rules" && promtool test rules "$(basename "$rules_test")") >"$tmp/test" 2>&1
[ $? -ne 0 ] && grep -q CapauditContainerFailing "$tmp/test" && ok "the unit tests catch an alert on passing containers" ||
	ko "the unit tests pass an alert on the wrong verdict"

finish prometheus.sh
