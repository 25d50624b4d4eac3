/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A set of names: hashed into a compact table, their bytes in one arena. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nameset.h"

/*
 * A snapshot of 30k processes adds ~350k names of ~20 bytes: a search tree
 * with a strdup() each spent more time in strcmp() and malloc() than the
 * capture spent reading. Here a name costs a hash, a probe or two and a
 * copy to the end of the arena. A slot is 8 bytes, so that the table of
 * such a snapshot (4 MiB) stays in the cache and the TLB: with 24-byte
 * slots every probe missed both, and on a VM cost about what the read of
 * /proc it guarded did.
 */
struct ca_nameset_slot {
	uint32_t hash;			/* 0: empty */
	uint32_t at;			/* the name's offset in the arena */
};

/* FNV-1a, then MurmurHash3's finaliser (FNV's low bits mix poorly); never 0. */
static uint32_t hash_of(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h ? (uint32_t)h : 1;
}

static struct ca_nameset_slot *find(const struct ca_nameset *set, uint32_t h, const char *name,
				    size_t len)
{
	size_t mask = set->cap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		struct ca_nameset_slot *s = &set->slots[i];

		if (!s->hash || (s->hash == h && memcmp(set->arena + s->at, name, len) == 0 &&
				 set->arena[s->at + len] == '\0'))
			return s;
	}
}

static int grow(struct ca_nameset *set)
{
	size_t ncap = set->cap ? set->cap * 2 : 1024, i;
	struct ca_nameset_slot *old = set->slots;
	size_t ocap = set->cap;

	if (ncap > UINT32_MAX)
		return -ENOMEM;
	set->slots = calloc(ncap, sizeof(*set->slots));
	if (!set->slots) {
		set->slots = old;
		return -ENOMEM;
	}
	set->cap = ncap;
	for (i = 0; i < ocap; i++) {
		if (old[i].hash) {
			size_t j = old[i].hash & (ncap - 1);

			while (set->slots[j].hash)
				j = (j + 1) & (ncap - 1);
			set->slots[j] = old[i];
		}
	}
	free(old);
	return 0;
}

int nameset_add(struct ca_nameset *set, const char *name, size_t len)
{
	uint32_t h = hash_of(name, len);
	struct ca_nameset_slot *s;

	/* At most half full: probes stay short. */
	if ((set->used + 1) * 2 > set->cap && grow(set) < 0)
		return -ENOMEM;
	s = find(set, h, name, len);
	if (s->hash)
		return 0;
	if (len >= UINT32_MAX - set->arena_len ||
	    util_grow(&set->arena, &set->arena_cap, set->arena_len + len + 1, 1) < 0)
		return -ENOMEM;
	memcpy(set->arena + set->arena_len, name, len);
	set->arena[set->arena_len + len] = '\0';
	*s = (struct ca_nameset_slot){ .hash = h, .at = (uint32_t)set->arena_len };
	set->arena_len += len + 1;
	set->used++;
	return 1;
}

bool nameset_has(const struct ca_nameset *set, const char *name, size_t len)
{
	return set->cap && find(set, hash_of(name, len), name, len)->hash;
}

void nameset_free(struct ca_nameset *set)
{
	free(set->slots);
	free(set->arena);
	memset(set, 0, sizeof(*set));
}
