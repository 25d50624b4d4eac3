/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reports of an audit, in every format: for people, machines and fleets. Never touch /proc. */
#ifndef CAPAUDIT_REPORT_H
#define CAPAUDIT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "audit.h"
#include "caps.h"
#include "diff.h"
#include "policy.h"
#include "privs.h"
#include "scan.h"

/* The formats of a report. */
enum ca_format {
	CA_FMT_TEXT,
	CA_FMT_JSON,
	CA_FMT_JSON_LINES,
	CA_FMT_CIS,
	CA_FMT_PROMETHEUS,
	CA_FMT_COUNT
};

/* How the text report looks: util-linux's options. */
struct ca_text_opts {
	int cols[32];			/* columns, in order; none: the default ones */
	size_t ncols;
	bool raw;			/* -r: no alignment */
	bool noheadings;		/* -n */
	bool tree;			/* --tree: container, then its processes */
	bool quiet;			/* -q: failures only */
	bool color;
};

/* What a report renders: it computes nothing of the audit, and never touches /proc. */
struct ca_report {
	const struct ca_scan *scan;
	const struct ca_audit *audit;	/* its containers[i] judges scan->containers[i] */
	const struct ca_policy *policy;
	const struct ca_capnames *names;
	const char *source;		/* "live", or the proc root read */
	double duration;		/* seconds the scan took */
	double timestamp;		/* when it started, seconds since the epoch */
	const struct ca_text_opts *text;	/* NULL: the defaults */
	const struct ca_privs *scanner;	/* what capaudit itself held for the scan, or NULL */
};

/**
 * report_format_parse() - the format named @name ("text", "json",
 * "json-lines", "cis", "prometheus"), or -1.
 */
int report_format_parse(const char *name);

/**
 * report_print() - @r in @format, to @out. Returns 0, or a negative errno.
 */
int report_print(enum ca_format format, FILE *out, const struct ca_report *r);

/**
 * report_short_id() - @c's id as the text reports show it: the first 12
 * characters of a 64-digit hex id, as docker ps does, any other id (a name)
 * whole. Returns c->id, or @buf (of @size, at least 13) holding the short one.
 */
const char *report_short_id(const struct ca_container *c, char *buf, size_t size);

/**
 * report_short_id_of() - report_short_id() of the id @id.
 */
const char *report_short_id_of(const char *id, char *buf, size_t size);
/**
 * report_id_word() - @id escaped as one word (src/esc.c), and where the
 * container has a @name of its own, " (@name)" after it, escaped the
 * same way: "3f2a9c1b4d5e (web)". Returns a string the caller frees,
 * or NULL for lack of memory.
 */
char *report_id_word(const char *id, const char *name);

/**
 * report_verdict_upper() - "PASS", "FAIL" or "UNKNOWN", as the text reports write a verdict.
 */
const char *report_verdict_upper(enum ca_verdict v);

/**
 * report_seccomp_name() - the Seccomp mode of a status: "disabled", "strict",
 * "filter", or "unknown" for a mode the kernel does not have.
 */
const char *report_seccomp_name(unsigned mode);

/**
 * report_text_print() - the table, one line per finding, a summary line.
 * Returns 0, or a negative errno (-EIO where @out failed).
 */
int report_text_print(FILE *out, const struct ca_report *r);

/**
 * report_text_columns() - parse -o's list ("RUNTIME,ID", "+POD") into @o.
 * Returns 0, -EINVAL for an unknown column or an empty list, -E2BIG.
 */
int report_text_columns(const char *list, struct ca_text_opts *o);

/**
 * report_text_all_columns() - every column, for --output-all.
 */
void report_text_all_columns(struct ca_text_opts *o);

/**
 * report_text_list_columns() - the columns and what they hold, for -H.
 * Returns 0 or -EIO.
 */
int report_text_list_columns(FILE *out);

/**
 * report_jsonl_print() - one JSON object a line: each container, then one
 * with host, policy and summary. Returns 0, or a negative errno.
 */
int report_jsonl_print(FILE *out, const struct ca_report *r);

/**
 * report_json_print() - one JSON document (schema_version 1, capaudit(8)).
 * Returns 0, or a negative errno.
 */
int report_json_print(FILE *out, const struct ca_report *r);

/**
 * report_cis_print() - per container, the line the CIS Docker Benchmark's
 * audit procedure expects from docker inspect, "<id>: CapAdd=[...]
 * CapDrop=[...]", from what the audit added to and dropped from the
 * runtime's default set. Returns 0, or a negative errno.
 */
int report_cis_print(FILE *out, const struct ca_report *r);

/**
 * report_prom_print() - node_exporter textfile-collector metrics, with
 * bounded cardinality (no per-process series). Returns 0, or a negative errno.
 */
int report_prom_print(FILE *out, const struct ca_report *r);

/* What a diff report renders: both sides, and what changed between them. */
struct ca_diff_report {
	const struct ca_diff *diff;
	const struct ca_diff_side *old;
	const struct ca_diff_side *new;
	const struct ca_capnames *names;	/* up to the larger cap_last_cap of both */
	bool color;
};

/**
 * report_diff_print() - @r in @format (text or json), to @out. Returns 0,
 * -EINVAL for another format, or a negative errno.
 */
int report_diff_print(enum ca_format format, FILE *out, const struct ca_diff_report *r);

/**
 * report_diff_text_print() - a line for each side, then for each container
 * that appeared (+), went (-) or changed (~) with its processes beneath,
 * each finding new (+) or resolved (-), and a summary line. Returns 0, or a
 * negative errno (-EIO where @out failed).
 */
int report_diff_text_print(FILE *out, const struct ca_diff_report *r);

/**
 * report_diff_json_print() - the diff as one JSON document (schema_version
 * 1, capaudit(8), DIFF). Returns 0, or a negative errno.
 */
int report_diff_json_print(FILE *out, const struct ca_diff_report *r);

struct ca_learn_run;

struct ca_learn_report {
	const struct ca_learn_run *run;
	const struct ca_capnames *names;
	bool noise;			/* text: the probes and the runtime's checks too (JSON has them always) */
};

/**
 * report_learn_print() - what learning found, in @format (text or json), to
 * @out. Returns 0, -EINVAL for another format, or a negative errno.
 */
int report_learn_print(enum ca_format format, FILE *out, const struct ca_learn_report *r);

/**
 * report_learn_text_print() - a line for the run, then per container what it
 * used, was denied, holds unused, its least set and the fix in its runtime's
 * terms. Returns 0, or a negative errno (-EIO where @out failed).
 */
int report_learn_text_print(FILE *out, const struct ca_learn_report *r);

/**
 * report_learn_json_print() - the same as one JSON document (schema_version
 * 1, capaudit(8), LEARNING), probes and the runtime's checks included.
 * Returns 0, or a negative errno.
 */
int report_learn_json_print(FILE *out, const struct ca_learn_report *r);

#endif
