/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diff: two audits of a host compared, container by container, process by process. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "policy_ini.h"

const char *diff_change_name(enum ca_change kind)
{
	switch (kind) {
	case CA_CHANGE_APPEARED:
		return "appeared";
	case CA_CHANGE_GONE:
		return "gone";
	case CA_CHANGE_CHANGED:
		break;
	}
	return "changed";
}

/* What of a process differs, where both sides read it: DIFF_* bits. */
static unsigned proc_what(const struct ca_proc *a, const struct ca_proc *b)
{
	const struct ca_status *x = &a->st, *y = &b->st;
	unsigned what = 0;
	int set;

	for (set = 0; set < CA_SET_COUNT; set++)
		if (caps_set_is_known(&x->caps, set) && caps_set_is_known(&y->caps, set) &&
		    x->caps.mask[set] != y->caps.mask[set])
			what |= 1u << set;
	if (status_has(x, STATUS_NO_NEW_PRIVS) && status_has(y, STATUS_NO_NEW_PRIVS) &&
	    x->no_new_privs != y->no_new_privs)
		what |= DIFF_NO_NEW_PRIVS;
	if (status_has(x, STATUS_SECCOMP) && status_has(y, STATUS_SECCOMP) && x->seccomp != y->seccomp)
		what |= DIFF_SECCOMP;
	if (a->userns_known && b->userns_known && a->userns != b->userns)
		what |= DIFF_USERNS;
	return what;
}

static int add_proc(struct ca_container_change *cc, size_t *cap, enum ca_change kind,
		    const struct ca_proc *old, const struct ca_proc *new, unsigned what)
{
	if (util_grow(&cc->procs, cap, cc->nprocs + 1, sizeof(*cc->procs)) < 0)
		return -ENOMEM;
	cc->procs[cc->nprocs++] = (struct ca_proc_change){ .kind = kind, .old = old, .new = new, .what = what };
	return 0;
}

/*
 * The processes of one container on both sides, merged by pid (both are
 * sorted by pid). A pid is the same process only with the same start time:
 * pids are reused, and a process that exited and one that took its pid
 * are a process gone and one appeared. Where a side lacks the start time
 * (a snapshot taken before capaudit archived stat) nothing can be said,
 * and the pid is counted as not compared; across two boots nothing is the same.
 */
static int diff_procs(const struct ca_container *a, const struct ca_container *b, bool same_boot,
		      struct ca_container_change *cc)
{
	size_t i = 0, j = 0, cap = 0;
	int r = 0;

	while (r == 0 && (i < a->nprocs || j < b->nprocs)) {
		const struct ca_proc *x = i < a->nprocs ? &a->procs[i] : NULL;
		const struct ca_proc *y = j < b->nprocs ? &b->procs[j] : NULL;
		unsigned what;

		if (!y || (x && x->pid < y->pid)) {
			r = add_proc(cc, &cap, CA_CHANGE_GONE, x, NULL, 0);
			i++;
		} else if (!x || y->pid < x->pid) {
			r = add_proc(cc, &cap, CA_CHANGE_APPEARED, NULL, y, 0);
			j++;
		} else if (same_boot && (!x->start_known || !y->start_known)) {
			cc->unmatched++;
			i++, j++;
		} else if (!same_boot || x->start != y->start) {
			r = add_proc(cc, &cap, CA_CHANGE_GONE, x, NULL, 0);
			if (r == 0)
				r = add_proc(cc, &cap, CA_CHANGE_APPEARED, NULL, y, 0);
			i++, j++;
		} else {
			what = proc_what(x, y);
			r = what ? add_proc(cc, &cap, CA_CHANGE_CHANGED, x, y, what) : 0;
			i++, j++;
		}
	}
	return r;
}

static bool userns_differs(const struct ca_userns *a, const struct ca_userns *b)
{
	if (!a->known || !b->known)
		return false;
	return a->child != b->child || a->root_mapped != b->root_mapped ||
	       (a->root_mapped && a->root_host_uid != b->root_host_uid);
}

static int add_container(struct ca_diff *d, size_t *cap, const struct ca_container_change *cc)
{
	if (util_grow(&d->containers, cap, d->ncontainers + 1, sizeof(*d->containers)) < 0)
		return -ENOMEM;
	d->containers[d->ncontainers++] = *cc;
	return 0;
}

