/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The audit: each process judged against a policy, gathered per container, and summed up. */
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
	size_t findings[CA_SEV_COUNT];	/* by severity */
	bool complete;			/* every process and namespace link could be read */
};

/**
 * audit_run() - judge every process of every container of @scan against
 * @policy, each by the section that matches it; fills each container's union
 * of sets, findings (one per rule, severity and section, with the pids that
 * break it) and verdict (fail if any of its processes fails), and @summary.
 * Returns 0 or -ENOMEM.
 */
int audit_run(struct ca_scan *scan, const struct ca_policy *policy, struct ca_summary *summary);

/**
 * audit_verdict_name() - "pass", "fail" or "unknown".
 */
const char *audit_verdict_name(enum ca_verdict v);

#endif
