/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the snapshot reader, as `snapshot --verify` and `scan
 * --snapshot` run it on an archive from anywhere. The input is a file
 * descriptor of memory (memfd), read once for both: verified, then read in
 * place as a proc root and, where that succeeds, scanned, audited and
 * reported as main.c does. Nothing is written anywhere.
 *
 * Each input is reported in one of the five formats, chosen by a hash of
 * its bytes: a mutation lands in any of them, and an input found to break
 * one breaks it again. Writing four of them for every archive that replays
 * made the writers (json-c's above all) three quarters of its execution
 * (20,000 mutations of the tiny seed: 34 s, now 14 s). What is read is also
 * diffed, with itself and with nothing. One input in ALONE_EVERY, chosen by
 * the same hash, is also read as each command reads it alone (--verify
 * holding no member, a replay stopping at the first member it refuses),
 * which must say exactly what the one reading said.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit.h"
#include "diff.h"
#include "fuzz.h"
#include "report.h"
#include "snapread.h"

/*
 * Each input read alone costs two readings more: one in 64 keeps that to
 * a twentieth of the fuzzer's time (perf, the CI's 45 s from the seeds),
 * and replay_snapshot (make check) reads every input alone too.
 */
#ifndef ALONE_EVERY
#define ALONE_EVERY 64u
#endif

static FILE *devnull;
static int input = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	input = memfd_create("fuzz-snapshot", MFD_CLOEXEC);
	FUZZ_ASSERT(input >= 0);
	devnull = fopen("/dev/null", "we");
	FUZZ_ASSERT(devnull != NULL);
	return 0;
}

/* Over the last input, then cut to size: the memfd's pages are reused, not freed and faulted in again. */
static void write_input(const uint8_t *data, size_t size)
{
	FUZZ_ASSERT(pwrite(input, data, size, 0) == (ssize_t)size && ftruncate(input, (off_t)size) == 0);
}

static void rewind_input(void)
{
	FUZZ_ASSERT(lseek(input, 0, SEEK_SET) == 0);
}

/* What a reader made of an input: its status, its message, and a verification's report. */
struct outcome {
	int r;
	struct ca_err err;
	char *report;
	char source[256];		/* a replay's policy, by the name it had at capture */
};

static void verify(struct ca_snapread *snap, struct outcome *o)
{
	struct ca_verified v;
	int r;

	r = o->r = snapshot_read_verify(snap, NULL, &v, &o->err);
	if (r < 0) {
		FUZZ_ASSERT(v.report == NULL);
		FUZZ_TERMINATED(o->err.msg);
		FUZZ_ASSERT(o->err.msg[0] != '\0');
		snapshot_verified_free(&v);
		return;
	}
	FUZZ_ASSERT(r == CA_VERIFY_INTACT || r == CA_VERIFY_ALTERED);
	/* ALTERED always says what; INTACT has nothing to say. */
	FUZZ_ASSERT((r == CA_VERIFY_ALTERED) == (v.report && v.report[0]));
	o->report = steal_pointer(&v.report);
	snapshot_verified_free(&v);
}

/*
 * capaudit diff on what was read: the moment against itself changes
 * nothing; against an empty moment every container appeared and every
 * finding is new, and that diff is reported (text or JSON, by @format).
 */
static void diff_check(const struct ca_procroot *root, const struct ca_scan *scan, const struct ca_audit *audit,
		       const struct ca_policy *policy, const struct ca_capnames *names, enum ca_format format)
{
	static const struct ca_scan none_scan;
	static const struct ca_audit none_audit;
	struct ca_host_ident ident;
	const struct ca_diff_side side = {
		.source = "fuzz.tar", .when = "", .ident = &ident, .scan = scan, .audit = audit, .policy = policy,
	};
	const struct ca_diff_side none = {
		.source = "none", .when = "", .ident = &ident, .scan = &none_scan, .audit = &none_audit,
		.policy = policy,
	};
	struct ca_buf buf = { 0 };
	struct ca_diff d;
	size_t i, findings = 0;

	host_ident_read(root, &buf, &ident);
	buf_free(&buf);
	FUZZ_ASSERT(diff_run(&side, &side, &d) == 0);
	FUZZ_ASSERT(d.ncontainers == 0 && d.nfindings == 0 && !d.hosts_differ && !d.boots_differ &&
		    !d.policies_differ);
	diff_free(&d);
	FUZZ_ASSERT(diff_run(&none, &side, &d) == 0);
	for (i = 0; i < audit->ncontainers; i++)
		findings += audit->containers[i].nfindings;
	FUZZ_ASSERT(d.summary.appeared == scan->ncontainers && d.ncontainers == scan->ncontainers);
	FUZZ_ASSERT(d.summary.findings_resolved == 0 && d.summary.findings_new <= findings);
	if (format == CA_FMT_TEXT || format == CA_FMT_JSON) {
		const struct ca_diff_report rep = { .diff = &d, .old = &none, .new = &side, .names = names };

		FUZZ_ASSERT(report_diff_print(format, devnull, &rep) == 0);
	}
	diff_free(&d);
}

