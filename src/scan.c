/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walks the proc root: read status and cgroup once per process, attribute, group. */
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
#include "ns.h"
#include "pidstat.h"
#include "scan.h"

struct walk {
	const struct ca_procroot *root;
	struct ca_scan *scan;
	struct ca_buf *buf;
	struct ca_keymap containers;	/* its runtime's byte and its id -> index into scan->containers */
	size_t last;			/* the container found last */
	struct ca_attrib_engine *engine;
	struct ca_proc *later;		/* what attribution places at the walk's end, by tag */
	size_t nlater, later_cap;
};

static int container_cmp(const void *a, const void *b)
{
	return scan_container_order(a, b);
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

	n = procroot_pid_rel(rel, sizeof(rel), pid, file);
	if (n == 0)
		n = procroot_read(root, rel, buf);
	if (n == -ENOENT || n == -ESRCH || n == 0)
		return READ_VANISHED;	/* and -ENAMETOOLONG is a file unread, not a process gone */
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
	size_t n = strnlen(id, CA_ID_MAX - 1);
	char key[1 + CA_ID_MAX];
	struct ca_container *c;
	int64_t i;

	*created = false;
	/* A container's processes mostly come one after another in pid order. */
	if (w->last < scan->ncontainers && scan->containers[w->last].runtime == rt &&
	    strcmp(scan->containers[w->last].id, id) == 0)
		return &scan->containers[w->last];
	key[0] = (char)rt;
	memcpy(key + 1, id, n);
	i = keymap_get(&w->containers, key, 1 + n);
	if (i >= 0) {
		w->last = (size_t)i;
		return &scan->containers[w->last];
	}
	if (scan->ncontainers >= UINT32_MAX ||
	    util_grow(&scan->containers, &scan->containers_cap, scan->ncontainers + 1,
		      sizeof(*scan->containers)) < 0 ||
	    keymap_put(&w->containers, key, 1 + n, (uint32_t)scan->ncontainers) < 0)
		return NULL;
	w->last = scan->ncontainers;
	c = &scan->containers[scan->ncontainers++];
	memset(c, 0, sizeof(*c));
	c->runtime = rt;
	memcpy(c->id, id, n);
	*created = true;
	return c;
}

/* Add @p to the container @where says; a new one takes the pod and parents its cgroup gave. */
static int container_add(struct walk *w, const struct ca_placement *where, const struct ca_proc *p)
{
	bool created;
	struct ca_container *c = container_get(w, where->runtime, where->id, &created);

	if (!c)
		return -ENOMEM;
	if (created) {
		c->source = where->source;
		if (where->ns)
			snprintf(c->ctr_ns, sizeof(c->ctr_ns), "%s", where->ns);
		if (where->cg) {
			memcpy(c->pod_uid, where->cg->pod_uid, sizeof(c->pod_uid));
			c->qos = where->cg->qos;
			c->nparents = where->cg->nparents;
			memcpy(c->parents, where->cg->parents, sizeof(c->parents));
		}
	}
	if (util_grow(&c->procs, &c->procs_cap, c->nprocs + 1, sizeof(*c->procs)) < 0)
		return -ENOMEM;
	c->procs[c->nprocs++] = *p;
	w->scan->counts.contained++;
	return 0;
}

/* The reads attribution asks for: a supervisor's command line, a namespace link. */
static int read_cmdline(void *ctx, pid_t pid, const char **data, size_t *len)
{
	struct walk *w = ctx;
	int err = 0;

	switch (read_pid_file(w->root, w->buf, pid, "cmdline", &err)) {
	case READ_OK:
		*data = w->buf->data;
		*len = w->buf->len;
		return 0;
	case READ_VANISHED:
		return -ENOENT;
	case READ_FAILED:
		return err;
	default:
		return -ENOMEM;
	}
}

