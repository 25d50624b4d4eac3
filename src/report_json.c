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
/*
 * json-c's pretty form indents a value by its depth in the document and by
 * nothing else, so the text of a value at one depth is the text of an equal
 * value at that depth anywhere. That lets each process be written as soon
 * as it is made (the document never holds more than one, however large a
 * container), and the values most processes of a container share (their
 * capability sets, their ids) be made and printed once, their text kept.
 */
#define DEPTH_MAX 6
#define CACHE_SLOTS 32

/* What a kept text is of: a value of a kind, equal where its key is. */
enum shared_kind {
	SHARED_NONE,
	SHARED_CAPABILITIES,		/* "capabilities": the sets' names */
	SHARED_MASKS,			/* "masks": the sets as hex */
	SHARED_IDS,			/* "uid", "gid" */
};

struct shared_key {
	enum shared_kind kind;
	int level;			/* the depth it prints at */
	uint64_t v[CA_SET_COUNT + 1];
};

struct kept {
	struct shared_key key;
	char *text;
	size_t len;
};

struct jdoc {
	int err;
	int flags;				/* json-c's, pretty or plain */
	const struct ca_capnames *names;
	struct json_object *frame[DEPTH_MAX + 1];	/* frame[L]: L arrays, a value inside the last */
	size_t before[DEPTH_MAX + 1], after[DEPTH_MAX + 1];	/* what frame[L] prints around it */
	struct kept kept[CACHE_SLOTS];
	unsigned next;				/* the slot to take over next */
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

/* The innermost array of frame[@level], made at the first need. */
static struct json_object *frame_of(struct jdoc *d, int level)
{
	struct json_object *inner;
	const char *text = NULL;
	int i;

	if (level < 1 || level > DEPTH_MAX)
		return NULL;
	if (!d->frame[level]) {
		d->frame[level] = json_object_new_array();
		for (i = 1, inner = d->frame[level]; inner && i < level; i++) {
			struct json_object *a = json_object_new_array();

			if (!a || json_object_array_add(inner, a)) {
				json_object_put(a);
				inner = NULL;
			} else {
				inner = a;
			}
		}
		/* with null inside it, what stands before and after the value */
		text = inner && !json_object_array_add(inner, NULL)
		       ? json_object_to_json_string_ext(d->frame[level], d->flags) : NULL;
		if (!text || !strstr(text, "null")) {
			json_object_put(d->frame[level]);
			d->frame[level] = NULL;
			return NULL;
		}
		d->before[level] = (size_t)(strstr(text, "null") - text);
		d->after[level] = strlen(text) - d->before[level] - 4;
	}
	for (i = 1, inner = d->frame[level]; i < level; i++)
		inner = json_object_array_get_idx(inner, 0);
	return inner;
}

/*
 * @obj's text as it prints at depth @level (0 is the document itself), in
 * *@text: valid until the next use of that depth. Returns its length, or
 * -ENOMEM. @obj stays the caller's.
 */
static ssize_t at_depth(struct jdoc *d, struct json_object *obj, int level, const char **text)
{
	struct json_object *inner;
	const char *t;
	ssize_t n;

	if (level == 0) {
		*text = json_object_to_json_string_ext(obj, d->flags);
		return *text ? (ssize_t)strlen(*text) : -ENOMEM;
	}
	inner = frame_of(d, level);
	if (!inner || json_object_array_put_idx(inner, 0, json_object_get(obj))) {
		if (inner)
			json_object_put(obj);
		return -ENOMEM;
	}
	t = json_object_to_json_string_ext(d->frame[level], d->flags);
	json_object_array_put_idx(inner, 0, NULL);
	if (!t)
		return -ENOMEM;
	n = (ssize_t)(strlen(t) - d->before[level] - d->after[level]);
	*text = t + d->before[level];
	return n;
}

/* What a placeholder prints: the value it stands for, made once for each key and depth. */
struct shared {
	struct jdoc *d;
	struct shared_key key;
	const struct ca_capsets *sets;	/* what the value is made of */
	const unsigned *ids;
};

static struct json_object *shared_make(struct shared *s)
{
	struct jdoc *d = s->d;
	struct json_object *o;
	int set;

