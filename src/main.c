/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capaudit: the command line's commands. The only place that prints messages or picks the exit status. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "debug.h"
#include "esc.h"
#include "learnrun.h"
#include "pipeline.h"
#include "policy_ini.h"
#include "privs.h"
#include "runtime.h"
#include "snapread.h"
#include "snapsign.h"
#include "userfile.h"

#ifndef CAPAUDIT_POLICY_FILE
#define CAPAUDIT_POLICY_FILE "/etc/capaudit/policy.ini"
#endif

/* Exit status: 2 wins over 1, and 1 over 0 (and over 3). */
enum {
	EXIT_PASS = 0,
	EXIT_FINDINGS = 1,		/* snapshot --verify: altered */
	EXIT_TROUBLE = 2,
	EXIT_NOT_BY_KEY = 3,		/* snapshot --verify --key: intact, but not signed by that key */
};

static void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("capaudit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool want_color(const char *when, const char *path)
{
	const char *no = getenv("NO_COLOR");

	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0 || (no && *no) || (path && strcmp(path, "-") != 0))
		return false;
	return isatty(STDOUT_FILENO);
}

/*
 * Say exactly what the scan could not read: which processes (the first of
 * them), whose namespace links, what hidepid= hid. Returns true where
 * nothing at all could be read, which no report can make up for.
 */
static bool warn_unread(const struct ca_scan *scan, const char *path)
{
	const struct ca_counts *n = &scan->counts;
	size_t i, shown;

	if (n->unreadable) {
		fprintf(stderr, "capaudit: %zu process%s could not be read:", n->unreadable,
			n->unreadable == 1 ? "" : "es");
		shown = n->unreadable < CA_UNREADABLE_SHOWN ? n->unreadable : CA_UNREADABLE_SHOWN;
		for (i = 0; i < shown; i++)
			fprintf(stderr, "%s %s/%d/%s (%s)", i ? "," : "", path, (int)scan->unreadable[i].pid,
				scan->unreadable[i].file, strerror(-scan->unreadable[i].error));
		if (n->unreadable > shown)
			fprintf(stderr, ", and %zu more", n->unreadable - shown);
		fputc('\n', stderr);
	}
	if (scan->host.ns_denied) {
		warn_msg("the host's namespace links (%s/1/ns, %s/2/ns) could not be read (%s): whether "
			 "%zu container%s share%s the host's network, IPC, UTS and user namespaces was not "
			 "judged (that takes CAP_SYS_PTRACE)", path, path, strerror(EACCES), n->ns_denied,
			 n->ns_denied == 1 ? "" : "s", n->ns_denied == 1 ? "s" : "");
	} else if (n->ns_denied) {
		fprintf(stderr, "capaudit: whether %zu container%s share%s the host's network, IPC, UTS and user "
			"namespaces was not judged, for lack of permission to read their namespace links "
			"(that takes CAP_SYS_PTRACE):", n->ns_denied, n->ns_denied == 1 ? "" : "s",
			n->ns_denied == 1 ? "s" : "");
		for (i = 0, shown = 0; i < scan->ncontainers && shown < CA_UNREADABLE_SHOWN; i++) {
			const struct ca_container *c = &scan->containers[i];
			_cleanup_free_ char *id = NULL;

			if (!c->ns_denied)
				continue;
			id = esc_text(c->id, strlen(c->id));
			fprintf(stderr, "%s %s %s", shown++ ? "," : "", runtime_name(c->runtime),
				id ? id : "?");
		}
		if (n->ns_denied > shown)
			fprintf(stderr, ", and %zu more", n->ns_denied - shown);
		fputc('\n', stderr);
	}
	/* noaccess (1) lists the pids it refuses, counted above; the others hide them. */
	if (scan->host.hidepid_hides)
		warn_msg("%s is mounted with hidepid=%s: the processes of other users are %s uid %u", path,
			 scan->host.hidepid,
			 strcmp(scan->host.hidepid, "noaccess") == 0 || strcmp(scan->host.hidepid, "1") == 0
			 ? "unreadable to" : "hidden, uncounted, from", (unsigned)geteuid());
	if (n->processes > n->unreadable)
		return false;
	warn_msg("nothing could be read: %s", n->processes ? "every process was unreadable" : "no process");
	return true;
}

