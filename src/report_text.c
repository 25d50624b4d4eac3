/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text report: a libsmartcols table (columns as data), a line per finding, a summary. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <libsmartcols.h>

#include "esc.h"
#include "remedy.h"
#include "report.h"
#include "runtime.h"

enum {
	COL_RUNTIME,
	COL_ID,
	COL_PIDS,
	COL_BOUNDING,
	COL_ADDED,
	COL_DROPPED,
	COL_VERDICT,
	COL_EFFECTIVE,
	COL_FULLID,
	COL_POD,
	COL_QOS,
	COL_SANDBOX,
	COL_SOURCE,
	COL_PARENTS,
	COL_USERNS,
	COL_FINDINGS,
	COL_PID,
	COL_COMM,
	COL_NAME,
	COL_IMAGE,
	COL_NAMESPACE,
	COL_PODNAME,
	COL_CONFIGURED,
	COL_COUNT
};

/* libsmartcols escapes unsafe bytes in every cell itself: cells get raw text. */
static const struct colinfo {
	const char *name;
	double whint;
	int flags;
	const char *help;
} infos[COL_COUNT] = {
	[COL_RUNTIME] = { "RUNTIME", 0.1, 0, "container runtime" },
	[COL_ID] = { "ID", 12, 0, "container id (12 characters of a hex id), process under --tree" },
	[COL_PIDS] = { "PIDS", 4, SCOLS_FL_RIGHT, "number of processes" },
	[COL_BOUNDING] = { "BOUNDING", 0.3, SCOLS_FL_WRAP, "bounding set (ALL: all the host holds below CAP_PERFMON)" },
	[COL_ADDED] = { "ADDED", 0.2, SCOLS_FL_WRAP, "bounding set beyond the runtime's default" },
	[COL_DROPPED] = { "DROPPED", 0.2, SCOLS_FL_WRAP, "runtime's default missing from the bounding set" },
	[COL_VERDICT] = { "VERDICT", 7, 0, "PASS, FAIL or UNKNOWN" },
	[COL_EFFECTIVE] = { "EFFECTIVE", 0.3, SCOLS_FL_WRAP, "effective set" },
	[COL_FULLID] = { "FULLID", 64, 0, "container id in full" },
	[COL_POD] = { "POD", 36, 0, "Kubernetes pod uid" },
	[COL_QOS] = { "QOS", 10, 0, "Kubernetes QoS class" },
	[COL_SANDBOX] = { "SANDBOX", 1, 0, "the pod's sandbox (pause) container" },
	[COL_SOURCE] = { "SOURCE", 0.1, 0, "recognised by cgroup, supervisor or pidns" },
	[COL_PARENTS] = { "PARENTS", 0.2, 0, "outer containers (nesting)" },
	[COL_USERNS] = { "USERNS", 3, 0, "capabilities held in a child user namespace" },
	[COL_FINDINGS] = { "FINDINGS", 3, SCOLS_FL_RIGHT, "number of findings" },
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, "process id (--tree)" },
	[COL_COMM] = { "COMM", 0.1, 0, "process name (--tree)" },
	[COL_NAME] = { "NAME", 0.1, 0, "container name, as its runtime names it" },
	[COL_IMAGE] = { "IMAGE", 0.2, 0, "image, as it was asked for" },
	[COL_NAMESPACE] = { "NAMESPACE", 0.1, 0, "Kubernetes namespace" },
	[COL_PODNAME] = { "PODNAME", 0.1, 0, "Kubernetes pod name" },
	[COL_CONFIGURED] = { "CONFIGURED", 0.3, SCOLS_FL_WRAP, "bounding set its runtime was told to grant" },
};

static const int default_cols[] = {
	COL_RUNTIME, COL_ID, COL_NAME, COL_PIDS, COL_BOUNDING, COL_ADDED, COL_DROPPED, COL_VERDICT,
};

int report_text_columns(const char *list, struct ca_text_opts *o)
{
	char buf[512], *tok, *save = NULL;
	size_t i;

	o->ncols = 0;
	if (list[0] == '+') {
		for (i = 0; i < ARRAY_SIZE(default_cols); i++)
			o->cols[o->ncols++] = default_cols[i];
		list++;
	}
	if (strlen(list) >= sizeof(buf))
		return -E2BIG;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < COL_COUNT; i++)
			if (strcasecmp(tok, infos[i].name) == 0)
				break;
		if (i == COL_COUNT || o->ncols == ARRAY_SIZE(o->cols))
			return -EINVAL;
		o->cols[o->ncols++] = (int)i;
	}
	return o->ncols ? 0 : -EINVAL;
}

