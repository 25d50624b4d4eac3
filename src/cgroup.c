/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A pure cgroup-path classifier: the layouts of every runtime, as a table. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cgroup.h"

#define HEX_ID_LEN 64

enum match {
	MATCH_ID,			/* prefix, 64 lower-case hex digits, suffix */
	MATCH_NAME,			/* prefix, a name, suffix */
	MATCH_PREFIX,			/* prefix and anything after it */
	MATCH_EXACT,			/* the whole component is prefix */
};

enum {
	UNESCAPE = 1 << 0,		/* systemd unit escaping, "\x2d" for '-' */
	PAYLOAD = 1 << 1,		/* a container only where "payload" comes next */
};

/*
 * One path component that names a container (or a monitor). @parent, where
 * set, is the component that must come right before it. The first matching
 * row wins for a component, so monitors precede the containers whose prefix
 * they share.
 */
/* A string literal and its length, for the table. */
#define S(lit) lit, sizeof(lit) - 1

static const struct layout {
	enum ca_runtime runtime;
	enum ca_attrib_kind kind;
	enum match match;
	const char *parent;
	const char *prefix;
	size_t plen;
	const char *suffix;		/* "" for none */
	size_t slen;
	int flags;
} layouts[] = {
	/* podman: conmon in libpod-conmon-<id>.scope or /libpod_parent/conmon */
	{ CA_RT_PODMAN, CA_ATTRIB_MONITOR, MATCH_PREFIX, NULL, S("libpod-conmon-"), S(""), 0 },
	{ CA_RT_PODMAN, CA_ATTRIB_MONITOR, MATCH_EXACT, "libpod_parent", S("conmon"), S(""), 0 },
	/* podman: libpod-<id>.scope (systemd), libpod-<id> (cgroupfs), libpod-payload-<id> */
	{ CA_RT_PODMAN, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("libpod-"), S(".scope"), 0 },
	{ CA_RT_PODMAN, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("libpod-payload-"), S(""), 0 },
	{ CA_RT_PODMAN, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("libpod-"), S(""), 0 },
	/* docker: docker-<id>.scope (systemd), /docker/<id> (cgroupfs) */
	{ CA_RT_DOCKER, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("docker-"), S(".scope"), 0 },
	{ CA_RT_DOCKER, CA_ATTRIB_CONTAINER, MATCH_ID, "docker", S(""), S(""), 0 },
	/* containerd: CRI with systemd, nerdctl */
	{ CA_RT_CONTAINERD, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("cri-containerd-"), S(".scope"), 0 },
	{ CA_RT_CONTAINERD, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("nerdctl-"), S(".scope"), 0 },
	/* CRI-O: its conmon, then crio-<id>.scope (systemd), crio-<id> (cgroupfs) */
	{ CA_RT_CRIO, CA_ATTRIB_MONITOR, MATCH_PREFIX, NULL, S("crio-conmon-"), S(""), 0 },
	{ CA_RT_CRIO, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("crio-"), S(".scope"), 0 },
	{ CA_RT_CRIO, CA_ATTRIB_CONTAINER, MATCH_ID, NULL, S("crio-"), S(""), 0 },
	/* LXC, LXD, Incus: monitors, lxc.payload.<name>, /lxc/<name> (Proxmox: /lxc/<vmid>/ns) */
	{ CA_RT_LXC, CA_ATTRIB_MONITOR, MATCH_PREFIX, NULL, S("lxc.monitor."), S(""), 0 },
	{ CA_RT_LXC, CA_ATTRIB_MONITOR, MATCH_NAME, "lxc.monitor", S(""), S(""), 0 },
	{ CA_RT_LXC, CA_ATTRIB_CONTAINER, MATCH_NAME, NULL, S("lxc.payload."), S(""), 0 },
	{ CA_RT_LXC, CA_ATTRIB_CONTAINER, MATCH_NAME, "lxc", S(""), S(""), 0 },
	/* systemd-nspawn: the payload is the container, the scope its supervisor */
	{ CA_RT_NSPAWN, CA_ATTRIB_CONTAINER, MATCH_NAME, NULL, S("machine-"), S(".scope"), UNESCAPE | PAYLOAD },
	{ CA_RT_NSPAWN, CA_ATTRIB_CONTAINER, MATCH_NAME, NULL, S("systemd-nspawn@"), S(".service"),
	  UNESCAPE | PAYLOAD },
};

/* Mixed form of containerd's systemd driver: "<pod slice>:<prefix>:<id>". */
static const struct {
	const char *prefix;
	enum ca_runtime runtime;
} colon_runtimes[] = {
	{ "cri-containerd", CA_RT_CONTAINERD },
	{ "crio", CA_RT_CRIO },
	{ "docker", CA_RT_DOCKER },
};

