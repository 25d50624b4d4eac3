/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pipeline: open everything, drop what is not needed, read, judge, report. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* What is read: a snapshot in place (judged by its own policy unless one was named), or a proc root. */
static int open_source(const struct ca_run_opts *o, struct stages *s, struct ca_err *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!o->replay)
		return procroot_open(&s->root, o->proc_root, err);
	r = userfile_open(o->replay, &fd, err);
	return r < 0 ? r : snapshot_replay_open(fd, o->replay, &s->root, &s->policy, err);
}

/* Keep what reading and renaming the outputs into place take, and read back what is held. */
static void drop_privileges(const struct stages *s, struct ca_run *run)
{
	const struct ca_rename renames[] = {
		{ s->out.tmp ? s->out.dirfd : -1, s->out.name },
		{ s->digest.tmp ? s->digest.dirfd : -1, s->digest.name },
	};
	enum ca_reading reading = s->root.tree ? CA_READ_MEMORY : s->root.live ? CA_READ_PROCFS : CA_READ_FILES;

	/* A drop the kernel refuses (capset filtered by seccomp) is said, not fatal. */
	run->drop_error = privs_drop(privs_plan(reading, renames, ARRAY_SIZE(renames)));
	run->privs_error = privs_read(&run->scanner);
	run->scanner_known = run->privs_error == 0;
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
	struct stages s = { .root = { .fd = -1 }, .out = { .dirfd = -1 }, .digest = { .dirfd = -1 } };
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
	drop_privileges(&s, run);
	s.root.rec = s.capture ? snapshot_recorder(s.capture) : NULL;
	wall = now(CLOCK_REALTIME);
	started = now(CLOCK_MONOTONIC);
	r = scan_run(&s.root, &o->scan, &run->scan, err);
	if (r == 0 && s.capture)
		r = finish_capture(o, &s, run, started, err);
	if (r == 0 && o->report && !run->nothing_read)
		r = report(o, &s, run, started, wall, err);
out:
	snapshot_abort(s.capture);
	userfile_output_close(&s.out, false);
	userfile_output_close(&s.digest, false);
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
