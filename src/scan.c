/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walks the proc root: read status and cgroup once per process, attribute, group. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

/* The key of a container in the scan's search tree. */
struct ckey {
	enum ca_runtime runtime;
	char id[CA_ID_MAX];
	size_t index;			/* into scan->containers */
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
	char rel[64];
	ssize_t n;

	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, file);
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

static struct ca_container *container_get(struct ca_scan *scan, void **tree,
					  enum ca_runtime rt, const char *id)
{
	struct ckey key = { .runtime = rt };
	struct ckey **found, *k;
	struct ca_container *c;

	snprintf(key.id, sizeof(key.id), "%s", id);
	found = tfind(&key, tree, ckey_cmp);
	if (found)
		return &scan->containers[(*found)->index];

	if (util_grow(&scan->containers, &scan->containers_cap, scan->ncontainers + 1,
		      sizeof(*scan->containers)) < 0)
		return NULL;
	k = malloc(sizeof(*k));
	if (!k)
		return NULL;
	*k = key;
	k->index = scan->ncontainers;
	if (!tsearch(k, tree, ckey_cmp)) {
		free(k);
		return NULL;
	}
	c = &scan->containers[scan->ncontainers++];
	memset(c, 0, sizeof(*c));
	c->runtime = rt;
	memcpy(c->id, key.id, sizeof(c->id));
	return c;
}

/* Read one process; returns 1 if it is to be skipped, 0 if @p is filled, <0 on error. */
static int read_process(const struct ca_procroot *root, struct ca_buf *buf, struct ca_scan *scan,
			pid_t pid, struct ca_proc *p, struct ca_attrib *at)
{
	int status_err = 0, cgroup_err = 0, r;

	memset(p, 0, sizeof(*p));
	memset(at, 0, sizeof(*at));
	p->pid = pid;

	r = read_pid_file(root, buf, pid, "status", &status_err);
	if (r == READ_OK) {
		status_parse(buf->data, buf->len, &p->st);
		if (status_is_kernel_thread(&p->st, pid)) {
			scan->counts.kernel_threads++;
			return 1;
		}
	}
	if (r >= 0 && r != READ_VANISHED) {
		r = read_pid_file(root, buf, pid, "cgroup", &cgroup_err);
		if (r == READ_OK)
			cgroup_parse(buf->data, buf->len, at);
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
		scan->counts.unreadable++;
		if (p->error == -EACCES || p->error == -EPERM)
			scan->counts.unreadable_denied++;
	}
	return 0;
}

/*
 * A process in a nested pid namespace that no cgroup attributes: its
 * container is its pid namespace, resolved after the walk so that one
 * ns/pid link is read per namespace, not per process.
 */
struct pending {
	struct ca_proc p;
	uint64_t ino;
	bool ino_known;
	bool ino_tried;
};

struct walk {
	const struct ca_procroot *root;
	struct ca_scan *scan;
	void *tree;			/* (runtime, id) -> index into scan->containers */
	struct pending *pending;
	size_t npending;
	size_t pending_cap;
};

static int container_add(struct walk *w, enum ca_runtime rt, const char *id, const struct ca_proc *p)
{
	struct ca_container *c = container_get(w->scan, &w->tree, rt, id);

	if (!c)
		return -ENOMEM;
	if (util_grow(&c->procs, &c->procs_cap, c->nprocs + 1, sizeof(*c->procs)) < 0)
		return -ENOMEM;
	c->procs[c->nprocs++] = *p;
	w->scan->counts.contained++;
	return 0;
}

static int add_process(struct walk *w, const struct ca_proc *p, const struct ca_attrib *at)
{
	struct pending *q;
	uint64_t ino = 0;
	bool nested;

	if (at->kind == CA_ATTRIB_CONTAINER)
		return container_add(w, at->runtime, at->id, p);
	/*
	 * Nested but in no cgroup we know: still a container, never dropped.
	 * This also overrides a monitor's cgroup name, which a container
	 * could choose for itself. NSpid says "nested" without a syscall;
	 * only a kernel (or fixture) without it costs a readlink here.
	 */
	if (status_has(&p->st, STATUS_NSPID))
		nested = p->st.pidns_level > 0;
	else
		nested = (w->scan->host.ns_known & (1u << CA_NS_PID)) &&
			 ns_read(w->root, p->pid, CA_NS_PID, &ino) == 0 &&
			 ino != w->scan->host.ns[CA_NS_PID];
	if (!nested)
		return 0;		/* a host process, or a monitor on the host */
	if (util_grow(&w->pending, &w->pending_cap, w->npending + 1, sizeof(*w->pending)) < 0)
		return -ENOMEM;
	q = &w->pending[w->npending++];
	q->p = *p;
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

		if (!parent || parent == q || !status_has(&parent->p.st, STATUS_NSPID) ||
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

static int add_pending(struct walk *w)
{
	char id[CA_ID_MAX];
	size_t i;
	int r;

	if (!w->npending)
		return 0;
	qsort(w->pending, w->npending, sizeof(*w->pending), pending_cmp);
	for (i = 0; i < w->npending; i++) {
		struct pending *q = &w->pending[i], *top = pending_top(w, q);

		pending_read_ns(w, top);
		if (!top->ino_known)
			pending_read_ns(w, q);
		if (top->ino_known)
			snprintf(id, sizeof(id), "pidns:%" PRIu64, top->ino);
		else if (q->ino_known)
			snprintf(id, sizeof(id), "pidns:%" PRIu64, q->ino);
		else
			snprintf(id, sizeof(id), "pidns:unreadable@%d", (int)top->p.pid);
		r = container_add(w, CA_RT_UNKNOWN, id, &q->p);
		if (r < 0)
			return r;
	}
	return 0;
}

int scan_run(const struct ca_procroot *root, struct ca_scan *scan, struct ca_err *err)
{
	struct walk w = { .root = root, .scan = scan };
	struct ca_buf buf = { 0 };
	struct ca_piditer it = { 0 };
	size_t i;
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

		r = read_process(root, &buf, scan, pid, &p, &at);
		if (r == 0)
			r = add_process(&w, &p, &at);
		if (r < 0)
			break;
	}
	if (r == 1)
		r = add_pending(&w);
	if (r < 0) {
		err_set(err, r, "cannot scan %s: %s", root->path, strerror(-r));
		goto out;
	}
	for (i = 0; i < scan->ncontainers; i++)	/* a container has a process */
		qsort(scan->containers[i].procs, scan->containers[i].nprocs,
		      sizeof(struct ca_proc), proc_cmp);
	if (scan->ncontainers)		/* qsort(NULL, 0) is undefined */
		qsort(scan->containers, scan->ncontainers, sizeof(*scan->containers), container_cmp);
out:
	tdestroy(w.tree, free);
	free(w.pending);
	procroot_pids_close(&it);
	buf_free(&buf);
	return r;
}

void scan_free(struct ca_scan *scan)
{
	size_t i;

	for (i = 0; i < scan->ncontainers; i++) {
		free(scan->containers[i].procs);
		free(scan->containers[i].findings);
	}
	free(scan->containers);
	host_free(&scan->host);
	memset(scan, 0, sizeof(*scan));
}
