/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tracer: an ftrace instance of capaudit's own that records the
 * kernel's capability checks (capability:cap_capable, Linux 6.14+) with
 * their call paths, and the process events that attribute them (fork,
 * exec, rename, cgroup attach); read through libtracefs and
 * libtraceevent, handed over in time order.
 */
#ifndef CAPAUDIT_CAPTRACE_H
#define CAPAUDIT_CAPTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learn.h"
#include "util.h"

/* Instances are named this and the pid of the capaudit that made them. */
#define CA_TRACE_INSTANCE_PREFIX "capaudit-learn-"

struct ca_tracer_opts {
	unsigned buffer_kb;		/* per CPU; 0 for the default */
	const char *tracefs;		/* where tracefs is, or NULL to find (or mount) it */
};

struct ca_trace_counts {
	uint64_t read;			/* events read from the ring buffers */
	uint64_t lost;			/* events the ring buffers dropped (full) or overwrote */
	uint64_t paths;			/* distinct call paths */
	unsigned cpus;			/* ring buffers read */
	unsigned stale_removed;		/* instances of killed runs removed at the start */
};

struct ca_tracer;

/**
 * captrace_open() - load the tracing libraries, find (or mount) tracefs,
 * remove the instances killed runs left, make this run's, enable its events
 * and start recording. Returns 0 and *@out (the caller closes it with
 * captrace_close(), which also removes the instance), or a negative errno
 * with @err saying what is missing (the tracepoint, tracefs, privilege),
 * and nothing left behind.
 */
int captrace_open(const struct ca_tracer_opts *o, struct ca_tracer **out, struct ca_err *err);

/**
 * captrace_read() - read what the ring buffers hold and hand @ev every event
 * recorded up to now, in time order (events of one moment may come from
 * several CPUs: those after the moment the read began wait for the next
 * read, so that a fork is always handed over before its child's first
 * check). With @drain, everything, for the last read. Returns 0, or the
 * first negative errno @ev returned, or one of reading.
 */
int captrace_read(struct ca_tracer *t, bool drain, int (*ev)(void *ctx, const struct ca_tev *e), void *ctx,
		  struct ca_err *err);

/**
 * captrace_stop() - stop recording (the events recorded stay to be read).
 */
void captrace_stop(struct ca_tracer *t);

/**
 * captrace_counts() - what was read and lost so far; the losses are read
 * from the ring buffers' own counters.
 */
const struct ca_trace_counts *captrace_counts(struct ca_tracer *t);

/**
 * captrace_close() - stop, remove the instance, unmount tracefs where
 * captrace_open() mounted it, and free @t (NULL is fine).
 */
void captrace_close(struct ca_tracer *t);

#endif