	switch (s->key.kind) {
	case SHARED_CAPABILITIES:
	case SHARED_MASKS:
		o = json_object_new_object();
		for (set = 0; o && !d->err && set < CA_SET_COUNT; set++) {
			bool known = caps_set_is_known(s->sets, set);

			put(d, o, caps_set_name(set),
			    OPT(known, s->key.kind == SHARED_MASKS ? mask_str(s->sets->mask[set])
							       : names_array(d, d->names, s->sets->mask[set])));
		}
		return o;
	case SHARED_IDS:
		return ids_array(d, s->ids);
	case SHARED_NONE:
		break;
	}
	return NULL;
}

static int print_shared(struct json_object *jso, struct printbuf *pb, int level, int flags)
{
	struct shared *s = json_object_get_userdata(jso);
	struct jdoc *d = s->d;
	struct kept *k = NULL;
	size_t i;

	(void)flags;
	s->key.level = level;
	for (i = 0; i < CACHE_SLOTS && !k; i++)
		if (!memcmp(&d->kept[i].key, &s->key, sizeof(s->key)) && d->kept[i].text)
			k = &d->kept[i];
	if (!k) {
		_cleanup_json_ struct json_object *o = shared_make(s);
		const char *text;
		ssize_t n = o && !d->err ? at_depth(d, o, level, &text) : -ENOMEM;

		k = &d->kept[d->next++ % CACHE_SLOTS];
		free(k->text);
		k->text = n >= 0 ? strndup(text, (size_t)n) : NULL;
		if (!k->text) {
			d->err = -ENOMEM;
			return -1;
		}
		k->key = s->key;
		k->len = (size_t)n;
	}
	return printbuf_memappend(pb, k->text, (int)k->len) < 0 ? -1 : 0;
}

/* A placeholder for the value @s stands for, which must outlive the object's printing. */
static struct json_object *shared(struct shared *s)
{
	struct json_object *o = json_object_new_boolean(0);

	if (o)
		json_object_set_serializer(o, print_shared, s, NULL);
	return o;
}

static void shared_key_of_sets(struct shared *s, struct jdoc *d, enum shared_kind kind,
			       const struct ca_capsets *sets)
{
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->key.kind = kind;
	memcpy(s->key.v, sets->mask, sizeof(sets->mask));
	s->key.v[CA_SET_COUNT] = sets->known;
	s->sets = sets;
}

static void shared_key_of_ids(struct shared *s, struct jdoc *d, const unsigned ids[4])
{
	int i;

	memset(s, 0, sizeof(*s));
	s->d = d;
	s->key.kind = SHARED_IDS;
	for (i = 0; i < 4; i++)
		s->key.v[i] = ids[i];
	s->ids = ids;
}

/* The placeholders of one process, alive while it prints. */
struct proc_shared {
	unsigned uid[4], gid[4];
	struct shared sh_uid, sh_gid, sh_caps, sh_masks;
};

/*
 * A process as an object: @o, where given, is the last one made, of the
 * same keys, whose values are replaced in place (json-c keeps a key where
 * it stands); else a new one. Returns it, or NULL without memory.
 */
static struct json_object *process_json(struct jdoc *d, const struct ca_proc *p, struct json_object *userns,
					struct proc_shared *ps, struct json_object *o)
{
	const struct ca_status *st = &p->st;
	int i;

