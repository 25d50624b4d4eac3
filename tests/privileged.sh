#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One definition of "privileged", shown as ALL: every capability the host's
# own bounding set holds below CAP_PERFMON. Docker 20.10's --privileged (no
# PERFMON, BPF, CHECKPOINT_RESTORE) and a current runtime's are privileged,
# on this VM's host (no SYS_RESOURCE) and on a host that lacks nothing; a
# container one capability short is not, in every format alike.
set -u

. "$(dirname "$0")/common.sh"

PV1=d0c2010ad0c2010ad0c2010ad0c2010ad0c2010ad0c2010ad0c2010ad0c2010a	# docker 20.10 --privileged
PV2=90d3a4b5c6d7e8f90a1b2c3d4e5f607190d3a4b5c6d7e8f90a1b2c3d4e5f6071	# podman --privileged
PV3=de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0	# ... without NET_ADMIN
PV4=0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d	# without AUDIT_READ / SYS_RESOURCE

# fixture | container | privileged (yes/no) | what it is
cases=(
	"privileged|$PV1|yes|docker 20.10 --privileged, 37 on a host without SYS_RESOURCE"
	"privileged|$PV2|yes|podman --privileged, the host's 40"
	"privileged|oldpriv|yes|lxc holding docker 20.10's 37 (no default set)"
	"privileged|$PV3|no|docker 20.10's 37 less NET_ADMIN"
	"privileged|$PV4|no|the host's 40 less AUDIT_READ, PERFMON and above kept"
	"privileged-full-host|$PV1|yes|docker 20.10 --privileged, 38 on a host with every bit"
	"privileged-full-host|$PV2|yes|podman --privileged, 41"
	"privileged-full-host|$PV4|no|this VM's 40, SYS_RESOURCE missing where the host has it"
)

scan() {	# FIXTURE FORMAT [ARGS...]
	(cd "$fixtures" && "$capaudit" --policy built-in --proc-root "$1" --format "${@:2}")
}

# One container of a JSON document: "privileged" and its findings' rules, "true net-raw,...".
json_of() {	# FILE ID
	python3 - "$1" "$2" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for c in doc["containers"]:
    if c["id"] == sys.argv[2]:
        print(json.dumps(c["privileged"]), ",".join(f["rule"] for f in c["findings"]))
        break
else:
    print("MISSING")
EOF
}

for fx in privileged privileged-full-host; do
	scan "$fx" text -r -n -o FULLID,BOUNDING,ADDED >"$tmp/$fx.text"
	scan "$fx" cis >"$tmp/$fx.cis"
	scan "$fx" json >"$tmp/$fx.json"
	scan "$fx" prometheus >"$tmp/$fx.prom"
done

for c in "${cases[@]}"; do
	IFS='|' read -r fx id want what <<<"$c"
	row=$(awk -v id="$id" '$1 == id { print $2, $3 }' "$tmp/$fx.text")
	cis=$(grep -F "$id: " "$tmp/$fx.cis")
	read -r json rules <<<"$(json_of "$tmp/$fx.json" "$id")"
	prom=$(grep -E "^capaudit_container_privileged\{runtime=\"[a-z]+\",id=\"$id\"\} " "$tmp/$fx.prom")
	if [ "$want" = yes ]; then
		if [ "$id" = oldpriv ]; then
			want_row="ALL -" want_cis="$id: CapAdd=? CapDrop=? Bounding=[ALL] (no default set is known for lxc)"
		else
			want_row="ALL ALL" want_cis="$id: CapAdd=[ALL] CapDrop=[]"
		fi
		[ "$row" = "$want_row" ] && ok "text: ALL: $what" || ko "text: ALL: $what: '$row'"
		[ "$cis" = "$want_cis" ] && ok "CIS: [ALL]: $what" || ko "CIS: [ALL]: $what: '$cis'"
		[ "$json" = true ] && [[ ,$rules, == *,privileged,* ]] && ok "JSON: privileged: $what" ||
			ko "JSON: privileged: $what: privileged $json, findings $rules"
		[ "${prom##* }" = 1 ] && ok "Prometheus: privileged 1: $what" || ko "Prometheus: $what: '$prom'"
	else
		[ -n "$row" ] && [[ $row != *ALL* ]] && ok "text: not ALL: $what" || ko "text: not ALL: $what: '$row'"
		[ -n "$cis" ] && [[ $cis != *"[ALL]"* ]] && ok "CIS: not [ALL]: $what" || ko "CIS: not [ALL]: $what: '$cis'"
		[ "$json" = false ] && [[ ,$rules, != *,privileged,* ]] && ok "JSON: not privileged: $what" ||
			ko "JSON: not privileged: $what: privileged $json, findings $rules"
		[ -n "$prom" ] && [ "${prom##* }" = 0 ] && ok "Prometheus: privileged 0: $what" ||
			ko "Prometheus: $what: '$prom'"
	fi
done

finish privileged
