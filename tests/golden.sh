#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Whole scans of the fixture trees under tests/fixtures, through --proc-root as
# production reads a real /proc, compared with tests/expected/<case>.out:
# stdout, then stderr, then the exit status. UPDATE_GOLDEN=1 rewrites them.
set -u

. "$(dirname "$0")/common.sh"
# The goldens' trees are drawn in UTF-8: libsmartcols falls back to ASCII in
# another locale, as rpmbuild's C is.
export LC_ALL=C.UTF-8
expected=$top/tests/expected

# case name | fixture | arguments
cases=(
	"mixed-text|mixed|"
	"mixed-json|mixed|--json"
	"mixed-strict|mixed|--strict"
	"legacy-text|legacy|"
	"legacy-json|legacy|scan -J"
	"quiet-text|quiet|"
	"quiet-json|quiet|--json"
	"quiet-strict|quiet|scan --strict"
	"kube-systemd-text|kube-systemd|"
	"kube-systemd-json|kube-systemd|--json"
	"kube-cgroupfs-text|kube-cgroupfs|"
	"kube-cgroupfs-json|kube-cgroupfs|--json"
	"nested-text|nested|"
	"nested-json|nested|--json"
	"confinement-text|confinement|"
	"confinement-json|confinement|--json"
	"confinement-threads|confinement|--threads --json"
	"mixed-json-lines|mixed|--format=json-lines"
	"mixed-cis|mixed|--format=cis"
	"mixed-prometheus|mixed|--format=prometheus"
	"nested-cis|nested|--format cis"
	"nested-prometheus|nested|--format prometheus"
	"nested-tree|nested|--tree -o ID,COMM,BOUNDING,VERDICT"
	"mixed-columns|mixed|-o RUNTIME,ID,VERDICT -n -r"
	"mixed-more-columns|mixed|-o +SOURCE,USERNS,FINDINGS"
	"mixed-output-all|mixed|--output-all -r"
	"mixed-quiet|mixed|-q"
	"mixed-runtime|mixed|--runtime podman"
	"mixed-container|mixed|--container c3ce --json"
	"mixed-pid|mixed|--pid 1202 --format=json-lines"
	"mixed-nothing-selected|mixed|--runtime lxc"
	"mixed-nothing-selected-json|mixed|--runtime lxc --json"
	"kube-tree|kube-systemd|--tree --color=never -o ID,COMM,POD,QOS,SANDBOX,VERDICT"
	"privileged-text|privileged|"
	"privileged-json|privileged|--json"
	"privileged-cis|privileged|--format=cis"
	"privileged-prometheus|privileged|--format=prometheus"
	"privileged-tree|privileged|--tree -o ID,BOUNDING,EFFECTIVE,ADDED,DROPPED,VERDICT"
	"privileged-full-host-text|privileged-full-host|"
	"privileged-full-host-json|privileged-full-host|--json"
	"privileged-full-host-cis|privileged-full-host|--format=cis"
	"privileged-full-host-prometheus|privileged-full-host|--format=prometheus"
	"list-columns|quiet|-H"
	"usage-format|quiet|--format=xml"
	"usage-column|quiet|-o RUNTIME,NOPE"
	"usage-runtime|quiet|--runtime rkt"
	"usage-pid|quiet|--pid 12x"
	"hostile-text|hostile|"
	"hostile-tree|hostile|--tree -o ID,COMM,VERDICT"
	"hostile-json|hostile|--json"
	"no-cap-last-cap|no-cap-last-cap|"
	"bad-cap-last-cap|bad-cap-last-cap|"
	"no-host-bounding|no-host-bounding|--json"
	"missing-root|does-not-exist|"
	"host-named-text|-|--host-root host-named"
	"host-named-json|-|--host-root host-named --json"
	"host-named-cis|-|--host-root host-named --format=cis"
	"host-named-prometheus|-|--host-root host-named --format=prometheus"
	"host-named-columns|-|--host-root host-named -o RUNTIME,ID,NAME,IMAGE,NAMESPACE,PODNAME,CONFIGURED"
	"host-named-proc-only|-|--proc-root host-named/proc -o RUNTIME,ID,NAME"
	"host-named-container|-|--host-root host-named --container web -o RUNTIME,ID,NAME,IMAGE"
	"usage-option|quiet|--bogus"
	"usage-argument|quiet|scan extra"
)


for c in "${cases[@]}"; do
	IFS='|' read -r name fixture args <<<"$c"
	# Relative paths keep host.source and messages the same in every build tree.
	# shellcheck disable=SC2086
	# The built-in policy, whatever a machine has under /etc.
	case $args in *policy*) ;; *) args="$args --policy built-in" ;; esac
	# "-": the arguments say what is read (--host-root)
	[ "$fixture" = - ] || args="$args --proc-root $fixture"
	(cd "$fixtures" && "$capaudit" $args >"$tmp/out" 2>"$tmp/err"
	 echo "exit $?" >"$tmp/status")
	# Timings differ at every run: the rest of a Prometheus report must not.
	sed -i -E 's/^(capaudit_scan_(duration|timestamp)_seconds) .*/\1 <varies>/' "$tmp/out"
	# What capaudit itself holds depends on who runs it: tests/privs.sh checks that.
	perl -0pi -e 's/"scanner":\s*(\{(?:[^{}]++|(?1))*\}|null),\s*//g' "$tmp/out"
	{ cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; cat "$tmp/status"; } >"$tmp/got"

	if [[ $args == *-J* || $args == *--json* || $args == *json-lines* ]] && command -v jq >/dev/null &&
	   [ -s "$tmp/out" ] && ! jq empty "$tmp/out" 2>/dev/null; then
		ko "$name: output is not valid JSON"
		continue
	fi
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		cp "$tmp/got" "$expected/$name.out"
	fi
	if diff -u "$expected/$name.out" "$tmp/got" >"$tmp/diff"; then
		ok "$name"
	else
		ko "$name"
		cat "$tmp/diff"
	fi
done

finish golden
