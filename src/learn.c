/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Learning: capability checks attributed to containers and sorted into needs, probes and start-up. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug.h"
#include "esc.h"
#include "keymap.h"
#include "learn.h"
#include "util.h"

/* Where a task is, beyond an index into the containers. */
enum {
	AT_HOST = -1,			/* placed, in no container */
	AT_UNPLACED = -2,		/* not looked up yet */
	AT_GONE = -3,			/* gone before it could be placed */
};

struct task {
	pid_t pid;
	int at;				/* an index into ctrs, or AT_* */
	bool setup;			/* entered its container and has not called execve() since */
	char comm[CA_COMM_LEN];
	/* its last check of the workload's own, to see a denial another capability answered */
	uint64_t last_path;
	int last_cap;
	bool last_denied;
};

/* What a call path is, worked out once for each of the tracer's path ids. */
struct pathinfo {
	bool known;
	int cap;			/* the capability rule[] was worked out for */
	int rule[2];			/* noise_classify()'s answer, for a denied and a granted check */
	uint64_t hash;			/* of its function names: one path whatever the call sites */
};

struct ca_learn {
	struct ca_learn_reads reads;
	struct task *tasks;
	size_t ntasks, tasks_cap;
	struct ca_keymap by_pid;	/* pid -> index into tasks */
	struct ca_learned *ctrs;
	size_t nctrs, ctrs_cap;
	struct ca_keymap by_ctr;	/* "<runtime>/<id>" -> index into ctrs */
	struct pathinfo *paths;		/* by path id */
	size_t npaths;
	struct ca_learn_counts counts;
};

struct ca_learn *learn_new(const struct ca_learn_reads *reads)
{
	struct ca_learn *l = calloc(1, sizeof(*l));

	if (l)
		l->reads = *reads;
	return l;
}

void learn_free(struct ca_learn *l)
{
	if (!l)
		return;
	free(l->tasks);
	keymap_free(&l->by_pid);
	free(l->ctrs);
	keymap_free(&l->by_ctr);
	free(l->paths);
	free(l);
}

/* The index of container @rt/@id, added where it is new; or -ENOMEM. */
static int container_of(struct ca_learn *l, enum ca_runtime rt, const char *id)
{
	char key[CA_ID_MAX + 16];
	int64_t at;
	int n = snprintf(key, sizeof(key), "%d/%s", (int)rt, id);

	at = keymap_get(&l->by_ctr, key, (size_t)n);
	if (at >= 0)
		return (int)at;
	if (l->nctrs == l->ctrs_cap) {
		size_t cap = l->ctrs_cap ? 2 * l->ctrs_cap : 8;
		struct ca_learned *c = reallocarray(l->ctrs, cap, sizeof(*c));

		if (!c)
			return -ENOMEM;
		l->ctrs = c;
		l->ctrs_cap = cap;
	}
	if (keymap_put(&l->by_ctr, key, (size_t)n, (uint32_t)l->nctrs) < 0)
		return -ENOMEM;
	memset(&l->ctrs[l->nctrs], 0, sizeof(l->ctrs[0]));
	l->ctrs[l->nctrs].runtime = rt;
	snprintf(l->ctrs[l->nctrs].id, sizeof(l->ctrs[0].id), "%s", id);
	return (int)l->nctrs++;
}

/* Where a cgroup's attribution puts a process: a container's index, AT_HOST, or -ENOMEM. */
static int place_by(struct ca_learn *l, const struct ca_attrib *a)
{
	size_t before = l->nctrs;
	int at;

	switch (a->kind) {
	case CA_ATTRIB_CONTAINER:
		at = container_of(l, a->runtime, a->id);
		if (at >= 0)
			l->ctrs[at].candidate = false;
		return at;
	case CA_ATTRIB_CANDIDATE:
		/* ctr's "/<namespace>/<id>": a scan confirms it by its shim, or it was none. */
		at = container_of(l, CA_RT_CONTAINERD, a->id);
		if (at >= 0 && l->nctrs > before)
			l->ctrs[at].candidate = true;
		return at;
	case CA_ATTRIB_NONE:
	case CA_ATTRIB_MONITOR:
	default:
		return AT_HOST;
	}
}

/*
 * The task record of @pid, a fresh one where @fresh (a pid reused by a new
 * task) or where it was never seen; NULL for -ENOMEM. A pid is a key of the
 * map once: its record is reused.
 */
static struct task *task_of(struct ca_learn *l, pid_t pid, bool fresh)
{
	int64_t at = keymap_get_pid(&l->by_pid, pid);
	struct task *t;

