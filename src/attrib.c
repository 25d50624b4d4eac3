/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Attribution over the table of processes: cgroups first, then supervisors, then pid namespaces. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "debug.h"
#include "esc.h"
#include "keymap.h"
#include "status.h"
#include "supervisor.h"
#include "util.h"

/* Marks for struct node.anc: no supervisor above, or not known yet. */
#define ANC_NONE (-1)
#define ANC_UNRESOLVED (-2)

/* Every process handed over, host ones included: enough to walk parent chains. */
struct node {
	pid_t pid;
	pid_t ppid;			/* 0 where unknown */
	int32_t sup;			/* index into e->sups if it is a supervisor, else -1 */
	int32_t anc;			/* nearest supervisor above it, ANC_NONE, ANC_UNRESOLVED */
};

/* A supervisor found in the walk, and its pid. */
struct sup {
	struct ca_supervisor s;
	pid_t pid;
};

/* A ctr candidate's cgroup, kept once for all its processes. */
struct cand {
	char ns[CA_ID_MAX];
	char id[CA_ID_MAX];
};

/*
 * A process its cgroup did not place: in a pid namespace of its own, a ctr
 * candidate, or in the host's under a supervisor (or under a parent that
 * comes later in the walk). Placed by attrib_finish(), when every
 * supervisor and parent is known.
 */
struct pending {
	uint32_t tag;
	pid_t pid;
	pid_t ppid;
	int pidns_level;
	char name[CA_COMM_MAX + 1];	/* for the trace */
	const struct cand *cand;	/* a ctr candidate's "/<namespace>/<id>", or NULL */
	uint64_t ino;			/* its pid namespace, where already read */
	bool nested;
	bool ino_known;
	bool ino_tried;
};

struct ca_attrib_engine {
	const struct ca_host *host;
	const struct ca_attrib_reads *reads;
	struct node *nodes;
	size_t nnodes, nodes_cap;
	struct ca_keymap pids;		/* pid -> index into nodes */
	struct sup *sups;
	size_t nsups, sups_cap;
	struct pending *pending;
	size_t npending, pending_cap;
	struct cand **cands;		/* each candidate's once, found through cand_of */
	size_t ncands, cands_cap;
	struct ca_keymap cand_of;	/* "<namespace>\0<id>" -> index into cands */
};

static const char *const why_names[CA_WHY_COUNT] = {
	[CA_WHY_CGROUP] = "cgroup",
	[CA_WHY_MONITOR] = "monitor",
	[CA_WHY_SUPERVISOR] = "supervisor",
	[CA_WHY_HOST] = "host",
	[CA_WHY_SHIM] = "shim",
	[CA_WHY_NESTED] = "nested",
	[CA_WHY_OWN_MOUNTS] = "own-mounts",
	[CA_WHY_HELPER] = "helper",
	[CA_WHY_PIDNS] = "pidns",
};

const char *attrib_why_name(enum ca_why why)
{
	return why < CA_WHY_COUNT ? why_names[why] : "?";
}

/*
 * CAPAUDIT_DEBUG=attrib: where @pid went and by which rule, the supervisor
 * that decided it where one did. Names and ids are the processes' own
 * choice: escaped.
 */
static void trace(pid_t pid, const char *name, const struct ca_placement *at, pid_t by)
{
	_cleanup_free_ char *n = name ? esc_text(name, strlen(name)) : NULL;
	_cleanup_free_ char *id = at->contained ? esc_text(at->id, strlen(at->id)) : NULL;
	char sup[32] = "";

	if (by > 0)
		snprintf(sup, sizeof(sup), ", supervisor %d", (int)by);
	debug_print("attrib", "%d (%s): %s%s%s by %s%s", (int)pid, n ? n : "?",
		    at->contained ? runtime_name(at->runtime) : "host", at->contained ? " " : "",
		    id ? id : "", attrib_why_name(at->why), sup);
}

struct ca_attrib_engine *attrib_new(const struct ca_host *host, const struct ca_attrib_reads *reads)
{
	struct ca_attrib_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->host = host;
	e->reads = reads;
	return e;
}

void attrib_free(struct ca_attrib_engine *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->ncands; i++)
		free(e->cands[i]);
	free(e->cands);
	keymap_free(&e->cand_of);
	keymap_free(&e->pids);
	free(e->nodes);
	free(e->sups);
	free(e->pending);
	free(e);
}

