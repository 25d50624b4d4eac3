/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files a user names (-O, snapshot FILE, --digest-file, --policy,
 * --snapshot, --proc-root): one rule for each kind, so that no link, fifo or
 * device another user planted can turn root capaudit against the system.
 * capaudit(8), FILES, says the same rules to the user.
 */
#ifndef CAPAUDIT_USERFILE_H
#define CAPAUDIT_USERFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/*
 * An output. A new file or a regular one is written to a new file beside it,
 * renamed over it once whole; a character device, a fifo a process reads, or
 * what a /proc link leads to (/dev/stdout) is written through.
 */
struct ca_output {
	FILE *f;			/* stdout, or what was opened */
	const char *path;		/* as named, for messages; NULL for standard output */
	int dirfd;			/* the directory of @name, or -1 where written through */
	char *name;			/* the entry to replace */
	char *tmp;			/* the new file beside it, until renamed over it */
};

/**
 * userfile_output_open() - open @path for writing (NULL or "-": standard
 * output), following only symbolic links the caller or root made (the rule
 * of link_followed() in userfile.c), refusing a directory, a block device,
 * a socket and a fifo no process reads or another user made; never
 * blocking, never truncating, leaving nothing behind on a refusal.
 * Returns 0, or a negative errno with @err saying why.
 */
int userfile_output_open(struct ca_output *out, const char *path, struct ca_err *err);

/**
 * userfile_output_close() - with @commit, flush and fsync what was written
 * and rename it into place; without, remove the new file. Returns 0, or a
 * negative errno (the new file removed, what was there whole).
 */
int userfile_output_close(struct ca_output *out, bool commit);

/**
 * userfile_open() - open @path, which must be a regular file, for reading
 * ("-": a copy of standard input), by the link rule of the outputs, without
 * waiting on a fifo or a device. Returns 0 and *@fd (the caller's), or a
 * negative errno with @err saying why.
 */
int userfile_open(const char *path, int *fd, struct ca_err *err);

/**
 * userfile_read() - the whole of the regular file @path, at most @max bytes
 * (more is -EFBIG), with a NUL after them, in *@data (the caller's to free).
 * Returns 0, or a negative errno with @err saying why.
 */
int userfile_read(const char *path, size_t max, char **data, size_t *len, struct ca_err *err);

/**
 * userfile_open_dir() - open the directory @path (O_PATH), by the link rule.
 * Returns 0 and *@fd (the caller's), or a negative errno with @err saying why.
 */
int userfile_open_dir(const char *path, int *fd, struct ca_err *err);

#endif
