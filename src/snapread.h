/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a snapshot: checked against its manifest, or read in place as a proc root. */
#ifndef CAPAUDIT_SNAPREAD_H
#define CAPAUDIT_SNAPREAD_H

#include "policy.h"
#include "procroot.h"
#include "snapmeta.h"
#include "snapsign.h"
#include "util.h"

/*
 * What an archive may make capaudit hold when it is read in place: no file
 * a scan reads is near 16 MiB, and a capture of 10,000 processes is 110,000
 * members that take 50 MB in memory. capaudit(8) gives the same figures.
 */
#define CA_SNAP_MEMBER_MAX (16u << 20)
#define CA_SNAP_LIST_MAX (1u << 30)		/* the manifest and the errors list */
#define CA_SNAP_MEMBERS_MAX (4u << 20)
#define CA_SNAP_TREE_MAX ((size_t)1 << 30)	/* names, data and their table, all members */

/* Verdicts of snapshot_verify(). */
enum ca_verify {
	CA_VERIFY_INTACT,		/* as written, and signed by the key given where one was */
	CA_VERIFY_ALTERED,
	CA_VERIFY_NOT_BY_KEY,		/* as written, but not signed by the key given: by another, or unsigned */
};

/* What snapshot_verify() found beside its verdict; the caller's, for snapshot_verified_free(). */
struct ca_verified {
	char *report;			/* "<what>: <member>" lines; NULL where there is nothing to say */
	struct ca_snapmeta meta;	/* its metadata.json as it reads; strings NULL where it says none */
	char signer[CA_FINGERPRINT_LEN + 1];	/* signer.pub's, where its signature verifies; else "" */
};

/**
 * snapshot_verify() - check every member of the archive read from @fd
 * (named @path in messages) against its manifest, in one pass: a pipe does;
 * where it is signed, the manifest against its signature by the key it
 * holds, and that key against @key where @key is not NULL.
 * Returns CA_VERIFY_INTACT, CA_VERIFY_ALTERED (which wins) or
 * CA_VERIFY_NOT_BY_KEY, with @v->report listing each member missing, added,
 * altered, duplicate or unreadable, @v->signer the key that signed it and
 * @v->meta what the metadata says (to be believed only where intact); or a
 * negative errno where the archive cannot be read, with @err saying why.
 * @v is to be released with snapshot_verified_free() either way.
 */
int snapshot_verify(int fd, const char *path, const struct ca_snapkey *key, struct ca_verified *v,
		    struct ca_err *err);

/**
 * snapshot_verified_free() - release what snapshot_verify() left in @v, and clear it.
 */
void snapshot_verified_free(struct ca_verified *v);

/**
 * snapshot_replay_open() - read the archive on @fd (named @path) in place,
 * as a proc root: its proc/ tree in memory, nothing written to disk, every
 * read that failed at capture failing again. Whatever could be misread is
 * refused (absolute names, "..", links but namespace links, other files
 * than a snapshot holds, duplicates, members and archives beyond the
 * bounds above). Where *@policy is NULL it becomes the policy the archive
 * holds, named as it was at capture. Returns 0 and @root (closed with
 * procroot_close()), or a negative errno with @err saying why and @root
 * closed.
 */
int snapshot_replay_open(int fd, const char *path, struct ca_procroot *root, struct ca_policy **policy,
			 struct ca_err *err);

/**
 * snapshot_replay_host() - the state files the replayed @root holds, as a
 * host root (src/procroot.h) that borrows its tree: to be closed before
 * @root. A snapshot taken without a host root (--proc-root), or before
 * capaudit kept state files, holds none: then @host stays closed (fd -1,
 * no tree), as when a scan reads no host root. Returns 0, or -ENOMEM with
 * @err saying so and @host closed.
 */
int snapshot_replay_host(const struct ca_procroot *root, const char *path, struct ca_procroot *host,
			 struct ca_err *err);
/**
 * snapshot_replay_when() - when the capture that the replayed @root holds
 * began, as its metadata says ("2026-12-03T07:26:44Z"), into @out of @size;
 * "" where it says nothing of it or @root is no replay.
 */
void snapshot_replay_when(const struct ca_procroot *root, char *out, size_t size);

#endif