	if (at >= 0) {
		t = &l->tasks[at];
		if (!fresh)
			return t;
	} else {
		if (l->ntasks == l->tasks_cap) {
			size_t cap = l->tasks_cap ? 2 * l->tasks_cap : 1024;
			struct task *n = reallocarray(l->tasks, cap, sizeof(*n));

			if (!n)
				return NULL;
			l->tasks = n;
			l->tasks_cap = cap;
		}
		if (keymap_put_pid(&l->by_pid, pid, (uint32_t)l->ntasks) < 0)
			return NULL;
		t = &l->tasks[l->ntasks++];
	}
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->at = AT_UNPLACED;
	t->last_cap = -1;
	return t;
}

/*
 * The runtimes' own programs, by the names the kernel gives them at exec or
 * they give themselves: a process that becomes one is setting a container
 * up, not running its workload, until it calls execve() again. Needed where
 * no cgroup move marks the entry: podman runs conmon and runc from inside
 * the container's cgroup, so runc init is never moved into it.
 */
static const struct {
	const char *comm;
	bool prefix;
} runtime_programs[] = {
	{ "runc", false },		/* runc create, runc exec */
	{ "runc:[", true },		/* runc init: runc:[0:PARENT], runc:[1:CHILD], runc:[2:INIT] */
	{ "crun", false },
	{ "conmon", false },		/* podman's, CRI-O's monitor */
};

static bool runtime_program(const char *comm)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(runtime_programs); i++)
		if (runtime_programs[i].prefix ? strncmp(comm, runtime_programs[i].comm,
							 strlen(runtime_programs[i].comm)) == 0
					       : strcmp(comm, runtime_programs[i].comm) == 0)
			return true;
	return false;
}

/* @t placed where it is not yet: by its cgroup file now. Returns 0 or -ENOMEM. */
static int place(struct ca_learn *l, struct task *t)
{
	struct ca_attrib a;
	int r;

	if (t->at != AT_UNPLACED)
		return 0;
	memset(&a, 0, sizeof(a));
	r = l->reads.place(l->reads.ctx, t->pid, &a, t->comm);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		t->at = AT_GONE;
		return 0;
	}
	r = place_by(l, &a);
	if (r == -ENOMEM)
		return r;
	t->at = r;
	if (r >= 0)
		l->ctrs[r].tasks++;
	/* one that entered before learning began may still be setting its container up */
	t->setup = r >= 0 && runtime_program(t->comm);
	return 0;
}

int learn_seed(struct ca_learn *l, pid_t pid, enum ca_runtime runtime, const char *id, const char *comm)
{
	struct task *t = task_of(l, pid, true);
	int at;

	if (!t)
		return -ENOMEM;
	snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "");
	if (runtime == CA_RT_NONE) {
		t->at = AT_HOST;
		return 0;
	}
	at = container_of(l, runtime, id);
	if (at < 0)
		return at;
	l->ctrs[at].candidate = false;	/* a scan found it */
	t->at = at;
	l->ctrs[at].tasks++;
	return 0;
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return (h ^ '/') * UINT64_C(0x100000001b3);
}

/* CAPAUDIT_DEBUG=learn: what a call path is taken for, the first time it is seen for a capability. */
static void debug_path(const struct ca_stack *st, int cap, const int rule[2])
{
	size_t nrules, len = 0, i;
	const struct ca_noise_rule *rules = noise_rules(&nrules);
	char path[1024] = "", word[CA_CAPNAME_MAX];

	for (i = 0; i < st->n && len + 2 < sizeof(path); i++)
		len += (size_t)snprintf(path + len, sizeof(path) - len, "%s%s", i ? " < " : "",
					st->fn[i] ? st->fn[i] : "?");
	DBG(LEARN, "%s along %s: granted, %s%s; denied, %s%s", caps_word((unsigned)cap, word), path,
	    rule[1] >= 0 ? "a probe: " : "a need", rule[1] >= 0 ? rules[rule[1]].name : "",
	    rule[0] >= 0 ? "a probe: " : "a need", rule[0] >= 0 ? rules[rule[0]].name : "");
}