/* One container on both sides: 1 and @cc where it changed, 0 where not, or -ENOMEM. */
static int diff_container(const struct ca_diff_side *o, const struct ca_diff_side *n, size_t i, size_t j,
			  bool same_boot, struct ca_container_change *cc)
{
	const struct ca_container *a = &o->scan->containers[i], *b = &n->scan->containers[j];
	const struct ca_judgement *ja = &o->audit->containers[i], *jb = &n->audit->containers[j];

	*cc = (struct ca_container_change){ .kind = CA_CHANGE_CHANGED, .old = i, .new = j };
	if (caps_set_is_known(&ja->caps, CA_SET_BOUNDING) && caps_set_is_known(&jb->caps, CA_SET_BOUNDING)) {
		cc->bound_grew = jb->caps.mask[CA_SET_BOUNDING] & ~ja->caps.mask[CA_SET_BOUNDING];
		cc->bound_lost = ja->caps.mask[CA_SET_BOUNDING] & ~jb->caps.mask[CA_SET_BOUNDING];
	}
	if (cc->bound_grew || cc->bound_lost)
		cc->what |= DIFF_BOUNDING;
	if (ja->verdict != jb->verdict)
		cc->what |= DIFF_VERDICT;
	if (userns_differs(&a->userns, &b->userns))
		cc->what |= DIFF_CONTAINER_USERNS;
	if (diff_procs(a, b, same_boot, cc) < 0) {
		free(cc->procs);
		return -ENOMEM;
	}
	if (cc->nprocs)
		cc->what |= DIFF_PROCESSES;
	return cc->what ? 1 : 0;
}

/* Both scans' containers, merged in their common order. */
static int diff_containers(const struct ca_diff_side *o, const struct ca_diff_side *n, bool same_boot,
			   struct ca_diff *d)
{
	size_t i = 0, j = 0, cap = 0;
	int r = 0;

	while (r == 0 && (i < o->scan->ncontainers || j < n->scan->ncontainers)) {
		struct ca_container_change cc = { .old = SIZE_MAX, .new = SIZE_MAX };
		int cmp = i == o->scan->ncontainers ? 1 : j == n->scan->ncontainers ? -1
			: scan_container_order(&o->scan->containers[i], &n->scan->containers[j]);

		if (cmp < 0) {
			cc.kind = CA_CHANGE_GONE;
			cc.old = i++;
			r = add_container(d, &cap, &cc);
		} else if (cmp > 0) {
			cc.kind = CA_CHANGE_APPEARED;
			cc.new = j++;
			r = add_container(d, &cap, &cc);
		} else {
			r = diff_container(o, n, i++, j++, same_boot, &cc);
			d->summary.unmatched += r >= 0 ? cc.unmatched : 0;
			if (r == 1 && (r = add_container(d, &cap, &cc)) < 0)
				free(cc.procs);
		}
	}
	return r < 0 ? r : 0;
}

/* A container's findings of one rule and set, gathered: what a finding is across two policies. */
struct gathered {
	const struct ca_finding *first;
	uint64_t caps;
	bool failing;
};

static struct gathered gather(const struct ca_diff_side *s, size_t c, const char *rule, enum ca_capset set)
{
	const struct ca_judgement *j = &s->audit->containers[c];
	struct gathered g = { 0 };
	size_t k;

	for (k = 0; k < j->nfindings; k++) {
		const struct ca_finding *f = &j->findings[k];

		if (f->set != set || strcmp(s->policy->rules[f->rule].name, rule) != 0)
			continue;
		if (!g.first)
			g.first = f;
		g.caps |= f->caps;
		g.failing |= policy_fails(s->policy, f->severity);
	}
	return g;
}

static int add_finding(struct ca_diff *d, size_t *cap, const struct ca_finding_change *fc)
{
	if (util_grow(&d->findings, cap, d->nfindings + 1, sizeof(*d->findings)) < 0)
		return -ENOMEM;
	d->findings[d->nfindings++] = *fc;
	return 0;
}

/*
 * The findings of container @c of @s that @other (container @oc, SIZE_MAX
 * for none) does not hold: a rule it does not break there, the
 * capabilities of a capability check it does not name there, or a rule
 * that fails here and did not there. @resolved says which side @s is.
 */
