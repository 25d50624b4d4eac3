/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A snapshot's metadata.json: what was captured, where and when, written and read in one place. */
#ifndef CAPAUDIT_SNAPMETA_H
#define CAPAUDIT_SNAPMETA_H

#include <stdbool.h>
#include <stddef.h>

/* The bounds of the case record's fields: an id or a name, and a note. */
#define CA_META_FIELD_MAX 256
#define CA_META_NOTE_MAX 4096

/* What metadata.json says (schema_version 1, capaudit(8), SNAPSHOTS); read, the strings are ours. */
struct ca_snapmeta {
	const char *hostname;
	const char *kernel_release;
	const char *boot_id;
	const char *capture_start;		/* UTC, "2026-12-03T07:26:44Z" */
	const char *capture_end;
	double capture_window;		/* seconds from the first read to the last */
	const char *command_line;		/* capaudit's own */
	const char *policy_source;		/* the policy's name at capture */
	bool no_cmdline;
	bool with_environ;
	bool lsm_labels;
	/* the case record a responder gave (--case, --examiner, --note); NULL: none */
	const char *case_id;
	const char *examiner;
	const char *note;
	const char *signer_fingerprint;	/* "SHA256:<hex>" of signer.pub; NULL: not signed */
};

/**
 * snapmeta_write() - @m as metadata.json's text; what was read from the
 * host (its name, release, boot id: a tree's are anyone's) made valid UTF-8
 * without control characters first, and so is a case field that is not
 * already (the command line refuses one). A case field that is NULL is null.
 * Returns a string the caller frees, or NULL with errno set.
 */
char *snapmeta_write(const struct ca_snapmeta *m);

/**
 * snapmeta_read() - the @len bytes of metadata.json at @text into @m, whose
 * strings are the caller's to release with snapmeta_free(); a member absent
 * or of another type stays NULL or false. Returns 0, -EINVAL for text that
 * is no JSON object, or -ENOMEM.
 */
int snapmeta_read(const char *text, size_t len, struct ca_snapmeta *m);

/**
 * snapmeta_free() - release what snapmeta_read() allocated, and clear @m.
 */
void snapmeta_free(struct ca_snapmeta *m);

#endif