/* main.c's replay: the archive in place, the failures to give again, the captured policy. */
static void replay(struct ca_snapread *snap, enum ca_format format, struct outcome *o)
{
	struct ca_procroot root, host;
	struct ca_scan scan = { 0 };
	struct ca_scan_opts sopts = { .threads = true, .identity = true };
	struct ca_policy *policy = NULL;
	struct ca_audit audit = { 0 };
	struct ca_capnames names;
	struct ca_err err = { 0 };
	struct ca_report rep;

	o->r = snapshot_read_replay(snap, &root, &policy, &o->err);
	if (o->r < 0) {
		FUZZ_ASSERT(policy == NULL && root.tree == NULL && root.fd == -1);
		FUZZ_TERMINATED(o->err.msg);
		FUZZ_ASSERT(o->err.msg[0] != '\0');
		return;
	}
	FUZZ_ASSERT(policy != NULL);
	snprintf(o->source, sizeof(o->source), "%s", policy->source);
	/* the state files it holds, under host/: parsed as a scan of the live host parses them */
	FUZZ_ASSERT(snapshot_replay_host(&root, "fuzz.tar", &host, &err) == 0);
	sopts.host = procroot_is_open(&host) ? &host : NULL;
	if (scan_run(&root, &sopts, &scan, &err) < 0)
		goto out;
	FUZZ_ASSERT(caps_names_init(&names, scan.host.last_cap) == 0);
	FUZZ_ASSERT(audit_run(&scan, policy, &audit) == 0);
	FUZZ_ASSERT(audit.ncontainers == scan.ncontainers);
	FUZZ_ASSERT(audit.summary.containers == scan.ncontainers);
	FUZZ_ASSERT(audit.summary.passed + audit.summary.failed + audit.summary.unknown ==
		    audit.summary.containers);
	rep = (struct ca_report){
		.scan = &scan, .audit = &audit, .policy = policy, .names = &names,
		.source = "fuzz.tar", .duration = 0.5, .timestamp = 1700000000.0,
	};
	FUZZ_ASSERT(report_print(format, devnull, &rep) == 0);
	diff_check(&root, &scan, &audit, policy, &names, format);
out:
	audit_free(&audit);
	scan_free(&scan);
	policy_free(policy);
	procroot_close(&host);
	procroot_close(&root);
}

/*
 * A hash of the input, for the format it is reported in and whether it is
 * read alone too: FNV-1a of its size and of 16 bytes spread over it. Not
 * of every byte: each comparison of a loop over 32 KiB is traced for
 * coverage, which cost a fifth of an execution.
 */
static uint32_t hash_of(const uint8_t *data, size_t size)
{
	uint32_t h = (2166136261u ^ (uint32_t)size) * 16777619u;
	unsigned i;

	for (i = 0; size && i < 16; i++)
		h = (h ^ data[(size - 1) / 15 * i]) * 16777619u;	/* at most size - 1 */
	return h;
}

/*
 * The same status, and the same message where it failed; but for the
 * numbers in libarchive's account of a truncated archive ("needed 4096
 * bytes, only 2601 available"), which say how far it had read ahead: a
 * replay alone skips the manifest that a verification reads.
 */
static bool same(const struct outcome *o, int r, const struct ca_err *err)
{
	const char *a = o->err.msg, *b = err->msg;

	if (o->r != r)
		return false;
	if (r >= 0)
		return true;
	if (r != -EIO)
		return strcmp(a, b) == 0;
	for (;; a++, b++) {
		a += strspn(a, "0123456789");
		b += strspn(b, "0123456789");
		if (*a != *b)
			return false;
		if (!*a)
			return true;
	}
}

/* The input read by snapshot --verify alone, then by a replay alone: each says what @v and @p said. */
static void read_alone(const struct outcome *v, const struct outcome *p)
{
	struct ca_procroot root;
	struct ca_policy *policy = NULL;
	struct ca_verified ver;
	struct ca_err err = { 0 };
	int r;

	rewind_input();
	r = snapshot_verify(input, "fuzz.tar", NULL, &ver, &err);
	FUZZ_ASSERT(same(v, r, &err));
	FUZZ_ASSERT(!v->report == !ver.report && (!ver.report || strcmp(v->report, ver.report) == 0));
	snapshot_verified_free(&ver);
	memset(&err, 0, sizeof(err));
	rewind_input();
	r = snapshot_replay_open(input, "fuzz.tar", &root, &policy, &err);
	FUZZ_ASSERT(same(p, r, &err));
	FUZZ_ASSERT(r < 0 || strcmp(p->source, policy->source) == 0);
	policy_free(policy);
	procroot_close(&root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome v = { 0 }, p = { 0 };
	struct ca_snapread *snap;
	uint32_t h = hash_of(data, size);

	write_input(data, size);
	rewind_input();
	/* One reading for both, as scan --snapshot and snapshot --verify would each read it. */
	v.r = p.r = snapshot_read(input, "fuzz.tar", CA_SNAP_READ_VERIFY | CA_SNAP_READ_REPLAY, &snap, &v.err);
	if (v.r < 0) {
		FUZZ_ASSERT(snap == NULL);
		FUZZ_TERMINATED(v.err.msg);
		FUZZ_ASSERT(v.err.msg[0] != '\0');
		p.err = v.err;
	} else {
		verify(snap, &v);
		replay(snap, (enum ca_format)(h % CA_FMT_COUNT), &p);
		snapshot_read_free(snap);
	}
	if (h / CA_FMT_COUNT % ALONE_EVERY == 0)
		read_alone(&v, &p);
	free(v.report);
	return 0;
}
