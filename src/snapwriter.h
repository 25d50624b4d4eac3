/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A snapshot's archive: members checksummed and written on a thread of their own. */
#ifndef CAPAUDIT_SNAPWRITER_H
#define CAPAUDIT_SNAPWRITER_H

#include <stddef.h>
#include <time.h>

#include "util.h"

#define CA_SHA256_LEN 32

/* The manifest's name; it names every other member, with its SHA-256. */
#define CA_MANIFEST "MANIFEST.sha256"
/* The members a snapshot holds beside proc/ and the manifest. */
#define CA_SNAP_ERRORS "errors"			/* "<errno> <rel>" a line: the reads that failed */
#define CA_SNAP_METADATA "metadata.json"
#define CA_SNAP_POLICY "policy.ini"		/* the policy in force, as policy show writes it */
#define CA_SNAP_SIGNER "signer.pub"		/* the signer's public key, PEM; in the manifest */
/* The signature of the manifest's bytes: after it, the one member it cannot name. */
#define CA_SNAP_SIGNATURE "manifest.sig"

struct ca_snapwriter;
struct ca_snapkey;

/**
 * snapwriter_new() - prepare to write a ustar archive to @fd, compressed with
 * the libarchive filter @filter (ARCHIVE_FILTER_*), every member stamped
 * @mtime, its manifest signed with @key where it is not NULL; @name and
 * @key must outlive the writer, @name names the archive in messages.
 * Nothing is loaded and no thread starts until the first member: the caller
 * drops its privileges in between, and the thread holds only what is left.
 * Returns 0 and *@out (the caller's, for snapwriter_close() or
 * snapwriter_free()), or -ENOMEM.
 */
int snapwriter_new(struct ca_snapwriter **out, int fd, int filter, const char *name, time_t mtime,
		   const struct ca_snapkey *key);

/**
 * snapwriter_add() - hand over one member: @type 'f' (a file of @len bytes of
 * @data), 'l' (a symlink to the NUL-terminated @data) or 'd' (a directory);
 * @name is @nlen bytes, NUL-terminated. Both are copied. Members go into the
 * archive in the order given. Returns 0, or the writer's first failure
 * (negative errno) once it has one: later members are dropped, and
 * snapwriter_close() gives the message.
 */
int snapwriter_add(struct ca_snapwriter *w, char type, const char *name, size_t nlen,
		   const char *data, size_t len);

/**
 * snapwriter_close() - write the manifest last (and its signature after
 * it), finish the archive and free @w. Returns 0 with the SHA-256 of every byte written to the file in
 * @digest, or a negative errno with @err filled.
 */
int snapwriter_close(struct ca_snapwriter *w, unsigned char digest[CA_SHA256_LEN],
		     struct ca_err *err);

/**
 * snapwriter_free() - stop and free @w (NULL is fine); what reached the file
 * is not a whole archive.
 */
void snapwriter_free(struct ca_snapwriter *w);

#endif
