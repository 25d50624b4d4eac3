/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one pipeline a scan and a capture both run: the policy, what is read
 * (the live /proc, a --proc-root, a snapshot), the outputs opened, the
 * privileges dropped, the scan (recorded into an archive for a capture),
 * the selection, the audit and the report.
 */
#ifndef CAPAUDIT_PIPELINE_H
#define CAPAUDIT_PIPELINE_H

#include <stdbool.h>

#include "audit.h"
#include "diff.h"
#include "host.h"
#include "policy.h"
#include "privs.h"
#include "report.h"
#include "scan.h"
#include "select.h"
#include "snapsign.h"
#include "snapwriter.h"
#include "util.h"

/* What to run. The strings are the caller's. */
struct ca_run_opts {
	const char *policy;		/* a file, "built-in", or NULL: the default file, else the built-in */
	const char *default_policy;	/* that default file */
	const char *proc_root;		/* NULL: the live /proc */
	const char *host_root;		/* a host's root mounted here: its proc/ (unless proc_root), its state files */
	const char *replay;		/* a snapshot to read instead, or NULL */
	struct ca_scan_opts scan;
	struct ca_select select;
	bool report;			/* a report is printed (a capture prints one only when asked) */
	enum ca_format format;
	const struct ca_text_opts *text;
	const char *output;		/* the report's file: NULL or "-" for standard output */
	/* a capture: */
	const char *archive;		/* NULL: no capture */
	const char *compress;
	const char *digest_file;
	bool no_cmdline;
	bool with_environ;
	const char *command_line;	/* capaudit's own, for the metadata */
	const char *sign;		/* the private key file that signs the manifest, or NULL */
	const char *case_id;		/* the case record, for the metadata */
	const char *examiner;
	const char *note;
};

/* What it did, for main to speak of. */
struct ca_run {
	struct ca_scan scan;
	struct ca_audit audit;
	bool audited;			/* audit holds a result */
	char *source;			/* what was read, for messages: a path, "FILE:proc" */
	bool nothing_read;		/* no process could be read: a capture wrote no digest, no report */
	struct ca_privs scanner;	/* what capaudit held for the scan */
	bool scanner_known;
	int drop_error;			/* the kernel refused a drop (-errno), or 0 */
	int privs_error;		/* the scanner's own privileges could not be read, or 0 */
	char sha256[2 * CA_SHA256_LEN + 1];	/* a capture's archive; "" where none */
	char signer[CA_FINGERPRINT_LEN + 1];	/* the fingerprint of the key that signed it; "" where none */
	double seconds;			/* from the start of the scan to the end of the capture */
};

/**
 * pipeline_run() - run @o into @run. Returns 0, or a negative errno with
 * @err saying why (a policy, a file, a read, a write). Free @run with
 * pipeline_free(), also after a failure.
 */
int pipeline_run(const struct ca_run_opts *o, struct ca_run *run, struct ca_err *err);

/**
 * pipeline_free() - release what pipeline_run() left in @run.
 */
void pipeline_free(struct ca_run *run);

/* What capaudit diff compares: each side a snapshot, a directory laid out like /proc, or "live". */
struct ca_diff_opts {
	const char *policy;		/* judges both sides; NULL: a snapshot by its own, others by the default */
	const char *default_policy;	/* the default file, else the built-in */
	const char *side[2];		/* OLD, NEW */
	struct ca_select select;
	enum ca_format format;
	bool color;
	const char *output;		/* NULL or "-" for standard output */
};

/* One side as read, for main to speak of. */
struct ca_diff_read {
	struct ca_scan scan;
	struct ca_audit audit;
	struct ca_policy *policy;	/* the one that judged it: its own, or the one named */
	char *source;			/* what was read, for messages */
	struct ca_host_ident ident;
	char when[32];
};

struct ca_diff_result {
	struct ca_diff_read side[2];
	struct ca_policy *named;	/* the policy named, which judged both */
	struct ca_diff diff;
	int drop_error, privs_error;	/* as in struct ca_run */
};

/**
 * pipeline_diff() - read both sides of @o (every file opened, then the
 * privileges dropped, then both scanned), judge each, compare them and
 * report the diff. Returns 0, or a negative errno with @err saying why.
 * Free @res with pipeline_diff_free(), also after a failure.
 */
int pipeline_diff(const struct ca_diff_opts *o, struct ca_diff_result *res, struct ca_err *err);

/**
 * pipeline_diff_free() - release what pipeline_diff() left in @res.
 */
void pipeline_diff_free(struct ca_diff_result *res);

#endif
