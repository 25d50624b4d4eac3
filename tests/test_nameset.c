/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the name set a snapshot keeps of what it captured. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nameset.h"

static void once_each(void **state)
{
	struct ca_nameset set = { 0 };

	(void)state;
	assert_false(nameset_has(&set, "proc/1/status", 13));
	assert_int_equal(nameset_add(&set, "proc/1/status", 13), 1);
	assert_int_equal(nameset_add(&set, "proc/1/status", 13), 0);
	assert_true(nameset_has(&set, "proc/1/status", 13));
	/* a prefix, or the same bytes longer, is another name */
	assert_false(nameset_has(&set, "proc/1/stat", 11));
	assert_false(nameset_has(&set, "proc/1/status2", 14));
	assert_int_equal(nameset_add(&set, "proc/1/stat", 11), 1);
	/* only the length counts, not a NUL after it */
	assert_true(nameset_has(&set, "proc/1/statusXYZ", 13));
	assert_int_equal(nameset_add(&set, "", 0), 1);
	assert_int_equal(nameset_add(&set, "", 0), 0);
	nameset_free(&set);
	assert_false(nameset_has(&set, "proc/1/status", 13));
	assert_int_equal(nameset_add(&set, "proc/1/status", 13), 1);
	nameset_free(&set);
}

/* Through many growths, every name stays, and no other appears. */
static void many(void **state)
{
	struct ca_nameset set = { 0 };
	char name[64];
	int i, n;

	(void)state;
	for (i = 0; i < 100000; i++) {
		n = snprintf(name, sizeof(name), "proc/%d/ns/pid", i);
		assert_int_equal(nameset_add(&set, name, (size_t)n), 1);
	}
	assert_int_equal(set.used, 100000);
	for (i = 0; i < 100000; i++) {
		n = snprintf(name, sizeof(name), "proc/%d/ns/pid", i);
		assert_true(nameset_has(&set, name, (size_t)n));
		assert_int_equal(nameset_add(&set, name, (size_t)n), 0);
		n = snprintf(name, sizeof(name), "proc/%d/ns/net", i);
		assert_false(nameset_has(&set, name, (size_t)n));
	}
	nameset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(once_each),
		cmocka_unit_test(many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
