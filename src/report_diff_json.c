/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diff as one JSON document (capaudit(8), DIFF), built with json-c. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "runtime.h"

#define DIFF_SCHEMA_VERSION 1

/* Building fails once, and says so at the end: every helper takes NULL and passes it on. */
struct jb {
	int err;
};

static struct json_object *put(struct jb *b, struct json_object *obj, const char *key, struct json_object *val)
{
	if (!obj || !val || b->err) {
		json_object_put(val);
		b->err = -ENOMEM;
		return obj;
	}
	/* json_object_object_add() takes @val, even when it fails. */
	if (json_object_object_add(obj, key, val))
		b->err = -ENOMEM;
	return obj;
}

static void append(struct jb *b, struct json_object *arr, struct json_object *val)
{
	if (!arr || !val || b->err || json_object_array_add(arr, val)) {
		json_object_put(val);
		b->err = -ENOMEM;
	}
}

/* Text a process or a cgroup chose, or a file of the host: escaped into valid UTF-8 first. */
static struct json_object *str(const char *s)
{
	_cleanup_free_ char *e = esc_text(s, strlen(s));

	return e ? json_object_new_string(e) : NULL;
}

static struct json_object *names(struct jb *b, const struct ca_capnames *n, uint64_t mask)
{
	struct json_object *a = json_object_new_array();
	unsigned bit;

	mask &= caps_valid_mask(n->last_cap);
	for (bit = 0; a && bit < CA_CAP_MAX; bit++)
		if (mask & CA_BIT(bit))
			append(b, a, json_object_new_string(caps_name(n, bit)));
	return a;
}

static struct json_object *grew_lost(struct jb *b, const struct ca_capnames *n, uint64_t grew, uint64_t lost)
{
	struct json_object *o = json_object_new_object();

	put(b, o, "added", names(b, n, grew));
	return put(b, o, "removed", names(b, n, lost));
}

static struct json_object *old_new(struct jb *b, struct json_object *old, struct json_object *new)
{
	struct json_object *o = json_object_new_object();

	put(b, o, "old", old);
	return put(b, o, "new", new);
}

static struct json_object *side_json(struct jb *b, const struct ca_diff_side *s)
{
	struct json_object *o = json_object_new_object();

	put(b, o, "source", str(s->source));
	put(b, o, "hostname", str(s->ident->hostname));
	put(b, o, "kernel_release", str(s->ident->release));
	put(b, o, "boot_id", str(s->ident->boot_id));
	if (s->when[0])
		put(b, o, "time", str(s->when));
	else if (o && json_object_object_add(o, "time", NULL))	/* a directory says nothing of when */
		b->err = -ENOMEM;
	put(b, o, "policy", str(s->policy->source));
	return put(b, o, "containers", json_object_new_int64((int64_t)s->scan->ncontainers));
}

static struct json_object *mask_str(uint64_t mask)
{
	char hex[32];

	snprintf(hex, sizeof(hex), "0x%016" PRIx64, mask);
	return json_object_new_string(hex);
}

/* "capabilities" and "masks" of the sets @which of @c, as the scan's JSON report gives them. */
static void put_sets(struct jb *b, struct json_object *o, const struct ca_capnames *n, const struct ca_capsets *c,
		     unsigned which)
{
	struct json_object *caps = json_object_new_object(), *masks = json_object_new_object();
	int set;

	for (set = 0; set < CA_SET_COUNT; set++) {
		if (!(which & (1u << set)) || !caps_set_is_known(c, set))
			continue;
		put(b, caps, caps_set_name(set), names(b, n, c->mask[set]));
		put(b, masks, caps_set_name(set), mask_str(c->mask[set]));
	}
	put(b, o, "capabilities", caps);
	put(b, o, "masks", masks);
}

/* The same of sets that changed: names added and removed, masks before and after. */
static void put_set_changes(struct jb *b, struct json_object *o, const struct ca_capnames *n,
			    const uint64_t old[CA_SET_COUNT], const uint64_t new[CA_SET_COUNT], unsigned which)
{
	struct json_object *caps = json_object_new_object(), *masks = json_object_new_object();
	int set;

	for (set = 0; set < CA_SET_COUNT; set++) {
		if (!(which & (1u << set)))
			continue;
		put(b, caps, caps_set_name(set), grew_lost(b, n, new[set] & ~old[set], old[set] & ~new[set]));
		put(b, masks, caps_set_name(set), old_new(b, mask_str(old[set]), mask_str(new[set])));
	}
	put(b, o, "capabilities", caps);
	put(b, o, "masks", masks);
}