static const struct {
	const char *name;
	enum ca_qos qos;
} qos_names[] = {
	{ "guaranteed", CA_QOS_GUARANTEED },
	{ "burstable", CA_QOS_BURSTABLE },
	{ "besteffort", CA_QOS_BESTEFFORT },
};

struct comp {
	const char *s;
	size_t len;
};

const char *cgroup_qos_name(enum ca_qos qos)
{
	size_t i;

	for (i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]); i++)
		if (qos_names[i].qos == qos)
			return qos_names[i].name;
	return NULL;
}

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

static bool comp_is(struct comp c, const char *word)
{
	return word && strlen(word) == c.len && memcmp(c.s, word, c.len) == 0;
}

static bool comp_is_comp(struct comp a, struct comp b)
{
	return a.s && b.s && a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

static bool comp_has_prefix(struct comp c, const char *prefix)
{
	size_t n = strlen(prefix);

	return c.len >= n && memcmp(c.s, prefix, n) == 0;
}

static bool comp_has_suffix(struct comp c, const char *suffix)
{
	size_t n = strlen(suffix);

	return c.len >= n && memcmp(c.s + c.len - n, suffix, n) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Copy a name of [s, s+len) into @out (CA_ID_MAX), undoing systemd's "\xHH"
 * where asked. A name that does not fit, or would hold a NUL, is refused:
 * cutting it short could merge two containers.
 */
static bool copy_name(const char *s, size_t len, bool unescape, char *out)
{
	size_t i, n = 0;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (unescape && c == '\\' && i + 3 < len && s[i + 1] == 'x' &&
		    hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			c = (char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
			i += 3;
		}
		if (c == '\0' || n + 1 >= CA_ID_MAX)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

/* Does component @c match @l (after @parent)? A container's id goes to @id. */
static bool layout_match(const struct layout *l, struct comp c, struct comp parent, char *id)
{
	size_t plen = l->plen, slen = l->slen;

	if (l->parent && !comp_is(parent, l->parent))
		return false;
	if (c.len < plen + slen || memcmp(c.s, l->prefix, plen) != 0 ||
	    memcmp(c.s + c.len - slen, l->suffix, slen) != 0)
		return false;
	switch (l->match) {
	case MATCH_EXACT:
		return c.len == plen;
	case MATCH_PREFIX:
		return c.len > plen;
	case MATCH_ID:
		if (c.len != plen + HEX_ID_LEN + slen || !is_hex_id(c.s + plen, HEX_ID_LEN))
			return false;
		memcpy(id, c.s + plen, HEX_ID_LEN);
		id[HEX_ID_LEN] = '\0';
		return true;
	case MATCH_NAME:
		return c.len > plen + slen &&
		       copy_name(c.s + plen, c.len - plen - slen, l->flags & UNESCAPE, id);
	}
	return false;
}

/* A pod uid of hex digits and '-' or '_', normalised to dashes. */
static bool copy_pod_uid(const char *s, size_t len, char *out)
{
	size_t i;

	if (len < 32 || len > 36)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '_')
			c = '-';
		if (c != '-' && hexval(c) < 0)
			return false;
		out[i] = c;
	}
	out[len] = '\0';
	return true;
}

static enum ca_qos qos_of(struct comp c)
{
	size_t i;

	for (i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]); i++)
		if (comp_is(c, qos_names[i].name))
			return qos_names[i].qos;
	return CA_QOS_NONE;
}

/*
 * Kubernetes pod levels: "kubepods-<qos>-pod<uid>.slice", "kubepods-pod<uid>.slice"
 * (systemd), "pod<uid>" under "kubepods" or "kubepods/<qos>" (cgroupfs). A pod
 * without a QoS level is Guaranteed.
 */
static bool pod_match(struct comp c, struct comp parent, char *uid, enum ca_qos *qos)
{
	size_t i;

	if (comp_has_prefix(c, "kubepods-") && comp_has_suffix(c, ".slice")) {
		struct comp rest = { c.s + 9, c.len - 9 - 6 };

		*qos = CA_QOS_GUARANTEED;
		for (i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]); i++) {
			size_t n = strlen(qos_names[i].name);

			if (rest.len > n && memcmp(rest.s, qos_names[i].name, n) == 0 &&
			    rest.s[n] == '-') {
				*qos = qos_names[i].qos;
				rest.s += n + 1;
				rest.len -= n + 1;
				break;
			}
		}
		return comp_has_prefix(rest, "pod") && copy_pod_uid(rest.s + 3, rest.len - 3, uid);
	}
	if (comp_has_prefix(c, "pod") && (comp_is(parent, "kubepods") || qos_of(parent))) {
		*qos = qos_of(parent) ? qos_of(parent) : CA_QOS_GUARANTEED;
		return copy_pod_uid(c.s + 3, c.len - 3, uid);
	}
	return false;
}

