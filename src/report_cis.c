/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CIS report: per container, the docker inspect line CIS Docker Benchmark 5.4 audits. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "runtime.h"

/*
 * "[NET_ADMIN SYS_ADMIN]", as Go's %v prints a []string, "[]" for none.
 * Returns a string the caller frees, or NULL with errno set.
 */
static char *go_list(const struct ca_capnames *names, uint64_t mask)
{
	_cleanup_free_ char *s = caps_join(names, mask, " ");
	char *out;
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s);
	out = malloc(len + 3);
	if (!out)
		return NULL;
	out[0] = '[';
	memcpy(out + 1, s, len);
	out[len + 1] = ']';
	out[len + 2] = '\0';
	return out;
}

/*
 * What `docker inspect` shows is what was asked for; what /proc shows is what
 * came of it, and many requests give the same set. The line is the shortest
 * of them, as a person writes it, from what the audit judged against the
 * runtime's default: CapAdd=[ALL] where it is privileged; else CapAdd what
 * the bounding set holds beyond it and CapDrop what it lacks of it; or, once
 * that names more than it, --cap-drop=ALL with CapAdd all that remains
 * (--cap-drop=ALL --cap-add=NET_BIND_SERVICE, though NET_BIND_SERVICE is a
 * default). A tie stays with the explicit list, which hides nothing.
 */
static int print_container(FILE *out, const struct ca_container *c, const struct ca_judgement *j,
			   const struct ca_report *rep)
{
	const uint64_t bnd = j->caps.mask[CA_SET_BOUNDING];
	const uint64_t kept = j->default_caps & ~j->dropped;
	_cleanup_free_ char *id = report_id_word(c->id, c->workload.name);
	_cleanup_free_ char *add = NULL;
	_cleanup_free_ char *drop = NULL;

	if (!id)
		return -ENOMEM;
	if (!caps_set_is_known(&j->caps, CA_SET_BOUNDING)) {
		fprintf(out, "%s: CapAdd=? CapDrop=? (nothing of it could be read)\n", id);
		return 0;
	}
	if (!j->has_default) {
		_cleanup_free_ char *all = NULL;

		all = j->privileged ? strdup("[ALL]") : go_list(rep->names, bnd);
		if (!all)
			return -ENOMEM;
		fprintf(out, "%s: CapAdd=? CapDrop=? Bounding=%s (no default set is known for %s)\n",
			id, all, runtime_name(c->runtime));
		return 0;
	}
	if (j->privileged) {
		add = strdup("[ALL]");
		drop = go_list(rep->names, j->dropped);
	} else if (caps_count(j->dropped) > caps_count(kept) + 1) {
		add = go_list(rep->names, bnd);
		drop = strdup("[ALL]");
	} else {
		add = go_list(rep->names, j->added);
		drop = go_list(rep->names, j->dropped);
	}
	if (!add || !drop)
		return -ENOMEM;
	fprintf(out, "%s: CapAdd=%s CapDrop=%s\n", id, add, drop);
	return 0;
}

int report_cis_print(FILE *out, const struct ca_report *rep)
{
	size_t i;
	int r;

	for (i = 0; i < rep->scan->ncontainers; i++) {
		r = print_container(out, &rep->scan->containers[i], &rep->audit->containers[i], rep);
		if (r < 0)
			return r;
	}
	return ferror(out) ? -EIO : 0;
}