/*
 * Is the process in a pid namespace other than the proc root's? NSpid says
 * so without a read; only a kernel (or fixture) without it costs a
 * readlink, whose result is kept in *@ino.
 */
static bool is_nested(struct ca_attrib_engine *e, const struct ca_attrib_proc *p, uint64_t *ino)
{
	*ino = 0;
	if (p->pidns_level >= 0)
		return p->pidns_level > 0;
	return (e->host->ns_known & (1u << CA_NS_PID)) &&
	       e->reads->ns(e->reads->ctx, p->pid, CA_NS_PID, ino) == 0 && *ino != e->host->ns[CA_NS_PID];
}

/*
 * A host process named like a supervisor: read its command line (only these
 * few processes pay for that) and keep the container it names. Returns 1
 * with *@index in e->sups, 0 where it is none, or -ENOMEM.
 */
static int read_supervisor(struct ca_attrib_engine *e, const struct ca_attrib_proc *p, int32_t *index)
{
	struct ca_supervisor sup;
	enum ca_sup_kind kind = p->name ? supervisor_kind(p->name) : CA_SUP_NONE;
	const char *cmdline;
	size_t len;
	int r;

	if (kind == CA_SUP_NONE)
		return 0;
	r = e->reads->cmdline(e->reads->ctx, p->pid, &cmdline, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || !supervisor_parse(kind, cmdline, len, &sup))
		return 0;	/* gone, unreadable, or no container named: no supervisor */
	if (e->nsups >= INT32_MAX || util_grow(&e->sups, &e->sups_cap, e->nsups + 1, sizeof(*e->sups)) < 0)
		return -ENOMEM;
	e->sups[e->nsups] = (struct sup){ .s = sup, .pid = p->pid };
	*index = (int32_t)e->nsups++;
	return 1;
}

/* The nearest supervisor above node @n, or ANC_NONE; bounded, as ppid may loop in a fixture. */
static int32_t ancestor_sup(const struct ca_attrib_engine *e, const struct node *n)
{
	size_t steps;

	for (steps = 0; steps < e->nnodes; steps++) {
		int64_t i = keymap_get_pid(&e->pids, n->ppid);

		if (i < 0)
			return ANC_NONE;
		n = &e->nodes[i];
		if (n->sup >= 0)
			return n->sup;
		if (n->anc != ANC_UNRESOLVED)
			return n->anc;
	}
	return ANC_NONE;
}

/* The one copy of @cg's "/<namespace>/<id>", or NULL without memory. */
static const struct cand *cand_get(struct ca_attrib_engine *e, const struct ca_attrib *cg)
{
	size_t nlen = strnlen(cg->ns, CA_ID_MAX - 1), ilen = strnlen(cg->id, CA_ID_MAX - 1);
	char key[2 * CA_ID_MAX];
	struct cand *c;
	int64_t i;

	memcpy(key, cg->ns, nlen);
	key[nlen] = '\0';
	memcpy(key + nlen + 1, cg->id, ilen);
	i = keymap_get(&e->cand_of, key, nlen + 1 + ilen);
	if (i >= 0)
		return e->cands[i];
	if (e->ncands >= UINT32_MAX || util_grow(&e->cands, &e->cands_cap, e->ncands + 1, sizeof(*e->cands)) < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c || keymap_put(&e->cand_of, key, nlen + 1 + ilen, (uint32_t)e->ncands) < 0) {
		free(c);
		return NULL;
	}
	memcpy(c->ns, cg->ns, nlen);
	memcpy(c->id, cg->id, ilen);
	e->cands[e->ncands++] = c;
	return c;
}

/* Placed at once: @out says where, and why. */
static int placed(const struct ca_attrib_proc *p, struct ca_placement *out, enum ca_why why)
{
	*out = (struct ca_placement){ .contained = why == CA_WHY_CGROUP, .why = why };
	if (out->contained) {
		out->runtime = p->cg->runtime;
		out->id = p->cg->id;
		out->source = CA_SRC_CGROUP;
		out->cg = p->cg;
	}
	if (ca_debug_mask & CA_DEBUG_ATTRIB)
		trace(p->pid, p->name, out, 0);
	return 0;
}

int attrib_add(struct ca_attrib_engine *e, const struct ca_attrib_proc *p, uint32_t tag,
	       struct ca_placement *out)
{
	const struct ca_attrib *cg = p->cg;
	const struct cand *cand = NULL;
	struct pending *q;
	struct node *n;
	uint64_t ino;
	bool nested = is_nested(e, p, &ino);
	int32_t sup = -1;
	int64_t parent;

