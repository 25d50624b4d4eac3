/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy learning writes: each container held to its least set, by name. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn_policy.h"
#include "policy_ini.h"
#include "userfile.h"
#include "workload.h"

/*
 * A name a section may select by as it is: the characters docker, podman,
 * LXC and Kubernetes allow in names, none of which a glob or an INI line
 * reads specially. Anything else is selected by id.
 */
static bool plain_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 128 && isalnum((unsigned char)s[0]) && strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* A copy of @base: a policy holds no pointer but its source and its sections. */
static struct ca_policy *copy_of(const struct ca_policy *base, size_t extra)
{
	struct ca_policy *p = policy_new_empty(base->source);
	struct ca_section *s;

	if (!p)
		return NULL;
	s = reallocarray(p->sections, base->nsections + extra, sizeof(*s));
	if (!s) {
		policy_free(p);
		return NULL;
	}
	memcpy(s, base->sections, base->nsections * sizeof(*s));
	p->sections = s;
	p->nsections = base->nsections;
	p->fail_on = base->fail_on;
	memcpy(p->rules, base->rules, sizeof(p->rules));
	p->nrules = base->nrules;
	return p;
}

/* What the policy's sections select for @it's container, as the audit would ask. */
static void subject_of(struct ca_subject *s, const struct ca_learn_item *it, struct ca_status *none)
{
	const struct ca_container *c = it->ctr;

	memset(s, 0, sizeof(*s));
	memset(none, 0, sizeof(*none));
	s->runtime = it->learned->runtime;
	s->id = it->learned->id;
	s->pod = c ? c->pod_uid : "";
	if (c && c->workload.status == CA_WL_READ && !c->workload.user_written)
		s->workload = &c->workload;
	s->st = c && c->nprocs ? &c->procs[0].st : none;
}

/* The section for @it: one of @p's that selects exactly the same, else a new one. */
static struct ca_section *section_for(struct ca_policy *p, const struct ca_learn_item *it, struct ca_err *err)
{
	const struct ca_workload *w = it->ctr ? &it->ctr->workload : NULL;
	struct ca_section want = { 0 }, *s;
	char base[CA_SECTION_NAME_MAX];
	size_t i, k;
	int n;

	if (w && w->status == CA_WL_READ && !w->user_written && w->name && plain_name(w->name)) {
		want.select = SEL_NAME;
		snprintf(want.wl_name, sizeof(want.wl_name), "%s", w->name);
		if (w->k8s_namespace && plain_name(w->k8s_namespace)) {
			want.select |= SEL_NAMESPACE;
			snprintf(want.k8s_namespace, sizeof(want.k8s_namespace), "%s", w->k8s_namespace);
		}
		snprintf(base, sizeof(base), "learned-%.41s", w->name);
	} else {
		want.select = SEL_RUNTIME | SEL_ID;
		want.runtime = it->learned->runtime;
		snprintf(want.id, sizeof(want.id), "%s", it->learned->id);
		snprintf(base, sizeof(base), "learned-%.12s", it->learned->id);
		for (i = 0; base[i]; i++)
			if (!isalnum((unsigned char)base[i]) && !strchr("-_.", base[i]))
				base[i] = '-';
	}
	for (i = 1; i < p->nsections; i++) {
		s = &p->sections[i];
		if (s->select == want.select && strcmp(s->wl_name, want.wl_name) == 0 &&
		    strcmp(s->k8s_namespace, want.k8s_namespace) == 0 && strcmp(s->id, want.id) == 0 &&
		    s->runtime == want.runtime && !s->image[0] && !s->label[0] && !s->pod[0] && !s->comm[0])
			return s;
	}
	s = &p->sections[p->nsections];
	*s = want;
	memcpy(s->name, base, sizeof(s->name));
	/* Section names are unique: a second "learned-web" (two runtimes) gets a number. */
	for (k = 2;; k++) {
		for (i = 0; i < p->nsections; i++)
			if (strcmp(p->sections[i].name, s->name) == 0)
				break;
		if (i == p->nsections)
			break;
		n = snprintf(s->name, sizeof(s->name), "%.44s-%zu", base, k);
		if (n < 0 || (size_t)n >= sizeof(s->name))
			return err_set(err, -ENAMETOOLONG, "too many learned sections named %s", base), NULL;
	}
	p->nsections++;
	return s;
}

