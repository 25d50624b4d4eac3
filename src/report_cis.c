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
 * of them, as a person writes it: against the runtime's default, CapAdd what
 * the bounding set holds beyond it and CapDrop what it lacks of it; or, once
 * that names more than it, --cap-drop=ALL with CapAdd all that remains
 * (--cap-drop=ALL --cap-add=NET_BIND_SERVICE, though NET_BIND_SERVICE is a
 * default). A tie stays with the explicit list, which hides nothing.
 */
static int print_container(FILE *out, const struct ca_container *c, const struct ca_report *rep)
{
	const uint64_t bnd = c->caps.mask[CA_SET_BOUNDING];
	const uint64_t host = rep->scan->host.bounding;
	_cleanup_free_ char *id = esc_word(c->id, strlen(c->id));
	_cleanup_free_ char *add = NULL;
	_cleanup_free_ char *drop = NULL;
	uint64_t def;

	if (!id)
		return -ENOMEM;
	if (!caps_set_is_known(&c->caps, CA_SET_BOUNDING)) {
		fprintf(out, "%s: CapAdd=? CapDrop=? (nothing of it could be read)\n", id);
		return 0;
	}
	if (!runtime_default_caps(c->runtime, &def)) {
		_cleanup_free_ char *all = NULL;

		all = caps_is_privileged(bnd, host) ? strdup("[ALL]") : go_list(rep->names, bnd);
		if (!all)
			return -ENOMEM;
		fprintf(out, "%s: CapAdd=? CapDrop=? Bounding=%s (no default set is known for %s)\n",
			id, all, runtime_name(c->runtime));
		return 0;
	}
	def &= caps_valid_mask(rep->names->last_cap);
	if (caps_is_privileged(bnd, host)) {
		add = strdup("[ALL]");
		drop = go_list(rep->names, def & ~bnd);
	} else if (caps_count(def & ~bnd) > caps_count(def & bnd) + 1) {
		add = go_list(rep->names, bnd);
		drop = strdup("[ALL]");
	} else {
		add = go_list(rep->names, bnd & ~def);
		drop = go_list(rep->names, def & ~bnd);
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
		r = print_container(out, &rep->scan->containers[i], rep);
		if (r < 0)
			return r;
	}
	return ferror(out) ? -EIO : 0;
}