	/*
	 * Only a host process can be a supervisor: a container's processes
	 * choose their own names and command lines, and must not pass for
	 * conmon to rename themselves or another container.
	 */
	if (!nested && cg->kind != CA_ATTRIB_CONTAINER && read_supervisor(e, p, &sup) < 0)
		return -ENOMEM;
	if (e->nnodes >= UINT32_MAX || util_grow(&e->nodes, &e->nodes_cap, e->nnodes + 1, sizeof(*e->nodes)) < 0 ||
	    keymap_put_pid(&e->pids, p->pid, (uint32_t)e->nnodes) < 0)
		return -ENOMEM;
	n = &e->nodes[e->nnodes++];
	/* No process is its own parent, whatever a tree or an archive says: it would be its own ancestor. */
	*n = (struct node){ .pid = p->pid, .ppid = p->ppid == p->pid ? 0 : p->ppid, .sup = sup };
	/* Parents mostly come first in pid order; where not, decide at the walk's end. */
	parent = keymap_get_pid(&e->pids, n->ppid);
	if (parent < 0)
		n->anc = n->ppid > 0 ? ANC_UNRESOLVED : ANC_NONE;
	else
		n->anc = e->nodes[parent].sup >= 0 ? e->nodes[parent].sup : e->nodes[parent].anc;

	if (cg->kind == CA_ATTRIB_CONTAINER)
		return placed(p, out, CA_WHY_CGROUP);
	/*
	 * A nested process is never excluded as a monitor, whatever its cgroup
	 * says: a container that can write its own cgroup tree could otherwise
	 * hide a process by naming a sub-cgroup "libpod-conmon-...".
	 */
	if (sup >= 0)
		return placed(p, out, CA_WHY_SUPERVISOR);
	if (!nested && cg->kind == CA_ATTRIB_MONITOR)
		return placed(p, out, CA_WHY_MONITOR);
	if (!nested && cg->kind != CA_ATTRIB_CANDIDATE && n->anc == ANC_NONE)
		return placed(p, out, CA_WHY_HOST);

	if (cg->kind == CA_ATTRIB_CANDIDATE && !(cand = cand_get(e, cg)))
		return -ENOMEM;
	if (util_grow(&e->pending, &e->pending_cap, e->npending + 1, sizeof(*e->pending)) < 0)
		return -ENOMEM;
	q = &e->pending[e->npending++];
	*q = (struct pending){
		.tag = tag, .pid = p->pid, .ppid = p->ppid, .pidns_level = p->pidns_level, .cand = cand,
		.ino = ino, .nested = nested, .ino_known = ino != 0, .ino_tried = ino != 0,
	};
	snprintf(q->name, sizeof(q->name), "%s", p->name ? p->name : "");
	return CA_ATTRIB_LATER;
}

static int pending_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct pending *)a)->pid, y = ((const struct pending *)b)->pid;

	return (x > y) - (x < y);
}

static struct pending *pending_find(struct ca_attrib_engine *e, pid_t pid)
{
	struct pending key = { .pid = pid };

	return bsearch(&key, e->pending, e->npending, sizeof(*e->pending), pending_cmp);
}

/*
 * The top of @q's pid namespace among the pending processes: a parent at
 * the same NSpid depth shares the child's namespace (a child is born in
 * its parent's pid namespace or one level below it).
 */
static struct pending *pending_top(struct ca_attrib_engine *e, struct pending *q)
{
	size_t steps;

	if (q->pidns_level < 0 || q->ppid <= 0)
		return q;
	for (steps = 0; steps < e->npending; steps++) {
		struct pending *parent = pending_find(e, q->ppid);

		if (!parent || parent == q || !parent->nested || parent->pidns_level != q->pidns_level)
			break;
		q = parent;
	}
	return q;
}

static void pending_read_ns(struct ca_attrib_engine *e, struct pending *q)
{
	if (!q->ino_tried)
		q->ino_known = e->reads->ns(e->reads->ctx, q->pid, CA_NS_PID, &q->ino) == 0;
	q->ino_tried = true;
}