void report_text_all_columns(struct ca_text_opts *o)
{
	int i;

	for (o->ncols = 0, i = 0; i < COL_COUNT; i++)
		o->cols[o->ncols++] = i;
}

int report_text_list_columns(FILE *out)
{
	int i;

	for (i = 0; i < COL_COUNT; i++)
		fprintf(out, "%10s  %s\n", infos[i].name, infos[i].help);
	return ferror(out) ? -EIO : 0;
}

static void scols_unrefp(struct libscols_table **tb)
{
	scols_unref_table(*tb);
}

/*
 * A cell that owns a string from caps_join(); "?" where the set is unknown,
 * "ALL", as docker inspect says it, where @all (the set is privileged:
 * forty names would bury the table), "-" where it is empty.
 */
static int set_caps_cell(struct libscols_line *ln, size_t col, const struct ca_capnames *names,
			 bool known, uint64_t mask, bool all)
{
	char *s;

	if (!known)
		return scols_line_set_data(ln, col, "?");
	if (all)
		return scols_line_set_data(ln, col, "ALL");
	if (!mask)
		return scols_line_set_data(ln, col, "-");
	s = caps_join(names, mask, ",");
	if (!s)
		return -ENOMEM;
	return scols_line_refer_data(ln, col, s);
}

/*
 * Whether a set other than a container's bounding set is shown as ALL: by
 * the definition the audit judges that one with (caps.c).
 */
static bool is_all(const struct ca_report *rep, const struct ca_capsets *sets, enum ca_capset set)
{
	return caps_set_is_known(sets, set) &&
	       caps_is_privileged(sets->mask[set], rep->scan->host.bounding);
}

/* Column @col of a container's row: what the scan read (@c) and the audit judged (@j). */
static int container_cell(struct libscols_line *ln, size_t pos, int col, const struct ca_container *c,
			  const struct ca_judgement *j, const struct ca_report *rep)
{
	bool known = caps_set_is_known(&j->caps, CA_SET_BOUNDING);
	char buf[64], parents[CA_PARENTS_MAX * (CA_ID_MAX + 16)];
	const char *qos;
	unsigned i;

	switch (col) {
	case COL_RUNTIME:
		return scols_line_set_data(ln, pos, runtime_name(c->runtime));
	case COL_ID:
		return scols_line_set_data(ln, pos, report_short_id(c, buf, sizeof(buf)));
	case COL_FULLID:
		return scols_line_set_data(ln, pos, c->id);
	case COL_PIDS:
		snprintf(buf, sizeof(buf), "%zu", c->nprocs);
		return scols_line_set_data(ln, pos, buf);
	case COL_BOUNDING:
		return set_caps_cell(ln, pos, rep->names, known, j->caps.mask[CA_SET_BOUNDING],
				     j->privileged);
	case COL_EFFECTIVE:
		return set_caps_cell(ln, pos, rep->names, caps_set_is_known(&j->caps, CA_SET_EFFECTIVE),
				     j->caps.mask[CA_SET_EFFECTIVE],
				     is_all(rep, &j->caps, CA_SET_EFFECTIVE));
	case COL_ADDED:
		if (!j->has_default)
			return scols_line_set_data(ln, pos, "-");
		/* Added beyond the default: ALL where the bounding set is. */
		return set_caps_cell(ln, pos, rep->names, known, j->added, j->privileged);
	case COL_DROPPED:
		if (!j->has_default)
			return scols_line_set_data(ln, pos, "-");
		return set_caps_cell(ln, pos, rep->names, known, j->dropped, false);
	case COL_VERDICT:
		return scols_line_set_data(ln, pos, report_verdict_upper(j->verdict));
	case COL_POD:
		return scols_line_set_data(ln, pos, c->pod_uid[0] ? c->pod_uid : "-");
	case COL_NAME:
		return scols_line_set_data(ln, pos, c->workload.name ? c->workload.name : "-");
	case COL_IMAGE:
		return scols_line_set_data(ln, pos, c->workload.image ? c->workload.image : "-");
	case COL_NAMESPACE:
		return scols_line_set_data(ln, pos, c->workload.k8s_namespace ? c->workload.k8s_namespace : "-");
	case COL_PODNAME:
		return scols_line_set_data(ln, pos, c->workload.k8s_pod ? c->workload.k8s_pod : "-");
	case COL_CONFIGURED:
		if (!j->configured_known)
			return scols_line_set_data(ln, pos, "-");
		return set_caps_cell(ln, pos, rep->names, true, j->configured, c->workload.configured.privileged);
	case COL_QOS:
		qos = cgroup_qos_name(c->qos);
		return scols_line_set_data(ln, pos, qos ? qos : "-");
	case COL_SANDBOX:
		return scols_line_set_data(ln, pos, c->pod_uid[0] ? (c->sandbox ? "yes" : "no") : "-");
	case COL_SOURCE:
		return scols_line_set_data(ln, pos, scan_source_name(c->source));
	case COL_PARENTS:
		parents[0] = '\0';
		for (i = 0; i < c->nparents; i++)
			snprintf(parents + strlen(parents), sizeof(parents) - strlen(parents), "%s%s:%s",
				 i ? "," : "", runtime_name(c->parents[i].runtime), c->parents[i].id);
		return scols_line_set_data(ln, pos, c->nparents ? parents : "-");
	case COL_USERNS:
		return scols_line_set_data(ln, pos, !c->userns.known ? "?" : c->userns.child ? "yes" : "no");
	case COL_FINDINGS:
		snprintf(buf, sizeof(buf), "%zu", j->nfindings);
		return scols_line_set_data(ln, pos, buf);
	}
	return 0;		/* PID, COMM: a container row leaves them empty */
}

