/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text report: a libsmartcols table, a line per finding, a summary line. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
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
};

static const struct colinfo {
	const char *name;
	double whint;
	int flags;
} infos[] = {
	[COL_RUNTIME] = { "RUNTIME", 0.1, 0 },
	[COL_ID] = { "ID", 12, 0 },
	[COL_PIDS] = { "PIDS", 4, SCOLS_FL_RIGHT },
	[COL_BOUNDING] = { "BOUNDING", 0.3, SCOLS_FL_WRAP },
	[COL_ADDED] = { "ADDED", 0.2, SCOLS_FL_WRAP },
	[COL_DROPPED] = { "DROPPED", 0.2, SCOLS_FL_WRAP },
	[COL_VERDICT] = { "VERDICT", 7, 0 },
};

static void scols_unrefp(struct libscols_table **tb)
{
	scols_unref_table(*tb);
}

/* The id as the table shows it: 12 characters of a hex id, any other id in full. */
static const char *short_id(const struct ca_container *c, char *buf, size_t size)
{
	size_t len = strlen(c->id), i;

	/* Only a hex id is shortened, as docker ps does; a name stays whole. */
	if (len != 64)
		return c->id;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", c->id[i]))
			return c->id;
	snprintf(buf, size, "%.12s", c->id);
	return buf;
}

static const char *verdict_upper(enum ca_verdict v)
{
	switch (v) {
	case CA_VERDICT_PASS:
		return "PASS";
	case CA_VERDICT_FAIL:
		return "FAIL";
	case CA_VERDICT_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

/*
 * A cell that owns a string from caps_join(); "?" where the set is unknown,
 * "-" where it is empty, and "ALL", as docker inspect says it, where it holds
 * everything the host's bounding set does: forty names would bury the table.
 */
static int set_caps_cell(struct libscols_line *ln, int col, const struct ca_capnames *names,
			 bool known, uint64_t mask, uint64_t host)
{
	char *s;

	if (!known)
		return scols_line_set_data(ln, col, "?");
	if (!mask)
		return scols_line_set_data(ln, col, "-");
	if (host && (mask & host) == host)
		return scols_line_set_data(ln, col, "ALL");
	s = caps_join(names, mask, ",");
	if (!s)
		return -ENOMEM;
	return scols_line_refer_data(ln, col, s);
}

static int add_row(struct libscols_table *tb, const struct ca_container *c,
		   const struct ca_capnames *names, uint64_t host)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	bool known = caps_set_is_known(&c->caps, CA_SET_BOUNDING);
	uint64_t bnd = c->caps.mask[CA_SET_BOUNDING], def;
	char idbuf[16], pids[32];
	int r;

	if (!ln)
		return -ENOMEM;
	snprintf(pids, sizeof(pids), "%zu", c->nprocs);
	/* libsmartcols escapes unsafe bytes in cells itself: pass them raw. */
	r = scols_line_set_data(ln, COL_RUNTIME, runtime_name(c->runtime));
	if (r == 0)
		r = scols_line_set_data(ln, COL_ID, short_id(c, idbuf, sizeof(idbuf)));
	if (r == 0)
		r = scols_line_set_data(ln, COL_PIDS, pids);
	if (r == 0)
		r = set_caps_cell(ln, COL_BOUNDING, names, known, bnd, host);
	if (r == 0 && runtime_default_caps(c->runtime, &def)) {
		/* Added beyond the default: ALL where the bounding set is. */
		r = set_caps_cell(ln, COL_ADDED, names, known,
				  (host && (bnd & host) == host) ? bnd : bnd & ~def, host);
		if (r == 0)
			r = set_caps_cell(ln, COL_DROPPED, names, known, def & ~bnd, 0);
	} else if (r == 0) {
		r = scols_line_set_data(ln, COL_ADDED, "-");
		if (r == 0)
			r = scols_line_set_data(ln, COL_DROPPED, "-");
	}
	if (r == 0)
		r = scols_line_set_data(ln, COL_VERDICT, verdict_upper(c->verdict));
	return r;
}

static int print_table(FILE *out, const struct ca_report *rep)
{
	_cleanup_(scols_unrefp) struct libscols_table *tb = scols_new_table();
	size_t i;
	int r;

	if (!tb)
		return -ENOMEM;
	scols_table_set_stream(tb, out);
	for (i = 0; i < ARRAY_SIZE(infos); i++)
		if (!scols_table_new_column(tb, infos[i].name, infos[i].whint, infos[i].flags))
			return -ENOMEM;
	for (i = 0; i < rep->scan->ncontainers; i++) {
		r = add_row(tb, &rep->scan->containers[i], rep->names, rep->scan->host.bounding);
		if (r < 0)
			return r;
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
 * "[FAIL] 5.4 high docker 3f2a9c1b4d5e: NET_RAW is not dropped ... (net-raw)",
 * then "  fix: ..." in the runtime's own words.
 */
static int print_findings(FILE *out, const struct ca_report *rep)
{
	const struct ca_policy *p = rep->policy;
	size_t i, j;

	for (i = 0; i < rep->scan->ncontainers; i++) {
		const struct ca_container *c = &rep->scan->containers[i];
		_cleanup_free_ char *id = NULL;
		const char *shortid;
		char idbuf[16];

		if (!c->nfindings)
			continue;
		shortid = short_id(c, idbuf, sizeof(idbuf));
		id = esc_text(shortid, strlen(shortid));
		if (!id)
			return -ENOMEM;
		for (j = 0; j < c->nfindings; j++) {
			const struct ca_finding *f = &c->findings[j];
			const struct ca_rule *rule = &p->rules[f->rule];
			_cleanup_free_ char *msg = policy_message(p, f->rule, f->set, f->caps, f->denied,
								  rep->names);
			_cleanup_free_ char *fix = remedy_text(rule->check, c->runtime, c->pod_uid[0] != 0,
							       f->caps, rep->names);

			if (!msg || !fix)
				return -ENOMEM;
			fprintf(out, "[%s] %s %s %s %s: %s%s (%s)\n  fix: %s\n",
				policy_fails(p, f->severity) ? "FAIL" : "WARN",
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
	const struct ca_summary *s = rep->summary;
	const struct ca_counts *n = &rep->scan->counts;

	fprintf(out, "%zu container%s: %zu failed, %zu passed, %zu unknown; "
		"%zu processes (%zu in containers), %zu vanished, %zu unreadable",
		s->containers, s->containers == 1 ? "" : "s", s->failed, s->passed, s->unknown,
		n->processes, n->contained, n->vanished, n->unreadable);
	if (n->unreadable_denied)
		fprintf(out, " (%zu permission denied)", n->unreadable_denied);
	if (rep->scan->host.hidepid_hides)
		fputs("; hidepid= hides processes", out);
	fprintf(out, "; audit %s\n", s->complete ? "complete" : "INCOMPLETE");
}

int report_text_print(FILE *out, const struct ca_report *rep)
{
	int r = 0;

	if (rep->scan->ncontainers) {
		r = print_table(out, rep);
		if (r == 0 && rep->summary->containers)
			fputc('\n', out);
	}
	if (r == 0)
		r = print_findings(out, rep);
	if (r == 0)
		print_summary(out, rep);
	if (r == 0 && ferror(out))
		r = -EIO;
	return r;
}