/* "kubepods-burstable-pod<uid>.slice:cri-containerd:<id>" */
static bool colon_match(struct comp c, struct comp parent, struct ca_attrib *out,
			enum ca_runtime *rt, char *id)
{
	const char *c1 = memchr(c.s, ':', c.len), *c2;
	struct comp slice, prefix, hex;
	size_t i;

	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(c.s + c.len - c1 - 1));
	if (!c2)
		return false;
	slice = (struct comp){ c.s, (size_t)(c1 - c.s) };
	prefix = (struct comp){ c1 + 1, (size_t)(c2 - c1 - 1) };
	hex = (struct comp){ c2 + 1, (size_t)(c.s + c.len - c2 - 1) };
	if (!is_hex_id(hex.s, hex.len))
		return false;
	for (i = 0; i < sizeof(colon_runtimes) / sizeof(colon_runtimes[0]); i++) {
		if (!comp_is(prefix, colon_runtimes[i].prefix))
			continue;
		*rt = colon_runtimes[i].runtime;
		memcpy(id, hex.s, HEX_ID_LEN);
		id[HEX_ID_LEN] = '\0';
		pod_match(slice, parent, out->pod_uid, &out->qos);
		return true;
	}
	return false;
}

static void set_container(struct ca_attrib *out, enum ca_runtime rt, const char *id)
{
	size_t n = strnlen(id, CA_ID_MAX - 1);

	if (out->kind == CA_ATTRIB_CONTAINER) {
		/* The outer one becomes a parent; past the limit the outermost go. */
		if (out->nparents == CA_PARENTS_MAX) {
			memmove(&out->parents[0], &out->parents[1],
				sizeof(out->parents[0]) * (CA_PARENTS_MAX - 1));
			out->nparents--;
		}
		out->parents[out->nparents].runtime = out->runtime;
		memcpy(out->parents[out->nparents].id, out->id, CA_ID_MAX);
		out->nparents++;
	}
	out->kind = CA_ATTRIB_CONTAINER;
	out->runtime = rt;
	memcpy(out->id, id, n);
	out->id[n] = '\0';
}

