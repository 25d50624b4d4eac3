/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A map from pid to an index, for walking parent chains after the scan. */
#ifndef CAPAUDIT_PIDMAP_H
#define CAPAUDIT_PIDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ca_pidmap {
	struct ca_pidmap_slot *slots;
	size_t cap;			/* a power of two, or 0 */
	size_t used;
};

/**
 * pidmap_put() - map @pid (> 0) to @index, replacing what it was mapped to.
 * Returns 0 or -ENOMEM.
 */
int pidmap_put(struct ca_pidmap *m, pid_t pid, uint32_t index);

/**
 * pidmap_get() - the index of @pid, or -1 where it has none.
 */
int64_t pidmap_get(const struct ca_pidmap *m, pid_t pid);

/**
 * pidmap_free() - release the map's memory.
 */
void pidmap_free(struct ca_pidmap *m);

#endif
