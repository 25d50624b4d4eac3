/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one hash map: keys of any bytes (a name, a pid, an inode) to a 32-bit
 * value, each key added once. With sorted arrays (bsearch(), memtree.c) it
 * is every lookup capaudit makes.
 */
#ifndef CAPAUDIT_KEYMAP_H
#define CAPAUDIT_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct ca_keymap {
	struct ca_keymap_slot *slots;	/* open addressing, linear probing */
	size_t cap;			/* a power of two, or 0 */
	size_t used;
	char *arena;			/* every entry: its value, its key's length, its key */
	size_t arena_len, arena_cap;
};

/**
 * keymap_put() - add the @len bytes at @key with @value, where the key is
 * not there yet. Returns 1 where it was added, 0 where it was there already
 * (its value unchanged), or -ENOMEM (and @m unchanged).
 */
int keymap_put(struct ca_keymap *m, const void *key, size_t len, uint32_t value);

/**
 * keymap_get() - the value of the @len bytes at @key, or -1 where they are
 * not in @m.
 */
int64_t keymap_get(const struct ca_keymap *m, const void *key, size_t len);

/**
 * keymap_free() - release the map's memory; it is empty and usable again.
 */
void keymap_free(struct ca_keymap *m);

/* A pid as a key: what replaced a map of its own. */
static inline int keymap_put_pid(struct ca_keymap *m, pid_t pid, uint32_t value)
{
	return keymap_put(m, &pid, sizeof(pid), value);
}

static inline int64_t keymap_get_pid(const struct ca_keymap *m, pid_t pid)
{
	return keymap_get(m, &pid, sizeof(pid));
}

#endif
