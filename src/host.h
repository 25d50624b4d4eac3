/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host reference: what "the host" holds, taken from the proc root itself. */
#ifndef CAPAUDIT_HOST_H
#define CAPAUDIT_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "ns.h"
#include "procroot.h"
#include "util.h"

struct ca_host {
	unsigned last_cap;		/* /proc/sys/kernel/cap_last_cap */
	pid_t bounding_pid;		/* whose CapBnd is the host's ceiling: 1 */
	uint64_t bounding;
	pid_t ns_pid;			/* whose ns links are the initial namespaces; 0 if none */
	uint64_t ns[CA_NS_COUNT];
	unsigned ns_known;		/* bit (1u << ns) for each link read */
	bool ns_denied;			/* no link read, for lack of permission */
	char *hidepid;			/* hidepid= of a live proc root, or NULL */
	bool hidepid_hides;		/* ... and it hides processes from us */
};

/**
 * host_read() - read the host reference under @root.
 * The bounding set comes from pid 1's status (world-readable even where its
 * namespace links are not); the namespaces from pid 1's ns links, else from
 * kthreadd's (pid 2), which never leaves the initial namespaces. Never
 * assumes "all bits": a host's pid 1 may itself lack some.
 * Returns 0, or a negative errno with @err saying what could not be read.
 * Free with host_free().
 */
int host_read(const struct ca_procroot *root, struct ca_buf *buf, struct ca_host *host,
	      struct ca_err *err);

/* Which host and which boot a proc root shows; "" where a file could not be read. */
struct ca_host_ident {
	char hostname[256];		/* of the UTS namespace the reader runs in, for a live /proc */
	char release[256];
	char boot_id[256];		/* a new one at every boot */
};

/**
 * host_ident_read() - the first lines of sys/kernel/hostname, osrelease
 * and random/boot_id under @root into @id, read through it (so that a
 * --proc-root tree or a snapshot names its own host, and a capture archives
 * the reads). Never fails: what cannot be read stays "".
 */
void host_ident_read(const struct ca_procroot *root, struct ca_buf *buf, struct ca_host_ident *id);

/**
 * host_free() - release what host_read() allocated.
 */
void host_free(struct ca_host *host);

#endif