static int run_policy(const struct ca_cli *o)
{
	const char *path = o->policy_arg ? o->policy_arg : o->policy;
	struct ca_policy *p = NULL;
	struct ca_err err = { 0 };
	int status = EXIT_PASS;

	if (policy_load_named(path, CAPAUDIT_POLICY_FILE, &p, &err) < 0) {
		warn_msg("%s", err.msg);
		return EXIT_TROUBLE;
	}
	if (o->cmd == CA_CMD_POLICY_SHOW && policy_show(stdout, p) < 0)
		status = EXIT_TROUBLE;
	policy_free(p);
	return status;
}

/* "@what: @value", escaped: an archive from anywhere says what it likes. Nothing where it says nothing. */
static void show_field(const char *what, const char *value)
{
	_cleanup_free_ char *clean = value ? esc_text(value, strlen(value)) : NULL;

	if (value && *value)
		printf("%s: %s\n", what, clean ? clean : "?");
}

/* The verdict's line, last: whether intact, and whose signature it bears. */
static int say_verdict(const struct ca_cli *o, int verdict, const struct ca_verified *v,
		       const struct ca_snapkey *key)
{
	const char *fp = key ? snapsign_fingerprint(key) : NULL;

	switch (verdict) {
	case CA_VERIFY_ALTERED:
		printf("%s: ALTERED\n", o->archive);
		return EXIT_FINDINGS;
	case CA_VERIFY_NOT_BY_KEY:
		if (v->signer[0])
			printf("%s: intact, but NOT signed by %s (%s): signed by %s\n", o->archive, o->key, fp,
			       v->signer);
		else
			printf("%s: intact, but NOT signed, so not by %s (%s)\n", o->archive, o->key, fp);
		return EXIT_NOT_BY_KEY;
	}
	if (key)
		printf("%s: intact, signed by %s (%s)\n", o->archive, o->key, fp);
	else if (v->signer[0])
		printf("%s: intact; signed by %s, not checked: give --key\n", o->archive, v->signer);
	else
		printf("%s: intact\n", o->archive);
	return EXIT_PASS;
}

static int run_verify(const struct ca_cli *o)
{
	_cleanup_close_ int fd = -1;
	struct ca_snapkey *key = NULL;
	struct ca_err err = { 0 };
	struct ca_verified v = { 0 };
	int r = 0, status;

	if (o->key && strcmp(o->key, "-") == 0 && strcmp(o->archive, "-") == 0) {
		warn_msg("snapshot --verify -: the archive takes standard input; --key cannot");
		return EXIT_TROUBLE;
	}
	/* A key that is none stops the check before the archive is read. */
	if (o->key)
		r = snapsign_key_read(o->key, CA_KEY_PUBLIC, &key, &err);
	if (r == 0)
		r = userfile_open(o->archive, &fd, &err);
	if (r == 0)
		r = snapshot_verify(fd, o->archive, key, &v, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		snapshot_verified_free(&v);
		snapsign_key_free(key);
		return EXIT_TROUBLE;
	}
	/* What the capture says of itself first, the members that belie it, the verdict last. */
	show_field("host", v.meta.hostname);
	show_field("captured", v.meta.capture_start);
	show_field("case", v.meta.case_id);
	show_field("examiner", v.meta.examiner);
	show_field("note", v.meta.note);
	if (v.report)
		fputs(v.report, stdout);
	status = say_verdict(o, r, &v, key);
	snapshot_verified_free(&v);
	snapsign_key_free(key);
	return status;
}

/*
 * scan, and snapshot FILE (a scan whose every read is recorded into the
 * archive, its SHA-256 said on stderr for the case notes): one pipeline.
 */
