/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fields capaudit needs from /proc/<pid>/status, parsed from a buffer. */
#ifndef CAPAUDIT_STATUS_H
#define CAPAUDIT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "caps.h"

/* Bits of struct ca_status.known: the fields that were present and well formed. */
enum {
	STATUS_NAME = 1u << 0,
	STATUS_PPID = 1u << 1,
	STATUS_UID = 1u << 2,
	STATUS_GID = 1u << 3,
	STATUS_NSPID = 1u << 4,
	STATUS_NO_NEW_PRIVS = 1u << 5,
	STATUS_SECCOMP = 1u << 6,
	STATUS_SECCOMP_FILTERS = 1u << 7,
	STATUS_KTHREAD = 1u << 8,
	STATUS_NAME_CUT = 1u << 9,	/* Name was longer than CA_COMM_MAX: kept cut */
};

/* TASK_COMM_LEN is 16, but kernel threads may show up to 64 bytes. */
#define CA_COMM_MAX 64

struct ca_status {
	unsigned known;			/* STATUS_* */
	char name[CA_COMM_MAX + 1];	/* unescaped; any byte but NUL */
	pid_t ppid;
	uid_t uid[4];			/* real, effective, saved, filesystem */
	gid_t gid[4];
	unsigned pidns_level;		/* NSpid fields minus one: 0 = the proc root's namespace */
	pid_t ns_pid;			/* the pid in its innermost namespace */
	bool no_new_privs;
	unsigned seccomp;		/* 0 off, 1 strict, 2 filter */
	unsigned seccomp_filters;
	bool kthread;
	struct ca_capsets caps;
};

/**
 * status_parse() - parse the text of /proc/<pid>/status.
 * @buf need not be NUL-terminated. Unknown lines are ignored; a field that
 * is missing, malformed or cut off (a last line without its newline) is
 * left unknown, never read as zero. Never fails.
 */
void status_parse(const char *buf, size_t len, struct ca_status *st);

/**
 * status_has() - whether every field of @fields was read.
 */
bool status_has(const struct ca_status *st, unsigned fields);

/**
 * status_is_kernel_thread() - a kernel thread, by "Kthread:" where the kernel
 * has it, else by being kthreadd or its child.
 */
bool status_is_kernel_thread(const struct ca_status *st, pid_t pid);

#endif
