/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries only one command needs, loaded by that command with dlopen():
 * a scan must not pay for loading what a snapshot or learning uses.
 */
#ifndef CAPAUDIT_LIBLOAD_H
#define CAPAUDIT_LIBLOAD_H

#include <stddef.h>

#include "util.h"

struct ca_sym {
	const char *name;
	void **slot;			/* where its address goes (POSIX: a function pointer fits) */
};

/**
 * libload() - dlopen() @soname and fill each of @syms; the handle stays
 * open for the process's life. Returns 0, or -ELIBACC with @err saying
 * that @who ("snapshots need", "learning needs") the library or one of its symbols.
 */
int libload(const char *soname, const struct ca_sym *syms, size_t n, const char *who, struct ca_err *err);

#endif
