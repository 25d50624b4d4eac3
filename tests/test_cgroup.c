/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cgroup attribution, on the layouts runtimes really write, and near misses. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cgroup.h"

#define ID "3f2a9c1b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

#define UID "4e5f6a7b-1c2d-4e3f-9a8b-7c6d5e4f3a2b"
#define UID_ "4e5f6a7b_1c2d_4e3f_9a8b_7c6d5e4f3a2b"

static struct ca_attrib last;

static void expect(const char *text, enum ca_attrib_kind kind, enum ca_runtime rt, const char *id)
{
	cgroup_parse(text, strlen(text), &last);
	if (last.kind != kind || (kind != CA_ATTRIB_NONE && last.runtime != rt) ||
	    (id && strcmp(last.id, id) != 0))
		fail_msg("%s: got kind %d runtime %d id '%s', want kind %d runtime %d id '%s'",
			 text, last.kind, last.runtime, last.id, kind, rt, id ? id : "");
}

/* Not a container or a monitor: at most a ctr candidate, which a shim must confirm. */
static void expect_not_container(const char *text)
{
	cgroup_parse(text, strlen(text), &last);
	if (last.kind != CA_ATTRIB_NONE && last.kind != CA_ATTRIB_CANDIDATE)
		fail_msg("%s: got kind %d runtime %d id '%s', want no container", text, last.kind,
			 last.runtime, last.id);
}

static void expect_pod(const char *uid, enum ca_qos qos)
{
	assert_string_equal(last.pod_uid, uid);
	assert_int_equal(last.qos, qos);
}

