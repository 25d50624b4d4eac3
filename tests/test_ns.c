/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of namespace links and uid_map. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ns.h"

static void links(void **state)
{
	uint64_t ino = 0;

	assert_int_equal(ns_link_parse(CA_NS_PID, "pid:[4026531836]", &ino), 0);
	assert_true(ino == 4026531836u);
	assert_int_equal(ns_link_parse(CA_NS_USER, "user:[4026531837]", &ino), 0);
	assert_true(ino == 4026531837u);
	assert_int_equal(ns_link_parse(CA_NS_PID, "net:[4026531840]", &ino), -EINVAL);
	assert_int_equal(ns_link_parse(CA_NS_PID, "pid:[]", &ino), -EINVAL);
	assert_int_equal(ns_link_parse(CA_NS_PID, "pid:[12x]", &ino), -EINVAL);
	assert_int_equal(ns_link_parse(CA_NS_PID, "pid:[12", &ino), -EINVAL);
	assert_int_equal(ns_link_parse(CA_NS_PID, "pid:[99999999999999999999999]", &ino), -EINVAL);
	assert_int_equal(ns_link_parse(CA_NS_PID, "pid_for_children:[1]", &ino), -EINVAL);
}

static void uid_map_root(void **state)
{
	static const char identity[] = "         0          0 4294967295\n";
	static const char rootless[] = "         0       1000          1\n         1     100000      65536\n";
	static const char userns_remap[] = "         1     100001      65535\n         0     100000          1\n";
	static const char unmapped[] = "      1000       1000          1\n";
	uint32_t uid = 7;

	assert_int_equal(ns_uid_map_root(identity, strlen(identity), &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(ns_uid_map_root(rootless, strlen(rootless), &uid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(ns_uid_map_root(userns_remap, strlen(userns_remap), &uid), 0);
	assert_int_equal(uid, 100000);
	assert_int_equal(ns_uid_map_root(unmapped, strlen(unmapped), &uid), -ENOENT);
	/* empty (a new user namespace before its map is written), cut, garbage */
	assert_int_equal(ns_uid_map_root("", 0, &uid), -EINVAL);
	assert_int_equal(ns_uid_map_root("0 1000 1", 8, &uid), -EINVAL);
	assert_int_equal(ns_uid_map_root("0 1000\n", 7, &uid), -EINVAL);
	assert_int_equal(ns_uid_map_root("0 1000 0\n", 9, &uid), -EINVAL);
	assert_int_equal(ns_uid_map_root("0 x 1\n", 6, &uid), -EINVAL);
	assert_int_equal(ns_uid_map_root("0 4294967296 1\n", 15, &uid), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(links),
		cmocka_unit_test(uid_map_root),
	};

	return cmocka_run_group_tests_name("ns", tests, NULL, NULL);
}