static int findings_beyond(const struct ca_diff_side *s, size_t c, const struct ca_diff_side *other,
			   size_t oc, bool resolved, struct ca_diff *d, size_t *cap)
{
	const struct ca_judgement *j = &s->audit->containers[c];
	size_t k, l;

	for (k = 0; k < j->nfindings; k++) {
		const struct ca_finding *f = &j->findings[k];
		const char *rule = s->policy->rules[f->rule].name;
		struct gathered here, there = { 0 };
		struct ca_finding_change fc = { .resolved = resolved, .container = c, .f = f };
		bool seen = false;

		/* The first finding of a rule and set speaks for them all. */
		for (l = 0; l < k && !seen; l++)
			seen = j->findings[l].set == f->set &&
			       strcmp(s->policy->rules[j->findings[l].rule].name, rule) == 0;
		if (seen)
			continue;
		here = gather(s, c, rule, f->set);
		if (oc != SIZE_MAX)
			there = gather(other, oc, rule, f->set);
		fc.failing = here.failing;
		if (!there.first) {
			fc.caps = here.caps;
		} else if (here.caps & ~there.caps) {
			fc.caps = here.caps & ~there.caps;
		} else if (here.failing && !there.failing) {
			fc.caps = here.caps;
		} else {
			continue;
		}
		if (add_finding(d, cap, &fc) < 0)
			return -ENOMEM;
		if (resolved)
			d->summary.findings_resolved++;
		else
			d->summary.findings_new++;
		d->summary.new_failing += !resolved && fc.failing;
	}
	return 0;
}

/* Where @c of one side is on the other: a binary search, both being in one order. */
static size_t find_container(const struct ca_scan *in, const struct ca_container *c)
{
	size_t lo = 0, hi = in->ncontainers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = scan_container_order(&in->containers[mid], c);

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static int diff_findings(const struct ca_diff_side *o, const struct ca_diff_side *n, struct ca_diff *d)
{
	size_t i, cap = 0;
	int r = 0;

	for (i = 0; r == 0 && i < n->scan->ncontainers; i++)
		r = findings_beyond(n, i, o, find_container(o->scan, &n->scan->containers[i]), false, d, &cap);
	for (i = 0; r == 0 && i < o->scan->ncontainers; i++)
		r = findings_beyond(o, i, n, find_container(n->scan, &o->scan->containers[i]), true, d, &cap);
	return r;
}

/* Two policies are the same where policy show prints them alike: presets expanded, order kept. */
static int policies_differ(const struct ca_policy *a, const struct ca_policy *b, bool *differ)
{
	_cleanup_free_ char *ta = NULL, *tb = NULL;
	size_t la = 0, lb = 0;
	FILE *f;
	int r;

	if (a == b) {
		*differ = false;
		return 0;
	}
	f = open_memstream(&ta, &la);
	r = f && policy_show(f, a) == 0 ? 0 : -ENOMEM;
	if (f && fclose(f) != 0)
		r = -ENOMEM;
	f = r == 0 ? open_memstream(&tb, &lb) : NULL;
	r = f && policy_show(f, b) == 0 ? r : -ENOMEM;
	if (f && fclose(f) != 0)
		r = -ENOMEM;
	if (r < 0)
		return r;
	*differ = la != lb || memcmp(ta, tb, la) != 0;
	return 0;
}

static bool both_differ(const char *a, const char *b)
{
	return a[0] && b[0] && strcmp(a, b) != 0;
}

int diff_run(const struct ca_diff_side *old, const struct ca_diff_side *new, struct ca_diff *out)
{
	size_t i, k;
	int r;

	memset(out, 0, sizeof(*out));
	out->hosts_differ = both_differ(old->ident->hostname, new->ident->hostname);
	out->boots_differ = both_differ(old->ident->boot_id, new->ident->boot_id);
	r = policies_differ(old->policy, new->policy, &out->policies_differ);
	if (r == 0)
		r = diff_containers(old, new, !out->boots_differ, out);
	if (r == 0)
		r = diff_findings(old, new, out);
	if (r < 0)
		return r;
	for (i = 0; i < out->ncontainers; i++) {
		const struct ca_container_change *cc = &out->containers[i];

		out->summary.appeared += cc->kind == CA_CHANGE_APPEARED;
		out->summary.gone += cc->kind == CA_CHANGE_GONE;
		out->summary.changed += cc->kind == CA_CHANGE_CHANGED;
		for (k = 0; k < cc->nprocs; k++) {
			out->summary.procs_appeared += cc->procs[k].kind == CA_CHANGE_APPEARED;
			out->summary.procs_gone += cc->procs[k].kind == CA_CHANGE_GONE;
			out->summary.procs_changed += cc->procs[k].kind == CA_CHANGE_CHANGED;
		}
	}
	return 0;
}

void diff_free(struct ca_diff *d)
{
	size_t i;

	for (i = 0; i < d->ncontainers; i++)
		free(d->containers[i].procs);
	free(d->containers);
	free(d->findings);
	memset(d, 0, sizeof(*d));
}
