/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON report, built with json-c from strings made valid UTF-8 first. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "esc.h"
#include "remedy.h"
#include "report.h"
#include "runtime.h"

#define SCHEMA_VERSION 1

/*
 * The document is built with an error that latches: once an allocation
 * fails, every later put() only frees what it is given, and the caller
 * checks once at the end. Every object made is handed to exactly one
 * put() or append(), which owns it from then on. A value that was not read goes in as JNULL,
 * which becomes JSON null; a NULL value means json-c ran out of memory.
 */
struct jdoc {
	int err;
};

static char jnull_marker;
#define JNULL ((struct json_object *)&jnull_marker)
#define OPT(known, expr) ((known) ? (expr) : JNULL)

static void json_putp(struct json_object **p)
{
	if (*p)
		json_object_put(*p);
}
#define _cleanup_json_ _cleanup_(json_putp)

static void put(struct jdoc *d, struct json_object *obj, const char *key, struct json_object *val)
{
	if (!obj)
		d->err = -ENOMEM;
	if (val == JNULL)
		val = NULL;
	else if (!val)
		d->err = -ENOMEM;
	if (d->err) {
		json_object_put(val);
		return;
	}
	/* json_object_object_add() takes @val, even when it fails. */
	if (json_object_object_add(obj, key, val))
		d->err = -ENOMEM;
}

static void append(struct jdoc *d, struct json_object *arr, struct json_object *val)
{
	if (!arr || !val)
		d->err = -ENOMEM;
	if (d->err || json_object_array_add(arr, val)) {
		json_object_put(val);
		d->err = -ENOMEM;
	}
}

/* Text a process or a cgroup chose: escaped into valid UTF-8 first. */
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

static struct json_object *names_array(struct jdoc *d, const struct ca_capnames *names,
				       uint64_t mask)
{
	struct json_object *a = json_object_new_array();
	unsigned bit;

	mask &= caps_valid_mask(names->last_cap);
	for (bit = 0; a && bit < CA_CAP_MAX; bit++)
		if (mask & CA_BIT(bit))
			append(d, a, json_object_new_string(caps_name(names, bit)));
	return a;
}

static struct json_object *ids_array(struct jdoc *d, const unsigned ids[4])
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; a && i < 4; i++)
		append(d, a, json_object_new_int64(ids[i]));
	return a;
}

/* "capabilities" and "masks": the five sets as names and as masks, null where unknown. */
static void put_sets(struct jdoc *d, struct json_object *obj, const struct ca_capsets *sets,
		     const struct ca_capnames *names)
{
	struct json_object *caps = json_object_new_object();
	struct json_object *masks = json_object_new_object();
	int set;

	put(d, obj, "capabilities", caps);
	put(d, obj, "masks", masks);
	for (set = 0; !d->err && set < CA_SET_COUNT; set++) {
		bool known = caps_set_is_known(sets, set);

		put(d, caps, caps_set_name(set), OPT(known, names_array(d, names, sets->mask[set])));
		put(d, masks, caps_set_name(set), OPT(known, mask_str(sets->mask[set])));
	}
}

/* "userns": read once per container, shown on each of its processes. */
static struct json_object *userns_json(struct jdoc *d, const struct ca_userns *u)
{
	struct json_object *o;

	if (!u->known)
		return JNULL;
	o = json_object_new_object();
	put(d, o, "child", json_object_new_boolean(u->child));
	put(d, o, "root_host_uid",
	    OPT(u->child ? u->root_mapped : true,
		json_object_new_int64(u->child ? u->root_host_uid : 0)));
	return o;
}

static struct json_object *process_json(struct jdoc *d, const struct ca_proc *p,
					const struct ca_container *c, const struct ca_capnames *names)
{
	struct json_object *o = json_object_new_object();
	const struct ca_status *st = &p->st;
	unsigned uid[4], gid[4];
	int i;

	if (!o)
		return NULL;
	for (i = 0; i < 4; i++) {
		uid[i] = st->uid[i];
		gid[i] = st->gid[i];
	}
	put(d, o, "pid", json_object_new_int(p->pid));
	put(d, o, "ppid", OPT(status_has(st, STATUS_PPID), json_object_new_int(st->ppid)));
	put(d, o, "comm", OPT(status_has(st, STATUS_NAME), str(st->name)));
	if (status_has(st, STATUS_NAME_CUT))
		put(d, o, "comm_cut", json_object_new_boolean(true));
	put(d, o, "uid", OPT(status_has(st, STATUS_UID), ids_array(d, uid)));
	put(d, o, "gid", OPT(status_has(st, STATUS_GID), ids_array(d, gid)));
	put(d, o, "ns_pid", OPT(status_has(st, STATUS_NSPID), json_object_new_int(st->ns_pid)));
	put(d, o, "pidns_level",
	    OPT(status_has(st, STATUS_NSPID), json_object_new_int((int)st->pidns_level)));
	put(d, o, "no_new_privs",
	    OPT(status_has(st, STATUS_NO_NEW_PRIVS), json_object_new_boolean(st->no_new_privs)));
	put(d, o, "seccomp",
	    OPT(status_has(st, STATUS_SECCOMP), json_object_new_int((int)st->seccomp)));
	put(d, o, "seccomp_filters",
	    OPT(status_has(st, STATUS_SECCOMP_FILTERS), json_object_new_int64(st->seccomp_filters)));
	put_sets(d, o, &st->caps, names);
	put(d, o, "userns", userns_json(d, &c->userns));
	if (p->error)
		put(d, o, "error", json_object_new_string(strerrorname_np(-p->error)));
	return o;
}

