/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the hash map: names a snapshot captured, pids, and their values. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "keymap.h"

static void once_each(void **state)
{
	struct ca_keymap set = { 0 };

	(void)state;
	assert_true(keymap_get(&set, "proc/1/status", 13) < 0);
	assert_int_equal(keymap_put(&set, "proc/1/status", 13, 0), 1);
	assert_int_equal(keymap_put(&set, "proc/1/status", 13, 0), 0);
	assert_true(keymap_get(&set, "proc/1/status", 13) >= 0);
	/* a prefix, or the same bytes longer, is another name */
	assert_true(keymap_get(&set, "proc/1/stat", 11) < 0);
	assert_true(keymap_get(&set, "proc/1/status2", 14) < 0);
	assert_int_equal(keymap_put(&set, "proc/1/stat", 11, 0), 1);
	/* only the length counts, not a NUL after it */
	assert_true(keymap_get(&set, "proc/1/statusXYZ", 13) >= 0);
	assert_int_equal(keymap_put(&set, "", 0, 0), 1);
	assert_int_equal(keymap_put(&set, "", 0, 0), 0);
	keymap_free(&set);
	assert_true(keymap_get(&set, "proc/1/status", 13) < 0);
	assert_int_equal(keymap_put(&set, "proc/1/status", 13, 0), 1);
	keymap_free(&set);
}

/* Through many growths, every name stays, and no other appears. */
static void many(void **state)
{
	struct ca_keymap set = { 0 };
	char name[64];
	int i, n;

	(void)state;
	for (i = 0; i < 100000; i++) {
		n = snprintf(name, sizeof(name), "proc/%d/ns/pid", i);
		assert_int_equal(keymap_put(&set, name, (size_t)n, 0), 1);
	}
	assert_int_equal(set.used, 100000);
	for (i = 0; i < 100000; i++) {
		n = snprintf(name, sizeof(name), "proc/%d/ns/pid", i);
		assert_true(keymap_get(&set, name, (size_t)n) >= 0);
		assert_int_equal(keymap_put(&set, name, (size_t)n, 0), 0);
		n = snprintf(name, sizeof(name), "proc/%d/ns/net", i);
		assert_true(keymap_get(&set, name, (size_t)n) < 0);
	}
	keymap_free(&set);
}

/* Values kept per key, never replaced; keys of any bytes, a NUL among them. */
static void values(void **state)
{
	struct ca_keymap m = { 0 };
	static const char a[] = { 'x', '\0', 'y' }, b[] = { 'x', '\0', 'z' };
	pid_t pid;

	(void)state;
	assert_int_equal(keymap_put(&m, a, sizeof(a), 7), 1);
	assert_int_equal(keymap_put(&m, b, sizeof(b), 8), 1);
	assert_int_equal(keymap_get(&m, a, sizeof(a)), 7);
	assert_int_equal(keymap_get(&m, b, sizeof(b)), 8);
	assert_int_equal(keymap_put(&m, a, sizeof(a), 9), 0);
	assert_int_equal(keymap_get(&m, a, sizeof(a)), 7);
	for (pid = 1; pid < 70000; pid++)
		assert_int_equal(keymap_put_pid(&m, pid, (uint32_t)pid * 3), 1);
	for (pid = 1; pid < 70000; pid++)
		assert_int_equal(keymap_get_pid(&m, pid), (int64_t)pid * 3);
	assert_int_equal(keymap_get_pid(&m, 70000), -1);
	assert_int_equal(keymap_get_pid(&m, 0), -1);
	keymap_free(&m);
	assert_int_equal(keymap_get_pid(&m, 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(once_each),
		cmocka_unit_test(many),
		cmocka_unit_test(values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
