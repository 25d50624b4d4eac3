/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scan: every process of a proc root, read, attributed and grouped per container. */
#ifndef CAPAUDIT_SCAN_H
#define CAPAUDIT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "attrib.h"
#include "cgroup.h"
#include "host.h"
#include "procroot.h"
#include "runtime.h"
#include "status.h"
#include "util.h"
#include "workload.h"

struct ca_proc {
	pid_t pid;			/* in the proc root's pid namespace */
	int error;			/* 0, or -errno of the file that could not be read */
	enum ca_tri thread_differs;	/* with --threads: a thread's sets differ from its process's */
	struct ca_status st;		/* with --threads, its threads' sets are folded in */
	/* with ca_scan_opts.identity, for telling one process from a later one of the same pid: */
	bool start_known;
	uint64_t start;			/* clock ticks after boot (/proc/<pid>/stat) */
	bool userns_known;
	uint64_t userns;		/* the inode of its user namespace */
};

struct ca_scan_opts {
	bool threads;			/* read every thread's status too */
	bool identity;			/* read each container process's start time and user namespace */
	const struct ca_procroot *host;	/* the runtimes' state files, read once per container; NULL: none */
};

/* Whether a container's capabilities are held in a child user namespace. */
struct ca_userns {
	bool known;
	bool child;			/* not the host's user namespace */
	bool root_mapped;		/* uid 0 inside maps to root_host_uid */
	uint32_t root_host_uid;
};

struct ca_container {
	enum ca_runtime runtime;
	char id[CA_ID_MAX];
	enum ca_source source;
	char pod_uid[CA_POD_UID_MAX];	/* Kubernetes: "" outside a pod */
	enum ca_qos qos;
	bool sandbox;			/* the pod's pause container */
	unsigned nparents;
	struct ca_ref parents[CA_PARENTS_MAX];	/* outer containers, outermost first */
	struct ca_userns userns;	/* read once, from its first readable process */
	enum ca_tri shares[CA_NS_COUNT];	/* namespaces shared with the host, read once */
	bool ns_denied;			/* some of them unknown for lack of permission */
	char *lsm;			/* AppArmor/SELinux label of its first process, or NULL */
	char ctr_ns[CA_ID_MAX];		/* containerd's namespace where its cgroup says ("default"); else "" */
	struct ca_workload workload;	/* what its runtime keeps of it: name, image, labels, configured caps */
	struct ca_proc *procs;		/* sorted by pid */
	size_t nprocs;
	size_t procs_cap;
};

struct ca_counts {
	size_t processes;		/* user processes seen, host ones included */
	size_t contained;		/* of which in containers */
	size_t kernel_threads;		/* skipped */
	size_t vanished;		/* exited between listing and reading */
	size_t unreadable;		/* some file could not be read */
	size_t unreadable_denied;	/* of which for EACCES/EPERM */
	size_t ns_denied;		/* containers whose namespace links were denied */
};

/* The first unreadable processes, so that a message can name them. */
#define CA_UNREADABLE_SHOWN 8
struct ca_unreadable {
	pid_t pid;
	const char *file;		/* "status" or "cgroup" */
	int error;			/* -errno */
};

struct ca_scan {
	struct ca_host host;
	struct ca_container *containers;	/* sorted by runtime, then id */
	size_t ncontainers;
	size_t containers_cap;
	struct ca_counts counts;
	struct ca_unreadable unreadable[CA_UNREADABLE_SHOWN];	/* counts.unreadable of them, at most */
};

/**
 * scan_run() - read the host reference and every process under @root.
 * Processes that vanish are counted, never an error; unreadable ones are
 * counted and kept with what could be read. Returns 0, or a negative errno
 * with @err saying what failed (the proc root itself, the host reference).
 * Free with scan_free(), also after a failure.
 */
int scan_run(const struct ca_procroot *root, const struct ca_scan_opts *opts, struct ca_scan *scan,
	     struct ca_err *err);

/**
 * scan_container_order() - the order of scan->containers: by runtime name,
 * then by id; negative, 0 or positive, as strcmp(). A diff merges two
 * scans' containers in it.
 */
int scan_container_order(const struct ca_container *a, const struct ca_container *b);

/**
 * scan_source_name() - how a container was recognised: "cgroup",
 * "supervisor", "state" or "pidns".
 */
const char *scan_source_name(enum ca_source src);

/**
 * scan_free() - release a scan's memory.
 */
void scan_free(struct ca_scan *scan);

#endif
