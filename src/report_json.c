/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON report, built with json-c from strings made valid UTF-8 first. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "esc.h"
#include "report.h"
#include "runtime.h"

#define SCHEMA_VERSION 1

static void json_putp(struct json_object **p)
{
	if (*p)
		json_object_put(*p);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* json-c's adders take ownership even when they fail; only NULL needs a check. */
static int add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return -ENOMEM;
	return json_object_object_add(obj, key, val) ? -ENOMEM : 0;
}

static struct json_object *str(const char *s)
{
	_cleanup_free_ char *e = esc_text(s, strlen(s));

	return e ? json_object_new_string(e) : NULL;
}

static struct json_object *mask_str(uint64_t mask)
{
	char hex[32];

	snprintf(hex, sizeof(hex), "0x%016" PRIx64, mask);
	return json_object_new_string(hex);
}

static struct json_object *names_array(const struct ca_capnames *names, uint64_t mask)
{
	struct json_object *a = json_object_new_array();
	unsigned bit;

	if (!a)
		return NULL;
	mask &= caps_valid_mask(names->last_cap);
	for (bit = 0; bit < CA_CAP_MAX; bit++) {
		if (!(mask & CA_BIT(bit)))
			continue;
		if (json_object_array_add(a, json_object_new_string(caps_name(names, bit)))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* "capabilities" and "masks" objects for a set of sets; null where unknown. */
static int add_sets(struct json_object *obj, const struct ca_capsets *sets,
		    const struct ca_capnames *names)
{
	struct json_object *caps = json_object_new_object();
	struct json_object *masks = json_object_new_object();
	int set, r = 0;

	if (add(obj, "capabilities", caps) < 0 || add(obj, "masks", masks) < 0)
		return -ENOMEM;
	for (set = 0; set < CA_SET_COUNT && r == 0; set++) {
		const char *key = caps_set_name(set);

		if (!caps_set_is_known(sets, set)) {
			json_object_object_add(caps, key, NULL);
			json_object_object_add(masks, key, NULL);
			continue;
		}
		r = add(caps, key, names_array(names, sets->mask[set]));
		if (r == 0)
			r = add(masks, key, mask_str(sets->mask[set]));
	}
	return r;
}

static struct json_object *id_array(const unsigned *v, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_int64(v[i]));
	return a;
}

static struct json_object *process_json(const struct ca_proc *p, const struct ca_capnames *names)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const struct ca_status *st = &p->st;
	unsigned ids[4];
	int r, i;

	if (!o)
		return NULL;
	r = add(o, "pid", json_object_new_int(p->pid));
	if (r == 0)
		r = status_has(st, STATUS_PPID) ? add(o, "ppid", json_object_new_int(st->ppid))
						: json_object_object_add(o, "ppid", NULL);
	if (r == 0)
		r = status_has(st, STATUS_NAME) ? add(o, "comm", str(st->name))
						: json_object_object_add(o, "comm", NULL);
	if (r == 0) {
		for (i = 0; i < 4; i++)
			ids[i] = st->uid[i];
		r = status_has(st, STATUS_UID) ? add(o, "uid", id_array(ids, 4))
					       : json_object_object_add(o, "uid", NULL);
	}
	if (r == 0) {
		for (i = 0; i < 4; i++)
			ids[i] = st->gid[i];
		r = status_has(st, STATUS_GID) ? add(o, "gid", id_array(ids, 4))
					       : json_object_object_add(o, "gid", NULL);
	}
	if (r == 0 && status_has(st, STATUS_NSPID)) {
		r = add(o, "ns_pid", json_object_new_int(st->ns_pid));
		if (r == 0)
			r = add(o, "pidns_level", json_object_new_int((int)st->pidns_level));
	} else if (r == 0) {
		json_object_object_add(o, "ns_pid", NULL);
		json_object_object_add(o, "pidns_level", NULL);
	}
	if (r == 0)
		r = status_has(st, STATUS_NO_NEW_PRIVS)
			    ? add(o, "no_new_privs", json_object_new_boolean(st->no_new_privs))
			    : json_object_object_add(o, "no_new_privs", NULL);
	if (r == 0)
		r = status_has(st, STATUS_SECCOMP)
			    ? add(o, "seccomp", json_object_new_int((int)st->seccomp))
			    : json_object_object_add(o, "seccomp", NULL);
	if (r == 0)
		r = status_has(st, STATUS_SECCOMP_FILTERS)
			    ? add(o, "seccomp_filters", json_object_new_int64(st->seccomp_filters))
			    : json_object_object_add(o, "seccomp_filters", NULL);
	if (r == 0)
		r = add_sets(o, &st->caps, names);
	if (r == 0 && p->error)
		r = add(o, "error", json_object_new_string(strerrorname_np(-p->error)));
	return r == 0 ? steal_pointer(&o) : NULL;
}

static struct json_object *finding_json(const struct ca_finding *f, const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	_cleanup_free_ char *msg = policy_finding_message(f, rep->names);
	int r;

	if (!o || !msg)
		return NULL;
	r = add(o, "rule", json_object_new_string(f->rule->id));
	if (r == 0)
		r = f->rule->cis ? add(o, "cis", json_object_new_string(f->rule->cis))
				 : json_object_object_add(o, "cis", NULL);
	if (r == 0)
		r = add(o, "severity", json_object_new_string(policy_severity_name(f->rule->severity)));
	if (r == 0)
		r = add(o, "set", json_object_new_string(caps_set_name(f->rule->set)));
	if (r == 0)
		r = add(o, "capabilities", names_array(rep->names, f->caps));
	if (r == 0)
		r = add(o, "fails", json_object_new_boolean(policy_finding_fails(rep->policy, f)));
	if (r == 0)
		r = add(o, "message", json_object_new_string(msg));
	return r == 0 ? steal_pointer(&o) : NULL;
}

static struct json_object *container_json(const struct ca_container *c, const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	struct json_object *findings, *procs;
	uint64_t def;
	size_t i;
	int r;

	if (!o)
		return NULL;
	r = add(o, "runtime", json_object_new_string(runtime_name(c->runtime)));
	if (r == 0)
		r = add(o, "id", str(c->id));
	if (r == 0)
		r = add(o, "verdict", json_object_new_string(audit_verdict_name(c->verdict)));
	if (r == 0)
		r = add_sets(o, &c->caps, rep->names);
	if (r == 0) {
		const uint64_t bnd = c->caps.mask[CA_SET_BOUNDING];

		if (runtime_default_caps(c->runtime, &def) && caps_set_is_known(&c->caps, CA_SET_BOUNDING)) {
			r = add(o, "added", names_array(rep->names, bnd & ~def));
			if (r == 0)
				r = add(o, "dropped", names_array(rep->names, def & ~bnd));
		} else {
			json_object_object_add(o, "added", NULL);
			json_object_object_add(o, "dropped", NULL);
		}
	}
	if (r == 0) {
		findings = json_object_new_array();
		r = add(o, "findings", findings);
		for (i = 0; r == 0 && i < c->nfindings; i++) {
			struct json_object *f = finding_json(&c->findings[i], rep);

			r = f ? json_object_array_add(findings, f) : -ENOMEM;
		}
	}
	if (r == 0) {
		procs = json_object_new_array();
		r = add(o, "processes", procs);
		for (i = 0; r == 0 && i < c->nprocs; i++) {
			struct json_object *p = process_json(&c->procs[i], rep->names);

			r = p ? json_object_array_add(procs, p) : -ENOMEM;
		}
	}
	return r == 0 ? steal_pointer(&o) : NULL;
}

static struct json_object *host_json(const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const struct ca_host *h = &rep->scan->host;
	struct json_object *ref, *bnd, *ns;
	int r, i;

	if (!o)
		return NULL;
	r = add(o, "source", str(rep->source));
	if (r == 0) {
		ref = json_object_new_object();
		r = add(o, "reference", ref);
		if (r == 0)
			r = add(ref, "bounding_pid", json_object_new_int(h->bounding_pid));
		if (r == 0)
			r = h->ns_pid ? add(ref, "namespaces_pid", json_object_new_int(h->ns_pid))
				      : json_object_object_add(ref, "namespaces_pid", NULL);
	}
	if (r == 0)
		r = add(o, "cap_last_cap", json_object_new_int((int)h->last_cap));
	if (r == 0) {
		bnd = json_object_new_object();
		r = add(o, "bounding", bnd);
		if (r == 0)
			r = add(bnd, "mask", mask_str(h->bounding));
		if (r == 0)
			r = add(bnd, "capabilities", names_array(rep->names, h->bounding));
	}
	if (r == 0) {
		ns = json_object_new_object();
		r = add(o, "namespaces", ns);
		for (i = 0; r == 0 && i < CA_NS_COUNT; i++)
			r = (h->ns_known & (1u << i)) ? add(ns, ns_name(i), json_object_new_int64((int64_t)h->ns[i]))
						      : json_object_object_add(ns, ns_name(i), NULL);
	}
	if (r == 0)
		r = h->hidepid ? add(o, "hidepid", str(h->hidepid))
			       : json_object_object_add(o, "hidepid", NULL);
	return r == 0 ? steal_pointer(&o) : NULL;
}

static struct json_object *policy_json(const struct ca_policy *p)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	struct json_object *rules;
	size_t i;
	int r;

