#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the proc-root fixture trees under tests/fixtures/.

Maintainer tool, not run by `make check`: the trees it writes are committed
and reviewed like any test data. Each process gets a status file shaped like
the kernel's (Linux 6.18), a cgroup file and, where given, ns/ links that are
plain symlinks whose targets read like the kernel's ("pid:[4026531836]").
Run it from the top of the source tree: python3 tests/mkfixtures.py
"""
import os
import shutil

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

HOST_NS = dict(pid=4026531836, net=4026531840, ipc=4026531839, uts=4026531838,
               user=4026531837, mnt=4026531841, cgroup=4026531835)
HOST_BND = "000001fffeffffff"   # these hosts' pid 1 lacks CAP_SYS_RESOURCE
ALL_BND = "000001ffffffffff"
DOCKER = "00000000a80425fb"
PODMAN = "00000000800405fb"
# docker 20.10 knows no capability past AUDIT_READ (37): its --privileged
# (here --cap-add=ALL --cap-drop=SYS_RESOURCE, see RUNTIMES.md) lacks
# PERFMON, BPF and CHECKPOINT_RESTORE
DOCKER2010_PRIV = "0000003ffeffffff"

STATUS = """Name:\t{name}
Umask:\t0022
State:\tS (sleeping)
Tgid:\t{pid}
Ngid:\t0
Pid:\t{pid}
PPid:\t{ppid}
TracerPid:\t0
Uid:\t{uid}\t{uid}\t{uid}\t{uid}
Gid:\t{uid}\t{uid}\t{uid}\t{uid}
FDSize:\t64
Groups:\t{groups}
NStgid:\t{nspid}
NSpid:\t{nspid}
NSpgid:\t{nspid}
NSsid:\t{nspid}
Kthread:\t{kthread}
VmPeak:\t    1640 kB
Threads:\t1
SigQ:\t0/96364
SigPnd:\t0000000000000000
ShdPnd:\t0000000000000000
SigBlk:\t0000000000000000
SigIgn:\t0000000000000000
SigCgt:\t0000000000000000
CapInh:\t{inh}
CapPrm:\t{prm}
CapEff:\t{eff}
CapBnd:\t{bnd}
CapAmb:\t{amb}
NoNewPrivs:\t{nnp}
Seccomp:\t{seccomp}
Seccomp_filters:\t{filters}
Speculation_Store_Bypass:\tthread vulnerable
SpeculationIndirectBranch:\tconditional enabled
Cpus_allowed:\t3
Cpus_allowed_list:\t0-1
voluntary_ctxt_switches:\t3
nonvoluntary_ctxt_switches:\t1
"""

V1 = ["pids", "blkio", "freezer", "devices", "memory", "cpuset", "cpuacct", "cpu"]


def cgroup_text(path, systemd=None, v2=None):
    """A hybrid host's cgroup file: name=systemd, the v1 controllers, then 0::."""
    lines = ["9:name=systemd:%s" % (systemd if systemd is not None else path)]
    for i, ctl in enumerate(V1):
        lines.append("%d:%s:%s" % (8 - i, ctl, path))
    lines.append("0::%s" % (v2 if v2 is not None else path))
    return "\n".join(lines) + "\n"


def escape_name(name):
    # The kernel escapes only newline and backslash in Name:.
    return name.replace(b"\\", b"\\\\").replace(b"\n", b"\\n")


def proc(root, pid, name, ppid=1, cgroup="/", bnd=HOST_BND, eff=None, prm=None,
         inh="0000000000000000", amb="0000000000000000", nspid=None, uid=0,
         seccomp=0, filters=0, nnp=0, kthread=0, ns=None, drop=(), raw_status=None,
         cmdline=None, uid_map=None, attr=None, tasks=None, start=None):
    d = os.path.join(root, str(pid))
    os.makedirs(d)
    if start is not None:
        # /proc/<pid>/stat as Linux 6.18 writes it; field 22 is the start time
        with open(os.path.join(d, "stat"), "wb") as f:
            f.write(b"%d (%s) S %d %d %d 0 -1 4194560 120 0 0 0 0 0 0 0 20 0 1 0 %d 2654208 "
                    b"160 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
                    % (pid, name if isinstance(name, bytes) else name.encode(), ppid, pid, pid, start))
    if raw_status is not None:
        text = raw_status
    else:
        eff = bnd if eff is None else eff
        prm = eff if prm is None else prm
        nspid = str(pid) if nspid is None else nspid
        text = STATUS.format(name="@NAME@", pid=pid, ppid=ppid, uid=uid, groups=" ",
                             nspid=nspid, kthread=kthread, inh=inh, prm=prm, eff=eff,
                             bnd=bnd, amb=amb, nnp=nnp, seccomp=seccomp, filters=filters)
        lines = [l for l in text.split("\n") if not any(l.startswith(k + ":") for k in drop)]
        text = "\n".join(lines)
    data = text.encode().replace(b"@NAME@", escape_name(name if isinstance(name, bytes) else name.encode()))
    with open(os.path.join(d, "status"), "wb") as f:
        f.write(data)
    if cgroup is not None:
        with open(os.path.join(d, "cgroup"), "wb") as f:
            f.write((cgroup if cgroup.endswith("\n") else cgroup_text(cgroup)).encode("latin-1"))
    if ns:
        os.makedirs(os.path.join(d, "ns"))
        for k, v in ns.items():
            os.symlink("%s:[%d]" % (k, v), os.path.join(d, "ns", k))
    if cmdline is not None:
        with open(os.path.join(d, "cmdline"), "wb") as f:
            f.write(b"".join(a.encode() + b"\0" for a in cmdline))
    if attr is not None:
        os.makedirs(os.path.join(d, "attr"))
        with open(os.path.join(d, "attr", "current"), "w") as f:
            f.write(attr + "\n")
    for tid, tbnd, teff in tasks or ():
        t = os.path.join(d, "task", str(tid))
        os.makedirs(t)
        with open(os.path.join(t, "status"), "w") as f:
            f.write(STATUS.format(name="worker", pid=pid, ppid=ppid, uid=uid, groups=" ", nspid=str(tid),
                                  kthread=0, inh=inh, prm=teff, eff=teff, bnd=tbnd, amb=amb, nnp=nnp,
                                  seccomp=seccomp, filters=filters))
    if uid_map is not None:
        with open(os.path.join(d, "uid_map"), "w") as f:
            f.write("".join("%10d %10d %10d\n" % m for m in uid_map))
    return d


def v2(path):
    """A pure cgroup v2 host: the 0:: line alone."""
    return "0::%s\n" % path


def tree(name, last_cap="40"):
    root = os.path.join(TOP, name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "sys", "kernel"))
    with open(os.path.join(root, "sys", "kernel", "cap_last_cap"), "w") as f:
        f.write(last_cap + "\n")
    return root


