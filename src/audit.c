/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The audit: the policy's judgement of each process, gathered per container. */
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

static void subject_of(struct ca_subject *s, const struct ca_scan *scan,
		       const struct ca_container *c, const struct ca_proc *p)
{
	const struct ca_userns *u = &c->userns;

	memset(s, 0, sizeof(*s));
	s->runtime = c->runtime;
	s->id = c->id;
	s->pod = c->pod_uid;
	s->st = &p->st;
	memcpy(s->shares, c->shares, sizeof(s->shares));
	s->userns_child = u->known ? (u->child ? CA_YES : CA_NO) : CA_UNKNOWN;
	s->root_unmapped = u->known && (!u->child || (u->root_mapped && u->root_host_uid == 0));
	s->lsm = c->lsm;
	s->thread_differs = p->thread_differs;
	s->host_bounding = scan->host.bounding;
	s->last_cap = scan->host.last_cap;
}

static bool finding_is(const struct ca_finding *f, const struct ca_verdict_item *item)
{
	return f->rule == item->rule && f->severity == item->severity && f->section == item->section &&
	       f->set == item->set;
}

/*
 * Gather @item of process @pid into the container's findings. @last[rule]
 * is the finding that rule went to last: a container's processes mostly
 * break the same rules the same way.
 */
static int add_item(struct ca_container *c, const struct ca_verdict_item *item, pid_t pid,
		    bool userns, size_t last[CA_RULES_MAX])
{
	struct ca_finding *f = NULL, *n;
	size_t i;

	if (last[item->rule] < c->nfindings && finding_is(&c->findings[last[item->rule]], item))
		f = &c->findings[last[item->rule]];
	for (i = 0; !f && i < c->nfindings; i++)
		if (finding_is(&c->findings[i], item))
			f = &c->findings[i];
	if (!f) {
		n = realloc(c->findings, (c->nfindings + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->findings = n;
		f = &c->findings[c->nfindings++];
		memset(f, 0, sizeof(*f));
		f->rule = item->rule;
		f->section = item->section;
		f->severity = item->severity;
		f->set = item->set;
		f->userns = true;
	}
	if (util_grow(&f->pids, &f->pids_cap, f->npids + 1, sizeof(*f->pids)) < 0)
		return -ENOMEM;
	f->pids[f->npids++] = pid;
	last[item->rule] = (size_t)(f - c->findings);
	f->caps |= item->caps;
	f->denied |= item->denied;
	/* Only where every process that breaks it holds it in a child user namespace. */
	f->userns &= userns;
	return 0;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct ca_finding *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return (x->rule > y->rule) - (x->rule < y->rule);
}

static int container_judge(struct ca_container *c, const struct ca_scan *scan,
			   const struct ca_policy *policy)
{
	struct ca_verdict_item items[CA_RULES_MAX];
	size_t last[CA_RULES_MAX];
	struct ca_resolved rules;
	struct ca_subject s;
	bool judged = false, by_comm = policy_by_comm(policy);
	size_t i, j, n;
	int r;

	container_union(c);
	memset(last, 0xff, sizeof(last));	/* SIZE_MAX: none yet */
	c->verdict = CA_VERDICT_UNKNOWN;
	for (i = 0; i < c->nprocs; i++) {
		const struct ca_proc *p = &c->procs[i];

		if (!p->st.caps.known)
			continue;	/* nothing of it could be read */
		subject_of(&s, scan, c, p);
		/* The same rules hold for a container's every process, unless names pick them. */
		if (!judged || by_comm)
			policy_resolve(policy, &s, &rules);
		judged = true;
		n = policy_judge(policy, &rules, &s, items);
		for (j = 0; j < n; j++) {
			r = add_item(c, &items[j], p->pid, s.userns_child == CA_YES, last);
			if (r < 0)
				return r;
		}
	}
	if (!judged)
		return 0;
	if (c->nfindings)
		qsort(c->findings, c->nfindings, sizeof(*c->findings), finding_cmp);
	c->verdict = CA_VERDICT_PASS;
	for (i = 0; i < c->nfindings; i++)
		if (policy_fails(policy, c->findings[i].severity))
			c->verdict = CA_VERDICT_FAIL;
	return 0;
}

int audit_run(struct ca_scan *scan, const struct ca_policy *policy, struct ca_summary *summary)
{
	size_t i, j;
	int r;

	memset(summary, 0, sizeof(*summary));
	for (i = 0; i < scan->ncontainers; i++) {
		struct ca_container *c = &scan->containers[i];

		r = container_judge(c, scan, policy);
		if (r < 0)
			return r;
		summary->containers++;
		if (c->verdict == CA_VERDICT_PASS)
			summary->passed++;
		else if (c->verdict == CA_VERDICT_FAIL)
			summary->failed++;
		else
			summary->unknown++;
		for (j = 0; j < c->nfindings; j++)
			summary->findings[c->findings[j].severity]++;
	}
	summary->complete = scan->counts.unreadable == 0 && scan->counts.ns_denied == 0 &&
			    !scan->host.ns_denied && !scan->host.hidepid_hides;
	return 0;
}
