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

static void expect(const char *text, enum ca_attrib_kind kind, enum ca_runtime rt, const char *id)
{
	struct ca_attrib at;

	cgroup_parse(text, strlen(text), &at);
	if (at.kind != kind || at.runtime != rt || (id && strcmp(at.id, id) != 0))
		fail_msg("%s: got kind %d runtime %d id '%s', want kind %d runtime %d id '%s'",
			 text, at.kind, at.runtime, at.id, kind, rt, id ? id : "");
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
	expect("0::/docker/" ID "x\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/docker/3f2a9c1b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f\n",
	       CA_ATTRIB_NONE, CA_RT_NONE, "");
	/* upper-case hex is no runtime's id */
	expect("0::/docker/3F2A9C1B4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8\n",
	       CA_ATTRIB_NONE, CA_RT_NONE, "");
	/* an id under some other parent is not docker's */
	expect("0::/dockerx/" ID "\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/system.slice/docker-" ID ".scopex\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/system.slice/docker.service\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("0::/system.slice/cron.service\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	/* a path that walks up does not make the id a docker one */
	expect("0::/docker/../" ID "\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
}

static void malformed_lines(void **state)
{
	expect("", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("\n\n\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	expect("garbage\n::\n0:\n0::\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	/* no hierarchy id */
	expect(":memory:/docker/" ID "\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	/* a relative path is not a cgroup path */
	expect("0::docker/" ID "\n", CA_ATTRIB_NONE, CA_RT_NONE, "");
	/* the last line cut short, no newline: still a whole path, still matched */
	expect("0::/docker/" ID, CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
	/* a path holding ':' is read whole */
	expect("0::/a:b/docker-" ID ".scope\n", CA_ATTRIB_CONTAINER, CA_RT_DOCKER, ID);
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
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