	if (!o)
		o = json_object_new_object();
	if (!o)
		return NULL;
	for (i = 0; i < 4; i++) {
		ps->uid[i] = st->uid[i];
		ps->gid[i] = st->gid[i];
	}
	shared_key_of_ids(&ps->sh_uid, d, ps->uid);
	shared_key_of_ids(&ps->sh_gid, d, ps->gid);
	shared_key_of_sets(&ps->sh_caps, d, SHARED_CAPABILITIES, &st->caps);
	shared_key_of_sets(&ps->sh_masks, d, SHARED_MASKS, &st->caps);
	put(d, o, "pid", json_object_new_int(p->pid));
	put(d, o, "ppid", OPT(status_has(st, STATUS_PPID), json_object_new_int(st->ppid)));
	put(d, o, "comm", OPT(status_has(st, STATUS_NAME), str(st->name)));
	if (status_has(st, STATUS_NAME_CUT))
		put(d, o, "comm_cut", json_object_new_boolean(true));
	put(d, o, "uid", OPT(status_has(st, STATUS_UID), shared(&ps->sh_uid)));
	put(d, o, "gid", OPT(status_has(st, STATUS_GID), shared(&ps->sh_gid)));
	put(d, o, "ns_pid", OPT(status_has(st, STATUS_NSPID), json_object_new_int(st->ns_pid)));
	put(d, o, "pidns_level",
	    OPT(status_has(st, STATUS_NSPID), json_object_new_int((int)st->pidns_level)));
	put(d, o, "no_new_privs",
	    OPT(status_has(st, STATUS_NO_NEW_PRIVS), json_object_new_boolean(st->no_new_privs)));
	put(d, o, "seccomp",
	    OPT(status_has(st, STATUS_SECCOMP), json_object_new_int((int)st->seccomp)));
	put(d, o, "seccomp_filters",
	    OPT(status_has(st, STATUS_SECCOMP_FILTERS), json_object_new_int64(st->seccomp_filters)));
	put(d, o, "capabilities", shared(&ps->sh_caps));
	put(d, o, "masks", shared(&ps->sh_masks));
	put(d, o, "userns", userns == JNULL ? JNULL : json_object_get(userns));
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
	_cleanup_free_ char *msg = policy_message(p, f->rule, f->set, f->caps, f->denied, f->pids, f->npids,
							  rep->names);
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

static const char *const wl_status_names[] = {
	[CA_WL_NONE] = "none", [CA_WL_READ] = "read", [CA_WL_UNREADABLE] = "unreadable",
};

/*
 * "workload": what its runtime keeps of it, each string escaped as a
 * process's name is (str()); labels are bounded, the rest counted.
 */
static struct json_object *workload_json(struct jdoc *d, const struct ca_workload *w, const struct ca_judgement *j,
					 const struct ca_report *rep)
{
	struct json_object *o = json_object_new_object();
	struct json_object *labels = json_object_new_object();
	struct json_object *k8s = JNULL, *cfg = JNULL;
	size_t i;

	put(d, o, "state", json_object_new_string(wl_status_names[w->status]));
	put(d, o, "note", OPT(w->note, str(w->note)));
	put(d, o, "name", OPT(w->name, str(w->name)));
	put(d, o, "image", OPT(w->image, str(w->image)));
	if (w->k8s_namespace || w->k8s_pod || w->k8s_container) {
		k8s = json_object_new_object();
		put(d, k8s, "namespace", OPT(w->k8s_namespace, str(w->k8s_namespace)));
		put(d, k8s, "pod", OPT(w->k8s_pod, str(w->k8s_pod)));
		put(d, k8s, "container", OPT(w->k8s_container, str(w->k8s_container)));
	}
	put(d, o, "kubernetes", k8s);
	put(d, o, "labels", labels);
	for (i = 0; !d->err && i < w->nlabels; i++)
		put(d, labels, w->labels[i].key, str(w->labels[i].value));
	put(d, o, "labels_omitted", json_object_new_int64((int64_t)w->labels_omitted));
	if (j->configured_known) {
		uint64_t bnd = j->configured;
		struct json_object *b = json_object_new_object();

		cfg = json_object_new_object();
		put(d, cfg, "privileged", json_object_new_boolean(w->configured.privileged));
		put(d, cfg, "bounding", b);
		if (!d->err) {
			put(d, b, "mask", mask_str(bnd));
			put(d, b, "capabilities", names_array(d, rep->names, bnd));
		}
	}
	put(d, o, "configured", cfg);
	return o;
}

/* One container: what the scan read (@c) and what the audit judged of it (@j). */
static struct json_object *container_json(struct jdoc *d, const struct ca_container *c,
					  const struct ca_judgement *j, const struct ca_report *rep)
{
	struct json_object *o = json_object_new_object();
	struct json_object *findings = json_object_new_array();
	bool known = caps_set_is_known(&j->caps, CA_SET_BOUNDING);
	bool compared = j->has_default && known;
	size_t i;

	put(d, o, "runtime", json_object_new_string(runtime_name(c->runtime)));
	put(d, o, "id", str(c->id));
	put(d, o, "verdict", json_object_new_string(audit_verdict_name(j->verdict)));
	put(d, o, "source", json_object_new_string(scan_source_name(c->source)));
	put(d, o, "pod", pod_json(d, c));
	put(d, o, "parents", parents_json(d, c));
	put(d, o, "workload", workload_json(d, &c->workload, j, rep));
	put_sets(d, o, &j->caps, rep->names);
	put(d, o, "added", OPT(compared, names_array(d, rep->names, j->added)));
	put(d, o, "dropped", OPT(compared, names_array(d, rep->names, j->dropped)));
	/* What the text and CIS reports show as ALL, whichever rules the policy turns on. */
	put(d, o, "privileged", OPT(known, json_object_new_boolean(j->privileged)));
	put(d, o, "findings", findings);
	for (i = 0; !d->err && i < j->nfindings; i++)
		append(d, findings, finding_json(d, &j->findings[i], c, rep));
	return o;		/* its "processes" are written one by one after it: write_container() */
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

static int write_all(FILE *out, const char *p, size_t n)
{
	return fwrite(p, 1, n, out) == n ? 0 : -EIO;
}

/* Newline and the indentation of depth @level, as json-c's pretty form writes them. */
static int newline(const struct jdoc *d, FILE *out, int level)
{
	static const char spaces[] = "                                ";

	if (!(d->flags & JSON_C_TO_STRING_PRETTY))
		return 0;
	return fputc('\n', out) == EOF || level * 2 >= (int)sizeof(spaces) ||
	       fwrite(spaces, 1, (size_t)level * 2, out) != (size_t)level * 2 ? -EIO : 0;
}

/*
 * Container @i at depth @level, as json-c would print it whole: its own
 * members, then its processes, each made, written and freed in turn.
 */
static int write_container(struct jdoc *d, FILE *out, const struct ca_report *rep, size_t i, int level)
{
	const struct ca_container *c = &rep->scan->containers[i];
	_cleanup_json_ struct json_object *o = container_json(d, c, &rep->audit->containers[i], rep);
	struct json_object *userns = userns_json(d, &c->userns);
	const bool pretty = d->flags & JSON_C_TO_STRING_PRETTY;
	/* what closes a container: its brace, on a line of its own where pretty */
	const size_t close = pretty ? 1 + 2 * (size_t)level + 1 : 1;
	const char *text = NULL;
	ssize_t n = o && userns && !d->err ? at_depth(d, o, level, &text) : -ENOMEM;
	_cleanup_json_ struct json_object *usual_proc = NULL;
	size_t k;
	int r;

	r = n < 0 || (size_t)n < close ? -ENOMEM : write_all(out, text, (size_t)n - close);
	if (r == 0)
		r = fputs(pretty ? "," : ",\"processes\":[", out) == EOF ? -EIO : 0;
	if (r == 0 && pretty && !(r = newline(d, out, level + 1)))
		r = fputs("\"processes\": [", out) == EOF ? -EIO : 0;
	for (k = 0; r == 0 && k < c->nprocs; k++) {
		const struct ca_proc *proc = &c->procs[k];
		/* the keys of most processes: made once, their values replaced for each */
		bool usual = !proc->error && !status_has(&proc->st, STATUS_NAME_CUT);
		_cleanup_json_ struct json_object *odd = NULL;
		struct json_object *p;
		struct proc_shared ps;

		p = usual ? (usual_proc = process_json(d, proc, userns, &ps, usual_proc))
			  : (odd = process_json(d, proc, userns, &ps, NULL));
		n = p && !d->err ? at_depth(d, p, level + 2, &text) : -ENOMEM;
		if (n < 0 || d->err)
			r = d->err ? d->err : (int)n;
		else if ((k && fputc(',', out) == EOF) || (r = newline(d, out, level + 2)) < 0)
			r = -EIO;
		else
			r = write_all(out, text, (size_t)n);
	}
	if (r == 0)
		r = newline(d, out, level + 1);
	if (r == 0)
		r = fputc(']', out) == EOF ? -EIO : 0;
	if (r == 0)
		r = newline(d, out, level);
	if (r == 0)
		r = fputc('}', out) == EOF ? -EIO : 0;
	if (userns != JNULL)
		json_object_put(userns);
	return r;
}

static void jdoc_free(struct jdoc *d)
{
	size_t i;

	for (i = 0; i <= DEPTH_MAX; i++)
		json_object_put(d->frame[i]);
	for (i = 0; i < CACHE_SLOTS; i++)
		free(d->kept[i].text);
}

int report_jsonl_print(FILE *out, const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *tail = json_object_new_object();
	struct jdoc d = { .flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, .names = rep->names };
	size_t i;
	int r = tail ? 0 : -ENOMEM;

	for (i = 0; r == 0 && i < rep->scan->ncontainers; i++) {
		r = write_container(&d, out, rep, i, 0);
		if (r == 0 && fputc('\n', out) == EOF)
			r = -EIO;
	}
	if (r == 0) {
		put(&d, tail, "schema_version", json_object_new_int(SCHEMA_VERSION));
		put(&d, tail, "host", host_json(&d, rep));
		put(&d, tail, "scanner", scanner_json(&d, rep));
		put(&d, tail, "policy", policy_json(&d, rep->policy));
		put(&d, tail, "summary", summary_json(&d, rep));
		r = d.err ? d.err : emit(out, tail, JSON_C_TO_STRING_PLAIN);
	}
	jdoc_free(&d);
	return r;
}

/*
 * The document is put together around its containers, one at a time, and
 * each container around its processes, one at a time, every piece as
 * json-c prints it at its depth: memory grows with neither.
 */
int report_json_print(FILE *out, const struct ca_report *rep)
{
	_cleanup_json_ struct json_object *head = json_object_new_object();
	_cleanup_json_ struct json_object *summary = NULL;
	struct jdoc d = {
		.flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE,
		.names = rep->names,
	};
	const char *text = NULL;
	ssize_t n;
	size_t i;
	int r = 0;

	if (!head)
		return -ENOMEM;
	put(&d, head, "schema_version", json_object_new_int(SCHEMA_VERSION));
	put(&d, head, "host", host_json(&d, rep));
	put(&d, head, "scanner", scanner_json(&d, rep));
	put(&d, head, "policy", policy_json(&d, rep->policy));
	summary = summary_json(&d, rep);
	if (d.err || !summary)
		r = d.err ? d.err : -ENOMEM;
	/* "{ ... }" less its closing "\n}", then the containers' array */
	n = r == 0 ? at_depth(&d, head, 0, &text) : r;
	if (n < 0 || n < 2)
		r = n < 0 ? (int)n : -ENOMEM;
	else if (write_all(out, text, (size_t)n - 2) < 0 || fputs(",\n  \"containers\": [", out) == EOF)
		r = -EIO;
	for (i = 0; r == 0 && i < rep->scan->ncontainers; i++) {
		if ((i && fputc(',', out) == EOF) || (r = newline(&d, out, 2)) < 0)
			r = -EIO;
		else
			r = write_container(&d, out, rep, i, 2);
	}
	if (r == 0)
		r = newline(&d, out, 1);
	n = r == 0 ? at_depth(&d, summary, 1, &text) : r;
	if (r == 0 && n < 0)
		r = (int)n;
	if (r == 0 && (fputs("],\n  \"summary\": ", out) == EOF || write_all(out, text, (size_t)n) < 0 ||
		       fputs("\n}\n", out) == EOF))
		r = -EIO;
	jdoc_free(&d);
	return r;
}