static struct json_object *proc_json(struct jb *b, const struct ca_diff_report *rep, const struct ca_proc_change *pc)
{
	const struct ca_proc *p = pc->new ? pc->new : pc->old;
	struct json_object *o = json_object_new_object();

	put(b, o, "change", json_object_new_string(diff_change_name(pc->kind)));
	put(b, o, "pid", json_object_new_int((int)p->pid));
	if (p->start_known)
		put(b, o, "start_time", json_object_new_uint64(p->start));
	if (status_has(&p->st, STATUS_NAME))
		put(b, o, "name", str(p->st.name));
	if (pc->kind != CA_CHANGE_CHANGED) {
		put_sets(b, o, rep->names, &p->st.caps, DIFF_SETS);
		return o;
	}
	put_set_changes(b, o, rep->names, pc->old->st.caps.mask, pc->new->st.caps.mask, pc->what & DIFF_SETS);
	if (pc->what & DIFF_NO_NEW_PRIVS)
		put(b, o, "no_new_privs", old_new(b, json_object_new_boolean(pc->old->st.no_new_privs),
						  json_object_new_boolean(pc->new->st.no_new_privs)));
	if (pc->what & DIFF_SECCOMP)
		put(b, o, "seccomp", old_new(b, json_object_new_string(report_seccomp_name(pc->old->st.seccomp)),
					     json_object_new_string(report_seccomp_name(pc->new->st.seccomp))));
	if (pc->what & DIFF_USERNS)
		put(b, o, "user_namespace", old_new(b, json_object_new_uint64(pc->old->userns),
						    json_object_new_uint64(pc->new->userns)));
	return o;
}

/* A string, escaped; null where there is none. */
static struct json_object *put_text(struct jb *b, struct json_object *o, const char *key, const char *s)
{
	if (s)
		return put(b, o, key, str(s));
	if (o && !b->err && json_object_object_add(o, key, NULL))
		b->err = -ENOMEM;
	return o;
}

static struct json_object *container_head(struct jb *b, const char *change, const struct ca_container *c)
{
	struct json_object *o = json_object_new_object();

	put(b, o, "change", json_object_new_string(change));
	put(b, o, "runtime", json_object_new_string(runtime_name(c->runtime)));
	put(b, o, "id", str(c->id));
	/* as the scan's JSON report names it (workload.name, workload.image): null where unknown */
	put_text(b, o, "name", c->workload.name);
	return put_text(b, o, "image", c->workload.image);
}

/* As the scan's JSON report gives it: root_host_uid null where a child namespace's map was not read. */
static struct json_object *userns_json(struct jb *b, const struct ca_userns *u)
{
	struct json_object *o = json_object_new_object();

	put(b, o, "child", json_object_new_boolean(u->child));
	if (!u->child || u->root_mapped)
		return put(b, o, "root_host_uid", json_object_new_int64(u->child ? u->root_host_uid : 0));
	if (o && json_object_object_add(o, "root_host_uid", NULL))
		b->err = -ENOMEM;
	return o;
}

static struct json_object *container_json(struct jb *b, const struct ca_diff_report *rep,
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
		put(b, o, "verdict", json_object_new_string(audit_verdict_name(j->verdict)));
		put(b, o, "processes", json_object_new_int64((int64_t)c->nprocs));
		put(b, o, "privileged", json_object_new_boolean(j->privileged));
		put_sets(b, o, rep->names, &j->caps, 1u << CA_SET_BOUNDING);
		return o;
	}
	put(b, o, "verdict", old_new(b, json_object_new_string(audit_verdict_name(oj->verdict)),
				     json_object_new_string(audit_verdict_name(j->verdict))));
	put(b, o, "privileged", old_new(b, json_object_new_boolean(oj->privileged), json_object_new_boolean(j->privileged)));
	if (cc->what & DIFF_BOUNDING)
		put_set_changes(b, o, rep->names, oj->caps.mask, j->caps.mask, 1u << CA_SET_BOUNDING);
	if (cc->what & DIFF_CONTAINER_USERNS)
		put(b, o, "user_namespace", old_new(b, userns_json(b, &oc->userns), userns_json(b, &c->userns)));
	procs = json_object_new_array();
	for (k = 0; k < cc->nprocs; k++)
		append(b, procs, proc_json(b, rep, &cc->procs[k]));
	put(b, o, "processes", procs);
	return put(b, o, "not_compared", json_object_new_int64((int64_t)cc->unmatched));
}

