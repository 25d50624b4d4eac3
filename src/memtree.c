/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tree of files in memory: one sorted table, looked up by name; names and data in chunks. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memtree.h"
#include "util.h"

/*
 * Names and data are kept in chunks, one after the other, not in a
 * malloc() each: a capture of 10,000 processes is 120,000 members, and in
 * fuzz_snapshot, under ASan, every malloc() unwinds and stores a stack.
 * The first chunk is small (a fuzz input is a few KiB), each next one twice
 * the last up to CHUNK_MAX, or what one member needs alone.
 */
#define CHUNK_MIN 4096u
#define CHUNK_MAX (1u << 20)

struct ca_memchunk {
	struct ca_memchunk *next;
	size_t used, size;
	char data[];
};

char *memtree_room(struct ca_memtree *t, size_t have, size_t more)
{
	struct ca_memchunk *c = t->chunks, *n;
	size_t need = have + more, size;

	if (need < have || need > SIZE_MAX / 2 - sizeof(*c))
		return NULL;
	if (c && c->size - c->used >= need)
		return c->data + c->used;
	/* Alone in its chunk, a node being read grows it in place: nothing else points into it. */
	if (c && c->used == 0) {
		size = need > 2 * c->size ? need : 2 * c->size;
		n = realloc(c, sizeof(*c) + size);
		if (!n)
			return NULL;
		n->size = size;
		t->chunks = n;
		return n->data;
	}
	size = !c ? CHUNK_MIN : c->size < CHUNK_MAX / 2 ? 2 * c->size : CHUNK_MAX;
	if (size < need)
		size = need;
	n = malloc(sizeof(*n) + size);
	if (!n)
		return NULL;
	*n = (struct ca_memchunk){ .next = c, .size = size };
	if (have)
		memcpy(n->data, c->data + c->used, have);
	t->chunks = n;
	return n->data;
}

const char *memtree_keep(struct ca_memtree *t, size_t len)
{
	struct ca_memchunk *c = t->chunks;
	char *p = c->data + c->used;

	p[len] = '\0';
	c->used += len + 1;
	return p;
}

const char *memtree_copy(struct ca_memtree *t, const void *p, size_t len)
{
	char *room = memtree_room(t, 0, len + 1);

	if (!room)
		return NULL;
	memcpy(room, p, len);
	return memtree_keep(t, len);
}

int memtree_add(struct ca_memtree *t, enum ca_node_type type, const char *name, const char *data, size_t len)
{
	if (!name || t->sealed || util_grow(&t->nodes, &t->cap, t->n + 1, sizeof(*t->nodes)) < 0)
		return -ENOMEM;
	t->nodes[t->n++] = (struct ca_memnode){ .name = name, .data = data, .len = len, .type = type };
	t->bytes += sizeof(*t->nodes) + strlen(name) + 1 + (data ? len + 1 : 0);
	return 0;
}

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ca_memnode *)a)->name, ((const struct ca_memnode *)b)->name);
}

int memtree_seal(struct ca_memtree *t, const char **dup)
{
	size_t i;

	*dup = NULL;
	if (t->n)		/* qsort(NULL, 0) is undefined */
		qsort(t->nodes, t->n, sizeof(*t->nodes), node_cmp);
	t->sealed = true;
	for (i = 1; i < t->n; i++)
		if (strcmp(t->nodes[i - 1].name, t->nodes[i].name) == 0) {
			*dup = t->nodes[i].name;
			return -EEXIST;
		}
	return 0;
}

size_t memtree_lower(const struct ca_memtree *t, const char *prefix)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->nodes[mid].name, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ca_memnode *memtree_find(const struct ca_memtree *t, const char *name)
{
	size_t i = memtree_lower(t, name);

	return i < t->n && strcmp(t->nodes[i].name, name) == 0 ? &t->nodes[i] : NULL;
}

void memtree_free(struct ca_memtree *t)
{
	struct ca_memchunk *c = t->chunks, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}
