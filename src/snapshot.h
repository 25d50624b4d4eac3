/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Taking a forensic snapshot: every file a scan reads, in one archive with a checksum manifest. */
#ifndef CAPAUDIT_SNAPSHOT_H
#define CAPAUDIT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "procroot.h"
#include "scan.h"
#include "snapsign.h"
#include "snapwriter.h"
#include "util.h"

struct ca_snapshot;

struct ca_snapshot_opts {
	int fd;				/* where the archive goes */
	const char *name;		/* its name, for the compression and messages */
	const char *compress;		/* NULL: from the name; none, gzip, zstd or xz */
	bool no_cmdline;		/* leave out containers' command lines */
	bool with_environ;		/* and take environ too */
	const char *command_line;	/* capaudit's own, for the metadata */
	const struct ca_snapkey *sign;	/* signs the manifest (outlives the snapshot); NULL: unsigned */
	const char *case_id;		/* the case record, for the metadata; NULL: none given */
	const char *examiner;
	const char *note;
};

/**
 * snapshot_open() - prepare an archive on @o->fd: its name and options are
 * checked here; libarchive and libcrypto load, and the archive starts, with
 * the first member read (src/snapwriter.c), and fail in snapshot_close().
 * Returns 0 and a snapshot the caller ends with snapshot_close(), or a
 * negative errno with @err saying why.
 */
int snapshot_open(struct ca_snapshot **out, const struct ca_snapshot_opts *o, struct ca_err *err);

/**
 * snapshot_recorder() - the recorder to set on the proc root, so that every
 * read of the scan lands in the archive.
 */
const struct ca_recorder *snapshot_recorder(struct ca_snapshot *s);

/**
 * snapshot_close() - add what a responder needs beyond the scan's own reads
 * (command lines, uid and gid maps, LSM labels, every namespace link), the
 * policy in force, the failures to replay, the signer's public key, the
 * metadata, the manifest and its signature; finish the archive; put the
 * SHA-256 of all its bytes in @digest. Frees @s.
 * Returns 0, or a negative errno with @err saying why.
 */
int snapshot_close(struct ca_snapshot *s, const struct ca_procroot *root, const struct ca_scan *scan,
		   const struct ca_policy *policy, unsigned char digest[CA_SHA256_LEN],
		   struct ca_err *err);

/**
 * snapshot_abort() - give up an archive: free @s, write nothing more.
 */
void snapshot_abort(struct ca_snapshot *s);

#endif