static int run(const struct ca_cli *o, char *command_line)
{
	const bool capture = o->cmd == CA_CMD_SNAPSHOT;
	const struct ca_run_opts ro = {
		.policy = o->policy, .default_policy = CAPAUDIT_POLICY_FILE, .proc_root = o->proc_root,
		.host_root = o->host_root,
		.replay = o->snapshot, .scan = { .threads = o->threads }, .select = o->select,
		.report = !capture || o->format_given, .format = o->format, .text = &o->text,
		.output = o->output_file, .archive = capture ? o->archive : NULL, .compress = o->compress,
		.digest_file = o->digest_file, .no_cmdline = o->no_cmdline, .with_environ = o->with_environ,
		.command_line = command_line, .sign = o->sign, .case_id = o->case_id, .examiner = o->examiner,
		.note = o->note,
	};
	struct ca_err err = { 0 };
	struct ca_run r;
	int rc, status = EXIT_TROUBLE;

	if (capture && strcmp(o->archive, "-") == 0 &&
	    (o->format_given || (o->digest_file && strcmp(o->digest_file, "-") == 0))) {
		warn_msg("snapshot -: the archive takes standard output; no report or digest can");
		return EXIT_TROUBLE;
	}
	/* Every process's environment, through CAP_SYS_PTRACE: root's to take, not any caller's. */
	if (o->with_environ && privs_is_elevated()) {
		warn_msg("--with-environ reads the secrets of other users' processes: not with privileges "
			 "capaudit's caller does not hold (file capabilities, setuid)");
		return EXIT_TROUBLE;
	}
	rc = pipeline_run(&ro, &r, &err);
	if (r.drop_error)
		warn_msg("cannot drop privileges: %s", strerror(-r.drop_error));
	if (r.privs_error)
		warn_msg("cannot read the scanner's own privileges: %s", strerror(-r.privs_error));
	/* The line for the case notes: the case it is for, what the archive is, who signed it. */
	if (r.sha256[0])
		fprintf(stderr, "capaudit: snapshot %s: %s%s%ssha256 %s%s%s (%.3f s)\n", o->archive,
			o->case_id ? "case " : "", o->case_id ? o->case_id : "", o->case_id ? ", " : "",
			r.sha256, r.signer[0] ? ", signed by " : "", r.signer, r.seconds);
	if (rc < 0)
		warn_msg("%s", err.msg[0] ? err.msg : strerror(-rc));
	else if (warn_unread(&r.scan, r.source))
		;	/* nothing could be read: no report makes up for that */
	else if (o->strict && !capture && !r.audit.summary.complete)
		warn_msg("%s", "the audit is incomplete (--strict)");
	else
		status = r.audited && r.audit.summary.failed ? EXIT_FINDINGS : EXIT_PASS;
	pipeline_free(&r);
	return status;
}

/*
 * diff OLD NEW: what changed, and whether NEW holds a failing finding that
 * OLD did not. What could not be read on either side is said as a scan
 * says it; two hosts, two boots or two policies are said too, since each
 * changes what the diff can mean.
 */
static int run_diff(const struct ca_cli *o)
{
	const struct ca_diff_opts d = {
		.policy = o->policy, .default_policy = CAPAUDIT_POLICY_FILE, .side = { o->diff[0], o->diff[1] },
		.select = o->select, .format = o->format, .color = o->text.color, .output = o->output_file,
	};
	struct ca_diff_result res;
	struct ca_err err = { 0 };
	char *host[2], *boot[2], *pol[2];
	bool nothing = false;
	int rc, i, status = EXIT_TROUBLE;

	rc = pipeline_diff(&d, &res, &err);
	if (res.drop_error)
		warn_msg("cannot drop privileges: %s", strerror(-res.drop_error));
	if (rc < 0) {
		warn_msg("%s", err.msg[0] ? err.msg : strerror(-rc));
		pipeline_diff_free(&res);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < 2; i++)
		nothing |= warn_unread(&res.side[i].scan, res.side[i].source);
	/* A snapshot's hostname and boot id are the captured host's, and may be anything: escaped. */
	for (i = 0; i < 2; i++) {
		const struct ca_diff_read *s = &res.side[i];

		host[i] = esc_text(s->ident.hostname, strlen(s->ident.hostname));
		boot[i] = esc_text(s->ident.boot_id, strlen(s->ident.boot_id));
		pol[i] = esc_text(s->policy->source, strlen(s->policy->source));
	}
	if (res.diff.hosts_differ)
		warn_msg("the sides are two hosts (%s, %s): every container of one is new to the other",
			 host[0] ? host[0] : "?", host[1] ? host[1] : "?");
	else if (res.diff.boots_differ)
		warn_msg("the host was booted again between the sides (boot id %s, then %s): no process "
			 "is on both", boot[0] ? boot[0] : "?", boot[1] ? boot[1] : "?");
	if (res.diff.policies_differ)
		warn_msg("the sides were judged by different policies (%s, %s): findings may differ by "
			 "policy, not by host; --policy judges both by one", pol[0] ? pol[0] : "?",
			 pol[1] ? pol[1] : "?");
	for (i = 0; i < 2; i++) {
		free(host[i]);
		free(boot[i]);
		free(pol[i]);
	}
	if (!nothing)
		status = res.diff.summary.new_failing ? EXIT_FINDINGS : EXIT_PASS;
	pipeline_diff_free(&res);
	return status;
}

