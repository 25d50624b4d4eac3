/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the status parser, on literals: real, malformed, truncated, hostile. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "status.h"

static const char docker_sleep[] =
	"Name:\tsleep\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t4242\n"
	"Ngid:\t0\n"
	"Pid:\t4242\n"
	"PPid:\t4220\n"
	"TracerPid:\t0\n"
	"Uid:\t0\t0\t0\t0\n"
	"Gid:\t0\t10\t20\t30\n"
	"FDSize:\t64\n"
	"Groups:\t0 1 2 3 4 6 10 11 20 26 27 \n"
	"NStgid:\t4242\t1\n"
	"NSpid:\t4242\t1\n"
	"NSpgid:\t4242\t1\n"
	"NSsid:\t4242\t1\n"
	"Kthread:\t0\n"
	"VmPeak:\t    1640 kB\n"
	"CapInh:\t0000000000000000\n"
	"CapPrm:\t00000000a80425fb\n"
	"CapEff:\t00000000a80425fb\n"
	"CapBnd:\t00000000a80425fb\n"
	"CapAmb:\t0000000000000000\n"
	"NoNewPrivs:\t0\n"
	"Seccomp:\t2\n"
	"Seccomp_filters:\t1\n"
	"Speculation_Store_Bypass:\tthread vulnerable\n"
	"voluntary_ctxt_switches:\t2\n";

static void parses_a_docker_process(void **state)
{
	struct ca_status st;

	status_parse(docker_sleep, strlen(docker_sleep), &st);
	assert_string_equal(st.name, "sleep");
	assert_true(status_has(&st, STATUS_NAME | STATUS_PPID | STATUS_UID | STATUS_GID |
					    STATUS_NSPID | STATUS_NO_NEW_PRIVS | STATUS_SECCOMP |
					    STATUS_SECCOMP_FILTERS | STATUS_KTHREAD));
	assert_int_equal(st.ppid, 4220);
	assert_int_equal(st.uid[0], 0);
	assert_int_equal(st.gid[1], 10);
	assert_int_equal(st.gid[3], 30);
	assert_int_equal(st.pidns_level, 1);
	assert_int_equal(st.ns_pid, 1);
	assert_false(st.no_new_privs);
	assert_int_equal(st.seccomp, 2);
	assert_int_equal(st.seccomp_filters, 1);
	assert_false(st.kthread);
	assert_int_equal(st.caps.known, (1u << CA_SET_COUNT) - 1);
	assert_true(st.caps.mask[CA_SET_BOUNDING] == UINT64_C(0xa80425fb));
	assert_true(st.caps.mask[CA_SET_EFFECTIVE] == UINT64_C(0xa80425fb));
	assert_true(st.caps.mask[CA_SET_PERMITTED] == UINT64_C(0xa80425fb));
	assert_true(st.caps.mask[CA_SET_INHERITABLE] == 0);
	assert_true(st.caps.mask[CA_SET_AMBIENT] == 0);
	assert_false(status_is_kernel_thread(&st, 4242));
}

static void missing_fields_are_unknown(void **state)
{
	static const char s[] = "Name:\tinit\nPid:\t1\nCapBnd:\t000001fffeffffff\n";
	struct ca_status st;

	status_parse(s, strlen(s), &st);
	assert_true(status_has(&st, STATUS_NAME));
	assert_false(status_has(&st, STATUS_PPID));
	assert_false(status_has(&st, STATUS_NSPID));
	assert_false(status_has(&st, STATUS_SECCOMP));
	assert_false(status_has(&st, STATUS_NO_NEW_PRIVS));
	assert_int_equal(st.caps.known, 1u << CA_SET_BOUNDING);
	assert_true(st.caps.mask[CA_SET_BOUNDING] == UINT64_C(0x1fffeffffff));
	assert_false(caps_set_is_known(&st.caps, CA_SET_EFFECTIVE));
}

static void truncated_last_line_is_unknown(void **state)
{
	/* Cut in the middle of CapEff: the 9 digits read must not become a mask. */
	static const char s[] = "Name:\tx\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a";
	struct ca_status st;

	status_parse(s, strlen(s), &st);
	assert_true(caps_set_is_known(&st.caps, CA_SET_PERMITTED));
	assert_false(caps_set_is_known(&st.caps, CA_SET_EFFECTIVE));

	/* Cut after the digits but before the newline: still not trusted. */
	status_parse(docker_sleep, strstr(docker_sleep, "CapAmb:") - docker_sleep + 24, &st);
	assert_true(caps_set_is_known(&st.caps, CA_SET_BOUNDING));
	assert_false(caps_set_is_known(&st.caps, CA_SET_AMBIENT));
}

