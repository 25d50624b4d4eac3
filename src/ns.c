/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespace links: read and parsed. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ns.h"

/*
 * The links under /proc/<pid>, as procroot_pid_rel() takes them; a link's
 * name (and the word its target starts with) is what follows "ns/".
 */
static const char *const files[CA_NS_COUNT] = {
	[CA_NS_PID] = "ns/pid",
	[CA_NS_NET] = "ns/net",
	[CA_NS_IPC] = "ns/ipc",
	[CA_NS_UTS] = "ns/uts",
	[CA_NS_USER] = "ns/user",
	[CA_NS_MNT] = "ns/mnt",
	[CA_NS_CGROUP] = "ns/cgroup",
};
#define NAME(ns) (files[ns] + 3)

const char *ns_name(enum ca_ns ns)
{
	return ns < CA_NS_COUNT ? NAME(ns) : "?";
}

const char *ns_file(enum ca_ns ns)
{
	return ns < CA_NS_COUNT ? files[ns] : "ns/?";
}

int ns_link_parse(enum ca_ns ns, const char *target, uint64_t *inode)
{
	size_t tlen;
	const char *p;
	uint64_t v = 0;

	if (ns >= CA_NS_COUNT)
		return -EINVAL;
	tlen = strlen(NAME(ns));
	if (strncmp(target, NAME(ns), tlen) != 0 || strncmp(target + tlen, ":[", 2) != 0)
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
	n = procroot_pid_rel(rel, sizeof(rel), pid, files[ns]);
	if (n == 0)
		n = procroot_readlink(root, rel, target, sizeof(target));
	if (n < 0)
		return (int)n;
	return ns_link_parse(ns, target, inode);
}

/* Skip blanks, then read an unsigned 32-bit number. */
static const char *uid_field(const char *p, const char *end, uint64_t *v)
{
	const char *start;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	start = p;
	*v = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		*v = *v * 10 + (uint64_t)(*p - '0');
		if (*v > UINT32_MAX)
			return NULL;
	}
	return p > start ? p : NULL;
}

int ns_uid_map_root(const char *buf, size_t len, uint32_t *uid)
{
	const char *p = buf, *end = buf + len;
	bool any = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl ? nl : end;
		uint64_t inside, outside, count;
		const char *q = p;

		if (!nl)
			return -EINVAL;		/* cut short */
		q = uid_field(q, lend, &inside);
		q = q ? uid_field(q, lend, &outside) : NULL;
		q = q ? uid_field(q, lend, &count) : NULL;
		if (!q || q != lend || count == 0)
			return -EINVAL;
		any = true;
		if (inside == 0) {
			*uid = (uint32_t)outside;
			return 0;
		}
		p = nl + 1;
	}
	return any ? -ENOENT : -EINVAL;
}
