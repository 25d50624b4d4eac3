/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Workloads: what a container's runtime keeps of it on disk (its name, its
 * image, its labels, its Kubernetes names, the capabilities it was told to
 * grant), read from the runtime's own state files under a host root, never
 * through a socket. The strings are as the files hold them, cut to the
 * bounds below: a label is the container's own text, and every writer
 * escapes it as it escapes a process's name (src/esc.c).
 */
#ifndef CAPAUDIT_WORKLOAD_H
#define CAPAUDIT_WORKLOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procroot.h"
#include "runtime.h"

/* Bounds on what a state file can make a report hold, for each container. */
#define CA_WL_LABELS_MAX 32		/* the rest are counted, not kept */
#define CA_WL_LABEL_KEY_MAX 128		/* bytes, before escaping; longer ones are cut */
#define CA_WL_TEXT_MAX 256		/* a name, an image, a label's value */
#define CA_WL_FILE_MAX (4u << 20)	/* a state file longer than this is not read */
#define CA_WL_STATES_MAX 4096		/* entries of a state directory read (run/runc); the rest are not */

enum ca_wl_status {
	CA_WL_NONE,			/* no host root, or a runtime that keeps nothing capaudit reads */
	CA_WL_READ,			/* its state was read */
	CA_WL_UNREADABLE,		/* its state could not be read: @note says why */
};

struct ca_label {
	char *key;
	char *value;
};

/* What the runtime was told to grant, beside what the kernel holds. */
struct ca_configured {
	bool known;
	uint64_t bounding;		/* the bounding set it was to get */
	bool privileged;		/* docker's and podman's --privileged */
	/* docker's and podman's own words, where the state keeps them */
	uint64_t add, drop;
	bool drop_all;
};

struct ca_workload {
	enum ca_wl_status status;
	bool user_written;		/* read from a home its user writes (rootless podman): that user's claim */
	char *note;			/* for UNREADABLE: "var/lib/docker/.../config.v2.json: not JSON" */
	char *name;			/* as the runtime names it (docker ps, podman ps, lxc-ls, ...) */
	char *image;			/* as it was asked for ("nginx:1.25"), or NULL */
	char *k8s_namespace;		/* Kubernetes, from the CRI's annotations; NULL elsewhere */
	char *k8s_pod;
	char *k8s_container;
	bool k8s_sandbox;		/* the CRI's spec says it is its pod's sandbox */
	struct ca_label *labels;	/* sorted by key */
	size_t nlabels;
	size_t labels_omitted;		/* beyond CA_WL_LABELS_MAX */
	struct ca_configured configured;
};

/* Which container, as the scan found it. */
struct ca_wl_key {
	enum ca_runtime runtime;
	const char *id;
	const char *ns;			/* containerd's namespace, "" where unknown */
	bool pod;			/* in a Kubernetes pod */
	bool rootless;			/* in a user namespace whose root is @owner */
	uint32_t owner;
};

/*
 * A container that runc or crun run by hand, as its runtime's state directory
 * names it: its id, and its init by pid and start time.
 */
struct ca_wl_state {
	enum ca_runtime runtime;	/* CA_RT_RUNC, CA_RT_CRUN */
	char *id;			/* the state's directory: "runc run <id>" */
	pid_t pid;			/* its init, in the host's pid namespace */
	uint64_t start;			/* when the init started: clock ticks after boot, /proc/<pid>/stat */
};

struct ca_wl_reader;

/**
 * workload_reader_new() - a reader of the state files under @host (NULL:
 * none: every workload is CA_WL_NONE). Files every container shares (podman's
 * containers.json, /etc/passwd) are read once, when first needed. Returns it,
 * or NULL for lack of memory.
 */
struct ca_wl_reader *workload_reader_new(const struct ca_procroot *host);

/**
 * workload_read() - what the runtime of @key keeps of it, into @w (cleared
 * first): status READ, or UNREADABLE with a note, or NONE. A state file that
 * is missing, malformed, too large, not a regular file, or behind a link is
 * a note, never an error. Returns 0, or -ENOMEM.
 */
int workload_read(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w);

/**
 * workload_claim() - the container that runc or crun run by hand whose init
 * is @pid, started at @start, in *@out: the one state under the host root's
 * run/runc and run/crun that names both (two that do name none). The state
 * directories are listed once for the reader, the first CA_WL_STATES_MAX
 * entries of each. Returns 1 with *@out (the reader's), 0 where no state
 * names it (no host root, no state directory), or -ENOMEM.
 */
int workload_claim(struct ca_wl_reader *r, pid_t pid, uint64_t start, const struct ca_wl_state **out);

/**
 * workload_reader_free() - release a reader (NULL is fine).
 */
void workload_reader_free(struct ca_wl_reader *r);

static inline void workload_reader_freep(struct ca_wl_reader **r)
{
	workload_reader_free(*r);
}

/**
 * workload_free() - release what @w holds, and clear it.
 */
void workload_free(struct ca_workload *w);

/**
 * workload_label() - the value of label @key, or NULL.
 */
const char *workload_label(const struct ca_workload *w, const char *key);

#endif