static struct json_object *pids_array(struct jdoc *d, const pid_t *pids, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		append(d, a, json_object_new_int(pids[i]));
	return a;
}

static struct json_object *finding_json(struct jdoc *d, const struct ca_finding *f,
					const struct ca_container *c, const struct ca_report *rep)
{
	const struct ca_policy *p = rep->policy;
	const struct ca_rule *rule = &p->rules[f->rule];
	bool caps_check = rule->check == CA_CHECK_CAPS || rule->check == CA_CHECK_PRIVILEGED;
	_cleanup_free_ char *msg = policy_message(p, f->rule, f->set, f->caps, f->denied, rep->names);
	_cleanup_free_ char *fix = remedy_text(rule->check, c->runtime, c->pod_uid[0] != 0, f->caps,
					       rep->names);
	struct json_object *o = json_object_new_object();

	if (!o || !msg || !fix) {
		json_object_put(o);
		return NULL;
	}
	put(d, o, "rule", json_object_new_string(rule->name));
	put(d, o, "cis", OPT(rule->cis[0], json_object_new_string(rule->cis)));
	put(d, o, "severity", json_object_new_string(policy_severity_name(f->severity)));
	put(d, o, "set", OPT(caps_check, json_object_new_string(caps_set_name(f->set))));
	put(d, o, "capabilities", names_array(d, rep->names, f->caps));
	put(d, o, "fails", json_object_new_boolean(policy_fails(p, f->severity)));
	put(d, o, "message", json_object_new_string(msg));
	put(d, o, "remediation", json_object_new_string(fix));
	put(d, o, "section", str(p->sections[f->section].name));
	put(d, o, "userns", json_object_new_boolean(f->userns));
	put(d, o, "pids", pids_array(d, f->pids, f->npids));
	return o;
}

static struct json_object *pod_json(struct jdoc *d, const struct ca_container *c)
{
	struct json_object *o;
	const char *qos = cgroup_qos_name(c->qos);

	if (!c->pod_uid[0])
		return JNULL;
	o = json_object_new_object();
	put(d, o, "uid", json_object_new_string(c->pod_uid));
	put(d, o, "qos", OPT(qos, json_object_new_string(qos)));
	put(d, o, "sandbox", json_object_new_boolean(c->sandbox));
	return o;
}

static struct json_object *parents_json(struct jdoc *d, const struct ca_container *c)
{
	struct json_object *a = json_object_new_array();
	unsigned i;

	for (i = 0; a && i < c->nparents; i++) {
		struct json_object *o = json_object_new_object();

		append(d, a, o);
		if (d->err)
			break;
		put(d, o, "runtime", json_object_new_string(runtime_name(c->parents[i].runtime)));
		put(d, o, "id", str(c->parents[i].id));
	}
	return a;
}

/* One container: what the scan read (@c) and what the audit judged of it (@j). */
static struct json_object *container_json(struct jdoc *d, const struct ca_container *c,
					  const struct ca_judgement *j, const struct ca_report *rep)
{
	struct json_object *o = json_object_new_object();
	struct json_object *findings = json_object_new_array();
	struct json_object *procs = json_object_new_array();
	bool known = caps_set_is_known(&j->caps, CA_SET_BOUNDING);
	bool compared = j->has_default && known;
	size_t i;

	put(d, o, "runtime", json_object_new_string(runtime_name(c->runtime)));
	put(d, o, "id", str(c->id));
	put(d, o, "verdict", json_object_new_string(audit_verdict_name(j->verdict)));
	put(d, o, "source", json_object_new_string(scan_source_name(c->source)));
	put(d, o, "pod", pod_json(d, c));
	put(d, o, "parents", parents_json(d, c));
	put_sets(d, o, &j->caps, rep->names);
	put(d, o, "added", OPT(compared, names_array(d, rep->names, j->added)));
	put(d, o, "dropped", OPT(compared, names_array(d, rep->names, j->dropped)));
	/* What the text and CIS reports show as ALL, whichever rules the policy turns on. */
	put(d, o, "privileged", OPT(known, json_object_new_boolean(j->privileged)));
	put(d, o, "findings", findings);
	for (i = 0; !d->err && i < j->nfindings; i++)
		append(d, findings, finding_json(d, &j->findings[i], c, rep));
	put(d, o, "processes", procs);
	for (i = 0; !d->err && i < c->nprocs; i++)
		append(d, procs, process_json(d, &c->procs[i], c, rep->names));
	return o;
}

