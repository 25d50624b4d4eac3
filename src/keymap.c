/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A hash map of byte keys: hashed into a compact table, the entries in one arena. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"

/*
 * A snapshot of 30k processes adds ~350k names of ~20 bytes: a search tree
 * with a strdup() each spent more time in strcmp() and malloc() than the
 * capture spent reading. Here a key costs a hash, a probe or two and a
 * copy to the end of the arena. A slot is 8 bytes, so that the table of
 * such a snapshot (4 MiB) stays in the cache and the TLB: with 24-byte
 * slots every probe missed both, and on a VM cost about what the read of
 * /proc it guarded did.
 */
struct ca_keymap_slot {
	uint32_t hash;			/* 0: empty */
	uint32_t at;			/* the entry's offset in the arena */
};

/* An entry in the arena: the value, the key's length, then the key. */
#define ENTRY_HEAD (2 * sizeof(uint32_t))

/* FNV-1a, then MurmurHash3's finaliser (FNV's low bits mix poorly); never 0. */
static uint32_t hash_of(const void *key, size_t len)
{
	const unsigned char *s = key;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h ? (uint32_t)h : 1;
}

static uint32_t entry_u32(const struct ca_keymap *m, size_t at)
{
	uint32_t v;

	memcpy(&v, m->arena + at, sizeof(v));
	return v;
}

static struct ca_keymap_slot *find(const struct ca_keymap *m, uint32_t h, const void *key, size_t len)
{
	size_t mask = m->cap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		struct ca_keymap_slot *s = &m->slots[i];

		if (!s->hash || (s->hash == h && entry_u32(m, s->at + sizeof(uint32_t)) == len &&
				 memcmp(m->arena + s->at + ENTRY_HEAD, key, len) == 0))
			return s;
	}
}

static int grow(struct ca_keymap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024, i;
	struct ca_keymap_slot *old = m->slots;
	size_t ocap = m->cap;

	if (ncap > UINT32_MAX)
		return -ENOMEM;
	m->slots = calloc(ncap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = ncap;
	for (i = 0; i < ocap; i++) {
		if (old[i].hash) {
			size_t j = old[i].hash & (ncap - 1);

			while (m->slots[j].hash)
				j = (j + 1) & (ncap - 1);
			m->slots[j] = old[i];
		}
	}
	free(old);
	return 0;
}

int keymap_put(struct ca_keymap *m, const void *key, size_t len, uint32_t value)
{
	uint32_t h = hash_of(key, len), n = (uint32_t)len;
	struct ca_keymap_slot *s;

	/* At most half full: probes stay short. */
	if ((m->used + 1) * 2 > m->cap && grow(m) < 0)
		return -ENOMEM;
	s = find(m, h, key, len);
	if (s->hash)
		return 0;
	if (len >= UINT32_MAX - ENTRY_HEAD - m->arena_len ||
	    util_grow(&m->arena, &m->arena_cap, m->arena_len + ENTRY_HEAD + len, 1) < 0)
		return -ENOMEM;
	memcpy(m->arena + m->arena_len, &value, sizeof(value));
	memcpy(m->arena + m->arena_len + sizeof(value), &n, sizeof(n));
	memcpy(m->arena + m->arena_len + ENTRY_HEAD, key, len);
	*s = (struct ca_keymap_slot){ .hash = h, .at = (uint32_t)m->arena_len };
	m->arena_len += ENTRY_HEAD + len;
	m->used++;
	return 1;
}

int64_t keymap_get(const struct ca_keymap *m, const void *key, size_t len)
{
	const struct ca_keymap_slot *s;

	if (!m->cap)
		return -1;
	s = find(m, hash_of(key, len), key, len);
	return s->hash ? (int64_t)entry_u32(m, s->at) : -1;
}

void keymap_free(struct ca_keymap *m)
{
	free(m->slots);
	free(m->arena);
	memset(m, 0, sizeof(*m));
}
