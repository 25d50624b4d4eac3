/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the judge and the built-in CIS 5.4/5.5 policy. */
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

#include "policy.h"

/* Measured on these hosts: pid 1 lacks CAP_SYS_RESOURCE. */
#define HOST_BND UINT64_C(0x000001fffeffffff)
#define DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)
#define PODMAN_DEFAULT UINT64_C(0x00000000800405fb)

static struct ca_capsets bounding(uint64_t mask)
{
	struct ca_capsets s = { .known = 1u << CA_SET_BOUNDING };

	s.mask[CA_SET_BOUNDING] = mask;
	return s;
}

static int eval(uint64_t bnd, struct ca_finding *f)
{
	struct ca_capsets s = bounding(bnd);

	return policy_eval(&policy_builtin, &s, HOST_BND, f);
}

static bool fails(const struct ca_finding *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (policy_finding_fails(&policy_builtin, &f[i]))
			return true;
	return false;
}

static void docker_default_fails_on_net_raw(void **state)
{
	struct ca_finding f[8];
	int n = eval(DOCKER_DEFAULT, f);

	assert_int_equal(n, 1);
	assert_string_equal(f[0].rule->id, "net-raw");
	assert_string_equal(f[0].rule->cis, "5.4");
	assert_int_equal(f[0].rule->severity, CA_SEV_HIGH);
	assert_true(f[0].caps == CA_BIT(CAP_NET_RAW));
	assert_true(fails(f, n));
}

static void drop_all_add_bind_passes(void **state)
{
	struct ca_finding f[8];

	assert_int_equal(eval(CA_BIT(CAP_NET_BIND_SERVICE), f), 0);
	assert_int_equal(eval(0, f), 0);
}

static void podman_default_passes(void **state)
{
	struct ca_finding f[8];

	assert_int_equal(eval(PODMAN_DEFAULT, f), 0);
}

static void added_capability_is_named(void **state)
{
	struct ca_capnames names;
	struct ca_finding f[8];
	char *msg;
	int n;

	n = eval((DOCKER_DEFAULT & ~CA_BIT(CAP_NET_RAW)) | CA_BIT(CAP_SYS_ADMIN), f);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].rule->id, "cap-added");
	assert_int_equal(f[0].rule->severity, CA_SEV_MEDIUM);
	assert_true(f[0].caps == CA_BIT(CAP_SYS_ADMIN));
	assert_true(fails(f, n));
	assert_int_equal(caps_names_init(&names, 40), 0);
	msg = policy_finding_message(&f[0], &names);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "SYS_ADMIN"));
	assert_null(strstr(msg, "NET_RAW"));
	free(msg);
}

static void net_raw_is_named_once(void **state)
{
	struct ca_finding f[8];
	int n = eval(DOCKER_DEFAULT | CA_BIT(CAP_NET_ADMIN), f);

	assert_int_equal(n, 2);
	assert_string_equal(f[0].rule->id, "net-raw");
	assert_string_equal(f[1].rule->id, "cap-added");
	assert_true(f[1].caps == CA_BIT(CAP_NET_ADMIN));
}

static void privileged_against_the_host_not_all_bits(void **state)
{
	struct ca_finding f[8];
	int n, i;
	bool priv = false;

	/* everything the host holds: privileged, although SYS_RESOURCE is missing */
	n = eval(HOST_BND, f);
	for (i = 0; i < n; i++)
		if (strcmp(f[i].rule->id, "privileged") == 0) {
			priv = true;
			assert_int_equal(f[i].rule->severity, CA_SEV_CRITICAL);
			assert_string_equal(f[i].rule->cis, "5.5");
		}
	assert_true(priv);
	assert_string_equal(f[0].rule->id, "privileged");

	/* docker 20.10's --cap-add=ALL stops at bit 37: still privileged */
	n = eval(HOST_BND & (CA_BIT(CAP_PERFMON) - 1), f);
	assert_true(n >= 1);
	assert_string_equal(f[0].rule->id, "privileged");

	/* one capability short of the host's: not privileged */
	n = eval(HOST_BND & ~CA_BIT(CAP_SYS_MODULE), f);
	for (i = 0; i < n; i++)
		assert_string_not_equal(f[i].rule->id, "privileged");
}

static void unknown_set_gives_no_verdict(void **state)
{
	struct ca_capsets s = { .known = 1u << CA_SET_EFFECTIVE };
	struct ca_finding f[8];

	assert_int_equal(policy_eval(&policy_builtin, &s, HOST_BND, f), -ENODATA);
}

static void severity_threshold(void **state)
{
	static const struct ca_rule rule = { "x", NULL, CA_SEV_LOW, CA_RULE_DENY, CA_SET_EFFECTIVE,
					     CA_BIT(CAP_KILL) };
	struct ca_policy p = { "test", CA_SEV_MEDIUM, &rule, 1 };
	struct ca_capsets s = { .known = 1u << CA_SET_EFFECTIVE };
	struct ca_finding f[1];

	s.mask[CA_SET_EFFECTIVE] = CA_BIT(CAP_KILL);
	assert_int_equal(policy_eval(&p, &s, HOST_BND, f), 1);
	assert_false(policy_finding_fails(&p, &f[0]));
	p.fail_on = CA_SEV_LOW;
	assert_true(policy_finding_fails(&p, &f[0]));
	assert_string_equal(policy_severity_name(CA_SEV_CRITICAL), "critical");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_default_fails_on_net_raw),
		cmocka_unit_test(drop_all_add_bind_passes),
		cmocka_unit_test(podman_default_passes),
		cmocka_unit_test(added_capability_is_named),
		cmocka_unit_test(net_raw_is_named_once),
		cmocka_unit_test(privileged_against_the_host_not_all_bits),
		cmocka_unit_test(unknown_set_gives_no_verdict),
		cmocka_unit_test(severity_threshold),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
