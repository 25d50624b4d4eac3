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

/*
 * Is the process in a pid namespace other than the proc root's? NSpid says
 * so without a syscall; only where a kernel or fixture lacks it do we
 * compare the namespace link with the host reference.
 */
static bool is_nested(const struct ca_procroot *root, const struct ca_host *host,
		      const struct ca_proc *p)
{
	uint64_t ino;

	if (status_has(&p->st, STATUS_NSPID))
		return p->st.pidns_level > 0;
	if (!(host->ns_known & (1u << CA_NS_PID)) || ns_read(root, p->pid, CA_NS_PID, &ino) < 0)
		return false;
	return ino != host->ns[CA_NS_PID];
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

static int add_process(const struct ca_procroot *root, struct ca_scan *scan, void **tree,
		       const struct ca_proc *p, const struct ca_attrib *at)
{
	struct ca_container *c;
	char id[CA_ID_MAX];
	enum ca_runtime rt;
	uint64_t ino;

	if (at->kind == CA_ATTRIB_CONTAINER) {
		rt = at->runtime;
		snprintf(id, sizeof(id), "%s", at->id);
	} else if (is_nested(root, &scan->host, p)) {
		/*
		 * In a pid namespace of its own but in no cgroup we know: still a
		 * container, never dropped. This also overrides a monitor's
		 * cgroup name, which a container could choose for itself.
		 */
		rt = CA_RT_UNKNOWN;
		if (ns_read(root, p->pid, CA_NS_PID, &ino) == 0)
			snprintf(id, sizeof(id), "pidns:%" PRIu64, ino);
		else
			snprintf(id, sizeof(id), "pidns:unreadable");
	} else {
		return 0;		/* a host process, or a monitor on the host */
	}

	c = container_get(scan, tree, rt, id);
	if (!c)
		return -ENOMEM;
	if (util_grow(&c->procs, &c->procs_cap, c->nprocs + 1, sizeof(*c->procs)) < 0)
		return -ENOMEM;
	c->procs[c->nprocs++] = *p;
	scan->counts.contained++;
	return 0;
}

int scan_run(const struct ca_procroot *root, struct ca_scan *scan, struct ca_err *err)
{
	struct ca_buf buf = { 0 };
	struct ca_piditer it = { 0 };
	void *tree = NULL;
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
			r = add_process(root, scan, &tree, &p, &at);
		if (r < 0)
			break;
	}
	if (r < 0) {
		err_set(err, r, "cannot scan %s: %s", root->path, strerror(-r));
		goto out;
	}
	r = 0;
	for (i = 0; i < scan->ncontainers; i++)	/* a container has a process */
		qsort(scan->containers[i].procs, scan->containers[i].nprocs,
		      sizeof(struct ca_proc), proc_cmp);
	if (scan->ncontainers)		/* qsort(NULL, 0) is undefined */
		qsort(scan->containers, scan->ncontainers, sizeof(*scan->containers), container_cmp);
out:
	tdestroy(tree, free);
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