/* A containerd namespace or container id: what ctr accepts. */
static bool is_ctr_name(struct comp c)
{
	size_t i;

	if (c.len == 0 || c.len >= CA_ID_MAX)
		return false;
	for (i = 0; i < c.len; i++) {
		char ch = c.s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

/* What a path that names nothing gives: every field empty, none (CA_*_NONE is 0). */
static void attrib_reset(struct ca_attrib *out)
{
	memset(out, 0, sizeof(*out));
}

/* Attribute one cgroup path ("/docker/<id>"); returns @out->kind. */
static enum ca_attrib_kind cgroup_path_attribute(const char *path, size_t len, struct ca_attrib *out)
{
	const char *p = path, *end = path + len;
	struct comp comps[2] = { { NULL, 0 }, { NULL, 0 } };
	struct comp parent = { "", 0 };
	char pod_uid[CA_POD_UID_MAX] = "";
	enum ca_qos qos = CA_QOS_NONE;
	const struct layout *await_payload = NULL;
	char await_id[CA_ID_MAX];
	size_t ncomps = 0;

	attrib_reset(out);
	/*
	 * Walk outside in. Each container found makes the one before it a
	 * parent (nesting); once a container has matched, nothing below it
	 * can turn the process into a monitor: a container that may create
	 * sub-cgroups must not hide a process by naming one "libpod-conmon-...".
	 */
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		struct comp c = { p, slash ? (size_t)(slash - p) : (size_t)(end - p) };
		enum ca_runtime rt;
		char id[CA_ID_MAX];
		size_t i;

		if (c.len == 0)
			goto next;
		if (ncomps < 2)
			comps[ncomps] = c;
		ncomps++;
		if (await_payload) {
			if (comp_is(c, "payload")) {
				set_container(out, await_payload->runtime, await_id);
				await_payload = NULL;
				goto next_parent;
			}
			if (out->kind != CA_ATTRIB_CONTAINER) {
				out->kind = CA_ATTRIB_MONITOR;
				out->runtime = await_payload->runtime;
			}
			await_payload = NULL;
		}
		if (pod_match(c, parent, pod_uid, &qos))
			goto next_parent;
		if (colon_match(c, parent, out, &rt, id)) {
			set_container(out, rt, id);
			goto next_parent;
		}
		for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
			const struct layout *l = &layouts[i];

			if (!layout_match(l, c, parent, id))
				continue;
			if (l->flags & PAYLOAD) {
				await_payload = l;
				memcpy(await_id, id, sizeof(await_id));
			} else if (l->kind == CA_ATTRIB_MONITOR) {
				if (out->kind != CA_ATTRIB_CONTAINER) {
					out->kind = CA_ATTRIB_MONITOR;
					out->runtime = l->runtime;
				}
			} else {
				set_container(out, l->runtime, id);
			}
			break;
		}
		/* CRI with cgroupfs: the bare 64-hex id under a pod level */
		if (i == sizeof(layouts) / sizeof(layouts[0]) && pod_uid[0] &&
		    is_hex_id(c.s, c.len) && comp_has_prefix(parent, "pod")) {
			memcpy(id, c.s, HEX_ID_LEN);
			id[HEX_ID_LEN] = '\0';
			set_container(out, CA_RT_CONTAINERD, id);
		}
next_parent:
		parent = c;
next:
		if (!slash)
			break;
		p = slash + 1;
	}
	/* A supervisor's scope without "payload" below it. */
	if (await_payload && out->kind != CA_ATTRIB_CONTAINER) {
		out->kind = CA_ATTRIB_MONITOR;
		out->runtime = await_payload->runtime;
	}
	if (out->kind == CA_ATTRIB_CONTAINER && pod_uid[0] && !out->pod_uid[0]) {
		memcpy(out->pod_uid, pod_uid, sizeof(pod_uid));
		out->qos = qos;
	} else if (out->kind != CA_ATTRIB_CONTAINER) {
		out->pod_uid[0] = '\0';
		out->qos = CA_QOS_NONE;
	}
	/*
	 * ctr: "/<namespace>/<id>", anything two levels deep until a shim
	 * confirms it; but "/<x>.slice/<unit>" is systemd's, every service of
	 * a systemd host, and would park each of them until the walk ends.
	 */
	if (out->kind == CA_ATTRIB_NONE && ncomps == 2 && is_ctr_name(comps[0]) &&
	    is_ctr_name(comps[1]) && !comp_has_suffix(comps[0], ".slice")) {
		out->kind = CA_ATTRIB_CANDIDATE;
		memcpy(out->ns, comps[0].s, comps[0].len);
		out->ns[comps[0].len] = '\0';
		memcpy(out->id, comps[1].s, comps[1].len);
		out->id[comps[1].len] = '\0';
	}
	return out->kind;
}

/* Rank of a line: 0 for "0::", 1 for name=systemd, 2 for the controllers. */
static int line_rank(struct comp hier, struct comp ctl)
{
	if (hier.len == 1 && hier.s[0] == '0' && ctl.len == 0)
		return 0;
	if (comp_is(ctl, "name=systemd"))
		return 1;
	return 2;
}

void cgroup_parse(const char *buf, size_t len, struct ca_attrib *out)
{
	const char *end = buf + len;
	struct ca_attrib candidate, at;
	struct comp last = { NULL, 0 };
	bool have_candidate = false;
	int rank;

	attrib_reset(out);
	for (rank = 0; rank < 3; rank++) {
		const char *p = buf;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *lend = nl ? nl : end;
			const char *c1, *c2;

			/* The first pass wants "0::" only: no need to find the colons of the rest. */
			if (rank == 0 && !(lend - p > 3 && p[0] == '0' && p[1] == ':' && p[2] == ':'))
				goto next_line;
			/* "hierarchy:controllers:path"; the path itself may hold ':'. */
			c1 = memchr(p, ':', (size_t)(lend - p));
			c2 = c1 ? memchr(c1 + 1, ':', (size_t)(lend - c1 - 1)) : NULL;
			if (c2 && c1 > p && c2 + 1 < lend && c2[1] == '/' &&
			    line_rank((struct comp){ p, (size_t)(c1 - p) },
				      (struct comp){ c1 + 1, (size_t)(c2 - c1 - 1) }) == rank) {
				struct comp path = { c2 + 1, (size_t)(lend - c2 - 1) };

				/*
				 * v1 controllers mostly repeat one path: a path that
				 * named nothing (or a candidate, already kept) says
				 * nothing more the second time.
				 */
				if (comp_is_comp(path, last))
					goto next_line;
				last = path;
				switch (cgroup_path_attribute(path.s, path.len, &at)) {
				case CA_ATTRIB_CONTAINER:
				case CA_ATTRIB_MONITOR:
					*out = at;
					return;
				case CA_ATTRIB_CANDIDATE:
					if (!have_candidate)
						candidate = at;
					have_candidate = true;
					break;
				case CA_ATTRIB_NONE:
					break;
				}
			}
next_line:
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	if (have_candidate)
		*out = candidate;
}