def host_basics(root, pid1_ns=None):
    proc(root, 1, "process_api", ppid=0, eff=ALL_BND, ns=pid1_ns)
    proc(root, 2, "kthreadd", ppid=0, bnd=ALL_BND, kthread=1, ns=HOST_NS)
    proc(root, 3, "kworker/0:0-events", ppid=2, bnd=ALL_BND, kthread=1)
    proc(root, 40, "sshd", ppid=1)


D1 = "c3ce3ca6c766e0b1a2f3d4c5b6a79801c3ce3ca6c766e0b1a2f3d4c5b6a79801"
D2 = "af3df141f10d2e3c4b5a69788796a5b4af3df141f10d2e3c4b5a69788796a5b4"
D3 = "36558eddb55d1f2e3d4c5b6a7988796a36558eddb55d1f2e3d4c5b6a7988796a"
P1 = "5a4a5b1c2d3e4f5061728394a5b6c7d85a4a5b1c2d3e4f5061728394a5b6c7d8"
P2 = "9e8d7c6b5a4938271605f4e3d2c1b0a99e8d7c6b5a4938271605f4e3d2c1b0a9"
POD = "7777777777777777777777777777777777777777777777777777777777777777"
P3 = "1b2c3d4e5f60718293a4b5c6d7e8f9011b2c3d4e5f60718293a4b5c6d7e8f901"


def mixed():
    """This VM's shape: docker and podman containers, conmon, an unknown sandbox."""
    root = tree("mixed")
    host_basics(root)
    # docker default: the 14, NET_RAW among them; two processes
    proc(root, 1001, "sh", ppid=990, cgroup="/docker/" + D1, bnd=DOCKER, nspid="1001\t1", seccomp=2, filters=1)
    proc(root, 1002, "sleep", ppid=1001, cgroup="/docker/" + D1, bnd=DOCKER, nspid="1002\t7", seccomp=2, filters=1)
    # docker --cap-drop=ALL --cap-add=NET_BIND_SERVICE, a non-root user
    proc(root, 1101, "nginx", ppid=990, cgroup="/docker/" + D2, bnd="0000000000000400",
         eff="0000000000000000", nspid="1101\t1", uid=101, seccomp=2, filters=1)
    # docker --cap-drop=NET_RAW --cap-add=SYS_ADMIN, systemd cgroup driver
    proc(root, 1201, "app", ppid=990, cgroup="/system.slice/docker-%s.scope" % D3,
         bnd="00000000a82405db", nspid="1201\t1", seccomp=2, filters=1)
    # a hostile name inside that container: escape sequence, newline, invalid UTF-8
    proc(root, 1202, b"\x1b[2J\n[PASS] ok\xff\\", ppid=1201, cgroup="/system.slice/docker-%s.scope" % D3,
         bnd="00000000a82405db", nspid="1202\t2", seccomp=2, filters=1)
    # podman default (Debian's containers.conf: 11, no NET_RAW)
    proc(root, 2001, "httpd", ppid=1990, cgroup="/libpod_parent/libpod-" + P1, bnd=PODMAN, nspid="2001\t1", seccomp=2, filters=1)
    # podman --privileged: everything the host has
    proc(root, 2101, "sh", ppid=2090, cgroup="/libpod_parent/libpod-" + P2, bnd=HOST_BND, nspid="2101\t1")
    # a container of a pod
    proc(root, 2201, "redis", ppid=2190, cgroup="/libpod_parent/%s/libpod-%s" % (POD, P3), bnd=PODMAN,
         nspid="2201\t1", seccomp=2, filters=1)
    # conmon: podman's monitor, not a container
    for pid in (1990, 2090, 2190):
        proc(root, pid, "conmon", ppid=1, cgroup="/libpod_parent/conmon")
    proc(root, 990, "containerd-shim", ppid=1)
    # something in its own pid namespace that no runtime claims (bubblewrap, say)
    proc(root, 3001, "bwrap", ppid=40, bnd=HOST_BND, eff="0000000000000000", nspid="3001\t1",
         ns=dict(pid=4026532777))
    # its child shares the namespace (same NSpid depth): its link is never read
    proc(root, 3002, "app", ppid=3001, bnd=HOST_BND, eff="0000000000000000", nspid="3002\t2")
    # a grandchild one level deeper is a namespace, and a container, of its own
    proc(root, 3003, "inner", ppid=3002, bnd="0000000000000000", nspid="3003\t3\t1",
         ns=dict(pid=4026532888))
    # a sandbox whose namespace link cannot be read: named after its top process
    proc(root, 3101, "sandbox", ppid=40, bnd="0000000000000400", nspid="3101\t1")
    proc(root, 3102, "worker", ppid=3101, bnd="0000000000000400", nspid="3102\t2")
    # a process the kernel let us list but not read (a directory where status should be)
    d = os.path.join(root, "4001")
    os.makedirs(os.path.join(d, "status"))
    open(os.path.join(d, "status", "keep"), "w").close()   # git keeps no empty directory
    with open(os.path.join(d, "cgroup"), "w") as f:
        f.write(cgroup_text("/docker/" + D1))
    # a process that exited between listing and reading: no status any more
    os.makedirs(os.path.join(root, "4002"))
    open(os.path.join(root, "4002", "cmdline"), "w").close()
    # not pids: were they read as such, their status would show up in the report
    for name in ("self", "0123", "12a", "-5", "4294967296"):
        shutil.copytree(os.path.join(root, "1001"), os.path.join(root, name), symlinks=True)


def legacy():
    """A kernel without NSpid or Kthread, where pid 1's ns links are readable."""
    root = tree("legacy", last_cap="37")
    drop = ("NSpid", "NStgid", "NSpgid", "NSsid", "Kthread", "Seccomp_filters")
    proc(root, 1, "init", ppid=0, bnd="0000003fffffffff", drop=drop, ns=HOST_NS)
    proc(root, 2, "kthreadd", ppid=0, bnd="0000003fffffffff", drop=drop)
    proc(root, 9, "ksoftirqd/0", ppid=2, bnd="0000003fffffffff", drop=drop)
    proc(root, 500, "lxc-start", ppid=1, bnd="0000003fffffffff", drop=drop, ns=HOST_NS)
    # an LXC container: its cgroup names it, its pid ns link differs from the host's
    ns = dict(HOST_NS, pid=4026532500)
    proc(root, 501, "init", ppid=500, cgroup="/lxc.payload.web", bnd="0000003fbfbfffff",
         drop=drop, ns=ns)
    # a docker container on that kernel: missing fields stay unknown
    proc(root, 600, "sh", ppid=1, cgroup="/docker/" + D1, bnd=DOCKER,
         drop=drop + ("CapAmb", "NoNewPrivs", "Seccomp"), ns=dict(HOST_NS, pid=4026532600))


