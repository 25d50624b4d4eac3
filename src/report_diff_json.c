/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diff as one JSON document (capaudit(8), DIFF), built with json-c. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "jsonb.h"
#include "report.h"
#include "runtime.h"

#define DIFF_SCHEMA_VERSION 1

static struct json_object *grew_lost(struct ca_jb *b, const struct ca_capnames *n, uint64_t grew, uint64_t lost)
{
	struct json_object *o = json_object_new_object();

	jb_put(b, o, "added", jb_names(b, n, grew));
	return jb_put(b, o, "removed", jb_names(b, n, lost));
}

static struct json_object *old_new(struct ca_jb *b, struct json_object *old, struct json_object *new)
{
	struct json_object *o = json_object_new_object();

	jb_put(b, o, "old", old);
	return jb_put(b, o, "new", new);
}

static struct json_object *side_json(struct ca_jb *b, const struct ca_diff_side *s)
{
	struct json_object *o = json_object_new_object();

	jb_put(b, o, "source", jb_str(s->source));
	jb_put(b, o, "hostname", jb_str(s->ident->hostname));
	jb_put(b, o, "kernel_release", jb_str(s->ident->release));
	jb_put(b, o, "boot_id", jb_str(s->ident->boot_id));
	if (s->when[0])
		jb_put(b, o, "time", jb_str(s->when));
	else if (o && json_object_object_add(o, "time", NULL))	/* a directory says nothing of when */
		b->err = -ENOMEM;
	jb_put(b, o, "policy", jb_str(s->policy->source));
	return jb_put(b, o, "containers", json_object_new_int64((int64_t)s->scan->ncontainers));
}

/* "capabilities" and "masks" of the sets @which of @c, as the scan's JSON report gives them. */
static void put_sets(struct ca_jb *b, struct json_object *o, const struct ca_capnames *n, const struct ca_capsets *c,
		     unsigned which)
{
	struct json_object *caps = json_object_new_object(), *masks = json_object_new_object();
	int set;

	for (set = 0; set < CA_SET_COUNT; set++) {
		if (!(which & (1u << set)) || !caps_set_is_known(c, set))
			continue;
		jb_put(b, caps, caps_set_name(set), jb_names(b, n, c->mask[set]));
		jb_put(b, masks, caps_set_name(set), jb_mask(c->mask[set]));
	}
	jb_put(b, o, "capabilities", caps);
	jb_put(b, o, "masks", masks);
}

/* The same of sets that changed: names added and removed, masks before and after. */
static void put_set_changes(struct ca_jb *b, struct json_object *o, const struct ca_capnames *n,
			    const uint64_t old[CA_SET_COUNT], const uint64_t new[CA_SET_COUNT], unsigned which)
{
	struct json_object *caps = json_object_new_object(), *masks = json_object_new_object();
	int set;

	for (set = 0; set < CA_SET_COUNT; set++) {
		if (!(which & (1u << set)))
			continue;
		jb_put(b, caps, caps_set_name(set), grew_lost(b, n, new[set] & ~old[set], old[set] & ~new[set]));
		jb_put(b, masks, caps_set_name(set), old_new(b, jb_mask(old[set]), jb_mask(new[set])));
	}
	jb_put(b, o, "capabilities", caps);
	jb_put(b, o, "masks", masks);
}

static struct json_object *proc_json(struct ca_jb *b, const struct ca_diff_report *rep, const struct ca_proc_change *pc)
{
	const struct ca_proc *p = pc->new ? pc->new : pc->old;
	struct json_object *o = json_object_new_object();

