#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The DaemonSet's image, run as the DaemonSet runs it: src/dist/mkimage.sh
# makes it from a fresh Debian 12 root (debootstrap) and the package, and a
# private dockerd (tests/live/lib.sh: no bridge, no iptables) runs it with
# exactly the confinement src/dist/capaudit-daemonset.yaml gives its pod,
# translated field by field (host pid namespace, the host's root read-only,
# read-only root filesystem, the capabilities, no new privileges, the
# limits, its very command), beside three workload containers. Its report
# must list every container the host runs, with the verdict and bounding set
# that a direct scan of the host gives, and be complete. CI runs it after
# deb.sh (.ci/run); make check does not: it needs root, the network and
# minutes.
#
# usage: tests/package/image.sh [-m MIRROR] DEB
#   DEB       capaudit_VERSION_ARCH.deb, as deb.sh -o leaves it
#   -m URL    the Debian mirror (default: deb.sh's, this machine's)
# CAPAUDIT names the capaudit of the direct scan (default: _build/capaudit).
set -euo pipefail
export LC_ALL=C.UTF-8

top=$(cd "$(dirname "$0")/../.." && pwd)
mirror=${MIRROR:-}
while getopts m:h opt; do
	case $opt in
	m) mirror=$OPTARG ;;
	*) sed -n '/^# usage:/,/^# CAPAUDIT/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 [-m MIRROR] DEB" >&2; exit 2; }
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
: "${CAPAUDIT:=$top/_build/capaudit}"
manifest=$top/src/dist/capaudit-daemonset.yaml

# shellcheck source=tests/live/lib.sh
. "$top/tests/live/lib.sh"
live_init
command -v debootstrap >/dev/null || skip "debootstrap is not installed"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"
[ -n "$mirror" ] || mirror=$(bash -c '. <(sed -n "/^find_mirror()/,/^}/p" "$1"); find_mirror' sh \
	"$top/tests/package/deb.sh" | grep -v security | head -1 || true)
docker_start

# The workloads: a default container, one with NET_BIND_SERVICE alone, one
# with SYS_ADMIN added.
build_busybox_rootfs
docker_import "$ROOTFS_TAR"
docker_run_detached default || skip "docker cannot run a container here: $RUN_ERR"
docker_run_detached minimal --cap-drop=ALL --cap-add=NET_BIND_SERVICE || hard_error "docker run: $RUN_ERR"
docker_run_detached sysadmin --cap-drop=NET_RAW --cap-add=SYS_ADMIN || hard_error "docker run: $RUN_ERR"