/* Column @col of a process's row under --tree. */
static int process_cell(struct libscols_line *ln, size_t pos, int col, const struct ca_proc *p,
			const struct ca_report *rep)
{
	const struct ca_capsets *s = &p->st.caps;
	char buf[64];

	switch (col) {
	case COL_ID:
	case COL_PID:
		snprintf(buf, sizeof(buf), "%d", (int)p->pid);
		return scols_line_set_data(ln, pos, buf);
	case COL_COMM:
		if (status_has(&p->st, STATUS_NAME_CUT)) {
			/* Say it was cut: no kernel writes a name this long. */
			snprintf(buf, sizeof(buf), "%.40s...(cut)", p->st.name);
			return scols_line_set_data(ln, pos, buf);
		}
		return scols_line_set_data(ln, pos, status_has(&p->st, STATUS_NAME) ? p->st.name : "?");
	case COL_BOUNDING:
		return set_caps_cell(ln, pos, rep->names, caps_set_is_known(s, CA_SET_BOUNDING),
				     s->mask[CA_SET_BOUNDING], is_all(rep, s, CA_SET_BOUNDING));
	case COL_EFFECTIVE:
		return set_caps_cell(ln, pos, rep->names, caps_set_is_known(s, CA_SET_EFFECTIVE),
				     s->mask[CA_SET_EFFECTIVE], is_all(rep, s, CA_SET_EFFECTIVE));
	}
	return 0;
}

static int color_cell(struct libscols_line *ln, size_t pos, const char *color)
{
	struct libscols_cell *cell = scols_line_get_cell(ln, pos);

	return cell ? scols_cell_set_color(cell, color) : 0;
}

static int print_table(FILE *out, const struct ca_report *rep, const struct ca_text_opts *o)
{
	_cleanup_(scols_unrefp) struct libscols_table *tb = scols_new_table();
	const int *cols = o->ncols ? o->cols : default_cols;
	size_t ncols = o->ncols ? o->ncols : ARRAY_SIZE(default_cols), i, j, k;
	int r;

	if (!tb)
		return -ENOMEM;
	scols_table_set_stream(tb, out);
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	scols_table_enable_colors(tb, o->color);
	for (i = 0; i < ncols; i++) {
		const struct colinfo *ci = &infos[cols[i]];
		int flags = ci->flags;

		if (o->tree && cols[i] == COL_ID)
			flags |= SCOLS_FL_TREE;
		if (!scols_table_new_column(tb, ci->name, ci->whint, flags))
			return -ENOMEM;
	}
	for (i = 0; i < rep->scan->ncontainers; i++) {
		const struct ca_container *c = &rep->scan->containers[i];
		const struct ca_judgement *jd = &rep->audit->containers[i];
		struct libscols_line *ln;

		if (o->quiet && jd->verdict != CA_VERDICT_FAIL)
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			return -ENOMEM;
		for (j = 0; j < ncols; j++) {
			r = container_cell(ln, j, cols[j], c, jd, rep);
			if (r == 0 && cols[j] == COL_VERDICT && o->color)
				r = color_cell(ln, j, jd->verdict == CA_VERDICT_FAIL ? "red"
						      : jd->verdict == CA_VERDICT_PASS ? "green" : "yellow");
			if (r < 0)
				return r;
		}
		for (k = 0; o->tree && k < c->nprocs; k++) {
			struct libscols_line *child = scols_table_new_line(tb, ln);

			if (!child)
				return -ENOMEM;
			for (j = 0; j < ncols; j++) {
				r = process_cell(child, j, cols[j], &c->procs[k], rep);
				if (r < 0)
					return r;
			}
		}
	}
	return scols_print_table(tb);
}

