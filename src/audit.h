/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The audit: each container judged against a policy, and the verdicts summed up. */
#ifndef CAPAUDIT_AUDIT_H
#define CAPAUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "scan.h"

struct ca_summary {
	size_t containers;
	size_t passed;
	size_t failed;
	size_t unknown;
	bool complete;			/* every process could be read */
};

/**
 * audit_run() - judge every container of @scan against @policy: fills each
 * container's union of sets, findings and verdict, and @summary.
 * Returns 0 or -ENOMEM.
 */
int audit_run(struct ca_scan *scan, const struct ca_policy *policy, struct ca_summary *summary);

/**
 * audit_verdict_name() - "pass", "fail" or "unknown".
 */
const char *audit_verdict_name(enum ca_verdict v);

#endif
