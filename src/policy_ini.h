/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy language: INI read with inih, every mistake named by file:line. */
#ifndef CAPAUDIT_POLICY_INI_H
#define CAPAUDIT_POLICY_INI_H

#include <stdio.h>

#include "policy.h"
#include "util.h"

/* Longest line Debian's inih reads whole (INI_MAX_LINE 200, newline and NUL included). */
#define CA_POLICY_LINE_MAX 198
/* The largest policy file read: a thousand sections take about 100 KiB. */
#define CA_POLICY_FILE_MAX (1u << 20)
/* Sections of a policy, [default] included: 2.6 KiB of memory each. */
#define CA_SECTIONS_MAX 10000

/**
 * policy_load_file() - read the policy in @path, a regular file of at most
 * CA_POLICY_FILE_MAX bytes (src/userfile.c).
 * Returns 0 and a policy the caller frees with policy_free(), or a negative
 * errno with @err->msg saying "file:line: what is wrong"; nothing is half-read.
 */
int policy_load_file(const char *path, struct ca_policy **out, struct ca_err *err);

/**
 * policy_load_named() - the policy in force: the file @name, or "built-in";
 * for no @name, @default_file where it exists, else the built-in. Returns
 * as policy_load_file().
 */
int policy_load_named(const char *name, const char *default_file, struct ca_policy **out,
		      struct ca_err *err);

/**
 * policy_load_buf() - the same, from the @len bytes at @text (a NUL among
 * them is a mistake of its line), named @source in messages.
 */
int policy_load_buf(const char *text, size_t len, const char *source, struct ca_policy **out,
		    struct ca_err *err);

/**
 * policy_load_text() - the same, from the string @text.
 */
int policy_load_text(const char *text, const char *source, struct ca_policy **out,
		     struct ca_err *err);

/**
 * policy_show() - write @p as INI that policy_load_file() accepts, presets
 * expanded. Returns 0 or -EIO.
 */
int policy_show(FILE *out, const struct ca_policy *p);

#endif
