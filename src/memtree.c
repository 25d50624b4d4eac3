/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tree of files in memory: one sorted table, looked up by name. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memtree.h"
#include "util.h"

int memtree_add(struct ca_memtree *t, enum ca_node_type type, char *name, char *data, size_t len)
{
	if (t->sealed || util_grow(&t->nodes, &t->cap, t->n + 1, sizeof(*t->nodes)) < 0) {
		free(name);
		free(data);
		return -ENOMEM;
	}
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
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->nodes[i].name);
		free(t->nodes[i].data);
	}
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}
