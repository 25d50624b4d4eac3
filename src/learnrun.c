/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capaudit learn: trace, seed, watch, scan again, and each container's result. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learn_policy.h"
#include "learnrun.h"
#include "policy_ini.h"
#include "procroot.h"
#include "userfile.h"

/* How often the ring buffers are read: far less often than they fill at the benchmark's rate. */
#define READ_EVERY_NS (250 * 1000000L)

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Ctrl-C, a kill or a hang-up ends the watch early: the report still comes,
 * the instance still goes. Without SA_RESTART, the sleep between two reads
 * ends at once.
 */
static void catch_stop(bool on)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_stop : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

struct reader {
	const struct ca_procroot *root;
	struct ca_buf buf;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where a process learning never saw start is, and its name: its cgroup and comm files, now. */
static int place(void *ctx, pid_t pid, struct ca_attrib *out, char comm[CA_COMM_LEN])
{
	struct reader *rd = ctx;
	char rel[64];
	ssize_t n;
	int r = procroot_pid_rel(rel, sizeof(rel), pid, "cgroup");

	if (r < 0)
		return r;
	n = procroot_read(rd->root, rel, &rd->buf);
	if (n < 0)
		return (int)n;
	cgroup_parse(rd->buf.data, (size_t)n, out);
	comm[0] = '\0';
	if (procroot_pid_rel(rel, sizeof(rel), pid, "comm") == 0 &&
	    (n = procroot_read(rd->root, rel, &rd->buf)) > 0) {
		n = rd->buf.data[n - 1] == '\n' ? n - 1 : n;
		snprintf(comm, CA_COMM_LEN, "%.*s", (int)n, rd->buf.data);
	}
	return 0;
}

static int on_event(void *ctx, const struct ca_tev *ev)
{
	return learn_event(ctx, ev);
}

/* Every process of the first scan's containers, handed to the engine where it is. */
static int seed(struct ca_learn *l, const struct ca_scan *scan)
{
	size_t i, j;
	int r;

	for (i = 0; i < scan->ncontainers; i++) {
		const struct ca_container *c = &scan->containers[i];

		for (j = 0; j < c->nprocs; j++) {
			r = learn_seed(l, c->procs[j].pid, c->runtime, c->id,
				       c->procs[j].st.known & STATUS_NAME ? c->procs[j].st.name : "");
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static const struct ca_container *find(const struct ca_scan *scan, enum ca_runtime rt, const char *id)
{
	size_t i;

	for (i = 0; i < scan->ncontainers; i++)
		if (scan->containers[i].runtime == rt && strcmp(scan->containers[i].id, id) == 0)
			return &scan->containers[i];
	return NULL;
}

static void held_of(struct ca_learn_item *it)
{
	size_t i;

	it->held_known = false;
	it->held = 0;
	for (i = 0; it->ctr && i < it->ctr->nprocs; i++) {
		const struct ca_capsets *cs = &it->ctr->procs[i].st.caps;

		if (!caps_set_is_known(cs, CA_SET_BOUNDING))
			continue;
		it->held |= cs->mask[CA_SET_BOUNDING];
		it->held_known = true;
	}
}

static int item_order(const void *a, const void *b)
{
	const struct ca_learn_item *x = a, *y = b;
	int r = strcmp(runtime_name(x->learned->runtime), runtime_name(y->learned->runtime));

	return r ? r : strcmp(x->learned->id, y->learned->id);
}

/* The containers selected, each with what the scans say of it. */
static int results(const struct ca_learn_opts *o, struct ca_learn_run *run)
{
	size_t n, i;
	const struct ca_learned *l = learn_results(run->engine, &n);

	run->items = calloc(n ? n : 1, sizeof(*run->items));
	if (!run->items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct ca_learn_item *it = &run->items[run->nitems];

		it->learned = &l[i];
		it->ctr = find(&run->last, l[i].runtime, l[i].id);
		if (!it->ctr)
			it->ctr = find(&run->first, l[i].runtime, l[i].id);
		/* A cgroup of ctr's shape that no scan confirmed is the host's own (a session's, say). */
		if (l[i].candidate && !it->ctr) {
			run->counts.contained -= l[i].checks;
			continue;
		}
		if (!select_matches(&o->select, l[i].runtime, l[i].id, it->ctr ? it->ctr->workload.name : NULL))
			continue;
		held_of(it);
		it->least = learn_least(&l[i]);
		it->denied = learn_denied(&l[i]);
		run->nitems++;
	}
	qsort(run->items, run->nitems, sizeof(run->items[0]), item_order);
	return 0;
}

static int watch(const struct ca_learn_opts *o, struct ca_tracer *t, struct ca_learn_run *run,
		 struct ca_err *err)
{
	const double start = now();
	double last_progress = -1, elapsed;
	int r;

	for (;;) {
		r = captrace_read(t, false, on_event, run->engine, err);
		if (r < 0)
			return r;
		elapsed = now() - start;
		if (o->progress && elapsed - last_progress >= 1.0) {
			const struct ca_learn_counts *lc = learn_counts(run->engine);
			const struct ca_trace_counts *tc = captrace_counts(t);
			size_t nctrs;
			struct ca_learn_progress p = {
				.elapsed = elapsed, .duration = o->duration, .events = lc->events,
				.checks = lc->checks, .lost = tc->lost,
			};

			learn_results(run->engine, &nctrs);
			p.containers = nctrs;
			o->progress(o->ctx, &p);
			last_progress = elapsed;
		}
		if (elapsed >= o->duration || stop)
			break;
		{
			double left = o->duration - elapsed;
			struct timespec ts = { 0, READ_EVERY_NS };

			if (left < 0.25)
				ts.tv_nsec = (long)(left * 1e9);
			/* a signal ends the sleep early, and the loop sees stop */
			nanosleep(&ts, NULL);
		}
	}
	run->stopped = stop && elapsed < o->duration;
	run->seconds = elapsed;
	captrace_stop(t);
	return captrace_read(t, true, on_event, run->engine, err);
}

/* The watch: the tracer, the first scan, the checks, the last scan, and each container's result. */
static int learn(const struct ca_learn_opts *o, struct ca_learn_run *run, struct ca_err *err)
{
	struct ca_procroot root = { .fd = -1 }, host = { .fd = -1 };
	const struct ca_tracer_opts to = { .buffer_kb = o->buffer_kb, .tracefs = o->tracefs };
	struct reader rd = { .root = &root };
	const struct ca_learn_reads reads = { .place = place, .ctx = &rd };
	struct ca_scan_opts so = { 0 };
	struct ca_tracer *t = NULL;
	int r;

	r = procroot_open(&root, NULL, err);
	if (r == 0)
		r = procroot_open_host(&host, o->host_root, err);
	so.host = procroot_is_open(&host) ? &host : NULL;
	/* Recording starts before the first scan: a process started between the two is in both. */
	if (r == 0)
		r = captrace_open(&to, &t, err);
	if (r == 0 && !(run->engine = learn_new(&reads)))
		r = err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	if (r == 0)
		r = scan_run(&root, &so, &run->first, err);
	if (r == 0 && (r = seed(run->engine, &run->first)) < 0)
		err_set(err, r, "%s", strerror(-r));
	if (r == 0) {
		run->watched = true;
		stop = 0;
		catch_stop(true);
		r = watch(o, t, run, err);
		catch_stop(false);
	}
	if (t) {
		run->trace = *captrace_counts(t);
		captrace_close(t);
	}
	/* The last scan names the containers that started meanwhile and reads what each holds now. */
	if (r == 0)
		r = scan_run(&root, &so, &run->last, err);
	if (r == 0) {
		run->counts = *learn_counts(run->engine);
		r = results(o, run);
		if (r < 0)
			err_set(err, r, "%s", strerror(-r));
	}
	buf_free(&rd.buf);
	procroot_close(&host);
	procroot_close(&root);
	return r;
}

static int report(const struct ca_learn_opts *o, const struct ca_learn_run *run, struct ca_output *out,
		  struct ca_err *err)
{
	struct ca_capnames names;
	int r = caps_names_init(&names, run->last.host.last_cap);

	if (r == 0) {
		const struct ca_learn_report rep = { .run = run, .names = &names, .noise = o->noise };

		r = report_learn_print(o->format, out->f, &rep);
	}
	if (r == 0)
		r = userfile_output_close(out, true);
	if (r < 0)
		return err_set(err, r, "cannot write the report%s%s: %s", out->path ? " to " : "",
			       out->path ? out->path : "", strerror(-r));
	return 0;
}

int learnrun_run(const struct ca_learn_opts *o, struct ca_learn_run *run, struct ca_err *err)
{
	struct ca_output out = { .dirfd = -1 }, pout = { .dirfd = -1 };
	struct ca_policy *policy = NULL, *learned = NULL;
	int r;

	memset(run, 0, sizeof(*run));
	/* The policy and both outputs before anything is watched: a mistake costs no minute of learning. */
	r = o->policy_out ? policy_load_named(o->policy, o->default_policy, &policy, err) : 0;
	if (r == 0)
		r = userfile_output_open(&out, o->output, err);
	if (r == 0 && o->policy_out)
		r = userfile_output_open(&pout, o->policy_out, err);
	if (r == 0)
		r = learn(o, run, err);
	if (r == 0)
		r = report(o, run, &out, err);
	if (r == 0 && o->policy_out)
		r = learn_policy_build(policy, run, &learned, err);
	if (r == 0 && o->policy_out)
		r = learn_policy_write(learned, &pout, err);
	userfile_output_close(&out, false);
	userfile_output_close(&pout, false);
	policy_free(learned);
	policy_free(policy);
	return r;
}

void learnrun_free(struct ca_learn_run *run)
{
	free(run->items);
	learn_free(run->engine);
	scan_free(&run->first);
	scan_free(&run->last);
	memset(run, 0, sizeof(*run));
}
