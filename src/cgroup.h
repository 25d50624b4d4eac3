/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container attribution from the text of /proc/<pid>/cgroup. */
#ifndef CAPAUDIT_CGROUP_H
#define CAPAUDIT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime.h"

#define CA_ID_MAX 80			/* "pidns:<inode>" or 64 hex digits, and a NUL */

enum ca_attrib_kind {
	CA_ATTRIB_NONE,			/* nothing recognised: a host process */
	CA_ATTRIB_CONTAINER,		/* inside a container */
	CA_ATTRIB_MONITOR,		/* a runtime's supervisor, e.g. conmon */
};

struct ca_attrib {
	enum ca_attrib_kind kind;
	enum ca_runtime runtime;	/* CA_RT_NONE unless kind is CONTAINER or MONITOR */
	char id[CA_ID_MAX];		/* the container's id, for a CONTAINER */
};

/**
 * cgroup_parse() - attribute a process from the text of its cgroup file.
 * Lines are read in order of trust: the cgroup2 "0::" line, then
 * "name=systemd", then the controllers; the first that names a container or
 * a monitor decides. Malformed lines are ignored. Never fails.
 */
void cgroup_parse(const char *buf, size_t len, struct ca_attrib *out);

/**
 * cgroup_path_attribute() - attribute one cgroup path ("/docker/<id>").
 * Returns true when the path names a container or a monitor.
 */
bool cgroup_path_attribute(const char *path, size_t len, struct ca_attrib *out);

#endif
