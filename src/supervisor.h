/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runtime supervisors (conmon, containerd-shim, the LXC monitor, systemd-nspawn):
 * who they are, and which container their command line names. */
#ifndef CAPAUDIT_SUPERVISOR_H
#define CAPAUDIT_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroup.h"
#include "runtime.h"

enum ca_sup_kind {
	CA_SUP_NONE,
	CA_SUP_CONMON,			/* podman: -c <id> */
	CA_SUP_SHIM,			/* containerd-shim*: -namespace <ns> -id <id> */
	CA_SUP_LXC,			/* "[lxc monitor] <lxcpath> <name>" */
	CA_SUP_NSPAWN,			/* systemd-nspawn: -M <name> */
};

struct ca_supervisor {
	enum ca_sup_kind kind;
	enum ca_runtime runtime;	/* of the container it runs */
	char id[CA_ID_MAX];
	char ns[CA_ID_MAX];		/* a shim's containerd namespace */
};

/**
 * supervisor_kind() - which supervisor a process may be, by its name alone.
 * Cheap, so that only these few processes have their cmdline read.
 */
enum ca_sup_kind supervisor_kind(const char *comm);

/**
 * supervisor_parse() - the container a supervisor's command line names.
 * @cmdline: /proc/<pid>/cmdline, arguments separated by NUL bytes.
 * Returns true and fills @out, or false where the command line names none.
 */
bool supervisor_parse(enum ca_sup_kind kind, const char *cmdline, size_t len,
		      struct ca_supervisor *out);

#endif
