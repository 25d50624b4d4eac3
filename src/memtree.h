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
	const char *name;		/* "proc/1234/status": no leading, trailing or double '/' */
	const char *data;		/* a file's bytes, a link's target, NUL after them; NULL for a directory */
	size_t len;
	enum ca_node_type type;
};

struct ca_memchunk;

struct ca_memtree {
	struct ca_memnode *nodes;	/* sorted by name once sealed */
	size_t n, cap;
	size_t bytes;			/* what the tree holds: names, data and the table */
	bool sealed;
	struct ca_memchunk *chunks;	/* where the names and data are kept, the newest first */
};

/**
 * memtree_room() - room in @t's memory for the bytes of a node being read:
 * the @have bytes at the pointer returned last (by this function, with
 * nothing kept since) stay, and @more may follow them. The pointer may
 * move; it is the tree's, and valid until the next call on @t. Returns
 * NULL where memory is short.
 */
char *memtree_room(struct ca_memtree *t, size_t have, size_t more);

/**
 * memtree_keep() - keep the first @len bytes of the room memtree_room()
 * gave last (which must hold @len + 1), with a NUL after them. Returns
 * where they are: the tree's, valid until memtree_free().
 */
const char *memtree_keep(struct ca_memtree *t, size_t len);

/**
 * memtree_copy() - the @len bytes at @p, with a NUL after them, kept in
 * @t's memory: memtree_room() and memtree_keep() at once. Returns the
 * tree's copy, or NULL where memory is short.
 */
const char *memtree_copy(struct ca_memtree *t, const void *p, size_t len);

/**
 * memtree_add() - add a node whose @name and @data (NULL for a directory)
 * are in @t's own memory, from memtree_keep() or memtree_copy(). Returns 0,
 * or -ENOMEM (@name NULL: its copy failed). Only before memtree_seal().
 */
int memtree_add(struct ca_memtree *t, enum ca_node_type type, const char *name, const char *data, size_t len);

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
 * memtree_free() - release the tree, its nodes and their memory.
 */
void memtree_free(struct ca_memtree *t);

#endif