static struct json_object *finding_json(struct jb *b, const struct ca_diff_report *rep,
					const struct ca_finding_change *fc)
{
	const struct ca_diff_side *side = fc->resolved ? rep->old : rep->new;
	const struct ca_policy *p = side->policy;
	const struct ca_rule *rule = &p->rules[fc->f->rule];
	const struct ca_container *c = &side->scan->containers[fc->container];
	_cleanup_free_ char *msg = policy_message(p, fc->f->rule, fc->f->set, fc->caps, fc->f->denied & fc->caps,
						   fc->f->pids, fc->f->npids, rep->names);
	struct json_object *o = container_head(b, fc->resolved ? "resolved" : "new", c);

	put(b, o, "rule", json_object_new_string(rule->name));
	if (rule->cis[0])
		put(b, o, "cis", json_object_new_string(rule->cis));
	put(b, o, "severity", json_object_new_string(policy_severity_name(fc->f->severity)));
	put(b, o, "failing", json_object_new_boolean(fc->failing));
	/* the set and the capabilities of a capability check; other checks name none */
	if (fc->caps) {
		put(b, o, "set", json_object_new_string(caps_set_name(fc->f->set)));
		put(b, o, "capabilities", names(b, rep->names, fc->caps));
	}
	return put(b, o, "message", msg ? json_object_new_string(msg) : NULL);
}

static struct json_object *summary_json(struct jb *b, const struct ca_diff_summary *s)
{
	struct json_object *o = json_object_new_object();

	put(b, o, "containers_appeared", json_object_new_int64((int64_t)s->appeared));
	put(b, o, "containers_gone", json_object_new_int64((int64_t)s->gone));
	put(b, o, "containers_changed", json_object_new_int64((int64_t)s->changed));
	put(b, o, "processes_appeared", json_object_new_int64((int64_t)s->procs_appeared));
	put(b, o, "processes_gone", json_object_new_int64((int64_t)s->procs_gone));
	put(b, o, "processes_changed", json_object_new_int64((int64_t)s->procs_changed));
	put(b, o, "processes_not_compared", json_object_new_int64((int64_t)s->unmatched));
	put(b, o, "findings_new", json_object_new_int64((int64_t)s->findings_new));
	put(b, o, "findings_new_failing", json_object_new_int64((int64_t)s->new_failing));
	return put(b, o, "findings_resolved", json_object_new_int64((int64_t)s->findings_resolved));
}

int report_diff_json_print(FILE *out, const struct ca_diff_report *rep)
{
	const struct ca_diff *d = rep->diff;
	struct json_object *doc = json_object_new_object(), *arr;
	struct jb b = { 0 };
	const char *text;
	size_t i;
	int r;

	put(&b, doc, "schema_version", json_object_new_int(DIFF_SCHEMA_VERSION));
	put(&b, doc, "old", side_json(&b, rep->old));
	put(&b, doc, "new", side_json(&b, rep->new));
	put(&b, doc, "hosts_differ", json_object_new_boolean(d->hosts_differ));
	put(&b, doc, "boots_differ", json_object_new_boolean(d->boots_differ));
	put(&b, doc, "policies_differ", json_object_new_boolean(d->policies_differ));
	arr = json_object_new_array();
	for (i = 0; i < d->ncontainers; i++)
		append(&b, arr, container_json(&b, rep, &d->containers[i]));
	put(&b, doc, "containers", arr);
	arr = json_object_new_array();
	for (i = 0; i < d->nfindings; i++)
		append(&b, arr, finding_json(&b, rep, &d->findings[i]));
	put(&b, doc, "findings", arr);
	put(&b, doc, "summary", summary_json(&b, &d->summary));
	r = b.err;
	text = r == 0 ? json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	if (r == 0 && !text)
		r = -ENOMEM;
	if (r == 0 && fprintf(out, "%s\n", text) < 0)
		r = -EIO;
	json_object_put(doc);
	return r == 0 && ferror(out) ? -EIO : r;
}