static void malformed_values_are_unknown(void **state)
{
	static const char s[] =
		"CapEff:\t00000000A80425FB\n"		/* the kernel prints lower case */
		"CapPrm:\t0000000a80425fb\n"		/* 15 digits */
		"CapBnd:\t00000000a80425fb0\n"		/* 17 digits */
		"CapInh:\t 0000000000000000\n"
		"CapAmb: 0000000000000000\n"		/* a space, not the kernel's tab */
		"PPid:\t-1\n"
		"Uid:\t0\t0\t0\n"			/* three ids */
		"Gid:\t0\t0\t0\t0\t0\n"			/* five ids */
		"NSpid:\t12\t\n"
		"Seccomp:\t3\n"
		"NoNewPrivs:\tyes\n"
		"Seccomp_filters:\t99999999999\n"
		"Kthread:\t\n";
	struct ca_status st;

	status_parse(s, strlen(s), &st);
	assert_int_equal(st.caps.known, 0);
	assert_int_equal(st.known, 0);
}

static void number_overflow_is_refused(void **state)
{
	static const char s[] = "PPid:\t99999999999999999999999\nNSpid:\t2147483648\t1\n";
	struct ca_status st;

	status_parse(s, strlen(s), &st);
	assert_false(status_has(&st, STATUS_PPID));
	assert_false(status_has(&st, STATUS_NSPID));
}

static void name_escapes_are_undone(void **state)
{
	/* The kernel writes a newline in a name as "\n" and a backslash as "\\". */
	static const char s[] = "Name:\tev\\nil\\\\x1b\tz \n";
	struct ca_status st;

	status_parse(s, strlen(s), &st);
	assert_true(status_has(&st, STATUS_NAME));
	assert_string_equal(st.name, "ev\nil\\x1b\tz ");
}

static void hostile_name_stays_in_bounds(void **state)
{
	char s[600];
	struct ca_status st;

	strcpy(s, "Name:\t");
	memset(s + 6, 'A', 500);
	strcpy(s + 506, "\nPPid:\t7\n");
	status_parse(s, strlen(s), &st);
	assert_int_equal(strlen(st.name), CA_COMM_MAX);
	assert_true(status_has(&st, STATUS_NAME_CUT));
	assert_int_equal(st.ppid, 7);
	status_parse(docker_sleep, strlen(docker_sleep), &st);
	assert_false(status_has(&st, STATUS_NAME_CUT));
}

static void empty_and_garbage_input(void **state)
{
	static const char garbage[] = "\n\n:\t\n\t:\nName\nName:\nCapEff\t0000000000000000\n\0\0\0";
	struct ca_status st;

	status_parse("", 0, &st);
	assert_int_equal(st.known, 0);
	assert_int_equal(st.caps.known, 0);
	status_parse(garbage, sizeof(garbage) - 1, &st);
	assert_int_equal(st.known, 0);
	assert_int_equal(st.caps.known, 0);
}

static void kernel_threads(void **state)
{
	static const char kthread[] = "Name:\tkworker/0:1\nPPid:\t2\nKthread:\t1\n";
	static const char old_kernel[] = "Name:\tkworker/0:1\nPPid:\t2\n";
	static const char old_user[] = "Name:\tsh\nPPid:\t1\n";
	static const char reparented[] = "Name:\tsh\nPPid:\t2\nKthread:\t0\n";
	struct ca_status st;

	status_parse(kthread, strlen(kthread), &st);
	assert_true(status_is_kernel_thread(&st, 77));
	status_parse(old_kernel, strlen(old_kernel), &st);
	assert_true(status_is_kernel_thread(&st, 77));
	status_parse(old_user, strlen(old_user), &st);
	assert_false(status_is_kernel_thread(&st, 77));
	/* Where the kernel says "Kthread:", its word wins. */
	status_parse(reparented, strlen(reparented), &st);
	assert_false(status_is_kernel_thread(&st, 77));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_docker_process),
		cmocka_unit_test(missing_fields_are_unknown),
		cmocka_unit_test(truncated_last_line_is_unknown),
		cmocka_unit_test(malformed_values_are_unknown),
		cmocka_unit_test(number_overflow_is_refused),
		cmocka_unit_test(name_escapes_are_undone),
		cmocka_unit_test(hostile_name_stays_in_bounds),
		cmocka_unit_test(empty_and_garbage_input),
		cmocka_unit_test(kernel_threads),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
