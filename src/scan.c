/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walks the proc root: read status and cgroup once per process, attribute, group. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pidmap.h"
#include "scan.h"
#include "supervisor.h"

/* Marks for struct node.anc: no supervisor above, or not known yet. */
#define ANC_NONE (-1)
#define ANC_UNRESOLVED (-2)

/* The key of a container in the scan's search tree. */
struct ckey {
	enum ca_runtime runtime;
	char id[CA_ID_MAX];
	size_t index;			/* into scan->containers */
};

/* Every user process, host ones included: enough to walk parent chains. */
struct node {
	pid_t pid;
	pid_t ppid;			/* 0 where unknown */
	int32_t sup;			/* index into walk.sups if it is a supervisor, else -1 */
	int32_t anc;			/* nearest supervisor above it, ANC_NONE, ANC_UNRESOLVED */
};

/*
 * A process the cgroup did not place: in a nested pid namespace, a ctr
 * candidate, or under a supervisor. Resolved after the walk, when every
 * supervisor and parent is known.
 */
struct pending {
	struct ca_proc p;
	const struct cand *cand;	/* a ctr candidate's "/<namespace>/<id>", or NULL */
	uint64_t ino;			/* its pid namespace, where already read */
	bool nested;
	bool ino_known;
	bool ino_tried;
};

/* A ctr candidate's cgroup, kept once for all its processes. */
struct cand {
	char ns[CA_ID_MAX];
	char id[CA_ID_MAX];
};

/* A supervisor found in the walk, and its pid. */
struct sup {
	struct ca_supervisor s;
	pid_t pid;
};

struct walk {
	const struct ca_procroot *root;
	struct ca_scan *scan;
	struct ca_buf *buf;
	void *tree;			/* (runtime, id) -> index into scan->containers */
	size_t last;			/* the container found last */
	struct node *nodes;
	size_t nnodes, nodes_cap;
	struct ca_pidmap pids;		/* pid -> index into nodes */
	struct sup *sups;
	size_t nsups, sups_cap;
	struct pending *pending;
	size_t npending, pending_cap;
	void *cands;			/* tree of struct cand */
	uint32_t *later;		/* nodes of host processes whose ancestry waits for the walk's end */
	size_t nlater, later_cap;
};