/*
 * A host-pid-namespace process under a supervisor is in its container
 * (--pid=host) only if it left the supervisor's mount namespace: runc
 * helpers and podman's exit command are the supervisor's children too, but
 * run on the host's filesystem with the host's capabilities. Where either
 * link cannot be read, it stays a host process.
 */
static bool has_own_mounts(struct ca_attrib_engine *e, pid_t pid, pid_t sup)
{
	uint64_t a, b;

	return e->reads->ns(e->reads->ctx, pid, CA_NS_MNT, &a) == 0 &&
	       e->reads->ns(e->reads->ctx, sup, CA_NS_MNT, &b) == 0 && a != b;
}

/* A shim that names ctr's "/<namespace>/<id>" confirms the candidate. */
static const struct sup *confirming_shim(const struct ca_attrib_engine *e, const struct pending *q)
{
	size_t i;

	for (i = 0; i < e->nsups; i++)
		if (e->sups[i].s.kind == CA_SUP_SHIM && strcmp(e->sups[i].s.ns, q->cand->ns) == 0 &&
		    strcmp(e->sups[i].s.id, q->cand->id) == 0)
			return &e->sups[i];
	return NULL;
}

/* Where @q goes, now that the walk is over; @id holds a pid namespace's name. */
static void resolve(struct ca_attrib_engine *e, struct pending *q, struct ca_placement *at,
		    char id[CA_ID_MAX], pid_t *by)
{
	const struct sup *shim;
	struct pending *top;
	int64_t i;
	int32_t anc;

	*at = (struct ca_placement){ .contained = true };
	*by = 0;
	if (q->cand && (shim = confirming_shim(e, q))) {
		*at = (struct ca_placement){ .contained = true, .runtime = shim->s.runtime, .id = q->cand->id,
					     .source = CA_SRC_CGROUP, .ns = q->cand->ns, .why = CA_WHY_SHIM };
		*by = shim->pid;
		return;
	}
	i = keymap_get_pid(&e->pids, q->pid);
	anc = i < 0 ? ANC_NONE : e->nodes[i].anc;
	if (anc == ANC_UNRESOLVED)
		anc = ancestor_sup(e, &e->nodes[i]);
	if (anc >= 0) {
		*by = e->sups[anc].pid;
		if (q->nested || has_own_mounts(e, q->pid, e->sups[anc].pid)) {
			at->runtime = e->sups[anc].s.runtime;
			at->id = e->sups[anc].s.id;
			at->source = CA_SRC_SUPERVISOR;
			at->why = q->nested ? CA_WHY_NESTED : CA_WHY_OWN_MOUNTS;
			return;
		}
	}
	if (!q->nested) {
		*at = (struct ca_placement){ .why = anc >= 0 ? CA_WHY_HELPER : CA_WHY_HOST };
		return;
	}
	/* Nothing names it: its pid namespace does, read once per namespace. */
	*by = 0;
	top = pending_top(e, q);
	pending_read_ns(e, top);
	if (!top->ino_known)
		pending_read_ns(e, q);
	if (top->ino_known)
		snprintf(id, CA_ID_MAX, "pidns:%" PRIu64, top->ino);
	else if (q->ino_known)
		snprintf(id, CA_ID_MAX, "pidns:%" PRIu64, q->ino);
	else
		snprintf(id, CA_ID_MAX, "pidns:unreadable@%d", (int)top->pid);
	at->runtime = CA_RT_UNKNOWN;
	at->id = id;
	at->source = CA_SRC_PIDNS;
	at->why = CA_WHY_PIDNS;
}

int attrib_finish(struct ca_attrib_engine *e,
		  int (*place)(void *ctx, uint32_t tag, const struct ca_placement *where), void *ctx)
{
	char id[CA_ID_MAX];
	size_t i;
	int r;

	/* The walk lists pids in order: sort only where a proc root did not. */
	for (i = 1; i < e->npending; i++)
		if (e->pending[i - 1].pid > e->pending[i].pid)
			break;
	if (i < e->npending)
		qsort(e->pending, e->npending, sizeof(*e->pending), pending_cmp);
	for (i = 0; i < e->npending; i++) {
		struct pending *q = &e->pending[i];
		struct ca_placement at;
		pid_t by;

		resolve(e, q, &at, id, &by);
		if (ca_debug_mask & CA_DEBUG_ATTRIB)
			trace(q->pid, q->name, &at, by);
		r = place(ctx, q->tag, &at);
		if (r < 0)
			return r;
	}
	return 0;
}