static int read_ns(void *ctx, pid_t pid, enum ca_ns ns, uint64_t *ino)
{
	const struct walk *w = ctx;

	return ns_read(w->root, pid, ns, ino);
}

/* Hand @p to attribution: into its container now, or kept for the walk's end. */
static int attribute(struct walk *w, const struct ca_proc *p, const struct ca_attrib *at)
{
	const struct ca_attrib_proc in = {
		.pid = p->pid,
		.ppid = status_has(&p->st, STATUS_PPID) ? p->st.ppid : 0,
		.name = status_has(&p->st, STATUS_NAME) ? p->st.name : NULL,
		.pidns_level = status_has(&p->st, STATUS_NSPID) ? (int)p->st.pidns_level : -1,
		.cg = at,
	};
	struct ca_placement where;
	int r;

	if (w->nlater >= UINT32_MAX)
		return -ENOMEM;
	r = attrib_add(w->engine, &in, (uint32_t)w->nlater, &where);
	if (r == CA_ATTRIB_LATER) {
		if (util_grow(&w->later, &w->later_cap, w->nlater + 1, sizeof(*w->later)) < 0)
			return -ENOMEM;
		w->later[w->nlater++] = *p;
		return 0;
	}
	return r < 0 ? r : where.contained ? container_add(w, &where, p) : 0;
}

