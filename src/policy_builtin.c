/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The built-in policy, CIS Docker Benchmark 5.4 and 5.5, as data. */
#include "config.h"

#include <linux/capability.h>

#include "policy.h"

/* Docker's 14 defaults without NET_RAW: what CIS 5.4 lets a container keep. */
#define CIS_BASELINE                                                               \
	(CA_BIT(CAP_CHOWN) | CA_BIT(CAP_DAC_OVERRIDE) | CA_BIT(CAP_FSETID) |       \
	 CA_BIT(CAP_FOWNER) | CA_BIT(CAP_MKNOD) | CA_BIT(CAP_SETGID) |             \
	 CA_BIT(CAP_SETUID) | CA_BIT(CAP_SETFCAP) | CA_BIT(CAP_SETPCAP) |          \
	 CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_SYS_CHROOT) | CA_BIT(CAP_KILL) | \
	 CA_BIT(CAP_AUDIT_WRITE))

/*
 * "Privileged" looks only below CAP_PERFMON (38): PERFMON, BPF and
 * CHECKPOINT_RESTORE were carved out of SYS_ADMIN, and runtimes older than
 * the kernel cannot grant them (docker 20.10's --cap-add=ALL stops at 37).
 */
#define BELOW_PERFMON (CA_BIT(CAP_PERFMON) - 1)

static const struct ca_rule rules[] = {
	{ "privileged", "5.5", CA_SEV_CRITICAL, CA_RULE_PRIVILEGED, CA_SET_BOUNDING, BELOW_PERFMON },
	{ "net-raw", "5.4", CA_SEV_HIGH, CA_RULE_DENY, CA_SET_BOUNDING, CA_BIT(CAP_NET_RAW) },
	{ "cap-added", "5.4", CA_SEV_MEDIUM, CA_RULE_ALLOW_ONLY, CA_SET_BOUNDING, CIS_BASELINE },
};

const struct ca_policy policy_builtin = {
	.source = "built-in",
	.fail_on = CA_SEV_MEDIUM,
	.rules = rules,
	.nrules = sizeof(rules) / sizeof(rules[0]),
};