/* Checks whose findings are about capabilities a process holds. */
static bool about_caps(enum ca_check check)
{
	return check == CA_CHECK_CAPS || check == CA_CHECK_PRIVILEGED || check == CA_CHECK_AMBIENT ||
	       check == CA_CHECK_NONROOT_EFFECTIVE;
}

/*
 * "[FAIL] 5.4 high docker 3f2a9c1b4d5e (web): NET_RAW is not dropped ... (net-raw)",
 * then "  fix: ..." in the runtime's own words. The id and the name are the
 * strings here a container chose: escaped, since no library does it here,
 * their spaces too, so that a name holding ": " cannot move where it ends.
 */
static int print_findings(FILE *out, const struct ca_report *rep, const struct ca_text_opts *o)
{
	const struct ca_policy *p = rep->policy;
	size_t i, j;

	for (i = 0; i < rep->scan->ncontainers; i++) {
		const struct ca_container *c = &rep->scan->containers[i];
		const struct ca_judgement *jd = &rep->audit->containers[i];
		_cleanup_free_ char *id = NULL;
		const char *shortid;
		char idbuf[16];

		if (!jd->nfindings)
			continue;
		shortid = report_short_id(c, idbuf, sizeof(idbuf));
		id = report_id_word(shortid, c->workload.name);
		if (!id)
			return -ENOMEM;
		for (j = 0; j < jd->nfindings; j++) {
			const struct ca_finding *f = &jd->findings[j];
			const struct ca_rule *rule = &p->rules[f->rule];
			bool fails = policy_fails(p, f->severity);
			_cleanup_free_ char *msg = NULL, *fix = NULL;

			if (o->quiet && !fails)
				continue;
			msg = policy_message(p, f->rule, f->set, f->caps, f->denied, f->pids, f->npids, rep->names);
			fix = remedy_text(rule->check, c->runtime, c->pod_uid[0] != 0, f->caps, rep->names);
			if (!msg || !fix)
				return -ENOMEM;
			fprintf(out, "%s[%s]%s %s %s %s %s: %s%s (%s)\n  fix: %s\n",
				o->color ? (fails ? "\033[31m" : "\033[33m") : "", fails ? "FAIL" : "WARN",
				o->color ? "\033[0m" : "",
				rule->cis[0] ? rule->cis : "-", policy_severity_name(f->severity),
				runtime_name(c->runtime), id, msg,
				f->userns && about_caps(rule->check) ? ", held in a child user namespace" : "",
				rule->name, fix);
		}
	}
	return 0;
}

static void print_summary(FILE *out, const struct ca_report *rep)
{
	const struct ca_summary *s = &rep->audit->summary;
	const struct ca_counts *n = &rep->scan->counts;

	fprintf(out, "%zu container%s: %zu failed, %zu passed, %zu unknown; "
		"%zu processes (%zu in containers), %zu vanished, %zu unreadable",
		s->containers, s->containers == 1 ? "" : "s", s->failed, s->passed, s->unknown,
		n->processes, n->contained, n->vanished, n->unreadable);
	if (n->unreadable_denied)
		fprintf(out, " (%zu permission denied)", n->unreadable_denied);
	if (n->ns_denied)
		fprintf(out, "; namespace links of %zu container%s denied", n->ns_denied,
			n->ns_denied == 1 ? "" : "s");
	if (rep->scan->host.hidepid_hides)
		fputs("; hidepid= hides processes", out);
	fprintf(out, "; audit %s\n", s->complete ? "complete" : "INCOMPLETE");
}

int report_text_print(FILE *out, const struct ca_report *rep)
{
	static const struct ca_text_opts none;
	const struct ca_text_opts *o = rep->text ? rep->text : &none;
	bool rows = false;
	size_t i;
	int r = 0;

	for (i = 0; i < rep->scan->ncontainers; i++)
		rows |= !o->quiet || rep->audit->containers[i].verdict == CA_VERDICT_FAIL;
	if (rows) {
		r = print_table(out, rep, o);
		if (r == 0 && !o->raw)
			fputc('\n', out);
	}
	/* Raw output is the table alone, one container a line, for scripts. */
	if (r == 0 && !o->raw)
		r = print_findings(out, rep, o);
	if (r == 0 && !o->raw)
		print_summary(out, rep);
	if (r == 0 && ferror(out))
		r = -EIO;
	return r;
}
