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

/* Measured: this VM's pid 1 lacks SYS_RESOURCE; kthreadd, and a host that lacks nothing, hold all 41. */
#define VM_HOST UINT64_C(0x000001fffeffffff)
#define FULL_HOST UINT64_C(0x000001ffffffffff)
#define DOCKER2010_VM UINT64_C(0x0000003ffeffffff)	/* docker 20.10's --privileged here: 37 */

/* A policy's word for a capability: the reports' spelling, a number where libcap has no name. */
static void words(void **state)
{
	char word[CA_CAPNAME_MAX];

	(void)state;
	assert_string_equal(caps_word(CAP_NET_RAW, word), "NET_RAW");
	assert_string_equal(caps_word(CAP_CHECKPOINT_RESTORE, word), "CHECKPOINT_RESTORE");
	assert_string_equal(caps_word(63, word), "cap_63");
	assert_string_equal(caps_word(64, word), "cap_64");
	/* and a name read back is the bit it came from */
	assert_int_equal(caps_parse_name(caps_word(CAP_SYS_ADMIN, word)), CAP_SYS_ADMIN);
	assert_int_equal(caps_parse_name(caps_word(63, word)), 63);
}

static void privileged(void **state)
{
	/* Below PERFMON only: the host's 38, 37 without SYS_RESOURCE. */
	assert_true(caps_privileged_mask(FULL_HOST) == UINT64_C(0x0000003fffffffff));
	assert_true(caps_privileged_mask(VM_HOST) == DOCKER2010_VM);
	assert_int_equal(caps_count(caps_privileged_mask(VM_HOST)), 37);

	/* docker 20.10 and a current runtime, on either host */
	assert_true(caps_is_privileged(DOCKER2010_VM, VM_HOST));
	assert_true(caps_is_privileged(VM_HOST, VM_HOST));
	assert_true(caps_is_privileged(UINT64_C(0x0000003fffffffff), FULL_HOST));
	assert_true(caps_is_privileged(FULL_HOST, FULL_HOST));
	/* a rootless --privileged holds every bit, more than the host: still privileged */
	assert_true(caps_is_privileged(FULL_HOST, VM_HOST));

	/* one short below PERFMON is not, whatever it holds above */
	assert_false(caps_is_privileged(DOCKER2010_VM & ~CA_BIT(CAP_NET_ADMIN), VM_HOST));
	assert_false(caps_is_privileged(VM_HOST & ~CA_BIT(CAP_AUDIT_READ), VM_HOST));
	assert_false(caps_is_privileged(VM_HOST & ~CA_BIT(CAP_CHOWN), VM_HOST));
	/* what is privileged on this VM lacks SYS_RESOURCE where the host holds it */
	assert_false(caps_is_privileged(VM_HOST, FULL_HOST));
	assert_false(caps_is_privileged(DOCKER2010_VM, FULL_HOST));
	/* PERFMON and above are neither needed nor enough */
	assert_false(caps_is_privileged(CA_BIT(CAP_PERFMON) | CA_BIT(CAP_BPF) |
					CA_BIT(CAP_CHECKPOINT_RESTORE), VM_HOST));

	/* a host that holds nothing below PERFMON makes nothing privileged */
	assert_true(caps_privileged_mask(0) == 0);
	assert_false(caps_is_privileged(FULL_HOST, 0));
	assert_false(caps_is_privileged(0, CA_BIT(CAP_PERFMON)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(last_cap_parse),
		cmocka_unit_test(valid_mask),
		cmocka_unit_test(names_from_libcap),
		cmocka_unit_test(unnamed_bits_are_numbered),
		cmocka_unit_test(join),
		cmocka_unit_test(words),
		cmocka_unit_test(privileged),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
