#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The DaemonSet (src/dist/capaudit-daemonset.yaml): every field one the
# Kubernetes API knows, of the type it wants, and the pod as locked down as
# README.md says (tests/k8s_validate.py); and the checker refuses broken
# copies, so that its passing means something.
set -u

. "$(dirname "$0")/common.sh"
manifest=$top/src/dist/capaudit-daemonset.yaml
validate=$top/tests/k8s_validate.py

# Debian's python3-kubernetes is /usr/bin/python3's; a python3 earlier on PATH may lack it.
py=
for p in python3 /usr/bin/python3; do
	command -v "$p" >/dev/null && "$p" -c 'import kubernetes.client, yaml' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || { echo "SKIP: no python3 with kubernetes and yaml (Debian: python3-kubernetes python3-yaml)"; exit 77; }

"$py" "$validate" "$manifest" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "the manifest is valid and locked down: $(cat "$tmp/out")" || { ko "the manifest (exit $rc):"; cat "$tmp/out"; }

# broken NAME WANT SED: a copy edited by SED must be refused, saying WANT.
broken() {
	sed "$3" "$manifest" >"$tmp/broken.yaml"
	if cmp -s "$manifest" "$tmp/broken.yaml"; then
		ko "$1: the edit changed nothing"
		return
	fi
	"$py" "$validate" "$tmp/broken.yaml" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -q -- "$2" "$tmp/out" && ok "refused: $1" || { ko "not refused (exit $rc): $1"; cat "$tmp/out"; }
}
broken "a misspelled field (hostPid)" "unknown field 'hostPid'" 's/hostPID: true/hostPid: true/'
broken "a misspelled nested field (readonly)" "unknown field 'readonly'" 's/readOnly: true/readonly: true/'
broken "a field of another kind (spec.replicas)" "unknown field 'replicas'" 's/^  updateStrategy:/  replicas: 3\n  updateStrategy:/'
broken "a string for a bool" "bool was expected" 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: "true"/'
broken "a number for a string" "str was expected" 's/memory: 32Mi/memory: 32/'
broken "another kind" "is none of" 's/^kind: DaemonSet/kind: Deployment/'
broken "without hostPID" "hostPID must be true" 's/hostPID: true/hostPID: false/'
broken "the host's root writable" "mounted readOnly" '/mountPath: \/host/{n;s/readOnly: true/readOnly: false/}'
broken "a capability more" "capabilities.add must be exactly" 's/- SYS_PTRACE/- SYS_PTRACE\n                - SYS_ADMIN/'
broken "no drop ALL" "drop must be exactly" 's/- ALL$/- NET_RAW/'
broken "privilege escalation" "allowPrivilegeEscalation must be false" 's/allowPrivilegeEscalation: false/allowPrivilegeEscalation: true/'
broken "a writable root filesystem" "readOnlyRootFilesystem must be true" 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
broken "capaudit reading the pod's root" "through --host-root /host" 's/--host-root \/host --format=json-lines/--format=json-lines/'
broken "the host mounted elsewhere" "through --host-root /hostfs" 's/mountPath: \/host$/mountPath: \/hostfs/'
broken "no memory limit" "limits must set cpu and memory" '/limits:/,/memory:/{/memory:/d}'
broken "no seccomp profile" "seccompProfile RuntimeDefault" 's/type: RuntimeDefault/type: Unconfined/'
broken "not every node" "every taint" 's/- operator: Exists/- key: node-role.kubernetes.io\/control-plane\n          operator: Exists/'

finish daemonset.sh
