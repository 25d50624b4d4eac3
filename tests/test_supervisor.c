/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of supervisors: names, and the containers their command lines name. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "supervisor.h"

#define ID "3f2a9c1b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"

/* A command line as /proc/<pid>/cmdline holds it: sizeof() keeps the last NUL. */
#define PARSE(kind, lit, out) supervisor_parse(kind, lit, sizeof(lit) - 1, out)

static void kinds_by_name(void **state)
{
	assert_int_equal(supervisor_kind("conmon"), CA_SUP_CONMON);
	/* comm is cut at 15 bytes: containerd-shim-runc-v2 */
	assert_int_equal(supervisor_kind("containerd-shim"), CA_SUP_SHIM);
	assert_int_equal(supervisor_kind("lxc-start"), CA_SUP_LXC);
	assert_int_equal(supervisor_kind("systemd-nspawn"), CA_SUP_NSPAWN);
	assert_int_equal(supervisor_kind("conmon2"), CA_SUP_NONE);
	assert_int_equal(supervisor_kind("sh"), CA_SUP_NONE);
	assert_int_equal(supervisor_kind(""), CA_SUP_NONE);
}

static void conmon(void **state)
{
	struct ca_supervisor s;

	assert_true(PARSE(CA_SUP_CONMON, "/usr/bin/conmon\0--api-version\0" "1\0-c\0" ID "\0-u\0" ID
			  "\0-r\0/usr/bin/runc\0-n\0web\0", &s));
	assert_int_equal(s.runtime, CA_RT_PODMAN);
	assert_string_equal(s.id, ID);
	assert_true(PARSE(CA_SUP_CONMON, "conmon\0--cid=" ID "\0", &s));
	assert_string_equal(s.id, ID);
	assert_true(PARSE(CA_SUP_CONMON, "conmon\0-c" ID "\0", &s));
	assert_string_equal(s.id, ID);
	/* no -c, an -c without value, a command line cut short */
	assert_false(PARSE(CA_SUP_CONMON, "conmon\0-u\0" ID "\0", &s));
	assert_false(PARSE(CA_SUP_CONMON, "conmon\0-c\0", &s));
	assert_false(supervisor_parse(CA_SUP_CONMON, "conmon\0-c\0" ID, 10 + 64, &s));
	/* options after "--" belong to someone else */
	assert_false(PARSE(CA_SUP_CONMON, "conmon\0--\0-c\0" ID "\0", &s));
}

static void shim(void **state)
{
	struct ca_supervisor s;

	assert_true(PARSE(CA_SUP_SHIM, "/usr/bin/containerd-shim-runc-v2\0-namespace\0default\0-id\0"
			  "mybox\0-address\0/run/containerd/containerd.sock\0", &s));
	assert_int_equal(s.runtime, CA_RT_CONTAINERD);
	assert_string_equal(s.ns, "default");
	assert_string_equal(s.id, "mybox");
	/* dockerd's containers live in containerd's "moby" namespace */
	assert_true(PARSE(CA_SUP_SHIM, "containerd-shim-runc-v2\0-namespace\0moby\0-id\0" ID "\0", &s));
	assert_int_equal(s.runtime, CA_RT_DOCKER);
	assert_string_equal(s.id, ID);
	assert_false(PARSE(CA_SUP_SHIM, "containerd-shim-runc-v2\0-id\0mybox\0", &s));
	assert_false(PARSE(CA_SUP_SHIM, "containerd-shim-runc-v2\0-namespace\0default\0", &s));
}

static void lxc_monitor(void **state)
{
	struct ca_supervisor s;

	/* LXC rewrites its argv as one string, padded */
	assert_true(PARSE(CA_SUP_LXC, "[lxc monitor] /var/lib/lxc web\0\0\0", &s));
	assert_int_equal(s.runtime, CA_RT_LXC);
	assert_string_equal(s.id, "web");
	assert_true(PARSE(CA_SUP_LXC, "[lxc monitor] /tmp/my lxc path prod_web-1   ", &s));
	assert_string_equal(s.id, "prod_web-1");
	assert_false(PARSE(CA_SUP_LXC, "lxc-start\0-n\0web\0", &s));
	assert_false(PARSE(CA_SUP_LXC, "[lxc monitor] /var/lib/lxc\0", &s));
}

static void nspawn(void **state)
{
	struct ca_supervisor s;

	assert_true(PARSE(CA_SUP_NSPAWN, "systemd-nspawn\0-q\0--register=no\0-M\0web-front\0-D\0/srv/w\0"
			  "/bin/sh\0", &s));
	assert_int_equal(s.runtime, CA_RT_NSPAWN);
	assert_string_equal(s.id, "web-front");
	assert_true(PARSE(CA_SUP_NSPAWN, "systemd-nspawn\0--machine=db\0-D\0/srv/db\0", &s));
	assert_string_equal(s.id, "db");
	/* without -M, the machine is named after its directory */
	assert_true(PARSE(CA_SUP_NSPAWN, "systemd-nspawn\0-D\0/var/lib/machines/box/\0", &s));
	assert_string_equal(s.id, "box");
	assert_true(PARSE(CA_SUP_NSPAWN, "systemd-nspawn\0--directory=/srv/x\0", &s));
	assert_string_equal(s.id, "x");
	assert_false(PARSE(CA_SUP_NSPAWN, "systemd-nspawn\0-q\0", &s));
}

static void long_values_are_refused(void **state)
{
	char cmd[600];
	struct ca_supervisor s;
	size_t n;

	memcpy(cmd, "conmon\0-c\0", 10);
	memset(cmd + 10, 'a', 400);
	cmd[410] = '\0';
	n = 411;
	assert_false(supervisor_parse(CA_SUP_CONMON, cmd, n, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_by_name),
		cmocka_unit_test(conmon),
		cmocka_unit_test(shim),
		cmocka_unit_test(lxc_monitor),
		cmocka_unit_test(nspawn),
		cmocka_unit_test(long_values_are_refused),
	};

	return cmocka_run_group_tests_name("supervisor", tests, NULL, NULL);
}
