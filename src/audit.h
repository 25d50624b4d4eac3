/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The audit: each container of a scan judged against a policy, in a result of its own. */
#ifndef CAPAUDIT_AUDIT_H
#define CAPAUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "host.h"
#include "policy.h"
#include "runtime.h"
#include "scan.h"

/* A rule that processes of a container break, gathered over them. */
struct ca_finding {
	size_t rule;			/* index into the policy's rules */
	size_t section;			/* the section that judged the first of them */
	enum ca_severity severity;
	enum ca_capset set;
	uint64_t caps;			/* for capability checks: what breaks it */
	uint64_t denied;		/* of which named by a deny list */
	bool userns;			/* held in a child user namespace, not the host's */
	pid_t *pids;			/* the processes that break it */
	size_t npids;
	size_t pids_cap;
};

enum ca_verdict {
	CA_VERDICT_PASS,
	CA_VERDICT_FAIL,
	CA_VERDICT_UNKNOWN,		/* nothing of it could be read */
};

/*
 * What the audit says of one container: everything a report shows of it
 * beyond what the scan read, so that no report computes any of it.
 */
struct ca_judgement {
	struct ca_capsets caps;		/* the union of its processes' sets */
	bool has_default;		/* its runtime grants a default set (runtime_default_caps()) */
	uint64_t default_caps;		/* that set, bounded by cap_last_cap; 0 without one */
	uint64_t added;			/* bounding set beyond the default; 0 without one, or unread */
	uint64_t dropped;		/* the default missing from the bounding set; likewise */
	bool privileged;		/* the bounding set is, by caps_is_privileged(): shown as ALL */
	bool configured_known;		/* its runtime's files say what it was to be granted */
	uint64_t configured;		/* that bounding set, within the host's */
	struct ca_finding *findings;	/* most severe first */
	size_t nfindings;
	enum ca_verdict verdict;	/* fail if any of its processes fails */
};

struct ca_summary {
	size_t containers;
	size_t passed;
	size_t failed;
	size_t unknown;
	size_t findings[CA_SEV_COUNT];	/* by severity */
	bool complete;			/* every process and namespace link could be read */
};

struct ca_audit {
	struct ca_judgement *containers;	/* one per scan->containers[], at the same index */
	size_t ncontainers;
	struct ca_summary summary;
};

/**
 * audit_run() - judge every process of every container of @scan against
 * @policy, each by the section that matches it, into @out: per container,
 * at the index it has in @scan, the union of its sets and what
 * audit_caps_eval() makes of it, its findings (one per rule, severity and
 * section, with the pids that break it) and its verdict; and the summary.
 * @scan is left as it was read. Returns 0 or -ENOMEM; free @out with
 * audit_free(), also after a failure.
 */
int audit_run(const struct ca_scan *scan, const struct ca_policy *policy, struct ca_audit *out);

/**
 * audit_caps_eval() - set @j->caps to @caps, a container's union of sets,
 * and judge its bounding set against @host: the default set of @rt where it
 * has one, what is added to and dropped from it (bounded by cap_last_cap),
 * and whether it is privileged. Nothing is added, dropped or privileged
 * where the bounding set is unknown. Pure: audit_run() uses it for each
 * container.
 */
void audit_caps_eval(const struct ca_capsets *caps, enum ca_runtime rt, const struct ca_host *host,
		     struct ca_judgement *j);

/**
 * audit_free() - release what audit_run() allocated in @a and clear it.
 */
void audit_free(struct ca_audit *a);

/**
 * audit_verdict_name() - "pass", "fail" or "unknown".
 */
const char *audit_verdict_name(enum ca_verdict v);

#endif