/* On a terminal, a line that says how far learning has got, rewritten in place. */
static void show_progress(void *ctx, const struct ca_learn_progress *p)
{
	(void)ctx;
	fprintf(stderr, "\rcapaudit: learning %3.0f/%.0f s: %" PRIu64 " events, %" PRIu64 " checks, %zu container%s%s"
		"\033[K", p->elapsed, p->duration, p->events, p->checks, p->containers, p->containers == 1 ? "" : "s",
		p->lost ? ", EVENTS LOST" : "");
	fflush(stderr);
}

/*
 * learn: watch the kernel's capability checks, then each container's needs
 * and least set. 2 where it could not watch (no tracepoint, no tracefs, no
 * privilege) or not write; with --strict also where events were lost.
 */
static int run_learn(const struct ca_cli *o)
{
	const struct ca_learn_opts lo = {
		.policy = o->policy, .default_policy = CAPAUDIT_POLICY_FILE, .host_root = o->host_root,
		.duration = o->duration, .select = o->select, .buffer_kb = o->buffer_kb,
		.tracefs = getenv("CAPAUDIT_TRACEFS"), .format = o->format, .noise = o->noise,
		.output = o->output_file, .policy_out = o->policy_out,
		.progress = isatty(STDERR_FILENO) ? show_progress : NULL,
	};
	struct ca_learn_run run;
	struct ca_err err = { 0 };
	int r, status = EXIT_TROUBLE;

	r = learnrun_run(&lo, &run, &err);
	if (lo.progress && run.watched)
		fputs("\r\033[K", stderr);
	if (r < 0) {
		warn_msg("%s", err.msg[0] ? err.msg : strerror(-r));
	} else {
		if (run.trace.lost)
			warn_msg("%" PRIu64 " events were lost (the ring buffers were full): a need may be missing from "
				 "a least set; a larger --buffer-size keeps more", run.trace.lost);
		if (run.trace.stale_removed)
			warn_msg("removed %u ftrace instance%s that killed runs left", run.trace.stale_removed,
				 run.trace.stale_removed == 1 ? "" : "s");
		status = o->strict && run.trace.lost ? EXIT_TROUBLE : EXIT_PASS;
	}
	learnrun_free(&run);
	return status;
}

int main(int argc, char **argv)
{
	struct ca_cli o;
	struct ca_err err = { 0 };
	char *command_line;
	int status;

	setlocale(LC_ALL, "");
	if (getenv("CAPAUDIT_DEBUG") && debug_set(getenv("CAPAUDIT_DEBUG")) < 0)
		warn_msg("CAPAUDIT_DEBUG: '%s' is not attrib, learn or all: ignored", getenv("CAPAUDIT_DEBUG"));
	if (cli_parse(argc, argv, &o, &err) < 0) {
		warn_msg("%s", err.msg);
		fputs("Try 'capaudit --help' for more information.\n", stderr);
		return EXIT_TROUBLE;
	}
	o.text.color = want_color(o.color, o.output_file);
	command_line = cli_command_line(argc, argv);
	switch (o.cmd) {
	case CA_CMD_HELP:
		cli_usage(stdout);
		status = EXIT_PASS;
		break;
	case CA_CMD_VERSION:
		printf("capaudit (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		status = EXIT_PASS;
		break;
	case CA_CMD_LIST_COLUMNS:
		status = report_text_list_columns(stdout) < 0 ? EXIT_TROUBLE : EXIT_PASS;
		break;
	case CA_CMD_POLICY_CHECK:
	case CA_CMD_POLICY_SHOW:
		status = run_policy(&o);
		break;
	case CA_CMD_VERIFY:
		status = run_verify(&o);
		break;
	case CA_CMD_DIFF:
		status = run_diff(&o);
		break;
	case CA_CMD_LEARN:
		status = run_learn(&o);
		break;
	case CA_CMD_SCAN:
	case CA_CMD_SNAPSHOT:
	default:
		status = run(&o, command_line);
		break;
	}
	free(command_line);
	/* A report that did not reach its reader is an I/O error (close_stdout). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn_msg("write error: %s", strerror(errno));
		status = EXIT_TROUBLE;
	}
	return status;
}
