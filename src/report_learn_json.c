/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What learning found, as one JSON document (capaudit(8), LEARNING), built with json-c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonb.h"
#include "learnrun.h"
#include "remedy.h"
#include "report.h"
#include "runtime.h"

#define LEARN_SCHEMA_VERSION 1

static const char *const use_key[CA_USE_COUNT] = {
	[CA_USE_NEED] = "used",
	[CA_USE_PROBE] = "probes",
	[CA_USE_RUNTIME] = "runtime",
};

static struct json_object *num(uint64_t n)
{
	return json_object_new_int64(n > INT64_MAX ? INT64_MAX : (int64_t)n);
}

static struct json_object *use_json(struct ca_jb *b, const struct ca_learn_report *r, const struct ca_capuse *u,
				    unsigned bit, enum ca_use use)
{
	struct json_object *o = json_object_new_object(), *procs = json_object_new_array(), *arr;
	size_t nrules, i;
	const struct ca_noise_rule *rules = noise_rules(&nrules);
	unsigned k;

	jb_put(b, o, "capability", json_object_new_string(caps_name(r->names, bit)));
	jb_put(b, o, "granted", num(u->granted));
	jb_put(b, o, "denied", num(u->denied));
	jb_put(b, o, "answered_by_another", num(u->alternative));
	for (k = 0; k < u->ncomms; k++) {
		struct json_object *p = json_object_new_object();

		jb_put(b, p, "comm", jb_str(u->comms[k].comm));
		jb_put(b, p, "checks", num(u->comms[k].n));
		jb_append(b, procs, p);
	}
	jb_put(b, o, "processes", procs);
	jb_put(b, o, "more_processes", json_object_new_boolean(u->more_comms));
	if (use == CA_USE_PROBE) {
		uint64_t named = noise_names(u->rules);

		arr = json_object_new_array();
		for (i = 0; i < nrules; i++)
			if (named & (UINT64_C(1) << i))
				jb_append(b, arr, json_object_new_string(rules[i].name));
		jb_put(b, o, "rules", arr);
	}
	return o;
}

static struct json_object *container_json(struct ca_jb *b, const struct ca_learn_report *r,
					  const struct ca_learn_item *it)
{
	const struct ca_learned *l = it->learned;
	const struct ca_workload *w = it->ctr ? &it->ctr->workload : NULL;
	struct json_object *o = json_object_new_object(), *arr;
	char *fix[2];
	unsigned bit;
	int n, i, use;

	jb_put(b, o, "runtime", json_object_new_string(runtime_name(l->runtime)));
	jb_put(b, o, "id", jb_str(l->id));
	jb_put(b, o, "name", w && w->name ? jb_str(w->name) : JB_NULL);
	jb_put(b, o, "image", w && w->image ? jb_str(w->image) : JB_NULL);
	jb_put(b, o, "namespace", w && w->k8s_namespace ? jb_str(w->k8s_namespace) : JB_NULL);
	jb_put(b, o, "pod", w && w->k8s_pod ? jb_str(w->k8s_pod) : JB_NULL);
	jb_put(b, o, "present_at_end", json_object_new_boolean(it->ctr != NULL));
	jb_put(b, o, "tasks", num(l->tasks));
	jb_put(b, o, "checks", num(l->checks));
	for (use = 0; use < CA_USE_COUNT; use++) {
		arr = json_object_new_array();
		for (bit = 0; bit < CA_CAP_MAX; bit++) {
			const struct ca_capuse *u = &l->use[use][bit];

			if (u->granted || u->denied || u->alternative)
				jb_append(b, arr, use_json(b, r, u, bit, (enum ca_use)use));
		}
		jb_put(b, o, use_key[use], arr);
	}
	jb_put(b, o, "denied", jb_names(b, r->names, it->denied));
	jb_put(b, o, "held", it->held_known ? jb_names(b, r->names, it->held) : JB_NULL);
	jb_put(b, o, "held_mask", it->held_known ? jb_mask(it->held) : JB_NULL);
	jb_put(b, o, "unused", it->held_known ? jb_names(b, r->names, it->held & ~it->least) : JB_NULL);
	jb_put(b, o, "least", jb_names(b, r->names, it->least));
	jb_put(b, o, "least_mask", jb_mask(it->least));
	arr = json_object_new_array();
	n = remedy_least(l->runtime, it->ctr && it->ctr->pod_uid[0], it->least, it->held, it->held_known, r->names,
			 fix);
	if (n < 0)
		b->err = n;
	for (i = 0; i < n; i++) {
		jb_append(b, arr, json_object_new_string(fix[i]));
		free(fix[i]);
	}
	jb_put(b, o, "fix", arr);
	return o;
}

int report_learn_json_print(FILE *out, const struct ca_learn_report *r)
{
	const struct ca_learn_run *run = r->run;
	struct json_object *doc = json_object_new_object(), *arr;
	struct ca_jb b = { 0 };
	size_t i;

	jb_put(&b, doc, "schema_version", json_object_new_int(LEARN_SCHEMA_VERSION));
	jb_put(&b, doc, "seconds", json_object_new_double(run->seconds));
	jb_put(&b, doc, "stopped_early", json_object_new_boolean(run->stopped));
	jb_put(&b, doc, "events", num(run->counts.events));
	jb_put(&b, doc, "checks", num(run->counts.checks));
	jb_put(&b, doc, "contained_checks", num(run->counts.contained));
	jb_put(&b, doc, "unattributed_checks", num(run->counts.unattributed));
	jb_put(&b, doc, "lost_events", num(run->trace.lost));
	jb_put(&b, doc, "call_paths", num(run->trace.paths));
	arr = json_object_new_array();
	for (i = 0; i < run->nitems; i++)
		jb_append(&b, arr, container_json(&b, r, &run->items[i]));
	jb_put(&b, doc, "containers", arr);
	return jb_print(&b, doc, out);
}
