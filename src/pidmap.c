/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An open-addressing hash map from pid to index. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "pidmap.h"

struct ca_pidmap_slot {
	pid_t pid;			/* 0: empty */
	uint32_t index;
};

static size_t slot_of(pid_t pid, size_t cap)
{
	/* Fibonacci hashing: consecutive pids spread over the table. */
	return (size_t)(((uint64_t)(uint32_t)pid * UINT64_C(11400714819323198485)) >> 32) & (cap - 1);
}

static struct ca_pidmap_slot *find(struct ca_pidmap_slot *slots, size_t cap, pid_t pid)
{
	size_t i = slot_of(pid, cap);

	while (slots[i].pid != 0 && slots[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct ca_pidmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024, i;
	struct ca_pidmap_slot *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].pid)
			*find(n, ncap, m->slots[i].pid) = m->slots[i];
	free(m->slots);
	m->slots = n;
	m->cap = ncap;
	return 0;
}

int pidmap_put(struct ca_pidmap *m, pid_t pid, uint32_t index)
{
	struct ca_pidmap_slot *s;

	if (pid <= 0)
		return -EINVAL;
	if ((m->used + 1) * 2 > m->cap && grow(m) < 0)
		return -ENOMEM;
	s = find(m->slots, m->cap, pid);
	if (s->pid == 0)
		m->used++;
	s->pid = pid;
	s->index = index;
	return 0;
}

int64_t pidmap_get(const struct ca_pidmap *m, pid_t pid)
{
	const struct ca_pidmap_slot *s;

	if (pid <= 0 || m->cap == 0)
		return -1;
	s = find(m->slots, m->cap, pid);
	return s->pid ? (int64_t)s->index : -1;
}

void pidmap_free(struct ca_pidmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->used = 0;
}
