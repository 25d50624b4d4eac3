/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The audit: the policy's judgement of each process, gathered per container, beside the scan. */
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

/* The union of a container's processes' sets: a set is known where any process's is. */
static void container_union(const struct ca_container *c, struct ca_capsets *u)
{
	size_t i;
	int set;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < c->nprocs; i++) {
		const struct ca_capsets *s = &c->procs[i].st.caps;

		for (set = 0; set < CA_SET_COUNT; set++)
			u->mask[set] |= s->mask[set];	/* 0 where unknown */
		u->known |= s->known;
	}
}

static void subject_of(struct ca_subject *s, const struct ca_scan *scan, const struct ca_container *c,
		       const struct ca_judgement *j, const struct ca_proc *p)
{
	const struct ca_userns *u = &c->userns;

	memset(s, 0, sizeof(*s));
	s->runtime = c->runtime;
	s->id = c->id;
	s->pod = c->pod_uid;
	/*
	 * A name selects only where root wrote it: a rootless user could give
	 * any container of theirs the name an exception was written for.
	 */
	if (c->workload.status == CA_WL_READ && !c->workload.user_written)
		s->workload = &c->workload;
	s->st = &p->st;
	memcpy(s->shares, c->shares, sizeof(s->shares));
	s->userns_child = u->known ? (u->child ? CA_YES : CA_NO) : CA_UNKNOWN;
	s->root_unmapped = u->known && (!u->child || (u->root_mapped && u->root_host_uid == 0));
	s->lsm = c->lsm;
	s->thread_differs = p->thread_differs;
	s->host_bounding = scan->host.bounding;
	s->last_cap = scan->host.last_cap;
	s->configured_known = j->configured_known;
	s->configured = j->configured;
}

/*
 * What the runtime was told to grant @c (the OCI spec's bounding set,
 * docker's defaults with CapAdd and CapDrop, --privileged), within what the
 * host itself holds: a process beyond it came in some other way.
 */
static void configured_of(const struct ca_container *c, const struct ca_host *host, struct ca_judgement *j)
{
	const struct ca_configured *cfg = &c->workload.configured;
	uint64_t valid = caps_valid_mask(host->last_cap);

	j->configured_known = c->workload.status == CA_WL_READ && cfg->known;
	j->configured = j->configured_known ? cfg->bounding & (host->bounding ? host->bounding : valid) & valid : 0;
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
static int add_item(struct ca_judgement *j, const struct ca_verdict_item *item, pid_t pid,
		    bool userns, size_t last[CA_RULES_MAX])
{
	struct ca_finding *f = NULL, *n;
	size_t i;

	if (last[item->rule] < j->nfindings && finding_is(&j->findings[last[item->rule]], item))
		f = &j->findings[last[item->rule]];
	for (i = 0; !f && i < j->nfindings; i++)
		if (finding_is(&j->findings[i], item))
			f = &j->findings[i];
	if (!f) {
		n = realloc(j->findings, (j->nfindings + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		j->findings = n;
		f = &j->findings[j->nfindings++];
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
	last[item->rule] = (size_t)(f - j->findings);
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

static int container_judge(const struct ca_container *c, const struct ca_scan *scan,
			   const struct ca_policy *policy, struct ca_judgement *j)
{
	struct ca_verdict_item items[CA_RULES_MAX];
	size_t last[CA_RULES_MAX];
	struct ca_resolved rules;
	struct ca_capsets u;
	struct ca_subject s;
	bool judged = false, by_comm = policy_by_comm(policy);
	size_t i, k, n;
	int r;

	container_union(c, &u);
	audit_caps_eval(&u, c->runtime, &scan->host, j);
	configured_of(c, &scan->host, j);
	memset(last, 0xff, sizeof(last));	/* SIZE_MAX: none yet */
	j->verdict = CA_VERDICT_UNKNOWN;
	for (i = 0; i < c->nprocs; i++) {
		const struct ca_proc *p = &c->procs[i];

		if (!p->st.caps.known)
			continue;	/* nothing of it could be read */
		subject_of(&s, scan, c, j, p);
		/* The same rules hold for a container's every process, unless names pick them. */
		if (!judged || by_comm)
			policy_resolve(policy, &s, &rules);
		judged = true;
		n = policy_judge(policy, &rules, &s, items);
		for (k = 0; k < n; k++) {
			r = add_item(j, &items[k], p->pid, s.userns_child == CA_YES, last);
			if (r < 0)
				return r;
		}
	}
	if (!judged)
		return 0;
	if (j->nfindings)
		qsort(j->findings, j->nfindings, sizeof(*j->findings), finding_cmp);
	j->verdict = CA_VERDICT_PASS;
	for (i = 0; i < j->nfindings; i++)
		if (policy_fails(policy, j->findings[i].severity))
			j->verdict = CA_VERDICT_FAIL;
	return 0;
}

void audit_caps_eval(const struct ca_capsets *caps, enum ca_runtime rt, const struct ca_host *host,
		     struct ca_judgement *j)
{
	uint64_t bnd = caps->mask[CA_SET_BOUNDING], valid = caps_valid_mask(host->last_cap), def = 0;
	bool known = caps_set_is_known(caps, CA_SET_BOUNDING);

	j->caps = *caps;
	j->has_default = runtime_default_caps(rt, &def);
	j->default_caps = j->has_default ? def & valid : 0;
	j->added = known && j->has_default ? bnd & valid & ~j->default_caps : 0;
	j->dropped = known ? j->default_caps & ~bnd : 0;
	/* caps.c says what privileged is, and why: the policy's privileged check asks the same. */
	j->privileged = known && caps_is_privileged(bnd, host->bounding);
}

int audit_run(const struct ca_scan *scan, const struct ca_policy *policy, struct ca_audit *out)
{
	struct ca_summary *summary = &out->summary;
	size_t i, k;
	int r;

	memset(out, 0, sizeof(*out));
	out->containers = calloc(scan->ncontainers ? scan->ncontainers : 1, sizeof(*out->containers));
	if (!out->containers)
		return -ENOMEM;
	out->ncontainers = scan->ncontainers;
	for (i = 0; i < scan->ncontainers; i++) {
		struct ca_judgement *j = &out->containers[i];

		r = container_judge(&scan->containers[i], scan, policy, j);
		if (r < 0)
			return r;
		summary->containers++;
		if (j->verdict == CA_VERDICT_PASS)
			summary->passed++;
		else if (j->verdict == CA_VERDICT_FAIL)
			summary->failed++;
		else
			summary->unknown++;
		for (k = 0; k < j->nfindings; k++)
			summary->findings[j->findings[k].severity]++;
	}
	summary->complete = scan->counts.unreadable == 0 && scan->counts.ns_denied == 0 &&
			    !scan->host.ns_denied && !scan->host.hidepid_hides;
	return 0;
}

void audit_free(struct ca_audit *a)
{
	size_t i, k;

	for (i = 0; i < a->ncontainers; i++) {
		struct ca_judgement *j = &a->containers[i];

		for (k = 0; k < j->nfindings; k++)
			free(j->findings[k].pids);
		free(j->findings);
	}
	free(a->containers);
	memset(a, 0, sizeof(*a));
}
