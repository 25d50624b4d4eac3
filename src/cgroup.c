/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A pure cgroup-path classifier: the layouts of every runtime, as a table. */
#include "config.h"

#include <string.h>

#include "cgroup.h"

#define HEX_ID_LEN 64

enum match {
	MATCH_ID,			/* prefix, 64 lower-case hex digits, suffix */
	MATCH_PREFIX,			/* prefix and anything after it */
	MATCH_EXACT,			/* the whole component is prefix */
};

/*
 * One path component that names a container (or a monitor). @parent, where
 * set, is the component that must come right before it. The first matching
 * row wins for a component, so monitors precede the containers whose prefix
 * they share.
 */
static const struct layout {
	enum ca_runtime runtime;
	enum ca_attrib_kind kind;
	enum match match;
	const char *parent;
	const char *prefix;
	const char *suffix;
} layouts[] = {
	/* podman: conmon in libpod-conmon-<id>.scope or /libpod_parent/conmon */
	{ CA_RT_PODMAN, CA_ATTRIB_MONITOR, MATCH_PREFIX, NULL, "libpod-conmon-", NULL },
	{ CA_RT_PODMAN, CA_ATTRIB_MONITOR, MATCH_EXACT, "libpod_parent", "conmon", NULL },
	/* podman: libpod-<id>.scope (systemd), libpod-<id> (cgroupfs) */
	{ CA_RT_PODMAN, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, "libpod-", ".scope" },
	{ CA_RT_PODMAN, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, "libpod-", "" },
	/* docker: docker-<id>.scope (systemd), /docker/<id> (cgroupfs) */
	{ CA_RT_DOCKER, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, "docker-", ".scope" },
	{ CA_RT_DOCKER, CA_ATTRIB_CONTAINER, MATCH_ID, "docker", "", "" },
};

static bool is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != HEX_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool comp_is(const char *s, size_t len, const char *word)
{
	return word && strlen(word) == len && memcmp(s, word, len) == 0;
}

/* Does component [s, s+len) match @l? The id goes to @id. */
static bool layout_match(const struct layout *l, const char *s, size_t len,
			 const char *parent, size_t parentlen, char *id)
{
	size_t plen = strlen(l->prefix), slen = l->suffix ? strlen(l->suffix) : 0;

	if (l->parent && !comp_is(parent, parentlen, l->parent))
		return false;
	switch (l->match) {
	case MATCH_EXACT:
		return comp_is(s, len, l->prefix);
	case MATCH_PREFIX:
		return len > plen && memcmp(s, l->prefix, plen) == 0;
	case MATCH_ID:
		if (len != plen + HEX_ID_LEN + slen || memcmp(s, l->prefix, plen) != 0 ||
		    memcmp(s + plen + HEX_ID_LEN, l->suffix, slen) != 0 ||
		    !is_hex_id(s + plen, HEX_ID_LEN))
			return false;
		memcpy(id, s + plen, HEX_ID_LEN);
		id[HEX_ID_LEN] = '\0';
		return true;
	}
	return false;
}

bool cgroup_path_attribute(const char *path, size_t len, struct ca_attrib *out)
{
	const char *p = path, *end = path + len;
	const char *parent = NULL;
	size_t parentlen = 0;
	bool found = false;

	memset(out, 0, sizeof(*out));
	/*
	 * The innermost container wins (nesting), but once a container has
	 * matched, nothing below it can turn the process into a monitor: a
	 * container that may create sub-cgroups must not hide a process by
	 * naming one "libpod-conmon-...".
	 */
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t clen = slash ? (size_t)(slash - p) : (size_t)(end - p);
		size_t i;

		for (i = 0; clen && i < sizeof(layouts) / sizeof(layouts[0]); i++) {
			const struct layout *l = &layouts[i];
			char id[CA_ID_MAX];

			if (!layout_match(l, p, clen, parent, parentlen, id))
				continue;
			if (l->kind == CA_ATTRIB_MONITOR) {
				if (out->kind != CA_ATTRIB_CONTAINER) {
					out->kind = l->kind;
					out->runtime = l->runtime;
					found = true;
				}
			} else {
				out->kind = l->kind;
				out->runtime = l->runtime;
				memcpy(out->id, id, sizeof(id));
				found = true;
			}
			break;
		}
		if (clen) {
			parent = p;
			parentlen = clen;
		}
		if (!slash)
			break;
		p = slash + 1;
	}
	return found;
}

/* Rank of a line: 0 for "0::", 1 for name=systemd, 2 for the controllers. */
static int line_rank(const char *ctl, size_t ctllen, const char *hier, size_t hierlen)
{
	if (hierlen == 1 && hier[0] == '0' && ctllen == 0)
		return 0;
	if (comp_is(ctl, ctllen, "name=systemd"))
		return 1;
	return 2;
}

void cgroup_parse(const char *buf, size_t len, struct ca_attrib *out)
{
	const char *end = buf + len;
	int rank;

	memset(out, 0, sizeof(*out));
	for (rank = 0; rank < 3; rank++) {
		const char *p = buf;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *lend = nl ? nl : end;
			const char *c1, *c2;

			/* "hierarchy:controllers:path"; the path itself may hold ':'. */
			c1 = memchr(p, ':', (size_t)(lend - p));
			c2 = c1 ? memchr(c1 + 1, ':', (size_t)(lend - c1 - 1)) : NULL;
			if (c2 && c1 > p && c2 + 1 < lend && c2[1] == '/' &&
			    line_rank(c1 + 1, (size_t)(c2 - c1 - 1), p, (size_t)(c1 - p)) == rank &&
			    cgroup_path_attribute(c2 + 1, (size_t)(lend - c2 - 1), out))
				return;
			p = lend + 1;
		}
	}
	memset(out, 0, sizeof(*out));
}
