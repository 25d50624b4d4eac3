/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "A proc root": the live /proc or a directory laid out like it. All reads of /proc go here. */
#ifndef CAPAUDIT_PROCROOT_H
#define CAPAUDIT_PROCROOT_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "memtree.h"
#include "util.h"

/* What a recorder is told: every read the scan makes, to capture it (snapshot). */
enum ca_record {
	CA_REC_FILE,			/* a file, read whole */
	CA_REC_LINK,			/* a link's target */
	CA_REC_DIR,			/* a pid (or tid) directory listed */
	CA_REC_ERROR,			/* a read that failed with -err */
};

/* @name is the member a snapshot keeps it as: "proc/1234/status", "host/etc/passwd". */
struct ca_recorder {
	void (*record)(void *ctx, enum ca_record what, const char *name, const char *data, size_t len,
		       int err);
	void *ctx;
};

/* A failure recorded at capture, given again at replay: "1234/ns/pid" -> -EACCES. */
struct ca_replayed_error {
	const char *rel;		/* @len bytes in the text procroot_set_errors() was given */
	size_t len;
	int err;
};

struct ca_procroot {
	int fd;				/* O_PATH directory, or -1 for a tree in memory */
	struct ca_memtree *tree;	/* a snapshot read in place, whose @members are the root; or NULL */
	bool owns_tree;			/* the proc root owns it; the host root borrows it */
	const char *members;		/* where a snapshot keeps its files: "proc/" or "host/" */
	char *path;			/* as given, for messages */
	bool live;			/* procfs, not a directory of files */
	const struct ca_recorder *rec;	/* NULL, or told of every read */
	struct ca_replayed_error *errors;	/* sorted by rel; NULL outside a replay */
	size_t nerrors;
};

/* A buffer reused for every file, grown as needed; always NUL-terminated. */
struct ca_buf {
	char *data;
	size_t len;
	size_t cap;
};

struct ca_piditer {
	DIR *dir;			/* a directory's listing, or NULL */
	size_t pos;			/* in a tree: the next node, the prefix of those listed, */
	char prefix[80];
	size_t plen;
	char last[NAME_MAX + 1];	/* and the entry given last */
	bool subdirs;			/* every subdirectory, not only pids */
	const struct ca_procroot *root;	/* for its recorder */
	char rel[64];			/* the directory listed: "." or "1234/task" */
};

/**
 * procroot_open() - open @path, a directory the user named (by the rules of
 * src/userfile.c), as a proc root; NULL for the live /proc, which must be a
 * procfs mount (-EMEDIUMTYPE). Returns 0, or a negative errno with @err
 * saying why. root->path is the caller's to free through procroot_close().
 */
int procroot_open(struct ca_procroot *root, const char *path, struct ca_err *err);

/**
 * procroot_open_host() - open @path (the live host's "/" where NULL), a
 * directory the user named by the rules of src/userfile.c, as a host root:
 * the files of the runtimes' state, read by the rules of a directory of
 * files (nothing outside it, no link followed, no second name), kept as
 * "host/..." in a snapshot. Returns 0, or a negative errno with @err saying why.
 */
int procroot_open_host(struct ca_procroot *root, const char *path, struct ca_err *err);
/**
 * procroot_open_tree() - read the proc/ directory of @tree (sealed) as a
 * proc root, named @name in messages. The root owns @tree from then on,
 * also on failure. Returns 0, -ENOENT where @tree has no proc/, or -ENOMEM.
 */
int procroot_open_tree(struct ca_procroot *root, struct ca_memtree *tree, const char *name);
/**
 * procroot_open_host_tree() - the host/ directory of @proc's tree as a host
 * root, named @name; it borrows the tree, and must be closed before @proc.
 * A snapshot taken before capaudit kept state files has none: every read
 * fails with -ENOENT. Returns 0 or -ENOMEM.
 */
int procroot_open_host_tree(struct ca_procroot *root, const struct ca_procroot *proc, const char *name);

/**
 * procroot_set_errors() - the failures a snapshot recorded, "<errno> <rel>"
 * a line: reading @rel then fails with -errno, as it did at capture. The
 * root points into @text (a member of the tree it reads), which must live
 * as long as it does. Returns 0, -EINVAL for text that is not that, or
 * -ENOMEM.
 */
