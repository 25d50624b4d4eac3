/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Selection of containers and processes, before the audit judges them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "select.h"

bool select_is_all(const struct ca_select *sel)
{
	return !sel->container && sel->runtime == CA_RT_NONE && sel->pid == 0;
}

bool select_matches(const struct ca_select *sel, enum ca_runtime rt, const char *id, const char *name)
{
	if (sel->runtime != CA_RT_NONE && rt != sel->runtime)
		return false;
	/* an id, a prefix of one, or the name its runtime gives it (src/workload.c) */
	return !sel->container || strncmp(id, sel->container, strlen(sel->container)) == 0 ||
	       (name && strcmp(name, sel->container) == 0);
}

static bool keep(struct ca_container *c, const struct ca_select *sel)
{
	size_t i;

	if (!select_matches(sel, c->runtime, c->id, c->workload.name))
		return false;
	if (sel->pid) {
		for (i = 0; i < c->nprocs; i++)
			if (c->procs[i].pid == sel->pid)
				break;
		if (i == c->nprocs)
			return false;
		c->procs[0] = c->procs[i];
		c->nprocs = 1;
	}
	return true;
}

void select_apply(struct ca_scan *scan, const struct ca_select *sel)
{
	size_t i, n = 0;

	if (select_is_all(sel))
		return;
	for (i = 0; i < scan->ncontainers; i++) {
		struct ca_container *c = &scan->containers[i];

		if (keep(c, sel)) {
			scan->containers[n++] = *c;
			continue;
		}
		/* Nothing is judged yet: a container owns its processes and its label. */
		free(c->procs);
		free(c->lsm);
		workload_free(&c->workload);
	}
	scan->ncontainers = n;
}
