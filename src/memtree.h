/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tree of files held in memory: a snapshot read in place, nothing of it written to disk. */
#ifndef CAPAUDIT_MEMTREE_H
#define CAPAUDIT_MEMTREE_H

#include <stdbool.h>
#include <stddef.h>

/* What a node is, as a tar header and a snapshot's manifest spell it. */
enum ca_node_type {
	CA_NODE_FILE = 'f',
	CA_NODE_LINK = 'l',
	CA_NODE_DIR = 'd',
};

struct ca_memnode {
	char *name;			/* "proc/1234/status": no leading, trailing or double '/' */
	char *data;			/* a file's bytes, a link's target, NUL after them; NULL for a directory */
	size_t len;
	enum ca_node_type type;
};

struct ca_memtree {
	struct ca_memnode *nodes;	/* sorted by name once sealed */
	size_t n, cap;
	size_t bytes;			/* what the tree holds: names, data and the table */
	bool sealed;
};

/**
 * memtree_add() - add a node, taking ownership of @name and @data (both
 * malloc()ed; @data NULL for a directory), which are freed on failure too.
 * Returns 0 or -ENOMEM. Only before memtree_seal().
 */
int memtree_add(struct ca_memtree *t, enum ca_node_type type, char *name, char *data, size_t len);

/**
 * memtree_seal() - sort the tree for lookups. Returns 0, or -EEXIST with
 * *@dup (the tree's, valid until memtree_free()) naming a node given twice.
 */
int memtree_seal(struct ca_memtree *t, const char **dup);

/**
 * memtree_find() - the node named @name in a sealed tree, or NULL.
 */
const struct ca_memnode *memtree_find(const struct ca_memtree *t, const char *name);

/**
 * memtree_lower() - the index of the first node of a sealed tree whose name
 * is not below @prefix: every name that starts with @prefix is at it or
 * after it, together. t->n where there is none.
 */
size_t memtree_lower(const struct ca_memtree *t, const char *prefix);

/**
 * memtree_free() - release the tree and every node.
 */
void memtree_free(struct ca_memtree *t);

#endif
