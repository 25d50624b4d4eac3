/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capaudit's own privileges: what it keeps once its outputs are open, and what it holds. */
#ifndef CAPAUDIT_PRIVS_H
#define CAPAUDIT_PRIVS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <linux/capability.h>

#include "caps.h"

/*
 * What reading other processes takes: their namespace links, environ and
 * the like need ptrace access (CAP_SYS_PTRACE), files of other owners
 * CAP_DAC_READ_SEARCH.
 */
#define PRIVS_READ (CA_BIT(CAP_DAC_READ_SEARCH) | CA_BIT(CAP_SYS_PTRACE))

/* The scanner's own state, as the kernel has it. */
struct ca_privs {
	unsigned uid[4];		/* real, effective, saved, filesystem */
	unsigned gid[4];
	struct ca_capsets caps;		/* all five sets; ambient unknown before Linux 4.3 */
	bool no_new_privs;
};

/* What privs_as_caller() took away, for privs_as_self() to give back. */
struct ca_privs_saved {
	bool lowered;
	uint64_t effective;
};

/**
 * privs_is_elevated() - whether capaudit holds privileges its caller did not
 * give it: it runs with file capabilities or setuid (AT_SECURE).
 */
bool privs_is_elevated(void);

/**
 * privs_as_caller() - where privs_is_elevated(), take on the caller's own
 * rights for what follows (an empty effective set, the real uid and gid as
 * filesystem ids), so that a file the caller names is opened as the caller
 * could; privs_as_self() takes capaudit's back. Elsewhere both do nothing.
 * A failure leaves the process as it was, and says nothing: then the open
 * that follows is refused, or done with capaudit's own rights, as before.
 */
void privs_as_caller(struct ca_privs_saved *saved);
void privs_as_self(const struct ca_privs_saved *saved);

/**
 * privs_drop() - keep only the capabilities of @keep that the calling thread
 * holds (capabilities are a thread's own; threads started later inherit them):
 * set no_new_privs, drop every other one from the bounding set (where
 * CAP_SETPCAP allows: before it is given up), clear the ambient and
 * inheritable sets, and leave effective = permitted = @keep & permitted.
 * A process without CAP_SETPCAP keeps its bounding set; that is no error.
 * Returns 0, or a negative errno where the kernel refused.
 */
int privs_drop(uint64_t keep);

/**
 * privs_read() - the process's ids, capability sets and no_new_privs, from
 * the kernel (capget, PR_CAPBSET_READ, PR_CAP_AMBIENT, PR_GET_NO_NEW_PRIVS).
 * Returns 0, or a negative errno.
 */
int privs_read(struct ca_privs *p);

/**
 * privs_dir_needs() - the capabilities beyond @keep that writing an entry
 * @name into the directory @dirfd (a rename over it, an unlink in it) will
 * take once the process holds only @keep: CAP_DAC_OVERRIDE where @dirfd is
 * not writable and searchable without it (asked of the kernel, with the
 * effective set lowered to @keep for the question), CAP_FOWNER where a
 * sticky @dirfd holds a @name of another owner. @name may be NULL.
 * Returns 0 and sets *@need, or a negative errno where @dirfd cannot be seen.
 */
int privs_dir_needs(int dirfd, const char *name, uint64_t keep, uint64_t *need);

/* What a scan reads, for privs_plan(). */
enum ca_reading {
	CA_READ_PROCFS,			/* the kernel's /proc */
	CA_READ_FILES,			/* a directory of files (--proc-root) */
	CA_READ_MEMORY,			/* a snapshot, held in memory */
};

/* An output to be renamed into place: @name in @dirfd (-1: written through, nothing to rename). */
struct ca_rename {
	int dirfd;
	const char *name;
};

/**
 * privs_plan() - what capaudit keeps once its files are open: what reading
 * takes (PRIVS_READ for /proc; nothing for a snapshot, nor for a directory
 * of files where privs_is_elevated(): that is read with the caller's own
 * rights), and what renaming each of the @n outputs at @renames into place
 * will take beyond it (privs_dir_needs()), so that no report is lost after
 * the scan. Asked before privs_drop(), whose argument it is.
 */
uint64_t privs_plan(enum ca_reading reading, const struct ca_rename *renames, size_t n);

/**
 * privs_sticky_denies() - whether the sticky bit of @dir keeps a process
 * with filesystem uid @fsuid from removing or replacing @entry without
 * CAP_FOWNER: it owns neither.
 */
bool privs_sticky_denies(const struct stat *dir, const struct stat *entry, uid_t fsuid);

#endif
