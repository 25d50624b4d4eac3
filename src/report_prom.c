/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Prometheus report: text exposition format 0.0.4, for node_exporter's textfile collector. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "runtime.h"
#include "workload.h"

/*
 * Every series is a gauge: each scan is a fresh snapshot, nothing counts up
 * across runs. Cardinality is bounded by containers, rules, severities and
 * capabilities, never by processes: a fork bomb in a container must not
 * become a million series in the fleet's Prometheus.
 */

/* Per container, its 'runtime="...",id="..."' labels, escaped once. */
struct selectors {
	char **v;
	size_t n;
};

static void selectors_free(struct selectors *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/*
 * A label value: made valid UTF-8 without control bytes first (esc_text),
 * then escaped as the exposition format wants: \\, \" and \n. After
 * esc_text no newline is left, but the format's rule is applied whole.
 * Returns a string the caller frees, or NULL with errno set.
 */
static char *label_value(const char *s)
{
	_cleanup_free_ char *e = esc_text(s, strlen(s));
	const char *p;
	char *out, *o;
	size_t len = 0;

	if (!e)
		return NULL;
	for (p = e; *p; p++)
		len += (*p == '\\' || *p == '"' || *p == '\n') ? 2 : 1;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	for (p = e, o = out; *p; p++) {
		if (*p == '\\' || *p == '"') {
			*o++ = '\\';
			*o++ = *p;
		} else if (*p == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static int selectors_make(struct selectors *s, const struct ca_scan *scan)
{
	size_t i;

	s->v = calloc(scan->ncontainers ? scan->ncontainers : 1, sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (i = 0; i < scan->ncontainers; i++) {
		const struct ca_container *c = &scan->containers[i];
		_cleanup_free_ char *id = label_value(c->id);

		if (!id || asprintf(&s->v[i], "runtime=\"%s\",id=\"%s\"", runtime_name(c->runtime),
				    id) < 0) {
			s->v[i] = NULL;
			return -ENOMEM;
		}
		s->n = i + 1;
	}
	return 0;
}

/* HELP and TYPE of one family; every sample of it follows, and no other. */
static void family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void gauge_count(FILE *out, const char *name, const char *help, size_t n)
{
	family(out, name, help);
	fprintf(out, "%s %zu\n", name, n);
}

/* A float sample; the format spells a missing one "NaN", where C would print "nan". */
static void gauge_float(FILE *out, const char *name, const char *help, int decimals, double v)
{
	family(out, name, help);
	if (isfinite(v))
		fprintf(out, "%s %.*f\n", name, decimals, v);
	else
		fprintf(out, "%s NaN\n", name);
}

static int print_info(FILE *out, const struct ca_report *rep)
{
	_cleanup_free_ char *version = label_value(PACKAGE_VERSION);
	_cleanup_free_ char *policy = label_value(rep->policy->source);

	if (!version || !policy)
		return -ENOMEM;
	family(out, "capaudit_info", "capaudit's version and the source of its policy.");
	fprintf(out, "capaudit_info{version=\"%s\",policy=\"%s\"} 1\n", version, policy);
	return 0;
}

static void print_host(FILE *out, const struct ca_report *rep)
{
	static const enum ca_verdict verdicts[] = {
		CA_VERDICT_PASS, CA_VERDICT_FAIL, CA_VERDICT_UNKNOWN,
	};
	const struct ca_counts *n = &rep->scan->counts;
	const struct ca_summary *s = &rep->audit->summary;
	const size_t count[] = { s->passed, s->failed, s->unknown };
	size_t i;

	gauge_count(out, "capaudit_audit_complete",
		    "1 where every process and namespace link could be read and hidepid= hid none, else 0.",
		    s->complete ? 1 : 0);
	/*
	 * Milliseconds, as Prometheus keeps time: a double holds about 16
	 * digits, ten of which the seconds since the epoch take.
	 */
	gauge_float(out, "capaudit_scan_timestamp_seconds",
		    "When the scan started, in seconds since the epoch.", 3, rep->timestamp);
	gauge_float(out, "capaudit_scan_duration_seconds", "How long the scan took, in seconds.",
		    6, rep->duration);
	gauge_count(out, "capaudit_processes", "User processes seen, host ones included.",
		    n->processes);
	gauge_count(out, "capaudit_processes_vanished",
		    "Processes that exited between listing and reading.", n->vanished);
	gauge_count(out, "capaudit_processes_unreadable",
		    "Processes of which some file could not be read.", n->unreadable);
	gauge_count(out, "capaudit_kernel_threads", "Kernel threads, skipped.", n->kernel_threads);
	family(out, "capaudit_containers", "Containers, by verdict.");
	for (i = 0; i < ARRAY_SIZE(verdicts); i++)
		fprintf(out, "capaudit_containers{verdict=\"%s\"} %zu\n",
			audit_verdict_name(verdicts[i]), count[i]);
}

/*
 * Per rule, one series for each severity the policy can give it in any
 * section, zero included, so that a series does not vanish while nothing
 * breaks the rule; a rule that is off everywhere has none.
 */
static int print_findings(FILE *out, const struct ca_report *rep)
{
	const struct ca_policy *p = rep->policy;
	size_t count[CA_RULES_MAX][CA_SEV_COUNT] = { { 0 } };
	bool possible[CA_RULES_MAX][CA_SEV_COUNT] = { { false } };
	size_t i, j;
	int sev;

	for (i = 0; i < p->nsections; i++)
		for (j = 0; j < p->nrules && j < CA_RULES_MAX; j++) {
			const struct ca_rule_cfg *cfg = &p->sections[i].cfg[j];

			if ((cfg->has & CFG_SEVERITY) && !cfg->off && cfg->severity < CA_SEV_COUNT)
				possible[j][cfg->severity] = true;
		}
	for (i = 0; i < rep->scan->ncontainers; i++) {
		const struct ca_judgement *c = &rep->audit->containers[i];

		for (j = 0; j < c->nfindings; j++) {
			const struct ca_finding *f = &c->findings[j];

			if (f->rule < CA_RULES_MAX && f->severity < CA_SEV_COUNT)
				count[f->rule][f->severity]++;
		}
	}
	family(out, "capaudit_findings", "Findings over every container, by rule and severity.");
	for (j = 0; j < p->nrules && j < CA_RULES_MAX; j++) {
		_cleanup_free_ char *rule = label_value(p->rules[j].name);

		if (!rule)
			return -ENOMEM;
		for (sev = 0; sev < CA_SEV_COUNT; sev++)
			if (possible[j][sev] || count[j][sev])
				fprintf(out, "capaudit_findings{rule=\"%s\",severity=\"%s\"} %zu\n", rule,
					policy_severity_name(sev), count[j][sev]);
	}
	return 0;
}

/* ',name="..."' for a string its runtime's files gave, "" where they gave none. */
static int put_label(char **out, const char *name, const char *value)
{
	_cleanup_free_ char *v = value ? label_value(value) : NULL;

	*out = NULL;
	if (!value)
		return (*out = strdup("")) ? 0 : -ENOMEM;
	if (!v || asprintf(out, ",%s=\"%s\"", name, v) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * What the runtime names each container, as an info series to join on
 * runtime and id (group_left), not as labels of every series: one series
 * per container, with the name, the image and the Kubernetes namespace and
 * pod, each at most CA_WL_TEXT_MAX bytes; a container's own labels are
 * free-form and never become Prometheus labels.
 */
static int print_names(FILE *out, const struct ca_report *rep, const struct selectors *sel)
{
	const struct ca_scan *scan = rep->scan;
	size_t i;

	family(out, "capaudit_container_info",
	       "1 for each container whose runtime's files were read: its name, image, and Kubernetes "
	       "namespace and pod as labels.");
	for (i = 0; i < scan->ncontainers; i++) {
		const struct ca_workload *w = &scan->containers[i].workload;
		_cleanup_free_ char *name = NULL, *image = NULL, *ns = NULL, *pod = NULL;

		if (w->status != CA_WL_READ)
			continue;
		if (put_label(&name, "name", w->name) < 0 || put_label(&image, "image", w->image) < 0 ||
		    put_label(&ns, "namespace", w->k8s_namespace) < 0 || put_label(&pod, "pod", w->k8s_pod) < 0)
			return -ENOMEM;
		fprintf(out, "capaudit_container_info{%s%s%s%s%s} 1\n", sel->v[i], name, image, ns, pod);
	}
	return 0;
}

static void print_containers(FILE *out, const struct ca_report *rep, const struct selectors *sel)
{
	const struct ca_scan *scan = rep->scan;
	const struct ca_judgement *judged = rep->audit->containers;
	size_t i, j;
	int sev;

	family(out, "capaudit_container_verdict",
	       "1 for each container, its verdict as a label: pass, fail or unknown.");
	for (i = 0; i < scan->ncontainers; i++)
		fprintf(out, "capaudit_container_verdict{%s,verdict=\"%s\"} 1\n", sel->v[i],
			audit_verdict_name(judged[i].verdict));

	family(out, "capaudit_container_processes", "Processes seen in each container.");
	for (i = 0; i < scan->ncontainers; i++)
		fprintf(out, "capaudit_container_processes{%s} %zu\n", sel->v[i],
			scan->containers[i].nprocs);

	family(out, "capaudit_container_findings", "Findings of each container, by severity.");
	for (i = 0; i < scan->ncontainers; i++) {
		const struct ca_judgement *c = &judged[i];
		size_t n[CA_SEV_COUNT] = { 0 };

		for (j = 0; j < c->nfindings; j++)
			if (c->findings[j].severity < CA_SEV_COUNT)
				n[c->findings[j].severity]++;
		for (sev = 0; sev < CA_SEV_COUNT; sev++)
			fprintf(out, "capaudit_container_findings{%s,severity=\"%s\"} %zu\n", sel->v[i],
				policy_severity_name(sev), n[sev]);
	}

	/* What the other reports show as ALL, whichever rules the policy turns on. */
	family(out, "capaudit_container_privileged",
	       "1 where a container's bounding set holds every capability the host's holds below "
	       "CAP_PERFMON (shown as ALL), else 0; none where it could not be read.");
	for (i = 0; i < scan->ncontainers; i++)
		if (caps_set_is_known(&judged[i].caps, CA_SET_BOUNDING))
			fprintf(out, "capaudit_container_privileged{%s} %d\n", sel->v[i],
				judged[i].privileged ? 1 : 0);

	/* Bounded by the 64 bits of a mask; none where no default is known to compare with. */
	family(out, "capaudit_container_added_capability",
	       "1 for each capability a container's bounding set holds beyond its runtime's "
	       "default.");
	for (i = 0; i < scan->ncontainers; i++) {
		unsigned bit;

		/* The audit adds nothing where no default is known, or no bounding set was read. */
		for (bit = 0; bit < CA_CAP_MAX; bit++)
			if (judged[i].added & CA_BIT(bit))
				fprintf(out, "capaudit_container_added_capability{%s,capability=\"%s\"} 1\n",
					sel->v[i], caps_name(rep->names, bit));
	}
}

int report_prom_print(FILE *out, const struct ca_report *rep)
{
	_cleanup_(selectors_free) struct selectors sel = { 0 };
	int r;

	r = selectors_make(&sel, rep->scan);
	if (r == 0)
		r = print_info(out, rep);
	if (r == 0) {
		print_host(out, rep);
		r = print_findings(out, rep);
	}
	if (r == 0)
		r = print_names(out, rep, &sel);
	if (r == 0)
		print_containers(out, rep, &sel);
	if (r == 0 && ferror(out))
		r = -EIO;
	return r;
}
