/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A set of names, each added once: what a snapshot has already captured. */
#ifndef CAPAUDIT_NAMESET_H
#define CAPAUDIT_NAMESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct ca_nameset {
	struct ca_nameset_slot *slots;	/* open addressing, linear probing */
	size_t cap;			/* a power of two, or 0 */
	size_t used;
	char *arena;			/* every name, NUL-terminated, one after another */
	size_t arena_len, arena_cap;
};

/**
 * nameset_add() - add the @len bytes at @name to @set.
 * Returns 1 where it was added, 0 where it was there already, or -ENOMEM
 * (and @set unchanged).
 */
int nameset_add(struct ca_nameset *set, const char *name, size_t len);

/**
 * nameset_has() - whether the @len bytes at @name are in @set.
 */
bool nameset_has(const struct ca_nameset *set, const char *name, size_t len);

/**
 * nameset_free() - release the set's memory; it is empty and usable again.
 */
void nameset_free(struct ca_nameset *set);

#endif