static struct json_object *host_json(struct jdoc *d, const struct ca_report *rep)
{
	const struct ca_host *h = &rep->scan->host;
	struct json_object *o = json_object_new_object();
	struct json_object *ref = json_object_new_object();
	struct json_object *bnd = json_object_new_object();
	struct json_object *ns = json_object_new_object();
	int i;

	put(d, o, "source", str(rep->source));
	put(d, o, "reference", ref);
	if (!d->err) {
		put(d, ref, "bounding_pid", json_object_new_int(h->bounding_pid));
		put(d, ref, "namespaces_pid", OPT(h->ns_pid, json_object_new_int(h->ns_pid)));
	}
	put(d, o, "cap_last_cap", json_object_new_int((int)h->last_cap));
	put(d, o, "bounding", bnd);
	if (!d->err) {
		put(d, bnd, "mask", mask_str(h->bounding));
		put(d, bnd, "capabilities", names_array(d, rep->names, h->bounding));
	}
	put(d, o, "namespaces", ns);
	for (i = 0; !d->err && i < CA_NS_COUNT; i++)
		put(d, ns, ns_name(i),
		    OPT(h->ns_known & (1u << i), json_object_new_int64((int64_t)h->ns[i])));
	put(d, o, "hidepid", OPT(h->hidepid, str(h->hidepid)));
	return o;
}

/*
 * "scanner": what capaudit itself held while it read, after dropping what
 * reading does not need; null where it could not tell.
 */
static struct json_object *scanner_json(struct jdoc *d, const struct ca_report *rep)
{
	const struct ca_privs *p = rep->scanner;
	struct json_object *o;

	if (!p)
		return JNULL;
	o = json_object_new_object();
	put(d, o, "uid", ids_array(d, p->uid));
	put(d, o, "gid", ids_array(d, p->gid));
	put(d, o, "no_new_privs", json_object_new_boolean(p->no_new_privs));
	if (o && !d->err)
		put_sets(d, o, &p->caps, rep->names);
	return o;
}

static struct json_object *policy_json(struct jdoc *d, const struct ca_policy *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *rules = json_object_new_array();
	struct json_object *sections = json_object_new_array();
	size_t i;

	put(d, o, "source", str(p->source));
	put(d, o, "fail_on", json_object_new_string(policy_severity_name(p->fail_on)));
	put(d, o, "rules", rules);
	for (i = 0; !d->err && i < p->nrules; i++) {
		const struct ca_rule *r = &p->rules[i];
		const struct ca_rule_cfg *def = &p->sections[0].cfg[i];
		struct json_object *ro = json_object_new_object();
		bool on = (def->has & CFG_SEVERITY) && !def->off;

		append(d, rules, ro);
		if (d->err)
			break;
		put(d, ro, "rule", json_object_new_string(r->name));
		put(d, ro, "cis", OPT(r->cis[0], json_object_new_string(r->cis)));
		put(d, ro, "severity", OPT(on, json_object_new_string(policy_severity_name(def->severity))));
	}
	put(d, o, "sections", sections);
	for (i = 0; !d->err && i < p->nsections; i++)
		append(d, sections, str(p->sections[i].name));
	return o;
}

static struct json_object *count(size_t n)
{
	return json_object_new_int64((int64_t)n);
}

static struct json_object *sev_counts(struct jdoc *d, const struct ca_summary *s)
{
	struct json_object *o = json_object_new_object();
	int i;

	for (i = 0; o && i < CA_SEV_COUNT; i++)
		put(d, o, policy_severity_name(i), count(s->findings[i]));
	return o;
}

static struct json_object *summary_json(struct jdoc *d, const struct ca_report *rep)
{
	const struct ca_counts *n = &rep->scan->counts;
	const struct ca_summary *s = &rep->audit->summary;
	struct json_object *o = json_object_new_object();
	struct json_object *why = json_object_new_object();