tag=capaudit-live-image:$LIVE_SUFFIX
LIVE_DOCKER_IMAGES+=("$tag")
SECONDS=0
DOCKER="$DOCKER_BIN" MIRROR=${mirror:-http://deb.debian.org/debian} TMPDIR=/var/tmp \
	"$top/src/dist/mkimage.sh" "$deb" "$tag" >"$LIVE_TMP/mkimage.log" 2>&1 ||
	{ tail -30 "$LIVE_TMP/mkimage.log"; hard_error "src/dist/mkimage.sh failed"; }
note "mkimage.sh: $tag in $SECONDS s"

# The pod's confinement as docker run's options, one field at a time; a
# field this does not know fails the test rather than go untranslated. The
# textfile's hostPath becomes a directory of the test's: the pod would write
# on the node. The pod network becomes none: no test container has one.
# HostToContainer (rslave) needs a host mount that is shared, as systemd
# makes / on a kubelet's node; this VM's / is private (no systemd), so the
# read-only hostPaths are taken from a copy of the host's mount tree (rbind)
# made shared, which live_cleanup unmounts. The host's own propagation is
# left as it is.
mkdir "$LIVE_TMP/textfile" "$LIVE_TMP/hostroot"
mount --rbind / "$LIVE_TMP/hostroot" && mount --make-rshared "$LIVE_TMP/hostroot" ||
	hard_error "cannot make a shared copy of the host's mounts at $LIVE_TMP/hostroot"
/usr/bin/python3 - "$manifest" "$LIVE_TMP/textfile" "$LIVE_TMP/hostroot" >"$LIVE_TMP/run-args" <<'EOF'
import sys, yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
ds = next(d for d in docs if d['kind'] == 'DaemonSet')
pod = ds['spec']['template']['spec']
ann = ds['spec']['template']['metadata'].get('annotations', {})
(c,) = pod['containers']
out = []
def arg(*a):
    out.extend(a)
def refuse(what):
    sys.exit('image.sh cannot translate %s' % what)

known_pod = {'hostPID', 'hostNetwork', 'hostIPC', 'automountServiceAccountToken', 'enableServiceLinks',
             'tolerations', 'terminationGracePeriodSeconds', 'securityContext', 'containers', 'volumes'}
for k in pod:
    if k not in known_pod:
        refuse('spec.' + k)
if pod.get('hostPID'):
    arg('--pid=host')
if pod.get('hostNetwork') or pod.get('hostIPC'):
    refuse('hostNetwork or hostIPC')
arg('--network=none')
psc = pod.get('securityContext', {})
for k, v in psc.items():
    if k == 'seccompProfile' and v == {'type': 'RuntimeDefault'}:
        pass                            # docker's default profile
    else:
        refuse('securityContext.' + k)
for k, v in ann.items():
    if k == 'container.apparmor.security.beta.kubernetes.io/' + c['name']:
        if v != 'unconfined':
            refuse(k + '=' + v)
        arg('--security-opt', 'apparmor=unconfined')
    else:
        refuse('annotation ' + k)

sc = c['securityContext']
for k, v in sc.items():
    if k == 'runAsUser':
        uid = v
    elif k == 'runAsGroup':
        gid = v
    elif k in ('runAsNonRoot', 'privileged'):
        if v:
            refuse(k)
    elif k == 'allowPrivilegeEscalation':
        if not v:
            arg('--security-opt', 'no-new-privileges')
    elif k == 'readOnlyRootFilesystem':
        if v:
            arg('--read-only')
    elif k == 'capabilities':
        for d in v.get('drop', []):
            arg('--cap-drop=' + d)
        for a in v.get('add', []):
            arg('--cap-add=' + a)
    else:
        refuse('container securityContext.' + k)
arg('--user', '%d:%d' % (uid, gid))
lim = c['resources']['limits']
mem = lim['memory']
assert mem.endswith('Mi'), mem
arg('--memory', mem[:-2] + 'm')
cpu = lim['cpu']
arg('--cpus', str(int(cpu[:-1]) / 1000) if cpu.endswith('m') else cpu)

vols = {v['name']: v for v in pod['volumes']}
for m in c['volumeMounts']:
    v = vols[m['name']]
    path = v['hostPath']['path']
    if not m.get('readOnly'):
        path = sys.argv[2]                      # written: the test's own directory
    else:
        path = sys.argv[3] + path.rstrip('/')   # read: the shared copy of the host's tree
    opts = ['ro'] if m.get('readOnly') else ['rw']
    prop = m.get('mountPropagation')
    if prop == 'HostToContainer':
        opts.append('rslave')
    elif prop not in (None, 'None'):
        refuse('mountPropagation ' + prop)
    arg('-v', '%s:%s:%s' % (path, m['mountPath'], ','.join(opts)))

cmd = c['command'] + c.get('args', [])
arg('--entrypoint', cmd[0], 'IMAGE')
out.extend(cmd[1:])
print('\0'.join(out), end='')
EOF
mapfile -d '' run_args <"$LIVE_TMP/run-args"
for i in "${!run_args[@]}"; do [ "${run_args[i]}" = IMAGE ] && run_args[i]=$tag; done
note "docker run ${run_args[*]:0:${#run_args[@]}-1} <script>"

name=capaudit-live-$LIVE_SUFFIX-daemonset
LIVE_DOCKER_NAMES+=("$name")
docker_cmd run -d --name "$name" "${run_args[@]}" >"$LIVE_TMP/run.out" 2>"$LIVE_TMP/run.err" ||
	hard_error "the image would not run under the DaemonSet's confinement: $(head -c 300 "$LIVE_TMP/run.err")"
scanner=$(tail -n 1 "$LIVE_TMP/run.out")
# The loop's first round: the textfile, then JSON lines, one a container.
for i in $(seq 1 150); do
	[ -s "$LIVE_TMP/textfile/capaudit.prom" ] &&
		[ "$(docker_cmd logs "$name" 2>/dev/null | grep -c '^{')" -ge 4 ] && break
	sleep 0.2
done
docker_cmd logs "$name" >"$LIVE_TMP/pod.jsonl" 2>"$LIVE_TMP/pod.err"
# The direct scan, with the pod still running, so that both see it; by the
# built-in policy, which the package's /etc/capaudit/policy.ini holds.
"$CAPAUDIT" --format=json-lines --policy built-in >"$LIVE_TMP/direct.jsonl" 2>"$LIVE_TMP/direct.err" || [ $? -eq 1 ] ||
	hard_error "the direct scan failed: $(head -c 300 "$LIVE_TMP/direct.err")"
[ "$(docker_cmd inspect -f '{{.State.Running}}' "$name")" = true ] ||
	fail_check "the pod's container stopped: $(tail -c 300 "$LIVE_TMP/pod.err")"

# Each container as runtime, id, verdict and bounding set, sorted.
# (The last line is the scan's own: host, scanner, summary.)
digest() { jq -r 'select(.id) | "\(.runtime) \(.id) \(.verdict) \(.capabilities.bounding | join(","))"' "$1" | sort; }
digest "$LIVE_TMP/pod.jsonl" >"$LIVE_TMP/pod.digest" 2>/dev/null ||
	fail_check "the pod's output is not JSON lines: $(head -c 300 "$LIVE_TMP/pod.jsonl")"
digest "$LIVE_TMP/direct.jsonl" >"$LIVE_TMP/direct.digest" ||
	hard_error "the direct scan's output is not JSON lines: $(head -c 300 "$LIVE_TMP/direct.jsonl")"
if cmp -s "$LIVE_TMP/pod.digest" "$LIVE_TMP/direct.digest"; then
	note "PASS: the pod's report lists the $(wc -l <"$LIVE_TMP/direct.digest") containers a direct scan does, alike"
else
	fail_check "the pod's report and the direct scan differ (< pod, > direct):
$(diff "$LIVE_TMP/pod.digest" "$LIVE_TMP/direct.digest")"
fi
for id in "${LIVE_DOCKER_NAMES[@]:0:3}"; do
	full=$(docker_cmd inspect -f '{{.Id}}' "$id")
	grep -q "^docker $full " "$LIVE_TMP/pod.digest" && note "PASS: the pod sees $id" ||
		fail_check "the pod's report has no $id ($full)"
done
grep -q "^docker $scanner " "$LIVE_TMP/pod.digest" && note "PASS: the pod sees itself" ||
	fail_check "the pod's report has not its own container $scanner"
# What it held, and whether it read everything, by its own account.
jq -e 'select(.summary) | .summary.complete and .summary.unreadable == 0 and .summary.namespaces_denied == 0' \
	"$LIVE_TMP/pod.jsonl" >/dev/null && note "PASS: the pod read every process and namespace" ||
	fail_check "the pod's scan was incomplete: $(jq -c 'select(.summary) | .summary' "$LIVE_TMP/pod.jsonl")"
held=$(jq -c 'select(.scanner) | .scanner.capabilities.permitted' "$LIVE_TMP/pod.jsonl")
[ "$held" = '["cap_dac_read_search","cap_sys_ptrace"]' ] && note "PASS: the pod's capaudit held $held" ||
	fail_check "the pod's capaudit held $held"
# Its textfile: complete, with every container's verdict, and metrics promtool takes.
prom=$LIVE_TMP/textfile/capaudit.prom
grep -qx 'capaudit_audit_complete 1' "$prom" && note "PASS: the pod's audit is complete" ||
	fail_check "the pod's audit is incomplete: $(grep -E '^capaudit_(audit_complete|processes)' "$prom" | tr '\n' ' ')"
n=$(grep -c '^capaudit_container_verdict{.*verdict="fail"} 1' "$prom" || true)
want=$(grep -c ' fail ' "$LIVE_TMP/direct.digest" || true)
[ "$n" = "$want" ] && note "PASS: the textfile has the $want failing containers" ||
	fail_check "the textfile has $n failing containers, the direct scan $want"
if command -v promtool >/dev/null; then
	promtool check metrics <"$prom" >"$LIVE_TMP/lint" 2>&1 && [ ! -s "$LIVE_TMP/lint" ] &&
		note "PASS: promtool check metrics takes the pod's textfile" ||
		fail_check "promtool check metrics: $(cat "$LIVE_TMP/lint")"
fi
# What it held: exactly the manifest's two capabilities, no more.
pid=$(docker_cmd inspect -f '{{.State.Pid}}' "$name")
bnd=$(proc_cap "$pid" CapBnd)
[ "$bnd" = 0000000000080004 ] && note "PASS: the pod's bounding set is DAC_READ_SEARCH and SYS_PTRACE ($bnd)" ||
	fail_check "the pod's bounding set is $bnd, not DAC_READ_SEARCH and SYS_PTRACE"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" && note "PASS: the pod runs with no_new_privs" ||
	fail_check "the pod runs without no_new_privs"
live_finish