	if (!o)
		return NULL;
	r = add(o, "source", str(p->source));
	if (r == 0)
		r = add(o, "fail_on", json_object_new_string(policy_severity_name(p->fail_on)));
	if (r == 0) {
		rules = json_object_new_array();
		r = add(o, "rules", rules);
		for (i = 0; r == 0 && i < p->nrules; i++) {
			struct json_object *ro = json_object_new_object();

			r = ro ? json_object_array_add(rules, ro) : -ENOMEM;
			if (r == 0)
				r = add(ro, "rule", json_object_new_string(p->rules[i].id));
			if (r == 0)
				r = p->rules[i].cis ? add(ro, "cis", json_object_new_string(p->rules[i].cis))
						    : json_object_object_add(ro, "cis", NULL);
			if (r == 0)
				r = add(ro, "severity",
					json_object_new_string(policy_severity_name(p->rules[i].severity)));
			if (r == 0)
				r = add(ro, "set", json_object_new_string(caps_set_name(p->rules[i].set)));
		}
	}
	return r == 0 ? steal_pointer(&o) : NULL;
}

static struct json_object *summary_json(const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const struct ca_counts *n = &rep->scan->counts;
	const struct ca_summary *s = rep->summary;
	struct json_object *why;
	int r;

	if (!o)
		return NULL;
	r = add(o, "containers", json_object_new_int64((int64_t)s->containers));
	if (r == 0)
		r = add(o, "passed", json_object_new_int64((int64_t)s->passed));
	if (r == 0)
		r = add(o, "failed", json_object_new_int64((int64_t)s->failed));
	if (r == 0)
		r = add(o, "unknown", json_object_new_int64((int64_t)s->unknown));
	if (r == 0)
		r = add(o, "processes", json_object_new_int64((int64_t)n->processes));
	if (r == 0)
		r = add(o, "contained", json_object_new_int64((int64_t)n->contained));
	if (r == 0)
		r = add(o, "kernel_threads", json_object_new_int64((int64_t)n->kernel_threads));
	if (r == 0)
		r = add(o, "vanished", json_object_new_int64((int64_t)n->vanished));
	if (r == 0)
		r = add(o, "unreadable", json_object_new_int64((int64_t)n->unreadable));
	if (r == 0) {
		why = json_object_new_object();
		r = add(o, "unreadable_reasons", why);
		if (r == 0)
			r = add(why, "permission_denied", json_object_new_int64((int64_t)n->unreadable_denied));
		if (r == 0)
			r = add(why, "other", json_object_new_int64((int64_t)(n->unreadable - n->unreadable_denied)));
		if (r == 0)
			r = add(why, "hidepid", json_object_new_boolean(rep->scan->host.hidepid_hides));
	}
	if (r == 0)
		r = add(o, "complete", json_object_new_boolean(s->complete));
	return r == 0 ? steal_pointer(&o) : NULL;
}

int report_json_print(FILE *out, const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *doc = json_object_new_object();
	struct json_object *containers;
	const char *text;
	size_t i;
	int r;

	if (!doc)
		return -ENOMEM;
	r = add(doc, "schema_version", json_object_new_int(SCHEMA_VERSION));
	if (r == 0)
		r = add(doc, "host", host_json(rep));
	if (r == 0)
		r = add(doc, "policy", policy_json(rep->policy));
	if (r == 0) {
		containers = json_object_new_array();
		r = add(doc, "containers", containers);
		for (i = 0; r == 0 && i < rep->scan->ncontainers; i++) {
			struct json_object *c = container_json(&rep->scan->containers[i], rep);

			r = c ? json_object_array_add(containers, c) : -ENOMEM;
		}
	}
	if (r == 0)
		r = add(doc, "summary", summary_json(rep));
	if (r < 0)
		return r;
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}