/* What the tracer's path @st is, for a check of @cap: worked out once per path. */
static const struct pathinfo *path_info(struct ca_learn *l, const struct ca_stack *st, int cap)
{
	static const struct pathinfo none = { .known = true, .rule = { -1, -1 } };
	struct pathinfo *p;
	unsigned i;

	if (!st || st->id == 0)
		return &none;
	if (st->id >= l->npaths) {
		size_t n = st->id + 64;
		struct pathinfo *q = reallocarray(l->paths, n, sizeof(*q));

		if (!q)
			return NULL;
		memset(q + l->npaths, 0, (n - l->npaths) * sizeof(*q));
		l->paths = q;
		l->npaths = n;
	}
	p = &l->paths[st->id];
	if (!p->known) {
		p->hash = UINT64_C(0xcbf29ce484222325);
		for (i = 0; i < st->n; i++)
			p->hash = fnv(p->hash, st->fn[i] ? st->fn[i] : "?");
		p->known = true;
		p->cap = -1;
	}
	/* One path is one check, nearly always of one capability: the rule is kept for the last. */
	if (p->cap != cap) {
		p->cap = cap;
		p->rule[0] = noise_classify(st, cap, false);
		p->rule[1] = noise_classify(st, cap, true);
		if (ca_debug_mask & CA_DEBUG_LEARN)
			debug_path(st, cap, p->rule);
	}
	return p;
}

static void add_comm(struct ca_capuse *u, const char *comm)
{
	unsigned i;

	for (i = 0; i < u->ncomms; i++)
		if (strcmp(u->comms[i].comm, comm) == 0) {
			u->comms[i].n++;
			return;
		}
	if (u->ncomms == CA_LEARN_COMMS) {
		u->more_comms = true;
		return;
	}
	snprintf(u->comms[u->ncomms].comm, sizeof(u->comms[0].comm), "%s", comm);
	u->comms[u->ncomms++].n = 1;
}

static int on_cap(struct ca_learn *l, const struct ca_tev *ev)
{
	struct task *t = task_of(l, ev->pid, false);
	const struct pathinfo *p;
	struct ca_learned *c;
	struct ca_capuse *u;
	enum ca_use use;
	int r;

	l->counts.checks++;
	if (!t)
		return -ENOMEM;
	if (ev->cap < 0 || ev->cap >= CA_CAP_MAX)
		return 0;
	r = place(l, t);
	if (r < 0)
		return r;
	if (t->at == AT_GONE)
		l->counts.unattributed++;
	if (t->at < 0)
		return 0;
	l->counts.contained++;
	c = &l->ctrs[t->at];
	c->checks++;
	p = path_info(l, ev->stack, ev->cap);
	if (!p)
		return -ENOMEM;
	/* A probe is one whoever makes it; of the rest, a runtime's start-up is not the workload's. */
	if (p->rule[ev->ret == 0] >= 0)
		use = CA_USE_PROBE;
	else if (t->setup)
		use = CA_USE_RUNTIME;
	else
		use = CA_USE_NEED;
	u = &c->use[use][ev->cap];
	if (ev->ret == 0)
		u->granted++;
	else
		u->denied++;
	if (use == CA_USE_PROBE)
		u->rules |= UINT64_C(1) << p->rule[ev->ret == 0];
	add_comm(u, t->comm);
	if (use != CA_USE_NEED)
		return 0;
	/*
	 * generic_permission() asks CAP_DAC_READ_SEARCH, then CAP_DAC_OVERRIDE;
	 * copy_process() CAP_SYS_RESOURCE, then CAP_SYS_ADMIN: where the next
	 * check on the same path grants another capability, the denial was
	 * a first try that the other answered, not a need left unmet.
	 */
	if (ev->ret == 0 && t->last_denied && t->last_cap != ev->cap && t->last_path == p->hash &&
	    p->hash) {
		struct ca_capuse *d = &c->use[CA_USE_NEED][t->last_cap];

		if (d->denied) {
			d->denied--;
			d->alternative++;
		}
	}
	t->last_path = p->hash;
	t->last_cap = ev->cap;
	t->last_denied = ev->ret != 0;
	return 0;
}

/*
 * Whether the file of an execve() is the caller's own program again:
 * runc init runs /proc/self/exe and then its sealed copy, /dev/fd/N;
 * busybox runs its applets by /proc/self/exe.
 */
static bool self_exec(const char *path)
{
	return strcmp(path, "/proc/self/exe") == 0 || strncmp(path, "/proc/self/fd/", 14) == 0 ||
	       strncmp(path, "/dev/fd/", 8) == 0;
}

/* Whether @path's last component names container @id: the cgroup a runtime starts it in. */
static bool entry_cgroup(const char *path, const char *id)
{
	const char *last = strrchr(path, '/');

	return id[0] && strstr(last ? last + 1 : path, id) != NULL;
}

