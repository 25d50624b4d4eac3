/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The judge: applies a policy's rules to capability sets; knows no rule by name. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy.h"
#include "util.h"

static const char *const severity_names[CA_SEV_COUNT] = {
	[CA_SEV_INFO] = "info",
	[CA_SEV_LOW] = "low",
	[CA_SEV_MEDIUM] = "medium",
	[CA_SEV_HIGH] = "high",
	[CA_SEV_CRITICAL] = "critical",
};

const char *policy_severity_name(enum ca_severity sev)
{
	return sev < CA_SEV_COUNT ? severity_names[sev] : "?";
}

/* The capabilities that make @rule a finding for @set; 0 when it holds. */
static uint64_t rule_offenders(const struct ca_rule *rule, uint64_t set, uint64_t host_bounding)
{
	uint64_t want;

	switch (rule->kind) {
	case CA_RULE_DENY:
		return set & rule->caps;
	case CA_RULE_ALLOW_ONLY:
		return set & ~rule->caps;
	case CA_RULE_PRIVILEGED:
		/*
		 * Everything the host holds in the rule's range: a runtime can
		 * grant no more than its host, and no less is "privileged".
		 */
		want = host_bounding & rule->caps;
		return want && (set & want) == want ? want : 0;
	}
	return 0;
}

int policy_eval(const struct ca_policy *policy, const struct ca_capsets *sets,
		uint64_t host_bounding, struct ca_finding *out)
{
	uint64_t named = 0;
	size_t i;
	int n = 0;

	for (i = 0; i < policy->nrules; i++)
		if (!caps_set_is_known(sets, policy->rules[i].set))
			return -ENODATA;
	for (i = 0; i < policy->nrules; i++) {
		const struct ca_rule *rule = &policy->rules[i];
		uint64_t caps = rule_offenders(rule, sets->mask[rule->set], host_bounding);

		/*
		 * Name a capability once, in the first (most severe) rule it
		 * breaks: NET_RAW is "not dropped", not also "beyond the
		 * baseline". "Privileged" names a whole range and stands apart.
		 */
		if (rule->kind != CA_RULE_PRIVILEGED) {
			caps &= ~named;
			named |= caps;
		}
		if (caps) {
			out[n].rule = rule;
			out[n].caps = caps;
			n++;
		}
	}
	return n;
}

bool policy_finding_fails(const struct ca_policy *policy, const struct ca_finding *f)
{
	return f->rule->severity >= policy->fail_on;
}

char *policy_finding_message(const struct ca_finding *f, const struct ca_capnames *names)
{
	_cleanup_free_ char *list = NULL;
	const char *set = caps_set_name(f->rule->set);
	char *msg = NULL;
	int r = -1;

	list = caps_join(names, f->caps, ", ");
	if (!list)
		return NULL;
	switch (f->rule->kind) {
	case CA_RULE_DENY:
		r = asprintf(&msg, "%s %s not dropped from the %s set", list,
			     caps_count(f->caps) == 1 ? "is" : "are", set);
		break;
	case CA_RULE_ALLOW_ONLY:
		r = asprintf(&msg, "the %s set holds capabilities beyond the baseline: %s",
			     set, list);
		break;
	case CA_RULE_PRIVILEGED:
		r = asprintf(&msg, "privileged: the %s set holds all %u capabilities the host "
			     "holds below CAP_PERFMON", set, caps_count(f->caps));
		break;
	}
	if (r < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return msg;
}