def quiet():
    """No container at all: the audit passes."""
    root = tree("quiet")
    host_basics(root, pid1_ns=HOST_NS)
    proc(root, 41, "cron", ppid=1, cgroup="/system.slice/cron.service")


def broken():
    """Host references that cannot be read: the audit must stop, not guess."""
    root = tree("no-cap-last-cap")
    os.remove(os.path.join(root, "sys", "kernel", "cap_last_cap"))
    host_basics(root)
    root = tree("no-host-bounding")
    host_basics(root)
    shutil.rmtree(os.path.join(root, "1"))
    proc(root, 1, "init", ppid=0, drop=("CapBnd",))
    root = tree("bad-cap-last-cap", last_cap="sixty")
    host_basics(root)


K1 = "1111111111111111111111111111111111111111111111111111111111111111"
K2 = "2222222222222222222222222222222222222222222222222222222222222222"
K3 = "3333333333333333333333333333333333333333333333333333333333333333"
K4 = "4444444444444444444444444444444444444444444444444444444444444444"
K5 = "5555555555555555555555555555555555555555555555555555555555555555"
K6 = "6666666666666666666666666666666666666666666666666666666666666666"
POD1 = "4e5f6a7b-1c2d-4e3f-9a8b-7c6d5e4f3a2b"
POD2 = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
POD3 = "9f8e7d6c-5b4a-4938-a726-15f4e3d2c1b0"
CRI_NS = dict(HOST_NS)


def kube_systemd():
    """A Kubernetes node, pure cgroup v2, systemd driver: containerd CRI and CRI-O pods."""
    root = tree("kube-systemd")
    host_basics(root, pid1_ns=HOST_NS)
    proc(root, 50, "containerd", ppid=1, cgroup=v2("/system.slice/containerd.service"))
    proc(root, 51, "kubelet", ppid=1, cgroup=v2("/system.slice/kubelet.service"))
    slice1 = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice" % POD1.replace("-", "_")
    # containerd's shim for the pod (host, its cgroup the pod's), then the sandbox and an app
    proc(root, 60, "containerd-shim", ppid=1, cgroup=v2(slice1),
         cmdline=["/usr/bin/containerd-shim-runc-v2", "-namespace", "k8s.io", "-id", K1,
                  "-address", "/run/containerd/containerd.sock"])
    proc(root, 61, "pause", ppid=60, cgroup=v2(slice1 + "/cri-containerd-%s.scope" % K1),
         bnd=DOCKER, eff="0000000000000000", nspid="61\t1", nnp=1)
    proc(root, 62, "nginx", ppid=60, cgroup=v2(slice1 + "/cri-containerd-%s.scope" % K2),
         bnd=DOCKER, nspid="62\t2", uid=0)
    proc(root, 63, "nginx", ppid=62, cgroup=v2(slice1 + "/cri-containerd-%s.scope" % K2),
         bnd=DOCKER, eff="0000000000000000", nspid="63\t3", uid=101)
    # a Guaranteed pod: no QoS level in its slice name
    slice2 = "/kubepods.slice/kubepods-pod%s.slice" % POD2.replace("-", "_")
    proc(root, 70, "pause", ppid=60, cgroup=v2(slice2 + "/cri-containerd-%s.scope" % K3),
         bnd=DOCKER, eff="0000000000000000", nspid="70\t1", nnp=1)
    proc(root, 71, "app", ppid=60, cgroup=v2(slice2 + "/cri-containerd-%s.scope" % K4),
         bnd="0000000000000400", nspid="71\t2")
    # CRI-O: a BestEffort pod, its conmon in crio-conmon-<id>.scope
    slice3 = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice" % POD3.replace("-", "_")
    proc(root, 80, "conmon", ppid=1, cgroup=v2(slice3 + "/crio-conmon-%s.scope" % K5),
         cmdline=["/usr/bin/conmon", "-c", K5, "-r", "/usr/bin/runc"])
    proc(root, 81, "sh", ppid=80, cgroup=v2(slice3 + "/crio-%s.scope" % K5),
         bnd="00000000800405fb", nspid="81\t1")
    # the mixed form of containerd's systemd driver
    proc(root, 90, "redis", ppid=60,
         cgroup=v2("/system.slice/containerd.service/kubepods-burstable-pod%s.slice:cri-containerd:%s"
                   % (POD1.replace("-", "_"), K6)),
         bnd=DOCKER, nspid="90\t1")


def kube_cgroupfs():
    """A Kubernetes node on a hybrid host, cgroupfs driver: containerd and CRI-O."""
    root = tree("kube-cgroupfs")
    host_basics(root, pid1_ns=HOST_NS)
    proc(root, 60, "containerd-shim", ppid=1, cgroup="/",
         cmdline=["/usr/bin/containerd-shim-runc-v2", "-namespace", "k8s.io", "-id", K1])
    proc(root, 61, "pause", ppid=60, cgroup="/kubepods/besteffort/pod%s/%s" % (POD1, K1),
         bnd=DOCKER, eff="0000000000000000", nspid="61\t1")
    proc(root, 62, "kube-proxy", ppid=60, cgroup="/kubepods/besteffort/pod%s/%s/kube-proxy" % (POD1, K2),
         bnd=HOST_BND, nspid="62\t1")
    proc(root, 70, "etcd", ppid=60, cgroup="/kubepods/pod%s/%s" % (POD2, K3), bnd=DOCKER,
         nspid="70\t1")
    proc(root, 80, "conmon", ppid=1, cgroup="/kubepods/burstable/pod%s/crio-conmon-%s" % (POD3, K4),
         cmdline=["/usr/bin/conmon", "-c", K4])
    proc(root, 81, "sleep", ppid=80, cgroup="/kubepods/burstable/pod%s/crio-%s" % (POD3, K4),
         bnd="00000000800405fb", nspid="81\t1")


USERNS = 4026532900


