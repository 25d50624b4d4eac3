/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The audit: union of each container's sets, the policy's judgement, verdicts. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

const char *audit_verdict_name(enum ca_verdict v)
{
	switch (v) {
	case CA_VERDICT_PASS:
		return "pass";
	case CA_VERDICT_FAIL:
		return "fail";
	case CA_VERDICT_UNKNOWN:
		break;
	}
	return "unknown";
}

static void container_union(struct ca_container *c)
{
	size_t i;
	int set;

	memset(&c->caps, 0, sizeof(c->caps));
	for (i = 0; i < c->nprocs; i++) {
		const struct ca_capsets *s = &c->procs[i].st.caps;

		for (set = 0; set < CA_SET_COUNT; set++)
			c->caps.mask[set] |= s->mask[set];	/* 0 where unknown */
		c->caps.known |= s->known;
	}
}

static int container_judge(struct ca_container *c, const struct ca_policy *policy,
			   uint64_t host_bounding)
{
	size_t i;
	int n;

	container_union(c);
	free(c->findings);
	c->findings = NULL;
	c->nfindings = 0;
	c->verdict = CA_VERDICT_UNKNOWN;
	if (policy->nrules == 0) {
		c->verdict = CA_VERDICT_PASS;
		return 0;
	}
	c->findings = calloc(policy->nrules, sizeof(*c->findings));
	if (!c->findings)
		return -ENOMEM;
	n = policy_eval(policy, &c->caps, host_bounding, c->findings);
	if (n < 0)
		return 0;
	c->nfindings = (size_t)n;
	c->verdict = CA_VERDICT_PASS;
	for (i = 0; i < c->nfindings; i++)
		if (policy_finding_fails(policy, &c->findings[i]))
			c->verdict = CA_VERDICT_FAIL;
	return 0;
}

int audit_run(struct ca_scan *scan, const struct ca_policy *policy, struct ca_summary *summary)
{
	size_t i;
	int r;

	memset(summary, 0, sizeof(*summary));
	for (i = 0; i < scan->ncontainers; i++) {
		struct ca_container *c = &scan->containers[i];

		r = container_judge(c, policy, scan->host.bounding);
		if (r < 0)
			return r;
		summary->containers++;
		if (c->verdict == CA_VERDICT_PASS)
			summary->passed++;
		else if (c->verdict == CA_VERDICT_FAIL)
			summary->failed++;
		else
			summary->unknown++;
	}
	summary->complete = scan->counts.unreadable == 0 && !scan->host.hidepid_hides;
	return 0;
}
