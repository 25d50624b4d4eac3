/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Selection: narrow a scan to the containers and processes a user asked about. */
#ifndef CAPAUDIT_SELECT_H
#define CAPAUDIT_SELECT_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime.h"
#include "scan.h"

struct ca_select {
	const char *container;		/* an id, a prefix of one, or a name; NULL for all */
	enum ca_runtime runtime;	/* CA_RT_NONE for all */
	pid_t pid;			/* 0 for all */
};

/**
 * select_is_all() - whether @sel selects everything.
 */
bool select_is_all(const struct ca_select *sel);

/**
 * select_matches() - whether @sel selects the container @rt/@id, named
 * @name by its runtime (NULL where unknown), whatever its processes.
 */
bool select_matches(const struct ca_select *sel, enum ca_runtime rt, const char *id, const char *name);

/**
 * select_apply() - drop from @scan every container @sel does not select,
 * and with a pid, every other process of the container that holds it, so
 * that the audit, every report and the exit status speak of the selection.
 */
void select_apply(struct ca_scan *scan, const struct ca_select *sel);

#endif