def nested():
    """Nesting, named containers, and containers only a supervisor names."""
    root = tree("nested")
    host_basics(root, pid1_ns=HOST_NS)
    # docker-in-docker: the inner container, its outer one a parent
    proc(root, 100, "dockerd", ppid=90, cgroup="/docker/" + D1, bnd=HOST_BND, nspid="100\t5")
    proc(root, 101, "sleep", ppid=100, cgroup="/docker/%s/docker/%s" % (D1, D2), bnd=DOCKER,
         nspid="101\t7\t1")
    # Incus project container and its monitor
    proc(root, 200, "lxc-start", ppid=1, cgroup="/lxc.monitor.prod_web",
         cmdline=["[lxc monitor] /var/lib/incus/containers prod_web"])
    proc(root, 201, "init", ppid=200, cgroup="/lxc.payload.prod_web", bnd="0000003fbfbfffff",
         nspid="201\t1")
    # Proxmox: /lxc/<vmid>/ns/...
    proc(root, 210, "lxc-start", ppid=1, cgroup="/lxc.monitor/101",
         cmdline=["[lxc monitor] /var/lib/lxc 101"])
    proc(root, 211, "init", ppid=210, cgroup="/lxc/101/ns/init.scope", bnd="0000003fbfbfffff",
         nspid="211\t1")
    proc(root, 212, "cron", ppid=211, cgroup="/lxc/101/ns/system.slice/cron.service",
         bnd="0000003fbfbfffff", nspid="212\t40")
    # systemd-nspawn: the supervisor in the scope, the payload in the container
    scope = "/machine.slice/machine-web\\x2dfront.scope"
    proc(root, 300, "systemd-nspawn", ppid=40, cgroup=scope,
         cmdline=["systemd-nspawn", "-q", "-M", "web-front", "-D", "/srv/web", "/bin/sh"])
    proc(root, 301, "sh", ppid=300, cgroup=scope + "/payload", bnd="00000000fcecbfff",
         inh="00000000fcecbfff", nspid="301\t1", seccomp=2, filters=1)
    # ctr: "/<namespace>/<id>", confirmed by its shim
    proc(root, 400, "containerd-shim", ppid=1, cgroup="/",
         cmdline=["/usr/bin/containerd-shim-runc-v2", "-namespace", "default", "-id", "mybox",
                  "-address", "/run/containerd/containerd.sock"])
    proc(root, 401, "sleep", ppid=400, cgroup="/default/mybox", bnd=DOCKER, nspid="401\t1")
    # the same shape without a shim: a host process stays one, a nested one is unknown
    proc(root, 410, "cron", ppid=1, cgroup="/system.slice/cron.service")
    proc(root, 420, "sleep", ppid=40, cgroup="/other/box", bnd=DOCKER, nspid="420\t1",
         ns=dict(pid=4026532420))
    # rootless podman: no cgroup of its own; conmon names it; root maps to uid 1000
    proc(root, 500, "catatonit", ppid=1, uid=1000, cgroup="/user.slice",
         cmdline=["catatonit", "-P"], ns=dict(HOST_NS, user=USERNS))
    proc(root, 510, "conmon", ppid=1, uid=1000, cgroup="/user.slice",
         cmdline=["/usr/bin/conmon", "--api-version", "1", "-c", P1, "-u", P1, "-r", "/usr/bin/runc"])
    proc(root, 511, "sleep", ppid=510, uid=0, cgroup="/user.slice", bnd=PODMAN, nspid="511\t1",
         seccomp=2, filters=1, ns=dict(HOST_NS, user=USERNS, pid=4026532511),
         uid_map=[(0, 1000, 1), (1, 100000, 65536)])
    # rootless --privileged: every capability, but only inside its user namespace
    proc(root, 513, "conmon", ppid=1, uid=1000, cgroup="/user.slice",
         cmdline=["/usr/bin/conmon", "--api-version", "1", "-c", K6, "-u", K6])
    proc(root, 514, "sh", ppid=513, uid=0, cgroup="/user.slice", bnd=ALL_BND, nspid="514\t1",
         ns=dict(HOST_NS, user=USERNS, pid=4026532514), uid_map=[(0, 1000, 1), (1, 100000, 65536)])
    # --pid=host: in the host's pid namespace, but conmon's child
    proc(root, 520, "conmon", ppid=1, cgroup="/user.slice", uid=1000,
         cmdline=["/usr/bin/conmon", "-c", P2], ns=dict(HOST_NS, mnt=4026532250))
    proc(root, 521, "sleep", ppid=520, cgroup="/user.slice", bnd=PODMAN,
         ns=dict(HOST_NS, mnt=4026532521))
    # conmon's own helpers (its exit command, a runc) share its mounts: not the container's
    proc(root, 522, "podman", ppid=520, cgroup="/user.slice", uid=1000,
         ns=dict(HOST_NS, mnt=4026532250))
    proc(root, 523, "runc", ppid=520, cgroup="/user.slice")
    # pids wrapped: the same, read before the conmon above them
    proc(root, 518, "sleep", ppid=520, cgroup="/user.slice", bnd=PODMAN,
         ns=dict(HOST_NS, mnt=4026532518))
    proc(root, 519, "runc", ppid=520, cgroup="/user.slice", ns=dict(HOST_NS, mnt=4026532250))
    # a container naming a sub-cgroup like a monitor hides nothing
    proc(root, 600, "sleep", ppid=40, cgroup="/sandbox/libpod-conmon-x", bnd=DOCKER,
         nspid="600\t1", ns=dict(pid=4026532600))
    # a process inside a container that calls itself conmon is no supervisor
    proc(root, 610, "conmon", ppid=401, cgroup="/default/mybox", bnd=DOCKER, nspid="610\t2",
         cmdline=["conmon", "-c", P3])
    proc(root, 611, "sleep", ppid=610, cgroup="/default/mybox", bnd=DOCKER, nspid="611\t3")


def confinement():
    """LSM labels, a shared network namespace, ambient capabilities, threads, rootless root."""
    root = tree("confinement")
    host_basics(root, pid1_ns=HOST_NS)
    own = lambda n: dict(HOST_NS, pid=4026533000 + n, net=4026533100 + n, ipc=4026533200 + n,
                         uts=4026533300 + n, mnt=4026533400 + n)
    cg = lambda i: "/docker/%s" % (("%x" % i) * 64)[:64]
    proc(root, 101, "nginx", cgroup=cg(1), bnd=PODMAN, nspid="101\t1", seccomp=2, nnp=1,
         ns=own(1), attr="docker-default (enforce)")
    proc(root, 102, "nginx", cgroup=cg(2), bnd=PODMAN, nspid="102\t1", seccomp=2, nnp=1,
         ns=own(2), attr="unconfined")
    proc(root, 103, "httpd", cgroup="/libpod_parent/libpod-" + K1, bnd=PODMAN, nspid="103\t1",
         seccomp=2, nnp=1, ns=own(3), attr="system_u:system_r:spc_t:s0")
    proc(root, 104, "httpd", cgroup="/libpod_parent/libpod-" + K2, bnd=PODMAN, nspid="104\t1",
         seccomp=2, nnp=1, ns=own(4), attr="system_u:system_r:container_t:s0:c1,c2")
    # the host's network namespace (docker --network=host), its own otherwise
    proc(root, 105, "sleep", cgroup=cg(5), bnd=PODMAN, nspid="105\t1", seccomp=2, nnp=1,
         ns=dict(own(5), net=HOST_NS["net"]))
    # a non-root process with ambient and effective NET_BIND_SERVICE
    proc(root, 106, "server", cgroup=cg(6), uid=1000, bnd=PODMAN, eff="0000000000000400",
         prm="0000000000000400", inh="0000000000000400", amb="0000000000000400",
         nspid="106\t1", seccomp=2, nnp=1, ns=own(6))
    # a thread that raised SYS_ADMIN in its own sets (seen with --threads)
    proc(root, 107, "app", cgroup=cg(7), bnd=PODMAN, eff="00000000800405fb", nspid="107\t1",
         seccomp=2, nnp=1, ns=own(7), tasks=[(107, PODMAN, "00000000800405fb"),
                                               (108, "00000000802405fb", "00000000802405fb")])
    # rootless: root inside maps to uid 1000 on the host; its full set lives in that namespace
    proc(root, 110, "conmon", ppid=1, uid=1000, cgroup="/user.slice",
         cmdline=["/usr/bin/conmon", "-c", K3], ns=dict(HOST_NS, user=USERNS, mnt=4026532250))
    proc(root, 111, "sh", ppid=110, cgroup="/user.slice", bnd=ALL_BND, nspid="111\t1", seccomp=2,
         nnp=1, ns=dict(own(11), user=USERNS), uid_map=[(0, 1000, 1), (1, 100000, 65536)])


