/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capaudit learn, from start to end: the tracer opened, the processes
 * alive scanned and handed to the engine, the checks read until the
 * duration ends or the caller says stop, a last scan for the names and
 * sets each container holds, and each container's result.
 */
#ifndef CAPAUDIT_LEARNRUN_H
#define CAPAUDIT_LEARNRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "captrace.h"
#include "learn.h"
#include "report.h"
#include "scan.h"
#include "select.h"
#include "util.h"

/* How far a run has got, for a progress line. */
struct ca_learn_progress {
	double elapsed, duration;	/* seconds */
	uint64_t events, checks, lost;
	size_t containers;		/* containers whose processes were seen */
};

struct ca_learn_opts {
	const char *policy;		/* --policy-out's base: a file, "built-in", or NULL for the default */
	const char *default_policy;	/* that default file, else the built-in */
	const char *host_root;		/* the runtimes' state files under it; NULL: the live host's */
	double duration;		/* seconds */
	struct ca_select select;
	unsigned buffer_kb;		/* per CPU, 0 for the default */
	const char *tracefs;		/* where tracefs is mounted, or NULL to find it */
	enum ca_format format;		/* text or json */
	bool noise;			/* text: the probes and the runtime's checks too */
	const char *output;		/* the report's file: NULL or "-" for standard output */
	const char *policy_out;		/* the learned policy's file, or NULL */
	void (*progress)(void *ctx, const struct ca_learn_progress *p);	/* about once a second, or NULL */
	void *ctx;
};

/* One container's result: what learning saw, beside what the scans found of it. */
struct ca_learn_item {
	const struct ca_learned *learned;
	const struct ca_container *ctr;	/* the last scan's, else the first's; NULL where neither saw it */
	bool held_known;
	uint64_t held;			/* the bounding sets of its processes, as the scan read them */
	uint64_t least;			/* learn_least() */
	uint64_t denied;		/* learn_denied() */
};

struct ca_learn_run {
	struct ca_scan first, last;	/* at the start and at the end */
	struct ca_learn *engine;
	struct ca_learn_item *items;	/* the containers selected, in the order of scan_container_order() */
	size_t nitems;
	struct ca_learn_counts counts;
	struct ca_trace_counts trace;
	double seconds;			/* watched */
	bool watched;			/* the watch began (a progress line may be on the terminal) */
	bool stopped;			/* ended early by SIGINT, SIGTERM or SIGHUP */
};

/**
 * learnrun_run() - run @o into @run: the policy and the outputs opened
 * first (a mistake costs no minute of watching), the watch (which SIGINT,
 * SIGTERM and SIGHUP end early: their handlers are learn's while it
 * watches), the report and the learned policy written. Returns 0, or a negative errno with @err
 * saying why (a policy, no tracepoint, no tracefs, no privilege, a read, a
 * write); the ftrace instance is removed whatever happens. Free @run with
 * learnrun_free(), also after a failure.
 */
int learnrun_run(const struct ca_learn_opts *o, struct ca_learn_run *run, struct ca_err *err);

/**
 * learnrun_free() - release what learnrun_run() left in @run.
 */
void learnrun_free(struct ca_learn_run *run);

#endif
