/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container attribution from the text of /proc/<pid>/cgroup. */
#ifndef CAPAUDIT_CGROUP_H
#define CAPAUDIT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime.h"

/* A container's id: 64 hex digits, a name its user chose, or "pidns:<inode>". */
#define CA_ID_MAX 256
/* A Kubernetes pod uid, 36 characters with dashes (32 for a static pod's hash). */
#define CA_POD_UID_MAX 40
/* Outer containers recorded for a nested one (docker-in-docker, docker in LXC). */
#define CA_PARENTS_MAX 4

enum ca_attrib_kind {
	CA_ATTRIB_NONE,			/* nothing recognised: a host process */
	CA_ATTRIB_CONTAINER,		/* inside a container */
	CA_ATTRIB_MONITOR,		/* a runtime's supervisor, e.g. conmon */
	CA_ATTRIB_CANDIDATE,		/* "/<namespace>/<id>": ctr's, if a shim confirms it */
};

enum ca_qos {
	CA_QOS_NONE,
	CA_QOS_GUARANTEED,
	CA_QOS_BURSTABLE,
	CA_QOS_BESTEFFORT,
};

struct ca_ref {
	enum ca_runtime runtime;
	char id[CA_ID_MAX];
};

struct ca_attrib {
	enum ca_attrib_kind kind;
	enum ca_runtime runtime;	/* for a CONTAINER or MONITOR */
	char id[CA_ID_MAX];		/* a CONTAINER's id; a CANDIDATE's <id> */
	char ns[CA_ID_MAX];		/* a CANDIDATE's containerd <namespace> */
	char pod_uid[CA_POD_UID_MAX];	/* with dashes; "" outside Kubernetes */
	enum ca_qos qos;
	unsigned nparents;
	struct ca_ref parents[CA_PARENTS_MAX];	/* outermost first */
};

/**
 * cgroup_parse() - attribute a process from the text of its cgroup file.
 * Lines are read in order of trust: the cgroup2 "0::" line, then
 * "name=systemd", then the controllers; the first that names a container or
 * a monitor decides, and a bare two-level path (a ctr candidate) counts only
 * where no line says more. Malformed lines are ignored. Never fails.
 */
void cgroup_parse(const char *buf, size_t len, struct ca_attrib *out);

/**
 * cgroup_qos_name() - "guaranteed", "burstable", "besteffort", or NULL.
 */
const char *cgroup_qos_name(enum ca_qos qos);

#endif