def hostile():
    """Strings a container chose for itself: names, and cgroup names that become ids."""
    root = tree("hostile")
    host_basics(root, pid1_ns=HOST_NS)
    names = [b"\n[PASS] 5.4 ok", b"\r[PASS]\x1b[2K", b"\x1b]0;owned\x07\x1b[31m", b"\xff\xfe\xc3(",
             b"q\"uo\\te\\x41", b"\xc2\x9b2J\x7f", b"A" * 4096]
    for i, name in enumerate(names):
        proc(root, 100 + i, name, ppid=99, cgroup="/docker/" + D1, bnd=DOCKER, nspid="%d\t%d" % (100 + i, i + 1),
             seccomp=2, filters=1)
    # LXC names come from the cgroup path: anything but '/' and a newline
    for i, name in enumerate(["evil\x1b[2J\x1b[H[PASS] all clear", "q\"uo\\te", "bad\xff\xfeutf8"]):
        proc(root, 200 + i, "init", ppid=1, cgroup="/lxc.payload." + name.encode("latin-1").decode("latin-1"),
             bnd="0000003fbfbfffff", nspid="%d\t1" % (200 + i))
    # nspawn unescapes "\x0a" in a unit name: that becomes a real newline in the id
    proc(root, 300, "sh", ppid=1, cgroup="/machine.slice/machine-fake\\x0a[PASS]\\x1b[0m.scope/payload",
         bnd="00000000fcecbfff", nspid="300\t1", seccomp=2, filters=1)


PV1 = "d0c2010ad0c2010ad0c2010ad0c2010ad0c2010ad0c2010ad0c2010ad0c2010a"
PV2 = "90d3a4b5c6d7e8f90a1b2c3d4e5f607190d3a4b5c6d7e8f90a1b2c3d4e5f6071"
PV3 = "de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0de1e7ed0"
PV4 = "0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d0a0dea4d"


def privileged():
    """--privileged as runtimes old and new give it, on a host that lacks SYS_RESOURCE and on one that lacks nothing.

    Privileged (ALL) is every capability the host's pid 1 holds below PERFMON:
    each tree holds containers that are, and containers one capability short.
    """
    root = tree("privileged")
    host_basics(root)
    own = lambda n: dict(HOST_NS, pid=4026534000 + n, net=4026534100 + n, ipc=4026534200 + n,
                         uts=4026534300 + n, mnt=4026534400 + n)
    # docker 20.10 --privileged: 37 capabilities, seccomp off
    proc(root, 101, "sh", ppid=90, cgroup="/docker/" + PV1, bnd=DOCKER2010_PRIV, nspid="101\t1",
         ns=own(1))
    # podman --privileged: the host's whole set, 40
    proc(root, 102, "sh", ppid=90, cgroup="/libpod_parent/libpod-" + PV2, bnd=HOST_BND, nspid="102\t1",
         ns=own(2))
    # docker --cap-add=ALL --cap-drop=SYS_RESOURCE --cap-drop=NET_ADMIN: one short below PERFMON
    proc(root, 103, "sh", ppid=90, cgroup="/docker/" + PV3, bnd="0000003ffeffefff", nspid="103\t1",
         seccomp=2, filters=1, ns=own(3))
    # podman --privileged --cap-drop=AUDIT_READ: PERFMON, BPF, CHECKPOINT_RESTORE, but not 37
    proc(root, 104, "sh", ppid=90, cgroup="/libpod_parent/libpod-" + PV4, bnd="000001dffeffffff",
         nspid="104\t1", ns=own(4))
    # LXC with every capability docker 20.10 knows: no default, so Bounding=[ALL]
    proc(root, 105, "init", ppid=1, cgroup="/lxc.payload.oldpriv", bnd=DOCKER2010_PRIV, nspid="105\t1",
         ns=own(5))

    # A host whose pid 1 holds every bit: what was privileged above is one short here.
    root = tree("privileged-full-host")
    proc(root, 1, "init", ppid=0, bnd=ALL_BND, ns=HOST_NS)
    proc(root, 2, "kthreadd", ppid=0, bnd=ALL_BND, kthread=1, ns=HOST_NS)
    # docker 20.10 --privileged on it: 38, bits 0..37
    proc(root, 101, "sh", ppid=90, cgroup="/docker/" + PV1, bnd="0000003fffffffff", nspid="101\t1",
         ns=own(1))
    # podman --privileged on it: 41
    proc(root, 102, "sh", ppid=90, cgroup="/libpod_parent/libpod-" + PV2, bnd=ALL_BND, nspid="102\t1",
         ns=own(2))
    # the set that is privileged on the VM, lacking SYS_RESOURCE, which this host holds
    proc(root, 104, "sh", ppid=90, cgroup="/libpod_parent/libpod-" + PV4, bnd=HOST_BND, nspid="104\t1",
         ns=own(4))


W1 = "0e1a2b3c4d5e6f708192a3b4c5d6e7f80e1a2b3c4d5e6f708192a3b4c5d6e7f8"
W2 = "2f3e4d5c6b7a89980716253443526170" * 2
W3 = "3a3d46a02486" + "0" * 52
W4 = "4b4c4d4e4f50" + "1" * 52
WP = "5c5d5e5f6061" + "2" * 52


def host_ident(root, hostname, boot_id):
    k = os.path.join(root, "sys", "kernel")
    os.makedirs(os.path.join(k, "random"), exist_ok=True)
    for rel, text in (("hostname", hostname), ("osrelease", "6.18.0-capaudit"),
                      (os.path.join("random", "boot_id"), boot_id)):
        with open(os.path.join(k, rel), "w") as f:
            f.write(text + "\n")