	put(d, o, "containers", count(s->containers));
	put(d, o, "passed", count(s->passed));
	put(d, o, "failed", count(s->failed));
	put(d, o, "unknown", count(s->unknown));
	put(d, o, "findings", sev_counts(d, s));
	put(d, o, "processes", count(n->processes));
	put(d, o, "contained", count(n->contained));
	put(d, o, "kernel_threads", count(n->kernel_threads));
	put(d, o, "vanished", count(n->vanished));
	put(d, o, "unreadable", count(n->unreadable));
	put(d, o, "unreadable_reasons", why);
	if (!d->err) {
		put(d, why, "permission_denied", count(n->unreadable_denied));
		put(d, why, "other", count(n->unreadable - n->unreadable_denied));
		put(d, why, "hidepid", json_object_new_boolean(rep->scan->host.hidepid_hides));
	}
	put(d, o, "namespaces_denied", count(n->ns_denied));
	put(d, o, "complete", json_object_new_boolean(s->complete));
	return o;
}

/* Print @obj on one line (or pretty), then a newline; @obj stays the caller's. */
static int emit(FILE *out, struct json_object *obj, int flags)
{
	const char *text = json_object_to_json_string_ext(obj, flags | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!text)
		return -ENOMEM;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}

int report_jsonl_print(FILE *out, const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *tail = json_object_new_object();
	struct jdoc d = { 0 };
	size_t i;
	int r;

	if (!tail)
		return -ENOMEM;
	for (i = 0; i < rep->scan->ncontainers; i++) {
		_cleanup_json_ struct json_object *c =
			container_json(&d, &rep->scan->containers[i], &rep->audit->containers[i], rep);

		if (!c || d.err)
			return d.err ? d.err : -ENOMEM;
		r = emit(out, c, JSON_C_TO_STRING_PLAIN);
		if (r < 0)
			return r;
	}
	put(&d, tail, "schema_version", json_object_new_int(SCHEMA_VERSION));
	put(&d, tail, "host", host_json(&d, rep));
	put(&d, tail, "scanner", scanner_json(&d, rep));
	put(&d, tail, "policy", policy_json(&d, rep->policy));
	put(&d, tail, "summary", summary_json(&d, rep));
	return d.err ? d.err : emit(out, tail, JSON_C_TO_STRING_PLAIN);
}

/* Write @text with @pad spaces before each line but the first (the first too where @first). */
static int put_indented(FILE *out, const char *text, int pad, bool first)
{
	const char *p = text;

	if (first && fprintf(out, "%*s", pad, "") < 0)
		return -EIO;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (fwrite(p, 1, n, out) != n)
			return -EIO;
		p += n;
		if (nl && *p && fprintf(out, "%*s", pad, "") < 0)
			return -EIO;
	}
	return 0;
}

/*
 * The document is put together around its containers, one at a time, in
 * json-c's own pretty form: memory grows with the largest container, not
 * with the host (the whole tree took about 16 KiB a process).
 */
int report_json_print(FILE *out, const struct ca_report *rep)
{
	const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	_cleanup_json_ struct json_object *head = json_object_new_object();
	_cleanup_json_ struct json_object *summary = NULL;
	struct jdoc d = { 0 };
	const char *text;
	size_t i, len;
	int r;

	if (!head)
		return -ENOMEM;
	put(&d, head, "schema_version", json_object_new_int(SCHEMA_VERSION));
	put(&d, head, "host", host_json(&d, rep));
	put(&d, head, "scanner", scanner_json(&d, rep));
	put(&d, head, "policy", policy_json(&d, rep->policy));
	summary = summary_json(&d, rep);
	if (d.err || !summary)
		return d.err ? d.err : -ENOMEM;

	/* "{ ... }" less its closing "\n}", then the containers' array */
	text = json_object_to_json_string_ext(head, flags);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	if (len < 2 || fwrite(text, 1, len - 2, out) != len - 2 || fputs(",\n  \"containers\": [\n", out) == EOF)
		return -EIO;
	for (i = 0; i < rep->scan->ncontainers; i++) {
		_cleanup_json_ struct json_object *c =
			container_json(&d, &rep->scan->containers[i], &rep->audit->containers[i], rep);

		if (!c || d.err)
			return d.err ? d.err : -ENOMEM;
		text = json_object_to_json_string_ext(c, flags);
		if (!text)
			return -ENOMEM;
		r = put_indented(out, text, 4, true);
		if (r < 0)
			return r;
		if (fputs(i + 1 < rep->scan->ncontainers ? ",\n" : "\n", out) == EOF)
			return -EIO;
	}
	text = json_object_to_json_string_ext(summary, flags);
	if (!text)
		return -ENOMEM;
	if (fputs("  ],\n  \"summary\": ", out) == EOF)
		return -EIO;
	r = put_indented(out, text, 2, false);
	if (r < 0)
		return r;
	return fputs("\n}\n", out) == EOF ? -EIO : 0;
}
