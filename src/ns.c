/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespace links: read and parsed. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ns.h"

static const char *const names[CA_NS_COUNT] = {
	[CA_NS_PID] = "pid",
	[CA_NS_NET] = "net",
	[CA_NS_IPC] = "ipc",
	[CA_NS_UTS] = "uts",
	[CA_NS_USER] = "user",
	[CA_NS_MNT] = "mnt",
	[CA_NS_CGROUP] = "cgroup",
};

const char *ns_name(enum ca_ns ns)
{
	return ns < CA_NS_COUNT ? names[ns] : "?";
}

int ns_link_parse(enum ca_ns ns, const char *target, uint64_t *inode)
{
	size_t tlen;
	const char *p;
	uint64_t v = 0;

	if (ns >= CA_NS_COUNT)
		return -EINVAL;
	tlen = strlen(names[ns]);
	if (strncmp(target, names[ns], tlen) != 0 || strncmp(target + tlen, ":[", 2) != 0)
		return -EINVAL;
	p = target + tlen + 2;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (strcmp(p, "]") != 0)
		return -EINVAL;
	*inode = v;
	return 0;
}

int ns_read(const struct ca_procroot *root, pid_t pid, enum ca_ns ns, uint64_t *inode)
{
	char rel[64], target[64];
	ssize_t n;

	if (ns >= CA_NS_COUNT)
		return -EINVAL;
	snprintf(rel, sizeof(rel), "%d/ns/%s", (int)pid, names[ns]);
	n = procroot_readlink(root, rel, target, sizeof(target));
	if (n < 0)
		return (int)n;
	return ns_link_parse(ns, target, inode);
}
