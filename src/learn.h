/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learning: the kernel's capability checks, in time order, attributed to
 * the containers whose processes made them and sorted into needs, probes
 * and the runtime's own start-up. The engine reads nothing itself: the
 * tracer (src/captrace.c) hands it events, and the one read it needs (the
 * cgroup of a process it never saw start) is the caller's function.
 */
#ifndef CAPAUDIT_LEARN_H
#define CAPAUDIT_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "cgroup.h"
#include "noise.h"
#include "runtime.h"

#define CA_COMM_LEN 16			/* the kernel's TASK_COMM_LEN */

/* What the tracer saw, one kernel event each. */
enum ca_tev_kind {
	CA_TEV_CAP,			/* capability:cap_capable */
	CA_TEV_FORK,			/* sched:sched_process_fork: a process or a thread */
	CA_TEV_EXEC,			/* sched:sched_process_exec */
	CA_TEV_ATTACH,			/* cgroup:cgroup_attach_task: a task moved into a cgroup */
	CA_TEV_RENAME,			/* task:task_rename: prctl(PR_SET_NAME) and the like */
};

struct ca_tev {
	uint64_t ts;			/* ns, CLOCK_MONOTONIC */
	enum ca_tev_kind kind;
	pid_t pid;			/* the task it is about (a fork's parent) */
	pid_t other;			/* FORK: the child; EXEC: the thread that called execve */
	int cap;			/* CAP */
	int ret;			/* CAP: 0 granted, a negative errno denied */
	char comm[CA_COMM_LEN];		/* FORK: the child's; EXEC: the file's base name; RENAME: the new */
	const char *path;		/* ATTACH: the cgroup's path in its hierarchy; EXEC: the file, or NULL */
	const struct ca_stack *stack;	/* CAP: its call path, or NULL */
};

/* Why a check was made, as learning sorts them. */
enum ca_use {
	CA_USE_NEED,			/* the workload's own */
	CA_USE_PROBE,			/* a probe whose denial fails nothing (src/noise.c) */
	CA_USE_RUNTIME,			/* the runtime's, before the process's first execve in the container */
	CA_USE_COUNT
};

#define CA_LEARN_COMMS 4
struct ca_capuse {
	uint64_t granted, denied;
	uint64_t alternative;		/* denied, and the next check on the same path granted another */
	uint64_t rules;			/* PROBE: the noise rules that matched, a bit per row of noise_rules() */
	unsigned ncomms;
	bool more_comms;		/* more processes than comms[] holds */
	struct {
		char comm[CA_COMM_LEN];
		uint64_t n;
	} comms[CA_LEARN_COMMS];	/* the processes that made them, by name, first seen first */
};

/* One container, as learning saw it. */
struct ca_learned {
	enum ca_runtime runtime;
	char id[CA_ID_MAX];
	/*
	 * Only a cgroup of ctr's shape ("/<namespace>/<id>") named it, which a
	 * host's own cgroups can have too: it is a container only where a scan
	 * confirms it (by its shim), as it does for a scan.
	 */
	bool candidate;
	uint64_t checks;		/* every check its processes made */
	uint64_t tasks;			/* processes and threads seen in it: at the start, forked, entered */
	struct ca_capuse use[CA_USE_COUNT][CA_CAP_MAX];
};

/* The one read the engine needs: where a process it never saw start is. */
struct ca_learn_reads {
	/*
	 * Attribute @pid from its cgroup file now, and name it from its comm:
	 * 0 with *@out and @comm ("" where unread), or a negative errno
	 * (-ENOENT, -ESRCH: it is gone, and its checks are unattributed).
	 */
	int (*place)(void *ctx, pid_t pid, struct ca_attrib *out, char comm[CA_COMM_LEN]);
	void *ctx;
};

struct ca_learn_counts {
	uint64_t events;		/* every event handed over */
	uint64_t checks;		/* capability checks */
	uint64_t contained;		/* of which by container processes */
	uint64_t unattributed;		/* made by a process gone before it could be placed */
};

struct ca_learn;

/**
 * learn_new() - an engine reading through @reads (which must outlive it).
 * Returns it (the caller frees it with learn_free()), or NULL with errno set.
 */
struct ca_learn *learn_new(const struct ca_learn_reads *reads);

/**
 * learn_seed() - a process alive when learning began, in the container
 * @runtime/@id (CA_RT_NONE: a host process), named @comm. Returns 0, or -ENOMEM.
 */
int learn_seed(struct ca_learn *l, pid_t pid, enum ca_runtime runtime, const char *id, const char *comm);

/**
 * learn_event() - hand over the next event, in time order. Returns 0, or -ENOMEM.
 */
int learn_event(struct ca_learn *l, const struct ca_tev *ev);

/**
 * learn_results() - every container learning saw, in the order it first
 * saw each, in *@n of them; they live as long as @l.
 */
const struct ca_learned *learn_results(const struct ca_learn *l, size_t *n);

/**
 * learn_counts() - what was handed over and what of it could be attributed.
 */
const struct ca_learn_counts *learn_counts(const struct ca_learn *l);

/**
 * learn_least() - the least set of @c: every capability a check of the
 * workload's own was granted.
 */
uint64_t learn_least(const struct ca_learned *c);

/**
 * learn_denied() - the capabilities @c's workload asked for and was denied,
 * where no other capability answered the same check: a set too tight.
 */
uint64_t learn_denied(const struct ca_learned *c);

/**
 * learn_free() - release the engine (NULL is fine).
 */
void learn_free(struct ca_learn *l);

#endif