	jb_put(b, o, "change", json_object_new_string(diff_change_name(pc->kind)));
	jb_put(b, o, "pid", json_object_new_int((int)p->pid));
	if (p->start_known)
		jb_put(b, o, "start_time", json_object_new_uint64(p->start));
	if (status_has(&p->st, STATUS_NAME))
		jb_put(b, o, "name", jb_str(p->st.name));
	if (pc->kind != CA_CHANGE_CHANGED) {
		put_sets(b, o, rep->names, &p->st.caps, DIFF_SETS);
		return o;
	}
	put_set_changes(b, o, rep->names, pc->old->st.caps.mask, pc->new->st.caps.mask, pc->what & DIFF_SETS);
	if (pc->what & DIFF_NO_NEW_PRIVS)
		jb_put(b, o, "no_new_privs", old_new(b, json_object_new_boolean(pc->old->st.no_new_privs),
						  json_object_new_boolean(pc->new->st.no_new_privs)));
	if (pc->what & DIFF_SECCOMP)
		jb_put(b, o, "seccomp", old_new(b, json_object_new_string(report_seccomp_name(pc->old->st.seccomp)),
					     json_object_new_string(report_seccomp_name(pc->new->st.seccomp))));
	if (pc->what & DIFF_USERNS)
		jb_put(b, o, "user_namespace", old_new(b, json_object_new_uint64(pc->old->userns),
						    json_object_new_uint64(pc->new->userns)));
	return o;
}

/* A string, escaped; null where there is none. */
static struct json_object *put_text(struct ca_jb *b, struct json_object *o, const char *key, const char *s)
{
	if (s)
		return jb_put(b, o, key, jb_str(s));
	if (o && !b->err && json_object_object_add(o, key, NULL))
		b->err = -ENOMEM;
	return o;
}

static struct json_object *container_head(struct ca_jb *b, const char *change, const struct ca_container *c)
{
	struct json_object *o = json_object_new_object();

	jb_put(b, o, "change", json_object_new_string(change));
	jb_put(b, o, "runtime", json_object_new_string(runtime_name(c->runtime)));
	jb_put(b, o, "id", jb_str(c->id));
	/* as the scan's JSON report names it (workload.name, workload.image): null where unknown */
	put_text(b, o, "name", c->workload.name);
	return put_text(b, o, "image", c->workload.image);
}

/* As the scan's JSON report gives it: root_host_uid null where a child namespace's map was not read. */
static struct json_object *userns_json(struct ca_jb *b, const struct ca_userns *u)
{
	struct json_object *o = json_object_new_object();

	jb_put(b, o, "child", json_object_new_boolean(u->child));
	if (!u->child || u->root_mapped)
		return jb_put(b, o, "root_host_uid", json_object_new_int64(u->child ? u->root_host_uid : 0));
	if (o && json_object_object_add(o, "root_host_uid", NULL))
		b->err = -ENOMEM;
	return o;
}

static struct json_object *container_json(struct ca_jb *b, const struct ca_diff_report *rep,
					  const struct ca_container_change *cc)
{
	const struct ca_diff_side *side = cc->kind == CA_CHANGE_GONE ? rep->old : rep->new;
	size_t at = cc->kind == CA_CHANGE_GONE ? cc->old : cc->new, k;
	const struct ca_container *c = &side->scan->containers[at];
	const struct ca_judgement *j = &side->audit->containers[at];
	const struct ca_container *oc = cc->kind == CA_CHANGE_CHANGED ? &rep->old->scan->containers[cc->old] : NULL;
	const struct ca_judgement *oj = oc ? &rep->old->audit->containers[cc->old] : NULL;
	struct json_object *o = container_head(b, diff_change_name(cc->kind), c), *procs;

	if (cc->kind != CA_CHANGE_CHANGED) {
		jb_put(b, o, "verdict", json_object_new_string(audit_verdict_name(j->verdict)));
		jb_put(b, o, "processes", json_object_new_int64((int64_t)c->nprocs));
		jb_put(b, o, "privileged", json_object_new_boolean(j->privileged));
		put_sets(b, o, rep->names, &j->caps, 1u << CA_SET_BOUNDING);
		return o;
	}
	jb_put(b, o, "verdict", old_new(b, json_object_new_string(audit_verdict_name(oj->verdict)),
				     json_object_new_string(audit_verdict_name(j->verdict))));
	jb_put(b, o, "privileged", old_new(b, json_object_new_boolean(oj->privileged), json_object_new_boolean(j->privileged)));
	if (cc->what & DIFF_BOUNDING)
		put_set_changes(b, o, rep->names, oj->caps.mask, j->caps.mask, 1u << CA_SET_BOUNDING);
	if (cc->what & DIFF_CONTAINER_USERNS)
		jb_put(b, o, "user_namespace", old_new(b, userns_json(b, &oc->userns), userns_json(b, &c->userns)));
	procs = json_object_new_array();
	for (k = 0; k < cc->nprocs; k++)
		jb_append(b, procs, proc_json(b, rep, &cc->procs[k]));
	jb_put(b, o, "processes", procs);
	return jb_put(b, o, "not_compared", json_object_new_int64((int64_t)cc->unmatched));
}

