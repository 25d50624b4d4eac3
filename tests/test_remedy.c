/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the fixes: a least set in each runtime's own words. */
#include "config.h"

#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "remedy.h"

#define BIT(c) (UINT64_C(1) << (c))
/* docker's default set, and a least set of two */
#define DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)
#define LEAST (BIT(CAP_CHOWN) | BIT(CAP_NET_RAW))

static struct ca_capnames names;

/* The fix of @rt for LEAST, with @held, as lines joined by " | ". */
static void expect(enum ca_runtime rt, bool in_pod, uint64_t least, uint64_t held, bool held_known,
		   const char *want)
{
	char *lines[2], got[1024] = "";
	int n = remedy_least(rt, in_pod, least, held, held_known, &names, lines), i;

	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " | " : "", lines[i]);
		free(lines[i]);
	}
	assert_string_equal(got, want);
}

static void least_sets(void **state)
{
	(void)state;
	assert_int_equal(caps_names_init(&names, 40), 0);
	expect(CA_RT_DOCKER, false, LEAST, DOCKER_DEFAULT, true,
	       "docker run --cap-drop=ALL --cap-add=CHOWN --cap-add=NET_RAW | "
	       "compose: cap_drop: [ALL], cap_add: [CHOWN, NET_RAW]");
	/* nothing used: drop all, add nothing */
	expect(CA_RT_DOCKER, false, 0, DOCKER_DEFAULT, true, "docker run --cap-drop=ALL | "
	       "compose: cap_drop: [ALL], cap_add: []");
	expect(CA_RT_PODMAN, false, BIT(CAP_CHOWN), DOCKER_DEFAULT, true,
	       "podman run --cap-drop=ALL --cap-add=CHOWN | "
	       "podman kube: securityContext.capabilities: drop: [ALL], add: [CHOWN]");
	/* a pod's container, by containerd's CRI or docker's: the pod's securityContext */
	expect(CA_RT_CONTAINERD, true, LEAST, DOCKER_DEFAULT, true,
	       "securityContext.capabilities: drop: [ALL], add: [CHOWN, NET_RAW]");
	expect(CA_RT_CRIO, false, LEAST, DOCKER_DEFAULT, true,
	       "securityContext.capabilities: drop: [ALL], add: [CHOWN, NET_RAW]");
	/* ctr cannot drop all: what it holds beyond the set, and the spec's lists */
	expect(CA_RT_CONTAINERD, false, LEAST, LEAST | BIT(CAP_KILL) | BIT(CAP_MKNOD), true,
	       "ctr run --cap-drop CAP_KILL --cap-drop CAP_MKNOD | config.json: process.capabilities bounding, "
	       "effective and permitted: [\"CAP_CHOWN\", \"CAP_NET_RAW\"]");
	/* ...and without its sets, only the spec */
	expect(CA_RT_CONTAINERD, false, LEAST, 0, false,
	       "config.json: process.capabilities bounding, effective and permitted: [\"CAP_CHOWN\", \"CAP_NET_RAW\"]");
	expect(CA_RT_LXC, false, LEAST, DOCKER_DEFAULT, true, "lxc.cap.keep = chown net_raw");
	expect(CA_RT_LXC, false, 0, DOCKER_DEFAULT, true, "lxc.cap.keep = none");
	expect(CA_RT_NSPAWN, false, LEAST, LEAST | BIT(CAP_SYS_ADMIN), true,
	       "DropCapability=CAP_SYS_ADMIN in the .nspawn file (--drop-capability=)");
	expect(CA_RT_NSPAWN, false, LEAST, LEAST, true, "nothing to drop: it holds no more than it uses");
	expect(CA_RT_RUNC, false, BIT(CAP_NET_BIND_SERVICE), 0, false,
	       "config.json: process.capabilities bounding, effective and permitted: [\"CAP_NET_BIND_SERVICE\"]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(least_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