/* The rule CA_LEAST_RULE of @p, made where @p has none: off in [default], allowing all. */
static int least_rule(struct ca_policy *p, struct ca_err *err)
{
	int r = policy_find_rule(p, CA_LEAST_RULE);
	struct ca_rule_cfg *d;

	if (r >= 0) {
		if (p->rules[r].check != CA_CHECK_CAPS)
			return err_set(err, -EINVAL, "%s: the rule %s is not a capability rule", p->source,
				       CA_LEAST_RULE);
		return r;
	}
	if (p->nrules == CA_RULES_MAX)
		return err_set(err, -E2BIG, "%s has %d rules: no room for %s", p->source, CA_RULES_MAX, CA_LEAST_RULE);
	r = (int)p->nrules++;
	memset(&p->rules[r], 0, sizeof(p->rules[r]));
	snprintf(p->rules[r].name, sizeof(p->rules[r].name), "%s", CA_LEAST_RULE);
	snprintf(p->rules[r].cis, sizeof(p->rules[r].cis), "5.4");
	p->rules[r].check = CA_CHECK_CAPS;
	d = &p->sections[0].cfg[r];
	memset(d, 0, sizeof(*d));
	/* a rule of one's own is made with a list: @all, which no container breaks */
	d->has = CFG_SEVERITY | CFG_ALLOW | CFG_SET;
	d->off = true;
	d->allow.all = true;
	d->set = CA_SET_BOUNDING;
	return r;
}

/* Hold @s to @least: the least-set rule on, and no other capability rule failing @least. */
static void hold(const struct ca_policy *p, struct ca_section *s, int least_rule_at, const struct ca_resolved *eff,
		 uint64_t least)
{
	struct ca_rule_cfg *c = &s->cfg[least_rule_at];
	size_t r;

	c->has = CFG_SEVERITY | CFG_ALLOW | CFG_SET;
	c->off = false;
	c->severity = p->fail_on > CA_SEV_MEDIUM ? p->fail_on : CA_SEV_MEDIUM;
	c->allow = (struct ca_caplist){ .mask = least };
	c->deny = (struct ca_caplist){ 0 };
	c->set = CA_SET_BOUNDING;
	for (r = 0; r < p->nrules; r++) {
		const struct ca_rule_cfg *e = &eff->eff[r];

		if ((int)r == least_rule_at || p->rules[r].check != CA_CHECK_CAPS || e->off)
			continue;
		c = &s->cfg[r];
		/* What it denies of the least set, it denies no longer here; nothing else changes. */
		if ((e->has & CFG_DENY) && !e->deny.all && (e->deny.mask & least)) {
			if (!(e->deny.mask & ~least) && !(e->has & CFG_ALLOW)) {
				c->has |= CFG_SEVERITY;
				c->off = true;
			} else {
				c->has |= CFG_DENY;
				c->deny = (struct ca_caplist){ .mask = e->deny.mask & ~least };
			}
		}
		if ((e->has & CFG_ALLOW) && !e->allow.all && (least & ~e->allow.mask)) {
			c->has |= CFG_ALLOW;
			c->allow = (struct ca_caplist){ .mask = e->allow.mask | least };
		}
	}
}

int learn_policy_build(const struct ca_policy *base, const struct ca_learn_run *run, struct ca_policy **out,
		       struct ca_err *err)
{
	struct ca_policy *p = copy_of(base, run->nitems);
	size_t i;
	int least_at;

	*out = NULL;
	if (!p)
		return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	least_at = least_rule(p, err);
	if (least_at < 0) {
		policy_free(p);
		return least_at;
	}
	for (i = 0; i < run->nitems; i++) {
		const struct ca_learn_item *it = &run->items[i];
		struct ca_subject subj;
		struct ca_status none;
		struct ca_resolved eff;
		struct ca_section *s;

		/* What the base policy holds for it, before its own section is added. */
		subject_of(&subj, it, &none);
		policy_resolve(base, &subj, &eff);
		s = section_for(p, it, err);
		if (!s) {
			policy_free(p);
			return -ENAMETOOLONG;
		}
		hold(p, s, least_at, &eff, it->least);
	}
	*out = p;
	return 0;
}

int learn_policy_write(const struct ca_policy *p, struct ca_output *out, struct ca_err *err)
{
	_cleanup_free_ char *text = NULL;
	struct ca_policy *back = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int r;

	if (!mem)
		return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	r = policy_show(mem, p);
	if (fclose(mem) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0)
		return err_set(err, r, "%s", strerror(-r));
	r = policy_load_text(text, out->path ? out->path : "-", &back, err);
	policy_free(back);
	if (r < 0)
		return r;
	if (fputs(text, out->f) < 0 || (r = userfile_output_close(out, true)) < 0)
		return err_set(err, r < 0 ? r : -EIO, "cannot write %s: %s", out->path ? out->path : "the policy",
			       strerror(r < 0 ? -r : EIO));
	return 0;
}
