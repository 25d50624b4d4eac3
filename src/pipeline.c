/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pipeline: open everything, drop what is not needed, read, judge, report. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pipeline.h"
#include "policy_ini.h"
#include "procroot.h"
#include "snapread.h"
#include "snapshot.h"
#include "userfile.h"

/* Everything open for a run, closed whatever happens. */
struct stages {
	struct ca_policy *policy;
	struct ca_procroot root;
	struct ca_procroot host;	/* the runtimes' state files; fd -1 and no tree where none are read */
	struct ca_output out, digest;
	struct ca_snapshot *capture;
	struct ca_snapkey *key;		/* signs the capture */
};

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The proc root and the host root of @replay (a snapshot: both in place),
 * @host_root (a host's root mounted there: its proc/ unless @proc_root says
 * otherwise, and its state files), @proc_root alone (a copy of a /proc,
 * whose host's files are not here), or the live host. Both are closed by
 * the caller, whatever this returns.
 */
static int open_roots(const char *replay, const char *host_root, const char *proc_root, struct ca_policy **policy,
		      struct ca_procroot *root, struct ca_procroot *host, struct ca_err *err)
{
	_cleanup_free_ char *proc = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	*host = (struct ca_procroot){ .fd = -1 };
	if (replay) {
		r = userfile_open(replay, &fd, err);
		if (r == 0)
			r = snapshot_replay_open(fd, replay, root, policy, err);
		return r < 0 ? r : snapshot_replay_host(root, replay, host, err);
	}
	if (host_root && !proc_root && asprintf(&proc, "%s/proc", host_root) < 0)
		return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	r = procroot_open(root, proc_root ? proc_root : proc, err);
	if (r == 0 && (host_root || !proc_root))
		r = procroot_open_host(host, host_root, err);
	return r;
}

/* What is read: a snapshot in place (judged by its own policy unless one was named), or a proc root. */
static int open_source(const struct ca_run_opts *o, struct stages *s, struct ca_err *err)
{
	return open_roots(o->replay, o->host_root, o->proc_root, &s->policy, &s->root, &s->host, err);
}

/* Keep what @reading and renaming the outputs into place take, and read back what is held. */
static void drop_privileges(enum ca_reading reading, const struct ca_output *out, const struct ca_output *digest,
			    int *drop_error, int *privs_error, struct ca_privs *held)
{
	const struct ca_rename renames[] = {
		{ out->tmp ? out->dirfd : -1, out->name },
		{ digest && digest->tmp ? digest->dirfd : -1, digest ? digest->name : NULL },
	};

	/* A drop the kernel refuses (capset filtered by seccomp) is said, not fatal. */
	*drop_error = privs_drop(privs_plan(reading, renames, ARRAY_SIZE(renames)));
	*privs_error = held ? privs_read(held) : 0;
}

static enum ca_reading reading_of(const struct ca_procroot *root)
{
	return root->tree ? CA_READ_MEMORY : root->live ? CA_READ_PROCFS : CA_READ_FILES;
}

/* The capture's end: the archive whole and in place, its digest where asked. */
static int finish_capture(const struct ca_run_opts *o, struct stages *s, struct ca_run *run,
			  double started, struct ca_err *err)
{
	unsigned char sha[CA_SHA256_LEN];
	int r = snapshot_close(steal_pointer(&s->capture), &s->root, &run->scan, s->policy, sha, err);

	s->root.rec = NULL;
	if (r == 0 && (r = userfile_output_close(&s->out, true)) < 0)
		err_set(err, r, "%s: cannot write: %s", o->archive, strerror(-r));
	if (r < 0)
		return r;
	run->seconds = now(CLOCK_MONOTONIC) - started;
	/* Nothing read is no capture to vouch for: main says so, and nothing more is written. */
	run->nothing_read = run->scan.counts.processes <= run->scan.counts.unreadable;
	if (run->nothing_read)
		return 0;
	util_hex(sha, sizeof(sha), run->sha256);
	if (s->key)
		snprintf(run->signer, sizeof(run->signer), "%s", snapsign_fingerprint(s->key));
	if (!o->digest_file)
		return 0;
	r = fprintf(s->digest.f, "%s  %s\n", run->sha256, o->archive) < 0 ? -EIO
	  : userfile_output_close(&s->digest, true);
	return r < 0 ? err_set(err, r, "cannot write %s: %s", o->digest_file, strerror(-r)) : 0;
}

static int report(const struct ca_run_opts *o, struct stages *s, struct ca_run *run, double started,
		  double wall, struct ca_err *err)
{
	struct ca_capnames names;
	struct ca_report rep;
	FILE *to = o->archive ? stdout : s->out.f;
	int r;

	/* A capture's report is of the whole moment captured, as read. */
	if (!o->archive)
		select_apply(&run->scan, &o->select);
	r = caps_names_init(&names, run->scan.host.last_cap);
	if (r == 0)
		r = audit_run(&run->scan, s->policy, &run->audit);
	run->audited = r == 0;
	if (r < 0)
		return err_set(err, r, "%s", strerror(-r));
	rep = (struct ca_report){
		.scan = &run->scan, .audit = &run->audit, .policy = s->policy, .names = &names,
		.source = o->archive ? "live" : o->replay ? o->replay : o->proc_root ? o->proc_root : "live",
		.duration = now(CLOCK_MONOTONIC) - started, .timestamp = wall, .text = o->text,
		.scanner = run->scanner_known ? &run->scanner : NULL,
	};
	r = report_print(o->format, to, &rep);
	if (r == 0 && !o->archive)
		r = userfile_output_close(&s->out, true);
	if (r < 0)
		return err_set(err, r, "cannot write the report%s%s: %s", s->out.path ? " to " : "",
			       s->out.path ? s->out.path : "", strerror(-r));
	return 0;
}

int pipeline_run(const struct ca_run_opts *o, struct ca_run *run, struct ca_err *err)
{
	struct stages s = {
		.root = { .fd = -1 }, .host = { .fd = -1 }, .out = { .dirfd = -1 }, .digest = { .dirfd = -1 },
	};
	struct ca_scan_opts scan = o->scan;
	double started, wall;
	int r;

	memset(run, 0, sizeof(*run));
	/* A mistake in the policy stops everything before anything is read. */
	r = o->policy || !o->replay ? policy_load_named(o->policy, o->default_policy, &s.policy, err) : 0;
	/* And so does a key that cannot sign: read before the outputs, it leaves nothing behind. */
	if (r == 0 && o->archive && o->sign)
		r = snapsign_key_read(o->sign, CA_KEY_PRIVATE, &s.key, err);
	if (r == 0)
		r = open_source(o, &s, err);
	if (r == 0 && !(run->source = strdup(s.root.path)))
		r = err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	/* The outputs are opened before the scan, so that they cannot fail after it. */
	if (r == 0)
		r = userfile_output_open(&s.out, o->archive ? o->archive : o->output, err);
	if (r == 0 && o->digest_file)
		r = userfile_output_open(&s.digest, o->digest_file, err);
	if (r == 0 && o->archive) {
		const struct ca_snapshot_opts snap = {
			.fd = fileno(s.out.f), .name = o->archive, .compress = o->compress,
			.no_cmdline = o->no_cmdline, .with_environ = o->with_environ,
			.command_line = o->command_line, .sign = s.key, .case_id = o->case_id,
			.examiner = o->examiner, .note = o->note,
		};

		r = snapshot_open(&s.capture, &snap, err);
	}
	if (r < 0)
		goto out;
	drop_privileges(reading_of(&s.root), &s.out, &s.digest, &run->drop_error, &run->privs_error, &run->scanner);
	run->scanner_known = run->privs_error == 0;
	s.root.rec = s.host.rec = s.capture ? snapshot_recorder(s.capture) : NULL;
	scan.host = procroot_is_open(&s.host) ? &s.host : NULL;
	wall = now(CLOCK_REALTIME);
	started = now(CLOCK_MONOTONIC);
	r = scan_run(&s.root, &scan, &run->scan, err);
	if (r == 0 && s.capture)
		r = finish_capture(o, &s, run, started, err);
	if (r == 0 && o->report && !run->nothing_read)
		r = report(o, &s, run, started, wall, err);
out:
	snapshot_abort(s.capture);
	userfile_output_close(&s.out, false);
	userfile_output_close(&s.digest, false);
	procroot_close(&s.host);		/* before the root, whose tree it may borrow */
	procroot_close(&s.root);
	policy_free(s.policy);
	snapsign_key_free(s.key);
	return r;
}

void pipeline_free(struct ca_run *run)
{
	audit_free(&run->audit);
	scan_free(&run->scan);
	free(run->source);
	memset(run, 0, sizeof(*run));
}

/* One side of a diff, open: what is read, and the policy it holds where it holds one. */
struct diff_stage {
	struct ca_procroot root;
	struct ca_procroot host;
	struct ca_policy *held;		/* a snapshot's own */
};

/*
 * "live", a host root (a directory that holds proc/, as --host-root), a
 * directory laid out like /proc (as --proc-root, which holds no proc/), or a
 * snapshot. The stat() only chooses the opener: each opens by its own rule
 * (src/userfile.c), so that a path swapped meanwhile is refused there.
 */
static int open_side(const char *what, struct ca_policy *named, struct diff_stage *st, struct ca_err *err)
{
	_cleanup_free_ char *proc = NULL;
	struct ca_policy *policy = named;
	struct stat sb;
	int r;

	if (strcmp(what, "live") == 0)
		return open_roots(NULL, NULL, NULL, NULL, &st->root, &st->host, err);
	if (strcmp(what, "-") != 0 && stat(what, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (asprintf(&proc, "%s/proc", what) < 0)
			return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
		if (lstat(proc, &sb) == 0 && S_ISDIR(sb.st_mode))
			return open_roots(NULL, what, NULL, NULL, &st->root, &st->host, err);
		return open_roots(NULL, NULL, what, NULL, &st->root, &st->host, err);
	}
	/* A policy named judges both sides: then the archive's is not even read. */
	r = open_roots(what, NULL, NULL, &policy, &st->root, &st->host, err);
	if (!named)
		st->held = policy;
	return r;
}

static void utc_now(char *out, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
}

/* Read, select and judge one side. */
static int read_side(const struct ca_diff_opts *o, struct diff_stage *st, struct ca_diff_read *rd,
		     struct ca_err *err)
{
	const struct ca_scan_opts scan = { .identity = true, .host = procroot_is_open(&st->host) ? &st->host : NULL };
	struct ca_buf buf = { 0 };
	int r;

	r = scan_run(&st->root, &scan, &rd->scan, err);
	if (r < 0)
		return r;
	select_apply(&rd->scan, &o->select);
	host_ident_read(&st->root, &buf, &rd->ident);
	buf_free(&buf);
	if (st->root.tree)
		snapshot_replay_when(&st->root, rd->when, sizeof(rd->when));
	else if (st->root.live)
		utc_now(rd->when, sizeof(rd->when));
	r = audit_run(&rd->scan, rd->policy, &rd->audit);
	return r < 0 ? err_set(err, r, "%s", strerror(-r)) : 0;
}

int pipeline_diff(const struct ca_diff_opts *o, struct ca_diff_result *res, struct ca_err *err)
{
	struct diff_stage st[2] = { { .root = { .fd = -1 }, .host = { .fd = -1 } },
				    { .root = { .fd = -1 }, .host = { .fd = -1 } } };
	struct ca_output out = { .dirfd = -1 };
	struct ca_policy *named = NULL;
	enum ca_reading reading = CA_READ_MEMORY;
	struct ca_capnames names;
	struct ca_privs held;
	struct ca_diff_side sides[2];
	int i, r = 0;

	memset(res, 0, sizeof(*res));
	if (strcmp(o->side[0], "-") == 0 && strcmp(o->side[1], "-") == 0)
		return err_set(err, -EINVAL, "diff: standard input can be one side, not both");
	/* A policy named stops everything before anything is read, as in a scan. */
	if (o->policy)
		r = policy_load_named(o->policy, o->default_policy, &res->named, err);
	named = res->named;
	for (i = 0; r == 0 && i < 2; i++) {
		struct ca_diff_read *rd = &res->side[i];

		r = open_side(o->side[i], named, &st[i], err);
		if (r < 0)
			break;
		if (!(rd->source = strdup(st[i].root.path))) {
			r = err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
			break;
		}
		/* Judged by the policy named, else a snapshot's own, else the default file or the built-in. */
		if (named) {
			rd->policy = named;
		} else if (st[i].held) {
			rd->policy = steal_pointer(&st[i].held);
		} else {
			r = policy_load_named(NULL, o->default_policy, &rd->policy, err);
		}
		/* enum ca_reading goes from what takes most (the kernel's /proc) to least */
		if (reading_of(&st[i].root) < reading)
			reading = reading_of(&st[i].root);
	}
	if (r == 0)
		r = userfile_output_open(&out, o->output, err);
	if (r < 0)
		goto out;
	drop_privileges(reading, &out, NULL, &res->drop_error, &res->privs_error, &held);
	for (i = 0; r == 0 && i < 2; i++)
		r = read_side(o, &st[i], &res->side[i], err);
	for (i = 0; r == 0 && i < 2; i++)
		sides[i] = (struct ca_diff_side){
			.source = o->side[i], .when = res->side[i].when, .ident = &res->side[i].ident,
			.scan = &res->side[i].scan, .audit = &res->side[i].audit, .policy = res->side[i].policy,
		};
	if (r == 0 && (r = diff_run(&sides[0], &sides[1], &res->diff)) < 0)
		err_set(err, r, "%s", strerror(-r));
	if (r == 0)
		r = caps_names_init(&names, res->side[0].scan.host.last_cap > res->side[1].scan.host.last_cap
					    ? res->side[0].scan.host.last_cap : res->side[1].scan.host.last_cap);
	if (r == 0) {
		const struct ca_diff_report rep = {
			.diff = &res->diff, .old = &sides[0], .new = &sides[1], .names = &names, .color = o->color,
		};

		r = report_diff_print(o->format, out.f, &rep);
		if (r == 0)
			r = userfile_output_close(&out, true);
		if (r < 0)
			err_set(err, r, "cannot write the diff%s%s: %s", out.path ? " to " : "",
				out.path ? out.path : "", strerror(-r));
	}
out:
	userfile_output_close(&out, false);
	for (i = 0; i < 2; i++) {
		procroot_close(&st[i].host);
		procroot_close(&st[i].root);
		policy_free(st[i].held);
	}
	return r;
}

void pipeline_diff_free(struct ca_diff_result *res)
{
	int i;

	diff_free(&res->diff);
	for (i = 0; i < 2; i++) {
		audit_free(&res->side[i].audit);
		scan_free(&res->side[i].scan);
		if (res->side[i].policy != res->named)
			policy_free(res->side[i].policy);
		free(res->side[i].source);
	}
	policy_free(res->named);
	memset(res, 0, sizeof(*res));
}