static int place_later(void *ctx, uint32_t tag, const struct ca_placement *where)
{
	struct walk *w = ctx;

	return where->contained ? container_add(w, where, &w->later[tag]) : 0;
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

/*
 * For a diff: the start time that tells a process from a later one given
 * the same pid, and its user namespace. Either stays unknown where it
 * cannot be read (a process gone since, an old snapshot without stat):
 * the process was read, and is no less there.
 */
static int read_identity(struct walk *w, struct ca_proc *p)
{
	int err = 0, r;

	r = read_pid_file(w->root, w->buf, p->pid, "stat", &err);
	if (r == -ENOMEM)
		return r;
	p->start_known = r == READ_OK && pidstat_parse_start(w->buf->data, w->buf->len, &p->start) == 0;
	p->userns_known = ns_read(w->root, p->pid, CA_NS_USER, &p->userns) == 0;
	return 0;
}

/*
 * A pod's sandbox: what its CRI's spec says it is, or else one that runs the
 * pause program and nothing else (a sandbox image of another name, without
 * the state, is taken for a container).
 */
static bool is_sandbox(const struct ca_container *c)
{
	size_t i;

	if (!c->pod_uid[0] || !c->nprocs)
		return false;
	if (c->workload.k8s_sandbox)
		return true;
	for (i = 0; i < c->nprocs; i++)
		if (!status_has(&c->procs[i].st, STATUS_NAME) ||
		    strcmp(c->procs[i].st.name, "pause") != 0)
			return false;
	return true;
}

/*
 * A container nothing else named (runtime unknown) is runc's or crun's, run
 * by hand, where a state of theirs names its init: pid 1 of its pid
 * namespace (where NSpid says), by pid and by start time, for a pid alone
 * may since be another process's. It takes that runtime and that id.
 */
static int claim(struct walk *w, struct ca_wl_reader *reader, struct ca_container *c)
{
	const struct ca_wl_state *st = NULL;
	_cleanup_free_ char *id = NULL;
	size_t i;
	int r = 0, err = 0;

	if (!reader || c->runtime != CA_RT_UNKNOWN)
		return 0;
	for (i = 0; !st && i < c->nprocs; i++) {
		const struct ca_proc *p = &c->procs[i];
		uint64_t start;

		if (status_has(&p->st, STATUS_NSPID) && p->st.ns_pid != 1)
			continue;
		r = read_pid_file(w->root, w->buf, p->pid, "stat", &err);
		if (r == -ENOMEM)
			return r;
		if (r != READ_OK || pidstat_parse_start(w->buf->data, w->buf->len, &start) < 0)
			continue;
		r = workload_claim(reader, p->pid, start, &st);
		if (r < 0)
			return r;
	}
	if (!st)
		return 0;
	if (ca_debug_mask & CA_DEBUG_ATTRIB) {
		id = esc_text(st->id, strlen(st->id));
		debug_print("attrib", "%s: %s %s by state, which names its init %d, started at %" PRIu64, c->id,
			    runtime_name(st->runtime), id ? id : "?", (int)st->pid, st->start);
	}
	c->runtime = st->runtime;
	snprintf(c->id, sizeof(c->id), "%s", st->id);
	c->source = CA_SRC_STATE;
	return 0;
}

/* What its runtime keeps of @c, by the key its cgroup and user namespace give. */
static int read_workload(struct ca_wl_reader *reader, struct ca_container *c)
{
	const struct ca_wl_key key = {
		.runtime = c->runtime, .id = c->id, .ns = c->ctr_ns, .pod = c->pod_uid[0] != '\0',
		.rootless = c->userns.child && c->userns.root_mapped && c->userns.root_host_uid != 0,
		.owner = c->userns.root_host_uid,
	};

	return workload_read(reader, &key, &c->workload);
}

static int finish(struct walk *w, const struct ca_scan_opts *opts)
{
	struct ca_scan *scan = w->scan;
	_cleanup_(workload_reader_freep) struct ca_wl_reader *reader = NULL;
	size_t i, j;
	int r;

	if (opts->host && !(reader = workload_reader_new(opts->host)))
		return -ENOMEM;
	for (i = 0; i < scan->ncontainers; i++) {
		struct ca_container *c = &scan->containers[i];

		qsort(c->procs, c->nprocs, sizeof(*c->procs), proc_cmp);	/* nprocs > 0 */
		r = read_context(w, c);
		if (r == 0)
			r = claim(w, reader, c);
		if (r == 0)
			r = read_workload(reader, c);
		for (j = 0; r == 0 && j < c->nprocs; j++) {
			r = opts->threads ? read_threads(w, &c->procs[j]) : 0;
			if (r == 0 && opts->identity)
				r = read_identity(w, &c->procs[j]);
		}
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
	const struct ca_attrib_reads reads = { .cmdline = read_cmdline, .ns = read_ns, .ctx = &w };
	struct ca_piditer it = { 0 };
	pid_t pid;
	int r;

	memset(scan, 0, sizeof(*scan));
	r = host_read(root, &buf, &scan->host, err);
	if (r < 0)
		goto out;
	w.engine = attrib_new(&scan->host, &reads);
	if (!w.engine) {
		r = err_set(err, -ENOMEM, "cannot scan %s: %s", root->path, strerror(ENOMEM));
		goto out;
	}
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
			r = attribute(&w, &p, &at);
		if (r < 0)
			break;
	}
	if (r == 1)
		r = attrib_finish(w.engine, place_later, &w);
	if (r == 0)
		r = finish(&w, opts);
	if (r < 0) {
		err_set(err, r, "cannot scan %s: %s", root->path, strerror(-r));
		goto out;
	}
out:
	keymap_free(&w.containers);
	attrib_free(w.engine);
	free(w.later);
	procroot_pids_close(&it);
	buf_free(&buf);
	return r;
}

int scan_container_order(const struct ca_container *a, const struct ca_container *b)
{
	int r = strcmp(runtime_name(a->runtime), runtime_name(b->runtime));

	return r ? r : strcmp(a->id, b->id);
}

const char *scan_source_name(enum ca_source src)
{
	switch (src) {
	case CA_SRC_CGROUP:
		return "cgroup";
	case CA_SRC_SUPERVISOR:
		return "supervisor";
	case CA_SRC_STATE:
		return "state";
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
		workload_free(&c->workload);
	}
	free(scan->containers);
	host_free(&scan->host);
	memset(scan, 0, sizeof(*scan));
}