static void docker_layouts(void **state)
{
	/* cgroupfs driver, as docker writes it on this hybrid host */
	expect("9:name=systemd:/docker/" ID "\n8:pids:/docker/" ID "\n0::/docker/" ID "\n",
	       CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* systemd driver, cgroup v2 */
	expect("0::/system.slice/docker-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* a sub-cgroup inside the container belongs to it */
	expect("0::/docker/" ID "/init\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
}

static void podman_layouts(void **state)
{
	expect("0::/libpod_parent/libpod-" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_PODMAN, ID);
	expect("0::/machine.slice/libpod-" ID ".scope/container\n", CA_ATTRIB_CONTAINER,
	       CA_RT_PODMAN, ID);
	/* a pod: the pod's own id is a parent, the container's is what counts */
	expect("4:memory:/libpod_parent/" ID2 "/libpod-" ID "\n", CA_ATTRIB_CONTAINER,
	       CA_RT_PODMAN, ID);
	expect("0::/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID ".scope\n",
	       CA_ATTRIB_CONTAINER, CA_RT_PODMAN, ID);
}

static void monitors_are_not_containers(void **state)
{
	expect("0::/libpod_parent/conmon\n", CA_ATTRIB_MONITOR, CA_RT_PODMAN, "");
	expect("0::/machine.slice/libpod-conmon-" ID ".scope\n", CA_ATTRIB_MONITOR, CA_RT_PODMAN, "");
	/* a container cannot hide a process by naming a sub-cgroup like a monitor */
	expect("0::/docker/" ID "/libpod-conmon-x\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	expect("0::/libpod_parent/libpod-" ID "/libpod_parent/conmon\n", CA_ATTRIB_CONTAINER,
	       CA_RT_PODMAN, ID);
}

static void line_order_of_trust(void **state)
{
	/* 0:: first, then name=systemd, then the controllers, whatever the file order */
	expect("4:memory:/docker/" ID2 "\n9:name=systemd:/docker/" ID "\n",
	       CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	expect("4:memory:/docker/" ID2 "\n9:name=systemd:/\n0::/docker/" ID "\n",
	       CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* the 0:: line says nothing: the controllers still may */
	expect("0::/\n4:memory:/docker/" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* missing 0:: line */
	expect("4:memory:/docker/" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
}

static void near_misses(void **state)
{
	/* 63 hex digits */
	expect_not_container("0::/docker/" ID "x\n");
	expect_not_container("0::/docker/3f2a9c1b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f\n");
	/* upper-case hex is no runtime's id */
	expect_not_container("0::/docker/3F2A9C1B4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8\n");
	/* an id under some other parent is not docker's */
	expect_not_container("0::/dockerx/" ID "\n");
	expect_not_container("0::/system.slice/docker-" ID ".scopex\n");
	expect_not_container("0::/system.slice/docker.service\n");
	expect_not_container("0::/system.slice/cron.service\n");
	/* a path that walks up does not make the id a docker one */
	expect_not_container("0::/docker/../" ID "\n");
}

static void malformed_lines(void **state)
{
	expect_not_container("");
	expect_not_container("\n\n\n");
	expect_not_container("garbage\n::\n0:\n0::\n");
	/* no hierarchy id */
	expect_not_container(":memory:/docker/" ID "\n");
	/* a relative path is not a cgroup path */
	expect_not_container("0::docker/" ID "\n");
	/* the last line cut short, no newline: still a whole path, still matched */
	expect("0::/docker/" ID, CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* a path holding ':' is read whole */
	expect("0::/a:b/docker-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
}

static void docker_more_layouts(void **state)
{
	/* a custom cgroup parent with the systemd driver */
	expect("0::/docker.slice/docker-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* rootless docker */
	expect("0::/user.slice/user-1000.slice/user@1000.service/docker.service/docker-" ID ".scope\n",
	       CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* docker-in-docker: the innermost container, the outer one a parent */
	expect("0::/docker/" ID2 "/docker/" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	assert_int_equal(last.nparents, 1);
	assert_int_equal(last.parents[0].runtime, CA_RT_DOCKER);
	assert_string_equal(last.parents[0].id, ID2);
	assert_string_equal(last.pod_uid, "");
	/* docker inside an LXC container */
	expect("0::/lxc.payload.builder/docker/" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	assert_int_equal(last.nparents, 1);
	assert_int_equal(last.parents[0].runtime, CA_RT_LXC);
	assert_string_equal(last.parents[0].id, "builder");
	/* the dockerd and containerd services are not containers */
	expect_not_container("0::/system.slice/docker.service\n");
	expect_not_container("0::/system.slice/containerd.service\n");
}

static void containerd_layouts(void **state)
{
	/* CRI, systemd driver */
	expect("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/cri-containerd-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_CONTAINERD, ID);
	expect_pod(UID, CA_QOS_BURSTABLE);
	expect("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	       ".slice/cri-containerd-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_CONTAINERD, ID);
	expect_pod(UID, CA_QOS_BESTEFFORT);
	expect("0::/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope\n",
	       CA_ATTRIB_CONTAINER, CA_RT_CONTAINERD, ID);
	expect_pod(UID, CA_QOS_GUARANTEED);
	/* CRI, cgroupfs driver */
	expect("4:memory:/kubepods/burstable/pod" UID "/" ID "\n", CA_ATTRIB_CONTAINER,
	       CA_RT_CONTAINERD, ID);
	expect_pod(UID, CA_QOS_BURSTABLE);
	expect("4:memory:/kubepods/besteffort/pod" UID "/" ID "\n", CA_ATTRIB_CONTAINER,
	       CA_RT_CONTAINERD, ID);
	expect_pod(UID, CA_QOS_BESTEFFORT);
	expect("0::/kubepods/pod" UID "/" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_CONTAINERD, ID);
	expect_pod(UID, CA_QOS_GUARANTEED);
	/* a sub-cgroup of a pod container belongs to it */
	expect("0::/kubepods/pod" UID "/" ID "/kube-proxy\n", CA_ATTRIB_CONTAINER, CA_RT_CONTAINERD, ID);
	/* the mixed form of containerd's systemd driver */
	expect("0::/system.slice/containerd.service/kubepods-burstable-pod" UID_
	       ".slice:cri-containerd:" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_CONTAINERD, ID);
	expect_pod(UID, CA_QOS_BURSTABLE);
	/* nerdctl */
	expect("0::/system.slice/nerdctl-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_CONTAINERD, ID);
	assert_string_equal(last.pod_uid, "");
	/* a pod level alone is not a container */
	expect_not_container("0::/kubepods/burstable/pod" UID "\n");
	/* a static pod's uid is a 32-digit hash */
	expect("0::/kubepods/pod6a8f2b1c9d0e4f5a6b7c8d9e0f1a2b3c/" ID "\n", CA_ATTRIB_CONTAINER,
	       CA_RT_CONTAINERD, ID);
	expect_pod("6a8f2b1c9d0e4f5a6b7c8d9e0f1a2b3c", CA_QOS_GUARANTEED);
}

static void ctr_candidates(void **state)
{
	/* "/<namespace>/<id>" is only a candidate: any two-level path has that shape */
	expect("0::/default/mybox\n", CA_ATTRIB_CANDIDATE, CA_RT_NONE, "mybox");
	assert_string_equal(last.ns, "default");
	expect("0::/process_api/abc\n", CA_ATTRIB_CANDIDATE, CA_RT_NONE, "abc");
	/* but a systemd slice's unit is a host service, not parked until the walk ends */
	expect("0::/system.slice/cron.service\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/user.slice/x.scope\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/slice/x\n", CA_ATTRIB_CANDIDATE, CA_RT_NONE, "x");
	/* a definite line wins over a candidate, whatever the order */
	expect("0::/default/mybox\n4:memory:/docker/" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* one level, three levels, or odd characters: not ctr's */
	expect("0::/mybox\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/a/b/c\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/a b/c\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
}

static void podman_more_layouts(void **state)
{
	expect("0::/machine.slice/libpod-payload-" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_PODMAN, ID);
	/* rootless, systemd driver */
	expect("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope\n",
	       CA_ATTRIB_CONTAINER, CA_RT_PODMAN, ID);
	expect("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-" ID
	       ".scope\n", CA_ATTRIB_MONITOR, CA_RT_PODMAN, "");
}

static void crio_layouts(void **state)
{
	expect("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/crio-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_CRIO, ID);
	expect_pod(UID, CA_QOS_BURSTABLE);
	expect("0::/kubepods/besteffort/pod" UID "/crio-" ID "\n", CA_ATTRIB_CONTAINER, CA_RT_CRIO, ID);
	expect_pod(UID, CA_QOS_BESTEFFORT);
	expect("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/crio-conmon-" ID ".scope\n", CA_ATTRIB_MONITOR, CA_RT_CRIO, "");
	expect_not_container("0::/system.slice/crio.service\n");
}

static void lxc_layouts(void **state)
{
	expect("0::/lxc.payload.web\n", CA_ATTRIB_CONTAINER, CA_RT_LXC, "web");
	expect("0::/lxc.payload.web/init.scope\n", CA_ATTRIB_CONTAINER, CA_RT_LXC, "web");
	/* LXD and Incus: <project>_<name> */
	expect("0::/lxc.payload.prod_web-1\n", CA_ATTRIB_CONTAINER, CA_RT_LXC, "prod_web-1");
	expect("0::/lxc/web\n", CA_ATTRIB_CONTAINER, CA_RT_LXC, "web");
	/* Proxmox: /lxc/<vmid>/ns/... */
	expect("0::/lxc/101/ns/system.slice/cron.service\n", CA_ATTRIB_CONTAINER, CA_RT_LXC, "101");
	assert_int_equal(last.nparents, 0);
	/* monitors */
	expect("0::/lxc.monitor.web\n", CA_ATTRIB_MONITOR, CA_RT_LXC, "");
	expect("0::/lxc.monitor/101\n", CA_ATTRIB_MONITOR, CA_RT_LXC, "");
	expect_not_container("0::/lxc.payload.\n");
}

static void nspawn_layouts(void **state)
{
	expect("0::/machine.slice/machine-web\\x2dfront.scope/payload\n", CA_ATTRIB_CONTAINER,
	       CA_RT_NSPAWN, "web-front");
	expect("0::/machine.slice/machine-web.scope/payload/system.slice/cron.service\n",
	       CA_ATTRIB_CONTAINER, CA_RT_NSPAWN, "web");
	expect("0::/system.slice/system-systemd\\x2dnspawn.slice/systemd-nspawn@db.service/payload\n",
	       CA_ATTRIB_CONTAINER, CA_RT_NSPAWN, "db");
	/* the supervisor: the scope, outside payload */
	expect("0::/machine.slice/machine-web\\x2dfront.scope\n", CA_ATTRIB_MONITOR, CA_RT_NSPAWN, "");
	expect("0::/machine.slice/machine-web.scope/supervisor\n", CA_ATTRIB_MONITOR, CA_RT_NSPAWN, "");
	expect("0::/system.slice/systemd-nspawn@db.service\n", CA_ATTRIB_MONITOR, CA_RT_NSPAWN, "");
	/* this VM's hybrid: the controllers show the scope, 0:: and name=systemd the payload */
	expect("9:name=systemd:/machine.slice/machine-m1.scope/payload\n"
	       "4:memory:/machine.slice/machine-m1.scope\n6:freezer:/\n"
	       "0::/machine.slice/machine-m1.scope/payload\n", CA_ATTRIB_CONTAINER, CA_RT_NSPAWN, "m1");
	/* a podman pod's slice is not a machine */
	expect("0::/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID ".scope\n",
	       CA_ATTRIB_CONTAINER, CA_RT_PODMAN, ID);
}

static void long_names_are_refused(void **state)
{
	char text[600];

	/* cut short, two long names could become one container */
	strcpy(text, "0::/lxc.payload.");
	memset(text + strlen(text), 'a', 300);
	strcpy(text + 16 + 300, "\n");
	expect_not_container(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_layouts),
		cmocka_unit_test(podman_layouts),
		cmocka_unit_test(monitors_are_not_containers),
		cmocka_unit_test(line_order_of_trust),
		cmocka_unit_test(near_misses),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(docker_more_layouts),
		cmocka_unit_test(containerd_layouts),
		cmocka_unit_test(ctr_candidates),
		cmocka_unit_test(podman_more_layouts),
		cmocka_unit_test(crio_layouts),
		cmocka_unit_test(lxc_layouts),
		cmocka_unit_test(nspawn_layouts),
		cmocka_unit_test(long_names_are_refused),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