def diff_pair():
    """One host at two moments, for capaudit diff: every kind of change once, and what is not one.

    docker W1: 1001 gives up its capabilities and gains NoNewPrivs, loses its
    seccomp filter; 1002 enters another user namespace; 1003 exits and a new
    process takes its pid (another start time). podman WP is stopped. docker
    W2 does not change, but 3002's start time is missing before (no stat: a
    snapshot of an older capaudit): not compared. docker W3 gains a process
    holding the host's whole bounding set; docker W4 starts, --privileged.
    """
    child_user = dict(HOST_NS, user=4026532999)
    for name, later in (("diff-old", False), ("diff-new", True)):
        root = tree(name)
        host_ident(root, "node1", "8a6f0c1e-3b2d-4c5e-9f70-1a2b3c4d5e6f")
        host_basics(root)
        web = "/docker/" + W1
        if later:
            proc(root, 1001, "nginx", ppid=990, cgroup=web, bnd=DOCKER, eff="0000000000000000", nnp=1,
                 nspid="1001\t1", start=50000)
        else:
            proc(root, 1001, "nginx", ppid=990, cgroup=web, bnd=DOCKER, seccomp=2, filters=1,
                 nspid="1001\t1", start=50000)
        proc(root, 1002, "worker", ppid=1001, cgroup=web, bnd=DOCKER, seccomp=2, filters=1,
             nspid="1002\t2", ns=child_user if later else HOST_NS, start=50010)
        proc(root, 1003, "sh", ppid=1001, cgroup=web, bnd=DOCKER, seccomp=2, filters=1,
             nspid="1003\t3", start=91000 if later else 50020)
        if not later:
            proc(root, 2001, "postgres", ppid=990, cgroup="/libpod_parent/libpod-" + WP, bnd=PODMAN,
                 nspid="2001\t1", start=60000)
        proc(root, 3001, "redis", ppid=990, cgroup="/docker/" + W2, bnd=DOCKER, seccomp=2, filters=1,
             nspid="3001\t1", start=70000)
        proc(root, 3002, "redis-bg", ppid=3001, cgroup="/docker/" + W2, bnd=DOCKER, seccomp=2, filters=1,
             nspid="3002\t2", start=70010 if later else None)
        proc(root, 4001, "app", ppid=990, cgroup="/docker/" + W3, bnd=DOCKER, seccomp=2, filters=1,
             nspid="4001\t1", start=80000)
        if later:
            # entered as root with nsenter after joining its cgroup: the host's whole set
            proc(root, 4002, "bash", ppid=40, cgroup="/docker/" + W3, bnd=HOST_BND, nspid="4002\t2",
                 start=92000)
            proc(root, 5001, "sh", ppid=990, cgroup="/docker/" + W4, bnd=DOCKER2010_PRIV, nspid="5001\t1",
                 start=93000)


def write(root, rel, data, mode=None):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    if mode is not None:
        os.chmod(path, mode)


def oci_spec(bounding, annotations=None):
    """An OCI runtime spec, cut to what capaudit reads of it."""
    import json
    caps = ["CAP_" + c for c in bounding]
    return json.dumps({"ociVersion": "1.0.2", "process": {"capabilities": {
        "bounding": caps, "effective": caps, "permitted": caps}},
        "annotations": annotations or {}}, indent=1)


HN_WEB = "4e4e4e4e4e4e" + "0" * 52
HN_API = "4a4a4a4a4a4a" + "0" * 52
HN_ALL = "4b4b4b4b4b4b" + "0" * 52
HN_EVIL = "5e5e5e5e5e5e" + "0" * 52
HN_BAD = "6e6e6e6e6e6e" + "0" * 52
HN_LINK = "7e7e7e7e7e7e" + "0" * 52
HN_PODMAN = "8e8e8e8e8e8e" + "0" * 52
HN_PODMEMBER = "9e9e9e9e9e9e" + "0" * 52
HN_POD = "a" * 64
HN_CRI = "b1b1b1b1b1b1" + "0" * 52
HN_CRISANDBOX = "b2b2b2b2b2b2" + "0" * 52
HN_CRIO = "c1c1c1c1c1c1" + "0" * 52
HN_KPOD = "0b0b0b0b-1111-2222-3333-444444444444"
HN_CRIOPOD = "0c0c0c0c-1111-2222-3333-444444444444"


