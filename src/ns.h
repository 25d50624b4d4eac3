/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespaces as /proc/<pid>/ns/ links name them ("pid:[4026531836]"). */
#ifndef CAPAUDIT_NS_H
#define CAPAUDIT_NS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "procroot.h"

enum ca_ns {
	CA_NS_PID,
	CA_NS_NET,
	CA_NS_IPC,
	CA_NS_UTS,
	CA_NS_USER,
	CA_NS_MNT,
	CA_NS_CGROUP,
	CA_NS_COUNT
};

/**
 * ns_name() - the link's name in /proc/<pid>/ns ("pid", "net", ...).
 */
const char *ns_name(enum ca_ns ns);

/**
 * ns_file() - the link's path under /proc/<pid> ("ns/pid", "ns/net", ...).
 */
const char *ns_file(enum ca_ns ns);

/**
 * ns_link_parse() - the inode in a link target "<type>:[<inode>]".
 * Returns 0, or -EINVAL where the text is not that, for that type.
 */
int ns_link_parse(enum ca_ns ns, const char *target, uint64_t *inode);

/**
 * ns_read() - read and parse /proc/<pid>/ns/<type> under @root.
 * Returns 0, or a negative errno (-EACCES where the link is unreadable,
 * as pid 1's are even to root on some hosts).
 */
int ns_read(const struct ca_procroot *root, pid_t pid, enum ca_ns ns, uint64_t *inode);

/**
 * ns_uid_map_root() - the host uid that uid 0 of a user namespace maps to,
 * from the text of /proc/<pid>/uid_map ("inside outside count" lines).
 * Returns 0 and sets *@uid, -ENOENT where uid 0 is not mapped, -EINVAL for
 * text that is not a uid_map.
 */
int ns_uid_map_root(const char *buf, size_t len, uint32_t *uid);

#endif