static int ckey_cmp(const void *a, const void *b)
{
	const struct ckey *x = a, *y = b;

	if (x->runtime != y->runtime)
		return x->runtime < y->runtime ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int container_cmp(const void *a, const void *b)
{
	const struct ca_container *x = a, *y = b;
	int r = strcmp(runtime_name(x->runtime), runtime_name(y->runtime));

	return r ? r : strcmp(x->id, y->id);
}

static int proc_cmp(const void *a, const void *b)
{
	const struct ca_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

enum read_result {
	READ_OK,
	READ_VANISHED,			/* ENOENT: gone before open; ESRCH or empty: gone since */
	READ_FAILED,			/* kept, with *err set */
};

/* Read /proc/<pid>/<file> into @buf; -ENOMEM is the only error that stops a scan. */
static int read_pid_file(const struct ca_procroot *root, struct ca_buf *buf, pid_t pid,
			 const char *file, int *err)
{
	char rel[128];
	ssize_t n;

	procroot_pid_rel(rel, sizeof(rel), pid, file);
	n = procroot_read(root, rel, buf);
	if (n == -ENOENT || n == -ESRCH || n == 0)
		return READ_VANISHED;
	if (n == -ENOMEM)
		return -ENOMEM;
	if (n < 0) {
		*err = (int)n;
		return READ_FAILED;
	}
	return READ_OK;
}

/* Read one process; returns 1 if it is to be skipped, 0 if @p is filled, <0 on error. */
static int read_process(struct walk *w, pid_t pid, struct ca_proc *p, struct ca_attrib *at)
{
	struct ca_scan *scan = w->scan;
	int status_err = 0, cgroup_err = 0, r;

	memset(p, 0, sizeof(*p));
	at->kind = CA_ATTRIB_NONE;	/* cgroup_parse() fills the rest, where it is read */
	p->pid = pid;

	r = read_pid_file(w->root, w->buf, pid, "status", &status_err);
	if (r == READ_OK) {
		status_parse(w->buf->data, w->buf->len, &p->st);
		if (status_is_kernel_thread(&p->st, pid)) {
			scan->counts.kernel_threads++;
			return 1;
		}
	}
	if (r >= 0 && r != READ_VANISHED) {
		r = read_pid_file(w->root, w->buf, pid, "cgroup", &cgroup_err);
		if (r == READ_OK)
			cgroup_parse(w->buf->data, w->buf->len, at);
	}
	if (r < 0)
		return r;
	if (r == READ_VANISHED) {
		scan->counts.vanished++;
		return 1;
	}

	scan->counts.processes++;
	p->error = status_err ? status_err : cgroup_err;
	if (p->error) {
		if (scan->counts.unreadable < CA_UNREADABLE_SHOWN)
			scan->unreadable[scan->counts.unreadable] = (struct ca_unreadable){
				.pid = pid, .file = status_err ? "status" : "cgroup", .error = p->error,
			};
		scan->counts.unreadable++;
		if (errno_is_denied(p->error))
			scan->counts.unreadable_denied++;
	}
	return 0;
}

static struct ca_container *container_get(struct walk *w, enum ca_runtime rt, const char *id,
					  bool *created)
{
	struct ca_scan *scan = w->scan;
	struct ckey key = { .runtime = rt };
	struct ckey **found, *k;
	struct ca_container *c;

	*created = false;
	/* A container's processes mostly come one after another in pid order. */
	if (w->last < scan->ncontainers && scan->containers[w->last].runtime == rt &&
	    strcmp(scan->containers[w->last].id, id) == 0)
		return &scan->containers[w->last];
	snprintf(key.id, sizeof(key.id), "%s", id);
	found = tfind(&key, &w->tree, ckey_cmp);
	if (found) {
		w->last = (*found)->index;
		return &scan->containers[w->last];
	}

	if (util_grow(&scan->containers, &scan->containers_cap, scan->ncontainers + 1,
		      sizeof(*scan->containers)) < 0)
		return NULL;
	k = malloc(sizeof(*k));
	if (!k)
		return NULL;
	*k = key;
	k->index = scan->ncontainers;
	if (!tsearch(k, &w->tree, ckey_cmp)) {
		free(k);
		return NULL;
	}
	w->last = scan->ncontainers;
	c = &scan->containers[scan->ncontainers++];
	memset(c, 0, sizeof(*c));
	c->runtime = rt;
	memcpy(c->id, key.id, sizeof(c->id));
	*created = true;
	return c;
}

/* Add @p to the container (@rt, @id); a new container takes @at's pod and parents. */
static int container_add(struct walk *w, enum ca_runtime rt, const char *id, enum ca_source src,
			 const struct ca_attrib *at, const struct ca_proc *p)
{
	bool created;
	struct ca_container *c = container_get(w, rt, id, &created);

	if (!c)
		return -ENOMEM;
	if (created) {
		c->source = src;
		if (at) {
			memcpy(c->pod_uid, at->pod_uid, sizeof(c->pod_uid));
			c->qos = at->qos;
			c->nparents = at->nparents;
			memcpy(c->parents, at->parents, sizeof(c->parents));
		}
	}
	if (util_grow(&c->procs, &c->procs_cap, c->nprocs + 1, sizeof(*c->procs)) < 0)
		return -ENOMEM;
	c->procs[c->nprocs++] = *p;
	w->scan->counts.contained++;
	return 0;
}

/*
 * Is the process in a pid namespace other than the proc root's? NSpid says
 * so without a syscall; only a kernel (or fixture) without it costs a
 * readlink, whose result is kept in *@ino.
 */
static bool is_nested(struct walk *w, const struct ca_proc *p, uint64_t *ino)
{
	const struct ca_host *host = &w->scan->host;

	*ino = 0;
	if (status_has(&p->st, STATUS_NSPID))
		return p->st.pidns_level > 0;
	return (host->ns_known & (1u << CA_NS_PID)) &&
	       ns_read(w->root, p->pid, CA_NS_PID, ino) == 0 && *ino != host->ns[CA_NS_PID];
}

/*
 * A host process named like a supervisor: read its command line (only these
 * few processes pay for that) and keep the container it names. Returns its
 * index in w->sups, -1 where it is none, or -ENOMEM.
 */
static int read_supervisor(struct walk *w, const struct ca_proc *p)
{
	struct ca_supervisor sup;
	enum ca_sup_kind kind;
	int err = 0;

	if (!status_has(&p->st, STATUS_NAME))
		return -1;
	kind = supervisor_kind(p->st.name);
	if (kind == CA_SUP_NONE)
		return -1;
	switch (read_pid_file(w->root, w->buf, p->pid, "cmdline", &err)) {
	case READ_OK:
		break;
	case -ENOMEM:
		return -ENOMEM;
	default:
		return -1;
	}
	if (!supervisor_parse(kind, w->buf->data, w->buf->len, &sup))
		return -1;
	if (util_grow(&w->sups, &w->sups_cap, w->nsups + 1, sizeof(*w->sups)) < 0)
		return -ENOMEM;
	w->sups[w->nsups].s = sup;
	w->sups[w->nsups].pid = p->pid;
	return (int)w->nsups++;
}

/* The nearest supervisor above node @n, or ANC_NONE; bounded, as ppid may loop in a fixture. */
static int32_t ancestor_sup(const struct walk *w, const struct node *n)
{
	size_t steps;

	for (steps = 0; steps < w->nnodes; steps++) {
		int64_t i = pidmap_get(&w->pids, n->ppid);

		if (i < 0)
			return ANC_NONE;
		n = &w->nodes[i];
		if (n->sup >= 0)
			return n->sup;
		if (n->anc != ANC_UNRESOLVED)
			return n->anc;
	}
	return ANC_NONE;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int r = strcmp(x->ns, y->ns);

	return r ? r : strcmp(x->id, y->id);
}

/* The one copy of @at's "/<namespace>/<id>", or NULL without memory. */
static const struct cand *cand_get(struct walk *w, const struct ca_attrib *at)
{
	struct cand probe, *key, **found;

	memcpy(probe.ns, at->ns, sizeof(probe.ns));
	memcpy(probe.id, at->id, sizeof(probe.id));
	found = tfind(&probe, &w->cands, cand_cmp);
	if (found)
		return *found;
	key = malloc(sizeof(*key));
	if (!key)
		return NULL;
	*key = probe;
	found = tsearch(key, &w->cands, cand_cmp);
	if (!found)
		free(key);
	return found ? *found : NULL;
}

static int add_process(struct walk *w, const struct ca_proc *p, const struct ca_attrib *at)
{
	const struct cand *cand = NULL;
	struct node *n;
	struct pending *q;
	uint64_t ino;
	bool nested = is_nested(w, p, &ino);
	int64_t parent;
	int sup = -1;

	/*
	 * Only a host process can be a supervisor: a container's processes
	 * choose their own names and command lines, and must not pass for
	 * conmon to rename themselves or another container.
	 */
	if (!nested && at->kind != CA_ATTRIB_CONTAINER) {
		sup = read_supervisor(w, p);
		if (sup == -ENOMEM)
			return -ENOMEM;
	}
	if (util_grow(&w->nodes, &w->nodes_cap, w->nnodes + 1, sizeof(*w->nodes)) < 0 ||
	    pidmap_put(&w->pids, p->pid, (uint32_t)w->nnodes) < 0)
		return -ENOMEM;
	n = &w->nodes[w->nnodes++];
	n->pid = p->pid;
	n->ppid = status_has(&p->st, STATUS_PPID) ? p->st.ppid : 0;
	n->sup = sup;
	/* Parents mostly come first in pid order; where not, decide after the walk. */
	parent = pidmap_get(&w->pids, n->ppid);
	if (parent < 0)
		n->anc = n->ppid > 0 ? ANC_UNRESOLVED : ANC_NONE;
	else
		n->anc = w->nodes[parent].sup >= 0 ? w->nodes[parent].sup : w->nodes[parent].anc;

	if (at->kind == CA_ATTRIB_CONTAINER)
		return container_add(w, at->runtime, at->id, CA_SRC_CGROUP, at, p);
	/*
	 * A nested process is never excluded as a monitor, whatever its cgroup
	 * says: a container that can write its own cgroup tree could otherwise
	 * hide a process by naming a sub-cgroup "libpod-conmon-...".
	 */
	if (sup >= 0 || (!nested && at->kind == CA_ATTRIB_MONITOR))
		return 0;
	if (!nested && at->kind != CA_ATTRIB_CANDIDATE && n->anc == ANC_NONE)
		return 0;		/* a host process */
	/*
	 * A host process whose parent comes later in the walk (pids wrap) is
	 * a container's only where a supervisor turns out to be above it,
	 * which is rare: keep 4 bytes, not its record, and read it again
	 * then (read_later()). At 10k processes past a wrap this was 2 MB.
	 */
	if (!nested && at->kind != CA_ATTRIB_CANDIDATE && n->anc == ANC_UNRESOLVED) {
		if (util_grow(&w->later, &w->later_cap, w->nlater + 1, sizeof(*w->later)) < 0)
			return -ENOMEM;
		w->later[w->nlater++] = (uint32_t)(w->nnodes - 1);
		return 0;
	}

	if (at->kind == CA_ATTRIB_CANDIDATE && !(cand = cand_get(w, at)))
		return -ENOMEM;
	if (util_grow(&w->pending, &w->pending_cap, w->npending + 1, sizeof(*w->pending)) < 0)
		return -ENOMEM;
	q = &w->pending[w->npending++];
	memset(q, 0, sizeof(*q));
	q->p = *p;
	q->nested = nested;
	q->cand = cand;
	q->ino = ino;
	q->ino_known = q->ino_tried = ino != 0;
	return 0;
}

static int pending_cmp(const void *a, const void *b)
{
	return proc_cmp(&((const struct pending *)a)->p, &((const struct pending *)b)->p);
}

static struct pending *pending_find(struct walk *w, pid_t pid)
{
	struct pending key = { .p.pid = pid };

	return bsearch(&key, w->pending, w->npending, sizeof(*w->pending), pending_cmp);
}

/*
 * The top of @q's pid namespace among the pending processes: a parent at
 * the same NSpid depth shares the child's namespace (a child is born in
 * its parent's pid namespace or one level below it).
 */
static struct pending *pending_top(struct walk *w, struct pending *q)
{
	size_t steps;

	if (!status_has(&q->p.st, STATUS_NSPID | STATUS_PPID))
		return q;
	for (steps = 0; steps < w->npending; steps++) {
		struct pending *parent = pending_find(w, q->p.st.ppid);

		if (!parent || parent == q || !parent->nested ||
		    !status_has(&parent->p.st, STATUS_NSPID) ||
		    parent->p.st.pidns_level != q->p.st.pidns_level)
			break;
		q = parent;
	}
	return q;
}

static void pending_read_ns(struct walk *w, struct pending *q)
{
	if (!q->ino_tried)
		q->ino_known = ns_read(w->root, q->p.pid, CA_NS_PID, &q->ino) == 0;
	q->ino_tried = true;
}

/*
 * A host-pid-namespace process under a supervisor is in its container
 * (--pid=host) only if it left the supervisor's mount namespace: runc
 * helpers and podman's exit command are the supervisor's children too, but
 * run on the host's filesystem with the host's capabilities. Where either
 * link cannot be read, it stays a host process.
 */
static bool has_own_mounts(struct walk *w, pid_t pid, pid_t sup)
{
	uint64_t a, b;

	return ns_read(w->root, pid, CA_NS_MNT, &a) == 0 &&
	       ns_read(w->root, sup, CA_NS_MNT, &b) == 0 && a != b;
}

/* A shim that names ctr's "/<namespace>/<id>" confirms the candidate. */
static const struct ca_supervisor *confirming_shim(const struct walk *w, const struct pending *q)
{
	size_t i;

	for (i = 0; i < w->nsups; i++)
		if (w->sups[i].s.kind == CA_SUP_SHIM && strcmp(w->sups[i].s.ns, q->cand->ns) == 0 &&
		    strcmp(w->sups[i].s.id, q->cand->id) == 0)
			return &w->sups[i].s;
	return NULL;
}

static int resolve_pending(struct walk *w, struct pending *q)
{
	const struct ca_supervisor *sup;
	struct pending *top;
	char id[CA_ID_MAX];
	int64_t i;
	int32_t anc;

	if (q->cand && (sup = confirming_shim(w, q)))
		return container_add(w, sup->runtime, q->cand->id, CA_SRC_CGROUP, NULL, &q->p);

	i = pidmap_get(&w->pids, q->p.pid);
	anc = i < 0 ? ANC_NONE : w->nodes[i].anc;
	if (anc == ANC_UNRESOLVED)
		anc = ancestor_sup(w, &w->nodes[i]);
	if (anc >= 0 && (q->nested || has_own_mounts(w, q->p.pid, w->sups[anc].pid)))
		return container_add(w, w->sups[anc].s.runtime, w->sups[anc].s.id,
				     CA_SRC_SUPERVISOR, NULL, &q->p);
	if (!q->nested)
		return 0;		/* a host process after all */

	/* Nothing names it: its pid namespace does, read once per namespace. */
	top = pending_top(w, q);
	pending_read_ns(w, top);
	if (!top->ino_known)
		pending_read_ns(w, q);
	if (top->ino_known)
		snprintf(id, sizeof(id), "pidns:%" PRIu64, top->ino);
	else if (q->ino_known)
		snprintf(id, sizeof(id), "pidns:%" PRIu64, q->ino);
	else
		snprintf(id, sizeof(id), "pidns:unreadable@%d", (int)top->p.pid);
	return container_add(w, CA_RT_UNKNOWN, id, CA_SRC_PIDNS, NULL, &q->p);
}

/*
 * The processes add_process() left for later that have a supervisor above
 * them after all: their status is read again (a snapshot keeps the first
 * read) and they are judged like any other process under a supervisor.
 */
static int read_later(struct walk *w)
{
	size_t i;
	int err = 0, r;

	for (i = 0; i < w->nlater; i++) {
		const struct node *n = &w->nodes[w->later[i]];
		struct pending *q;

		if (ancestor_sup(w, n) < 0)
			continue;
		r = read_pid_file(w->root, w->buf, n->pid, "status", &err);
		if (r == -ENOMEM)
			return r;
		if (r != READ_OK)
			continue;	/* gone, or unreadable now: it stays a host process */
		if (util_grow(&w->pending, &w->pending_cap, w->npending + 1, sizeof(*w->pending)) < 0)
			return -ENOMEM;
		q = &w->pending[w->npending++];
		memset(q, 0, sizeof(*q));
		q->p.pid = n->pid;
		status_parse(w->buf->data, w->buf->len, &q->p.st);
	}
	return 0;
}

static int resolve_all_pending(struct walk *w)
{
	size_t i;
	int r;

	r = read_later(w);
	if (r < 0)
		return r;

	/* The walk lists pids in order: sort only where a proc root did not. */
	for (i = 1; i < w->npending; i++)
		if (w->pending[i - 1].p.pid > w->pending[i].p.pid)
			break;
	if (i < w->npending)
		qsort(w->pending, w->npending, sizeof(*w->pending), pending_cmp);
	for (i = 0; i < w->npending; i++) {
		r = resolve_pending(w, &w->pending[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * What a container shares with the host and how it is confined: namespace
 * links, uid_map and the LSM label, read once per container, from the first
 * process that lets us (others' links need root).
 */
static int read_context(struct walk *w, struct ca_container *c)
{
	const struct ca_host *host = &w->scan->host;
	const struct ca_proc *first = &c->procs[0];
	uint64_t ino;
	size_t i;
	int ns, err = 0, r;

	for (ns = 0; ns < CA_NS_COUNT; ns++)
		c->shares[ns] = CA_UNKNOWN;
	if (status_has(&first->st, STATUS_NSPID))
		c->shares[CA_NS_PID] = first->st.pidns_level == 0 ? CA_YES : CA_NO;
	for (ns = 0; ns < CA_NS_COUNT; ns++) {
		bool denied = false;

		if (c->shares[ns] != CA_UNKNOWN || ns == CA_NS_MNT || ns == CA_NS_CGROUP)
			continue;
		if (!(host->ns_known & (1u << ns))) {
			c->ns_denied |= host->ns_denied;
			continue;
		}
		for (i = 0; i < c->nprocs && i < 3; i++) {
			r = ns_read(w->root, c->procs[i].pid, ns, &ino);
			if (r < 0) {
				denied |= errno_is_denied(r);
				continue;
			}
			c->shares[ns] = ino == host->ns[ns] ? CA_YES : CA_NO;
			break;
		}
		/* Gone or absent links leave it unknown; refused ones make the audit incomplete. */
		c->ns_denied |= c->shares[ns] == CA_UNKNOWN && denied;
	}
	if (c->ns_denied)
		w->scan->counts.ns_denied++;
	if (c->shares[CA_NS_USER] != CA_UNKNOWN) {
		c->userns.known = true;
		c->userns.child = c->shares[CA_NS_USER] == CA_NO;
		if (c->userns.child &&
		    read_pid_file(w->root, w->buf, first->pid, "uid_map", &err) == READ_OK &&
		    ns_uid_map_root(w->buf->data, w->buf->len, &c->userns.root_host_uid) == 0)
			c->userns.root_mapped = true;
	}
	/* AppArmor and SELinux both answer in attr/current; newer kernels also per LSM. */
	r = read_pid_file(w->root, w->buf, first->pid, "attr/current", &err);
	if (r != READ_OK)
		r = read_pid_file(w->root, w->buf, first->pid, "attr/apparmor/current", &err);
	if (r == -ENOMEM)
		return -ENOMEM;
	if (r == READ_OK) {
		size_t n = strcspn(w->buf->data, "\n");

		c->lsm = strndup(w->buf->data, n);
		if (!c->lsm)
			return -ENOMEM;
	}
	return 0;
}

/*
 * With --threads: a thread whose sets differ from its process's is a finding
 * of its own, and what any thread holds is judged as the process's.
 */
static int read_threads(struct walk *w, struct ca_proc *p)
{
	struct ca_piditer it;
	char rel[64];
	pid_t tid;
	int r, set, err = 0;

	snprintf(rel, sizeof(rel), "%d/task", (int)p->pid);
	if (procroot_dir_open(w->root, rel, &it) < 0) {
		p->thread_differs = CA_UNKNOWN;
		return 0;
	}
	p->thread_differs = CA_NO;
	while ((r = procroot_pids_next(&it, &tid)) == 0) {
		struct ca_status t;

		if (tid == p->pid)
			continue;
		snprintf(rel, sizeof(rel), "task/%d/status", (int)tid);
		r = read_pid_file(w->root, w->buf, p->pid, rel, &err);
		if (r == -ENOMEM)
			break;
		if (r != READ_OK)
			continue;
		status_parse(w->buf->data, w->buf->len, &t);
		for (set = 0; set < CA_SET_COUNT; set++) {
			if (!caps_set_is_known(&t.caps, set) || !caps_set_is_known(&p->st.caps, set))
				continue;
			if (t.caps.mask[set] != p->st.caps.mask[set])
				p->thread_differs = CA_YES;
			p->st.caps.mask[set] |= t.caps.mask[set];
		}
	}
	procroot_pids_close(&it);
	return r == -ENOMEM ? -ENOMEM : 0;
}

/* A pod's sandbox runs the pause program and nothing else. */
static bool is_sandbox(const struct ca_container *c)
{
	size_t i;

	if (!c->pod_uid[0] || !c->nprocs)
		return false;
	for (i = 0; i < c->nprocs; i++)
		if (!status_has(&c->procs[i].st, STATUS_NAME) ||
		    strcmp(c->procs[i].st.name, "pause") != 0)
			return false;
	return true;
}

static int finish(struct walk *w, const struct ca_scan_opts *opts)
{
	struct ca_scan *scan = w->scan;
	size_t i, j;
	int r;

	for (i = 0; i < scan->ncontainers; i++) {
		struct ca_container *c = &scan->containers[i];

		qsort(c->procs, c->nprocs, sizeof(*c->procs), proc_cmp);	/* nprocs > 0 */
		r = read_context(w, c);
		for (j = 0; r == 0 && j < c->nprocs; j++)
			r = opts->threads ? read_threads(w, &c->procs[j]) : 0;
		if (r < 0)
			return r;
		c->sandbox = is_sandbox(c);
	}
	if (scan->ncontainers)		/* qsort(NULL, 0) is undefined */
		qsort(scan->containers, scan->ncontainers, sizeof(*scan->containers), container_cmp);
	return 0;
}

int scan_run(const struct ca_procroot *root, const struct ca_scan_opts *opts, struct ca_scan *scan,
	     struct ca_err *err)
{
	struct ca_buf buf = { 0 };
	struct walk w = { .root = root, .scan = scan, .buf = &buf };
	struct ca_piditer it = { 0 };
	pid_t pid;
	int r;

	memset(scan, 0, sizeof(*scan));
	r = host_read(root, &buf, &scan->host, err);
	if (r < 0)
		goto out;
	r = procroot_pids_open(root, &it);
	if (r < 0) {
		err_set(err, r, "cannot list %s: %s", root->path, strerror(-r));
		goto out;
	}
	while ((r = procroot_pids_next(&it, &pid)) == 0) {
		struct ca_attrib at;
		struct ca_proc p;

		r = read_process(&w, pid, &p, &at);
		if (r == 0)
			r = add_process(&w, &p, &at);
		if (r < 0)
			break;
	}
	if (r == 1)
		r = resolve_all_pending(&w);
	if (r == 0)
		r = finish(&w, opts);
	if (r < 0) {
		err_set(err, r, "cannot scan %s: %s", root->path, strerror(-r));
		goto out;
	}
out:
	tdestroy(w.tree, free);
	tdestroy(w.cands, free);
	free(w.later);
	pidmap_free(&w.pids);
	free(w.nodes);
	free(w.sups);
	free(w.pending);
	procroot_pids_close(&it);
	buf_free(&buf);
	return r;
}

const char *scan_source_name(enum ca_source src)
{
	switch (src) {
	case CA_SRC_CGROUP:
		return "cgroup";
	case CA_SRC_SUPERVISOR:
		return "supervisor";
	case CA_SRC_PIDNS:
		break;
	}
	return "pidns";
}

void scan_free(struct ca_scan *scan)
{
	size_t i;

	for (i = 0; i < scan->ncontainers; i++) {
		struct ca_container *c = &scan->containers[i];

		free(c->procs);
		free(c->lsm);
	}
	free(scan->containers);
	host_free(&scan->host);
	memset(scan, 0, sizeof(*scan));
}