int procroot_set_errors(struct ca_procroot *root, const char *text, size_t len);

/**
 * procroot_is_open() - whether @root reads anything: a directory or a tree.
 * A host root stays closed where none is read (--proc-root alone, a
 * snapshot without state files).
 */
static inline bool procroot_is_open(const struct ca_procroot *root)
{
	return root->fd >= 0 || root->tree;
}
/**
 * procroot_close() - release what procroot_open() took.
 */
void procroot_close(struct ca_procroot *root);

/**
 * procroot_read() - read the whole file @rel (relative to the root) into @buf.
 * One open, as few reads as the file needs (one for status and cgroup),
 * one close. Returns the length, or a negative errno.
 */
ssize_t procroot_read(const struct ca_procroot *root, const char *rel, struct ca_buf *buf);

/**
 * procroot_read_max() - procroot_read(), refusing a file longer than @max
 * bytes with -EFBIG: a state file is anyone's size.
 */
ssize_t procroot_read_max(const struct ca_procroot *root, const char *rel, struct ca_buf *buf, size_t max);
/**
 * procroot_probe() - read @rel as procroot_read() does, but tell no recorder
 * and replay no failure: a question about the kernel ("self/attr/current"),
 * no part of what a snapshot holds. Returns the length, or a negative errno.
 */
ssize_t procroot_probe(const struct ca_procroot *root, const char *rel, struct ca_buf *buf);

/**
 * procroot_pid_rel() - "<@pid>/<@file>" in @rel, the name every procroot_*()
 * takes. Returns 0, or -ENAMETOOLONG where it does not fit @size.
 */
int procroot_pid_rel(char *rel, size_t size, pid_t pid, const char *file);

/**
 * procroot_readlink() - the target of the link @rel, NUL-terminated in @out.
 * Returns its length, or a negative errno (-ENAMETOOLONG if it does not fit).
 */
ssize_t procroot_readlink(const struct ca_procroot *root, const char *rel, char *out, size_t size);

/**
 * procroot_hidepid() - the hidepid= option of a live procfs, from
 * /proc/self/mountinfo: "0" or NULL where none or unknown, else the
 * kernel's word for it ("invisible", "noaccess", "ptraceable", or a digit).
 * Returns a string the caller frees, or NULL.
 */
char *procroot_hidepid(const struct ca_procroot *root);

/**
 * procroot_pids_open() - start listing the pid directories of @root.
 * Returns 0 or a negative errno.
 */
int procroot_pids_open(const struct ca_procroot *root, struct ca_piditer *it);

/**
 * procroot_dir_open() - list the numeric entries of @rel under @root
 * ("1234/task"), as procroot_pids_open() lists pids.
 */
int procroot_dir_open(const struct ca_procroot *root, const char *rel, struct ca_piditer *it);

/**
 * procroot_pids_next() - the next pid: 0 and *@pid for one, 1 at the end,
 * a negative errno on error. Only names made wholly of digits are pids.
 */
int procroot_pids_next(struct ca_piditer *it, pid_t *pid);

/**
 * procroot_subdirs_open() - list the subdirectories of @rel under @root by
 * name (a runtime's state directory, "run/runc"), every name but "." and
 * "..", with procroot_subdirs_next(). Returns 0 or a negative errno.
 */
int procroot_subdirs_open(const struct ca_procroot *root, const char *rel, struct ca_piditer *it);

/**
 * procroot_subdirs_next() - the next subdirectory: 0 and *@name (the
 * iterator's, valid until the next call), 1 at the end, a negative errno on
 * error. An entry whose type the filesystem does not say is given too: a
 * reader of "<name>/..." finds out.
 */
int procroot_subdirs_next(struct ca_piditer *it, const char **name);

/**
 * procroot_pids_close() - end a listing (of pids or of subdirectories).
 */
void procroot_pids_close(struct ca_piditer *it);

/**
 * buf_free() - release a buffer's memory.
 */
void buf_free(struct ca_buf *buf);

#endif