def host_named():
    """A host root (--host-root): its proc/ and every runtime's state files for its containers."""
    import json
    top = os.path.join(TOP, "host-named")
    shutil.rmtree(top, ignore_errors=True)
    root = tree(os.path.join("host-named", "proc"))
    host_basics(root)
    write(top, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nrl:x:1001:1001::/home/rl:/bin/sh\n")
    # docker run --name web --label app=web --cap-drop ALL --cap-add NET_BIND_SERVICE --cap-add CHOWN nginx:1.25
    proc(root, 1001, "nginx", ppid=990, cgroup="/docker/" + HN_WEB, bnd="0000000000000401", nspid="1001\t1",
         seccomp=2, filters=1)
    d = "var/lib/docker/containers/%s/" % HN_WEB
    write(top, d + "config.v2.json", json.dumps({"ID": HN_WEB, "Name": "/web", "Image": "sha256:" + "1" * 64,
          "Config": {"Image": "nginx:1.25", "Labels": {"app": "web", "com.example.team": "edge"}},
          "State": {"Running": True, "Pid": 1001}}))
    write(top, d + "hostconfig.json", json.dumps({"CapAdd": ["NET_BIND_SERVICE", "CHOWN"], "CapDrop": ["ALL"],
          "Privileged": False}))
    # docker run --name api busybox:1.36, then a root shell of the host moved into its cgroup
    # (nsenter -a -t 1401 after joining it): every capability the host holds, none it was told
    proc(root, 1401, "sh", ppid=990, cgroup="/docker/" + HN_API, bnd=DOCKER, nspid="1401\t1", seccomp=2, filters=1)
    proc(root, 1402, "bash", ppid=1, cgroup="/docker/" + HN_API, bnd=HOST_BND, nspid="1402\t7")
    d = "var/lib/docker/containers/%s/" % HN_API
    write(top, d + "config.v2.json", json.dumps({"ID": HN_API, "Name": "/api", "Config": {"Image": "busybox:1.36"}}))
    write(top, d + "hostconfig.json", json.dumps({"CapAdd": None, "CapDrop": None, "Privileged": False}))
    # docker run --cap-add=ALL --cap-drop=SYS_RESOURCE: what this host's --privileged would be
    proc(root, 1501, "sh", ppid=990, cgroup="/docker/" + HN_ALL, bnd=HOST_BND, nspid="1501\t1", seccomp=2, filters=1)
    d = "var/lib/docker/containers/%s/" % HN_ALL
    write(top, d + "config.v2.json", json.dumps({"ID": HN_ALL, "Name": "/all", "Config": {"Image": "busybox:1.36"}}))
    write(top, d + "hostconfig.json", json.dumps({"CapAdd": ["ALL"], "CapDrop": ["SYS_RESOURCE"],
          "Privileged": False}))
    # a name and labels that try to forge lines, and more labels than a report keeps
    proc(root, 1101, "sh", ppid=990, cgroup="/docker/" + HN_EVIL, bnd=DOCKER, nspid="1101\t1", seccomp=2, filters=1)
    labels = dict(("l%02d" % i, "v%d" % i) for i in range(40))
    labels["esc"] = "\x1b[2J\n[PASS] all good"
    labels["k" * 300] = "x" * 1000
    d = "var/lib/docker/containers/%s/" % HN_EVIL
    # json.dumps writes no invalid UTF-8: the raw byte 0xff is put in afterwards
    write(top, d + "config.v2.json", json.dumps({"Name": "/evil\x1b[31m\n[PASS] 5.4 ok", "Config": {
          "Image": "busy@box", "Labels": labels}}).encode().replace(b"busy@box", b"busy\xffbox"))
    write(top, d + "hostconfig.json", json.dumps({"CapAdd": None, "CapDrop": None, "Privileged": False}))
    # state that is no JSON, and a hostconfig.json that is missing
    proc(root, 1201, "app", ppid=990, cgroup="/docker/" + HN_BAD, bnd=DOCKER, nspid="1201\t1", seccomp=2, filters=1)
    write(top, "var/lib/docker/containers/%s/config.v2.json" % HN_BAD, '{"Name": "/half", "Config": {')
    # a state file that is a link out of the host root
    proc(root, 1301, "app", ppid=990, cgroup="/docker/" + HN_LINK, bnd=DOCKER, nspid="1301\t1", seccomp=2, filters=1)
    d = os.path.join(top, "var/lib/docker/containers", HN_LINK)
    os.makedirs(d)
    os.symlink("../../../../../../../etc/passwd", os.path.join(d, "config.v2.json"))
    # podman run --name db --cap-drop NET_RAW docker.io/library/postgres:16 (rootful, vfs)
    proc(root, 2001, "postgres", ppid=1990, cgroup="/libpod_parent/libpod-" + HN_PODMAN, bnd="00000000800405fb",
         nspid="2001\t1", seccomp=2, filters=1)
    # a member of a pod: podman's CRI-O-looking annotations name no Kubernetes pod
    proc(root, 2101, "redis", ppid=2090, cgroup="/libpod_parent/%s/libpod-%s" % (HN_POD, HN_PODMEMBER),
         bnd="00000000800405fb", nspid="2101\t1", seccomp=2, filters=1)
    for pid in (1990, 2090):
        proc(root, pid, "conmon", ppid=1, cgroup="/libpod_parent/conmon")
    st = "var/lib/containers/storage/vfs-containers/"
    write(top, st + "containers.json", json.dumps([
        {"id": HN_PODMAN, "names": ["db"], "image": "2" * 64, "metadata": json.dumps(
            {"image-name": "docker.io/library/postgres:16", "image-id": "2" * 64, "name": "db"})},
        {"id": HN_PODMEMBER, "names": ["cache"], "image": "3" * 64, "metadata": json.dumps(
            {"image-name": "docker.io/library/redis:7", "name": "cache"})}]))
    podman_caps = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
                   "NET_BIND_SERVICE", "SYS_CHROOT", "SETFCAP"]
    write(top, st + HN_PODMAN + "/userdata/config.json", oci_spec(podman_caps, {
        "io.container.manager": "libpod", "io.podman.annotations.privileged": "FALSE"}))
    write(top, st + HN_PODMEMBER + "/userdata/config.json", oci_spec(podman_caps, {
        "io.container.manager": "libpod", "io.kubernetes.cri-o.ContainerType": "container",
        "io.kubernetes.cri-o.SandboxID": "4" * 64}))
    # ctr -n default run --label app=demo ... mybox: confirmed by its shim
    proc(root, 980, "containerd-shim", ppid=1,
         cmdline=["/usr/bin/containerd-shim-runc-v2", "-namespace", "default", "-id", "mybox", "-address",
                  "/run/containerd/containerd.sock"])
    proc(root, 3001, "sh", ppid=980, cgroup="/default/mybox", bnd="00000000a82405fb", nspid="3001\t1", nnp=1)
    ctr_caps = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
                "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE", "SYS_ADMIN"]
    write(top, "run/containerd/io.containerd.runtime.v2.task/default/mybox/config.json",
          oci_spec(ctr_caps, {"app": "demo"}))
    # a Kubernetes pod through containerd's CRI: its sandbox and one container
    slice = "/kubepods/burstable/pod" + HN_KPOD
    proc(root, 970, "containerd-shim", ppid=1,
         cmdline=["/usr/bin/containerd-shim-runc-v2", "-namespace", "k8s.io", "-id", HN_CRISANDBOX])
    proc(root, 3101, "catatonit", ppid=970, cgroup="%s/%s" % (slice, HN_CRISANDBOX), bnd=DOCKER, nspid="3101\t1", nnp=1)
    proc(root, 3102, "coredns", ppid=970, cgroup="%s/%s" % (slice, HN_CRI), bnd="00000000a80425fb",
         nspid="3102\t2", nnp=1)
    task = "run/containerd/io.containerd.runtime.v2.task/k8s.io/"
    docker14 = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
                "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"]
    write(top, task + HN_CRISANDBOX + "/config.json", oci_spec(docker14, {
        "io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-name": "coredns-5d78c9869d-x7k2p",
        "io.kubernetes.cri.sandbox-namespace": "kube-system", "io.kubernetes.cri.sandbox-uid": HN_KPOD}))
    write(top, task + HN_CRI + "/config.json", oci_spec(docker14, {
        "io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.container-name": "coredns",
        "io.kubernetes.cri.sandbox-name": "coredns-5d78c9869d-x7k2p",
        "io.kubernetes.cri.sandbox-namespace": "kube-system",
        "io.kubernetes.cri.image-name": "registry.k8s.io/coredns/coredns:v1.10.1"}))
    # CRI-O: a container of a pod in namespace "shop"
    proc(root, 3201, "conmon", ppid=1, cgroup="/kubepods/besteffort/pod%s/crio-conmon-%s" % (HN_CRIOPOD, HN_CRIO))
    proc(root, 3202, "checkout", ppid=3201, cgroup="/kubepods/besteffort/pod%s/crio-%s" % (HN_CRIOPOD, HN_CRIO),
         bnd="00000000800405fb", nspid="3202\t1")
    write(top, "run/containers/storage/overlay-containers/%s/userdata/config.json" % HN_CRIO, oci_spec(
        podman_caps, {"io.kubernetes.cri-o.ContainerType": "container", "io.kubernetes.container.name": "checkout",
                      "io.kubernetes.pod.name": "checkout-7d9f", "io.kubernetes.pod.namespace": "shop",
                      "io.kubernetes.cri-o.ImageName": "quay.io/shop/checkout:2.1",
                      "io.kubernetes.cri-o.Labels": json.dumps({"app": "checkout", "tier": "web"})}))
    # LXC: lxc-create -n web2 -t busybox, lxc.cap.drop as the template writes it
    proc(root, 4000, "lxc-start", ppid=1, cgroup="/lxc.monitor.web2")
    proc(root, 4001, "init", ppid=4000, cgroup="/lxc.payload.web2", bnd="000001fcfcdeffff", nspid="4001\t1")
    write(top, "var/lib/lxc/web2/config", "lxc.uts.name = web2\nlxc.rootfs.path = dir:/var/lib/lxc/web2/rootfs\n"
          "lxc.cap.drop = sys_module mac_admin mac_override sys_time\nlxc.cap.drop = sys_admin\n"
          "lxc.net.0.type = empty\n")
    # an empty lxc.cap.drop clears the drops before it; keep's "none" the keeps before it
    proc(root, 4100, "lxc-start", ppid=1, cgroup="/lxc.monitor.web3")
    proc(root, 4101, "init", ppid=4100, cgroup="/lxc.payload.web3", bnd="000001fffeffdfff", nspid="4101\t1")
    write(top, "var/lib/lxc/web3/config", "lxc.cap.drop = sys_module mac_admin mac_override sys_time\n"
          "lxc.cap.drop =\nlxc.cap.drop = net_raw\n")
    proc(root, 4200, "lxc-start", ppid=1, cgroup="/lxc.monitor.web4")
    proc(root, 4201, "init", ppid=4200, cgroup="/lxc.payload.web4", bnd="0000000000000021", nspid="4201\t1")
    write(top, "var/lib/lxc/web4/config", "lxc.cap.keep = sys_admin net_raw\nlxc.cap.keep = none chown\n"
          "lxc.cap.keep = kill\n")
    # systemd-nspawn -M box: named by its machine
    proc(root, 5001, "init", ppid=5000, cgroup=cgroup_text("/machine.slice/machine-box.scope",
         systemd="/machine.slice/machine-box.scope/payload", v2="/machine.slice/machine-box.scope/payload"),
         bnd="00000000fcecbfff", nspid="5001\t1")
    proc(root, 5000, "systemd-nspawn", ppid=1, cgroup=cgroup_text("/machine.slice/machine-box.scope",
         systemd="/machine.slice/machine-box.scope/supervisor", v2="/machine.slice/machine-box.scope/supervisor"))
    # runc run -d runcbox, by hand, cgroupsPath /capsample/runc-box: named by its state, which names its
    # init by pid and start time (run/runc/<id>/state.json as runc 1.1.5 wrote it, cut to what capaudit reads)
    proc(root, 6001, "sleep", ppid=1, cgroup="/capsample/runc-box", bnd="0000000000000401", nspid="6001\t1",
         nnp=1, start=1031783, ns={"pid": 4026532601})
    write(top, "run/runc/runcbox/state.json", json.dumps({
        "id": "runcbox", "init_process_pid": 6001, "init_process_start": 1031783, "created": "2026-12-03T17:46:33Z",
        "config": {"capabilities": {"Bounding": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
                                    "Effective": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"], "Inheritable": None},
                   "labels": ["org.example.name=web", "io.kubernetes.pod.name=fake", "bundle=/tmp/sa/oci/bundle-runc"]}}))
    # a state left behind by a container killed without runc delete, whose pid is another's now: no claim
    proc(root, 6101, "sleep", ppid=1, cgroup="/capsample/reused", bnd="0000000000000401", nspid="6101\t1",
         start=2000000, ns={"pid": 4026532611})
    write(top, "run/runc/stale/state.json", json.dumps({
        "id": "stale", "init_process_pid": 6101, "init_process_start": 1500000,
        "config": {"capabilities": {"Bounding": ["CAP_SYS_ADMIN"]}, "labels": []}}))
    # two states that name one init: neither is believed
    proc(root, 6301, "sleep", ppid=1, cgroup="/capsample/twin", bnd="0000000000000401", nspid="6301\t1",
         start=3000000, ns={"pid": 4026532631})
    for twin in ("twin-a", "twin-b"):
        write(top, "run/runc/%s/state.json" % twin, json.dumps({
            "id": twin, "init_process_pid": 6301, "init_process_start": 3000000, "config": {}}))
    # crun run -d crunbox: its status, and the spec it ran as crun keeps it beside (the bundle's was edited since)
    proc(root, 6201, "sleep", ppid=1, cgroup="/capsample/crun-box", bnd="0000000000000401", nspid="6201\t1",
         nnp=1, start=1032965, ns={"pid": 4026532621})
    write(top, "run/crun/crunbox/status", json.dumps({
        "pid": 6201, "process-start-time": 1032965, "cgroup-path": "/capsample/crun-box",
        "rootfs": "/srv/oci/crunbox/rootfs", "bundle": "/srv/oci/crunbox", "owner": "root", "detached": True}))
    write(top, "run/crun/crunbox/config.json", oci_spec(["NET_BIND_SERVICE", "CHOWN"], {"org.example.name": "web"}))
    write(top, "srv/oci/crunbox/config.json", oci_spec(["SYS_ADMIN"], {"org.example.name": "edited"}))
    # a crun that kept no copy of the spec: the bundle's config.json, under the host root
    proc(root, 6401, "sleep", ppid=1, cgroup="/capsample/crun-old", bnd="0000000000000020", nspid="6401\t1",
         start=4000000, ns={"pid": 4026532641})
    write(top, "run/crun/crunold/status", json.dumps({
        "pid": 6401, "process-start-time": 4000000, "bundle": "/srv/oci/crunold"}))
    write(top, "srv/oci/crunold/config.json", oci_spec(["KILL"], {"tier": "batch"}))
    # a status without a start time: the pid alone is no claim
    proc(root, 6501, "sleep", ppid=1, cgroup="/capsample/crun-nostart", bnd="0000000000000020", nspid="6501\t1",
         start=5000000, ns={"pid": 4026532651})
    write(top, "run/crun/nostart/status", json.dumps({"pid": 6501, "bundle": "/srv/oci/crunold"}))
    proc(root, 990, "containerd-shim", ppid=1)


if __name__ == "__main__":
    mixed()
    legacy()
    quiet()
    broken()
    kube_systemd()
    kube_cgroupfs()
    nested()
    confinement()
    hostile()
    privileged()
    diff_pair()
    host_named()
