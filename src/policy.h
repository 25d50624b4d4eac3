/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A policy: rules as data, and the judge that applies them to capability sets. */
#ifndef CAPAUDIT_POLICY_H
#define CAPAUDIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"

enum ca_severity {
	CA_SEV_INFO,
	CA_SEV_LOW,
	CA_SEV_MEDIUM,
	CA_SEV_HIGH,
	CA_SEV_CRITICAL,
	CA_SEV_COUNT
};

enum ca_rule_kind {
	CA_RULE_DENY,			/* none of @caps may be in the set */
	CA_RULE_ALLOW_ONLY,		/* nothing beyond @caps may be in the set */
	CA_RULE_PRIVILEGED,		/* the set holds all the host holds of @caps */
};

struct ca_rule {
	const char *id;			/* stable: "net-raw" */
	const char *cis;		/* CIS Docker Benchmark check, "5.4"; NULL for none */
	enum ca_severity severity;
	enum ca_rule_kind kind;
	enum ca_capset set;		/* the set it judges */
	uint64_t caps;
};

struct ca_policy {
	const char *source;		/* "built-in" or a path */
	enum ca_severity fail_on;	/* findings at or above this fail */
	const struct ca_rule *rules;
	size_t nrules;
};

struct ca_finding {
	const struct ca_rule *rule;
	uint64_t caps;			/* the capabilities that make the finding */
};

/* The built-in policy: CIS Docker Benchmark 5.4 and 5.5 (policy_builtin.c). */
extern const struct ca_policy policy_builtin;

/**
 * policy_severity_name() - "info", "low", "medium", "high" or "critical".
 */
const char *policy_severity_name(enum ca_severity sev);

/**
 * policy_eval() - judge the capability sets of one container.
 * @sets: the sets to judge (a container's: the union of its processes')
 * @host_bounding: the host reference's bounding set
 * @out: room for one finding per rule
 * Rules are applied in order (the most severe first) and a capability is
 * named by the first capability rule it breaks only.
 * Returns the number of findings written to @out, or -ENODATA where a set
 * some rule judges was never read (the verdict is then unknown).
 */
int policy_eval(const struct ca_policy *policy, const struct ca_capsets *sets,
		uint64_t host_bounding, struct ca_finding *out);

/**
 * policy_finding_fails() - whether @f is at or above the policy's fail-on severity.
 */
bool policy_finding_fails(const struct ca_policy *policy, const struct ca_finding *f);

/**
 * policy_finding_message() - the sentence a report shows for @f
 * ("NET_RAW is not dropped"). Returns a string the caller frees, or NULL
 * with errno set.
 */
char *policy_finding_message(const struct ca_finding *f, const struct ca_capnames *names);

#endif