int learn_event(struct ca_learn *l, const struct ca_tev *ev)
{
	struct task *t, *child;
	struct ca_attrib a;
	int r;

	l->counts.events++;
	switch (ev->kind) {
	case CA_TEV_CAP:
		return on_cap(l, ev);
	case CA_TEV_FORK:
		t = task_of(l, ev->pid, false);
		if (!t || place(l, t) < 0)
			return -ENOMEM;
		/* (task_of() may move the array: the parent is looked up again) */
		child = task_of(l, ev->other, true);
		if (!child)
			return -ENOMEM;
		t = task_of(l, ev->pid, false);
		child->at = t->at;
		child->setup = t->setup;
		snprintf(child->comm, sizeof(child->comm), "%s", ev->comm);
		if (child->at >= 0)
			l->ctrs[child->at].tasks++;
		return 0;
	case CA_TEV_EXEC:
		/* A thread other than the leader that calls execve() becomes the leader (de_thread()). */
		if (ev->other && ev->other != ev->pid) {
			struct task *old = task_of(l, ev->other, false);
			struct task moved;

			if (!old)
				return -ENOMEM;
			moved = *old;
			t = task_of(l, ev->pid, true);
			if (!t)
				return -ENOMEM;
			*t = moved;
			t->pid = ev->pid;
		}
		t = task_of(l, ev->pid, false);
		if (!t || place(l, t) < 0)
			return -ENOMEM;
		snprintf(t->comm, sizeof(t->comm), "%s", ev->comm);
		/* A program that runs itself again (runc init's copy of runc) is still what it was. */
		if (!(ev->path && self_exec(ev->path)))
			t->setup = t->at >= 0 && runtime_program(t->comm);
		t->last_denied = false;
		return 0;
	case CA_TEV_RENAME:
		t = task_of(l, ev->pid, false);
		if (!t)
			return -ENOMEM;
		snprintf(t->comm, sizeof(t->comm), "%s", ev->comm);
		if (t->at >= 0 && runtime_program(t->comm))
			t->setup = true;
		return 0;
	case CA_TEV_ATTACH:
		if (!ev->path)
			return 0;
		{
			size_t n = strlen(ev->path);
			_cleanup_free_ char *line = malloc(n + 5);

			if (!line)
				return -ENOMEM;
			memcpy(line, "0::", 3);
			memcpy(line + 3, ev->path, n);
			memcpy(line + 3 + n, "\n", 2);
			memset(&a, 0, sizeof(a));
			cgroup_parse(line, n + 4, &a);
		}
		/* A move to no container (one hierarchy of several, a monitor's cgroup) changes nothing. */
		if (a.kind != CA_ATTRIB_CONTAINER && a.kind != CA_ATTRIB_CANDIDATE)
			return 0;
		r = place_by(l, &a);
		if (r < 0)
			return r;
		t = task_of(l, ev->pid, false);
		if (!t)
			return -ENOMEM;
		/*
		 * Entering: runc init, crun, lxc-start, nsenter after a write to
		 * cgroup.procs. Until it calls execve() its checks set the
		 * container up (mounts, pivot_root, capset, setgroups), and are
		 * the runtime's. A runtime puts what it starts into the cgroup
		 * its id names ("/docker/<id>", "libpod-<id>"), also from a
		 * helper already inside (podman's conmon runs runc there); a
		 * move below it (systemd in an LXC container placing a service
		 * in "system.slice/x.service") is no entry.
		 */
		if (t->at != r || entry_cgroup(ev->path, a.id)) {
			if (ca_debug_mask & CA_DEBUG_LEARN) {
				_cleanup_free_ char *comm = esc_text(t->comm, strlen(t->comm));
				_cleanup_free_ char *id = esc_text(l->ctrs[r].id, strlen(l->ctrs[r].id));

				DBG(LEARN, "pid %d (%s) entered %s %s: its checks until execve() are the runtime's",
				    (int)ev->pid, comm ? comm : "?", runtime_name(l->ctrs[r].runtime), id ? id : "?");
			}
			t->setup = true;
			t->last_denied = false;
			l->ctrs[r].tasks++;
		}
		t->at = r;
		return 0;
	default:
		return 0;
	}
}

const struct ca_learned *learn_results(const struct ca_learn *l, size_t *n)
{
	*n = l->nctrs;
	return l->ctrs;
}

const struct ca_learn_counts *learn_counts(const struct ca_learn *l)
{
	return &l->counts;
}

uint64_t learn_least(const struct ca_learned *c)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < CA_CAP_MAX; i++)
		if (c->use[CA_USE_NEED][i].granted)
			m |= CA_BIT(i);
	return m;
}

uint64_t learn_denied(const struct ca_learned *c)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < CA_CAP_MAX; i++)
		if (c->use[CA_USE_NEED][i].denied && !c->use[CA_USE_NEED][i].granted)
			m |= CA_BIT(i);
	return m;
}
