/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a snapshot once: checked against its manifest, read in place as a proc root, or both. */
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

/* What snapshot_read() reads an archive for: either, or both from one reading. */
enum ca_snapread_for {
	CA_SNAP_READ_VERIFY = 1 << 0,	/* every member summed as it passes, nothing held but the sums */
	CA_SNAP_READ_REPLAY = 1 << 1,	/* every member held in memory, refused where it could be misread */
};

/* An archive read once; the caller's, for snapshot_read_free(). */
struct ca_snapread;

/**
 * snapshot_read() - read the archive on @fd (named @path in messages)
 * once, for the readers @what names (enum ca_snapread_for), as far as one
 * of them reads on: a pipe does. Each member's data is read once, summed
 * as it passes where it is verified, held where it is replayed;
 * metadata.json is parsed once. What fails one reader (a member a replay
 * refuses, a manifest that cannot be read) is kept for it, and the other
 * reads on. Returns 0 and *@out, for snapshot_read_verify() and
 * snapshot_read_replay(), each once; or a negative errno where nothing
 * could be read, with @err saying why.
 */
int snapshot_read(int fd, const char *path, unsigned what, struct ca_snapread **out, struct ca_err *err);

/**
 * snapshot_read_verify() - what snapshot_verify() says of the archive that
 * @s read for CA_SNAP_READ_VERIFY, and the same verdict or error.
 */
int snapshot_read_verify(struct ca_snapread *s, const struct ca_snapkey *key, struct ca_verified *v,
			 struct ca_err *err);

/**
 * snapshot_read_replay() - what snapshot_replay_open() makes of the archive
 * that @s read for CA_SNAP_READ_REPLAY: @root takes its tree.
 */
int snapshot_read_replay(struct ca_snapread *s, struct ca_procroot *root, struct ca_policy **policy,
			 struct ca_err *err);

/**
 * snapshot_read_free() - release @s (NULL is fine).
 */
void snapshot_read_free(struct ca_snapread *s);

/**
 * snapshot_verify() - check every member of the archive read from @fd
 * (named @path in messages) against its manifest, in one pass that holds
 * no member: a pipe does;
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
