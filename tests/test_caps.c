/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of capability names and masks. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/capability.h>

#include "caps.h"

static void last_cap_parse(void **state)
{
	unsigned last = 99;

	assert_int_equal(caps_last_cap_parse("40\n", 3, &last), 0);
	assert_int_equal(last, 40);
	assert_int_equal(caps_last_cap_parse("63", 2, &last), 0);
	assert_int_equal(last, 63);
	assert_int_equal(caps_last_cap_parse("64\n", 3, &last), -ERANGE);
	assert_int_equal(caps_last_cap_parse("", 0, &last), -EINVAL);
	assert_int_equal(caps_last_cap_parse("\n", 1, &last), -EINVAL);
	assert_int_equal(caps_last_cap_parse("4 0\n", 4, &last), -EINVAL);
	assert_int_equal(caps_last_cap_parse("-1\n", 3, &last), -EINVAL);
	assert_int_equal(caps_last_cap_parse("0040\n", 5, &last), -EINVAL);
	assert_int_equal(last, 63);
}

static void valid_mask(void **state)
{
	assert_true(caps_valid_mask(40) == UINT64_C(0x1ffffffffff));
	assert_true(caps_valid_mask(0) == 1);
	assert_true(caps_valid_mask(63) == UINT64_MAX);
}

static void names_from_libcap(void **state)
{
	struct ca_capnames names;

	assert_int_equal(caps_names_init(&names, 40), 0);
	assert_string_equal(caps_name(&names, CAP_CHOWN), "cap_chown");
	assert_string_equal(caps_name(&names, CAP_NET_RAW), "cap_net_raw");
	assert_string_equal(caps_name(&names, CAP_SYS_ADMIN), "cap_sys_admin");
	assert_string_equal(caps_name(&names, 40), "cap_checkpoint_restore");
	/* beyond the kernel's last capability, and beyond libcap's knowledge */
	assert_string_equal(caps_name(&names, 41), "cap_41");
	assert_string_equal(caps_name(&names, 63), "cap_63");
	assert_int_equal(caps_names_init(&names, 64), -ERANGE);
}

static void unnamed_bits_are_numbered(void **state)
{
	struct ca_capnames names;

	/* A kernel newer than libcap: libcap cannot name bit 62. */
	assert_int_equal(caps_names_init(&names, 63), 0);
	assert_string_equal(caps_name(&names, 62), "cap_62");
}

static void join(void **state)
{
	struct ca_capnames names;
	char *s;

	assert_int_equal(caps_names_init(&names, 40), 0);
	s = caps_join(&names, UINT64_C(0xa80425fb), ",");
	assert_string_equal(s, "CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,SETGID,SETUID,SETPCAP,"
			       "NET_BIND_SERVICE,NET_RAW,SYS_CHROOT,MKNOD,AUDIT_WRITE,SETFCAP");
	free(s);
	s = caps_join(&names, 0, ",");
	assert_string_equal(s, "");
	free(s);
	/* bits above cap_last_cap are bounded away */
	s = caps_join(&names, CA_BIT(CAP_NET_RAW) | CA_BIT(50), ", ");
	assert_string_equal(s, "NET_RAW");
	free(s);
	assert_int_equal(caps_count(UINT64_C(0xa80425fb)), 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(last_cap_parse),
		cmocka_unit_test(valid_mask),
		cmocka_unit_test(names_from_libcap),
		cmocka_unit_test(unnamed_bits_are_numbered),
		cmocka_unit_test(join),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
