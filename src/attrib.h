/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attribution: which container each process is in, decided over the table
 * of every process the walk found. The engine reads nothing itself: the few
 * reads it needs (a supervisor's command line, a namespace link) are the
 * reader's, handed to it as functions, so that tests drive it directly.
 */
#ifndef CAPAUDIT_ATTRIB_H
#define CAPAUDIT_ATTRIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "host.h"
#include "ns.h"
#include "runtime.h"

/* How a container was recognised. */
enum ca_source {
	CA_SRC_CGROUP,			/* its cgroup path */
	CA_SRC_SUPERVISOR,		/* the command line of its conmon, shim, monitor */
	CA_SRC_PIDNS,			/* only its pid namespace: runtime unknown */
	CA_SRC_STATE,			/* its pid namespace, whose init a runtime's state names (runc, crun) */
};

/* The reads attribution needs beyond what it is handed, done by the reader. */
struct ca_attrib_reads {
	/*
	 * The command line of @pid in *@data (valid until the next read) and
	 * *@len: 0, or a negative errno (gone, unreadable; -ENOMEM stops all).
	 */
	int (*cmdline)(void *ctx, pid_t pid, const char **data, size_t *len);
	/* The inode of @pid's namespace @ns: 0, or a negative errno. */
	int (*ns)(void *ctx, pid_t pid, enum ca_ns ns, uint64_t *ino);
	void *ctx;
};

/* One process, as the reader found it. */
struct ca_attrib_proc {
	pid_t pid;
	pid_t ppid;			/* 0 where unknown */
	const char *name;		/* its comm (Name: in status); NULL where unknown */
	int pidns_level;		/* NSpid's depth, 0 the proc root's namespace; -1 where unknown */
	const struct ca_attrib *cg;	/* what its cgroup file says */
};

/* The rule that put a process where it is: what CAPAUDIT_DEBUG=attrib names. */
enum ca_why {
	CA_WHY_CGROUP,			/* its cgroup path names the container */
	CA_WHY_MONITOR,		/* in the host's pid namespace, in a monitor's cgroup */
	CA_WHY_SUPERVISOR,		/* a host process named like a supervisor, whose command line names a container */
	CA_WHY_HOST,			/* in the host's pid namespace, no supervisor above it */
	CA_WHY_SHIM,			/* ctr's "/<namespace>/<id>" cgroup, which a containerd shim names */
	CA_WHY_NESTED,			/* in a pid namespace of its own, under a supervisor */
	CA_WHY_OWN_MOUNTS,		/* in the host's pid namespace under a supervisor, its own mounts (--pid=host) */
	CA_WHY_HELPER,			/* under a supervisor, in its mount namespace: a runtime's helper */
	CA_WHY_PIDNS,			/* in a pid namespace of its own that nothing names */
	CA_WHY_COUNT
};

/* Where a process is. The pointers live as long as the call that gave it. */
struct ca_placement {
	bool contained;			/* false: a host process (a supervisor or monitor too) */
	enum ca_runtime runtime;
	const char *id;
	enum ca_source source;
	const struct ca_attrib *cg;	/* where its cgroup placed it: the pod, the outer containers */
	const char *ns;			/* ctr's: the containerd namespace its cgroup names; else NULL */
	enum ca_why why;
};

/* attrib_add(): the walk's end decides. */
#define CA_ATTRIB_LATER 1

struct ca_attrib_engine;

/**
 * attrib_new() - an engine for the processes of the proc root whose host
 * reference is @host, reading through @reads; both must outlive it.
 * Returns it (the caller frees it with attrib_free()), or NULL with errno set.
 */
struct ca_attrib_engine *attrib_new(const struct ca_host *host, const struct ca_attrib_reads *reads);

/**
 * attrib_add() - hand over the next process of the walk, known to the
 * caller as @tag. Returns 0 with @out where it is placed at once (its cgroup
 * says where, or it is a host process), CA_ATTRIB_LATER where what comes
 * later in the walk decides (a supervisor above it, its pid namespace's
 * top): the caller keeps what it needs under @tag, and attrib_finish()
 * places it. Or -ENOMEM.
 */
int attrib_add(struct ca_attrib_engine *e, const struct ca_attrib_proc *p, uint32_t tag,
	       struct ca_placement *out);

/**
 * attrib_finish() - place every process attrib_add() left for later, in pid
 * order: @place is called once for each, with its tag, and may fail with a
 * negative errno, which stops the rest. Returns 0, or that errno, or -ENOMEM.
 */
int attrib_finish(struct ca_attrib_engine *e,
		  int (*place)(void *ctx, uint32_t tag, const struct ca_placement *where), void *ctx);

/**
 * attrib_free() - release the engine (NULL is fine).
 */
void attrib_free(struct ca_attrib_engine *e);

/**
 * attrib_why_name() - what a rule of attribution says, for traces and tests: "cgroup", "supervisor", ...
 */
const char *attrib_why_name(enum ca_why why);

#endif