static struct json_object *finding_json(struct ca_jb *b, const struct ca_diff_report *rep,
					const struct ca_finding_change *fc)
{
	const struct ca_diff_side *side = fc->resolved ? rep->old : rep->new;
	const struct ca_policy *p = side->policy;
	const struct ca_rule *rule = &p->rules[fc->f->rule];
	const struct ca_container *c = &side->scan->containers[fc->container];
	_cleanup_free_ char *msg = policy_message(p, fc->f->rule, fc->f->set, fc->caps, fc->f->denied & fc->caps,
						   fc->f->pids, fc->f->npids, rep->names);
	struct json_object *o = container_head(b, fc->resolved ? "resolved" : "new", c);

	jb_put(b, o, "rule", json_object_new_string(rule->name));
	if (rule->cis[0])
		jb_put(b, o, "cis", json_object_new_string(rule->cis));
	jb_put(b, o, "severity", json_object_new_string(policy_severity_name(fc->f->severity)));
	jb_put(b, o, "failing", json_object_new_boolean(fc->failing));
	/* the set and the capabilities of a capability check; other checks name none */
	if (fc->caps) {
		jb_put(b, o, "set", json_object_new_string(caps_set_name(fc->f->set)));
		jb_put(b, o, "capabilities", jb_names(b, rep->names, fc->caps));
	}
	return jb_put(b, o, "message", msg ? json_object_new_string(msg) : NULL);
}

static struct json_object *summary_json(struct ca_jb *b, const struct ca_diff_summary *s)
{
	struct json_object *o = json_object_new_object();

	jb_put(b, o, "containers_appeared", json_object_new_int64((int64_t)s->appeared));
	jb_put(b, o, "containers_gone", json_object_new_int64((int64_t)s->gone));
	jb_put(b, o, "containers_changed", json_object_new_int64((int64_t)s->changed));
	jb_put(b, o, "processes_appeared", json_object_new_int64((int64_t)s->procs_appeared));
	jb_put(b, o, "processes_gone", json_object_new_int64((int64_t)s->procs_gone));
	jb_put(b, o, "processes_changed", json_object_new_int64((int64_t)s->procs_changed));
	jb_put(b, o, "processes_not_compared", json_object_new_int64((int64_t)s->unmatched));
	jb_put(b, o, "findings_new", json_object_new_int64((int64_t)s->findings_new));
	jb_put(b, o, "findings_new_failing", json_object_new_int64((int64_t)s->new_failing));
	return jb_put(b, o, "findings_resolved", json_object_new_int64((int64_t)s->findings_resolved));
}

int report_diff_json_print(FILE *out, const struct ca_diff_report *rep)
{
	const struct ca_diff *d = rep->diff;
	struct json_object *doc = json_object_new_object(), *arr;
	struct ca_jb b = { 0 };
	size_t i;

	jb_put(&b, doc, "schema_version", json_object_new_int(DIFF_SCHEMA_VERSION));
	jb_put(&b, doc, "old", side_json(&b, rep->old));
	jb_put(&b, doc, "new", side_json(&b, rep->new));
	jb_put(&b, doc, "hosts_differ", json_object_new_boolean(d->hosts_differ));
	jb_put(&b, doc, "boots_differ", json_object_new_boolean(d->boots_differ));
	jb_put(&b, doc, "policies_differ", json_object_new_boolean(d->policies_differ));
	arr = json_object_new_array();
	for (i = 0; i < d->ncontainers; i++)
		jb_append(&b, arr, container_json(&b, rep, &d->containers[i]));
	jb_put(&b, doc, "containers", arr);
	arr = json_object_new_array();
	for (i = 0; i < d->nfindings; i++)
		jb_append(&b, arr, finding_json(&b, rep, &d->findings[i]));
	jb_put(&b, doc, "findings", arr);
	jb_put(&b, doc, "summary", summary_json(&b, &d->summary));
	return jb_print(&b, doc, out);
}
