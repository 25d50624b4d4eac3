/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tracer: capaudit's own ftrace instance, read through libtracefs and libtraceevent. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "captrace.h"
#include "keymap.h"
#include "tracelibs.h"

/* Per CPU: at the benchmark's rate of checks with call paths, a few seconds of them. */
#define DEFAULT_BUFFER_KB 8192
#define TRACEFS_DIR "/sys/kernel/tracing"
#define KALLSYMS_MAX (64u << 20)
/* How long an event waits before it is handed over: its call path, written right after it, is read too. */
#define HOLD_NS (10 * 1000000ull)

/* The events read, and how each is told: by its type id, fields found once by name. */
enum ev {
	EV_CAP,
	EV_STACK,
	EV_FORK,
	EV_EXEC,
	EV_RENAME,
	EV_ATTACH,
	EV_COUNT
};

static const struct {
	const char *system, *name;
	bool needed;			/* without it learning cannot attribute or classify */
} events[EV_COUNT] = {
	[EV_CAP] = { "capability", "cap_capable", true },
	[EV_STACK] = { "ftrace", "kernel_stack", true },
	[EV_FORK] = { "sched", "sched_process_fork", true },
	[EV_EXEC] = { "sched", "sched_process_exec", true },
	[EV_RENAME] = { "task", "task_rename", false },
	[EV_ATTACH] = { "cgroup", "cgroup_attach_task", true },
};

/* Fields, by event: the first of each row is read as the event's number fields. */
enum fld {
	F_CAP, F_RET,				/* cap_capable */
	F_SIZE, F_CALLER,			/* kernel_stack */
	F_PARENT, F_CHILD, F_CHILD_COMM,	/* sched_process_fork */
	F_FILENAME, F_EXEC_PID, F_OLD_PID,	/* sched_process_exec */
	F_RENAME_PID, F_NEWCOMM,		/* task_rename */
	F_ATTACH_PID, F_DST_PATH,		/* cgroup_attach_task */
	F_COUNT
};

static const struct {
	enum ev ev;
	const char *name;
} fields[F_COUNT] = {
	[F_CAP] = { EV_CAP, "cap" }, [F_RET] = { EV_CAP, "ret" },
	[F_SIZE] = { EV_STACK, "size" }, [F_CALLER] = { EV_STACK, "caller" },
	[F_PARENT] = { EV_FORK, "parent_pid" }, [F_CHILD] = { EV_FORK, "child_pid" },
	[F_CHILD_COMM] = { EV_FORK, "child_comm" },
	[F_FILENAME] = { EV_EXEC, "filename" }, [F_EXEC_PID] = { EV_EXEC, "pid" },
	[F_OLD_PID] = { EV_EXEC, "old_pid" },
	[F_RENAME_PID] = { EV_RENAME, "pid" }, [F_NEWCOMM] = { EV_RENAME, "newcomm" },
	[F_ATTACH_PID] = { EV_ATTACH, "pid" }, [F_DST_PATH] = { EV_ATTACH, "dst_path" },
};

/* An event waiting for its moment, with the path (attach, exec) it owns. */
struct pending {
	struct ca_tev ev;
	uint64_t seq;			/* read order: one CPU's events keep theirs */
	char *path;
};

struct cpu {
	struct tracefs_cpu *tcpu;
	void *page;
	int cpu;
	size_t last_cap;		/* index in pending of this CPU's last check, or SIZE_MAX */
	uint64_t last_ts;		/* of the last event read */
};

struct ca_tracer {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	struct kbuffer *kbuf;
	int type[EV_COUNT];		/* -1 where the kernel has no such event */
	struct tep_format_field *f[F_COUNT];
	struct cpu *cpus;
	unsigned ncpus;
	size_t max_pages;		/* read of a CPU at once, short of a drain: its buffer's pages */
	struct pending *pend;
	size_t npend, pend_cap;
	uint64_t seq;
	struct ca_keymap by_addrs;	/* a call path's addresses -> index into stacks */
	struct ca_stack **stacks;
	size_t nstacks, stacks_cap;
	struct ca_trace_counts counts;
	char *mounted;			/* tracefs, where this run mounted it */
};

static bool is_tracefs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == TRACEFS_MAGIC;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether @pid is a capaudit still running: an instance of its is not stale. */
static bool capaudit_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return true;
	comm[n] = '\0';
	return strcmp(comm, "capaudit\n") == 0 || strncmp(comm, "lt-capaudit", 11) == 0;
}

/* One instance of tracefs_instances_walk(): removed where a killed capaudit run left it. */
static int stale_one(const char *name, void *ctx)
{
	unsigned *removed = ctx;
	const char *digits = name + strlen(CA_TRACE_INSTANCE_PREFIX);
	struct tracefs_instance *inst;
	char *end;
	long pid;

	if (strncmp(name, CA_TRACE_INSTANCE_PREFIX, strlen(CA_TRACE_INSTANCE_PREFIX)) != 0)
		return 0;
	pid = strtol(digits, &end, 10);
	if (*end || end == digits || pid <= 0 || pid == (long)getpid() || capaudit_alive((pid_t)pid))
		return 0;
	inst = tracefs_instance_alloc(NULL, name);
	if (inst && tracefs_instance_destroy(inst) == 0)
		(*removed)++;
	tracefs_instance_free(inst);
	return 0;
}

/*
 * Remove the instances of capaudit runs that were killed (SIGKILL leaves
 * them). A walk, not tracefs_instances(): libtracefs 1.6 leaks the regex
 * that one compiles.
 */
static unsigned remove_stale(void)
{
	unsigned removed = 0;

	tracefs_instances_walk(stale_one, &removed);
	return removed;
}

/* /proc/kallsyms into the tep, for naming the functions of a call path. */
static int load_kallsyms(struct ca_tracer *t, struct ca_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	_cleanup_close_ int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return err_set(err, -errno, "cannot read /proc/kallsyms: %s", strerror(errno));
	for (;;) {
		if (cap - len < 65536) {
			char *b;

			if (cap >= KALLSYMS_MAX)
				return err_set(err, -EFBIG, "/proc/kallsyms is larger than %u MiB", KALLSYMS_MAX >> 20);
			cap = cap ? 2 * cap : 4u << 20;
			b = realloc(buf, cap + 1);
			if (!b)
				return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, -errno, "cannot read /proc/kallsyms: %s", strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	/* kptr_restrict hides every address as zeros: then no call path can be named. */
	if (len == 0 || strspn(buf, "0") >= 16)
		return err_set(err, -EPERM, "the kernel hides its addresses from capaudit (/proc/sys/kernel/"
			       "kptr_restrict): the call paths that tell a probe from a need cannot be named");
	if (tep_parse_kallsyms(t->tep, buf) < 0)
		return err_set(err, -EINVAL, "cannot parse /proc/kallsyms");
	return 0;
}

static int setup_events(struct ca_tracer *t, struct ca_err *err)
{
	static const char *systems[] = { "capability", "sched", "task", "cgroup", "ftrace", NULL };
	struct utsname u;
	unsigned i;

	t->tep = tracefs_local_events_system(NULL, systems);
	if (!t->tep)
		return err_set(err, -errno ? -errno : -EIO, "cannot read the kernel's event formats from %s: %s",
			       tracefs_tracing_dir(), strerror(errno ? errno : EIO));
	for (i = 0; i < EV_COUNT; i++) {
		struct tep_event *e = tep_find_event_by_name(t->tep, events[i].system, events[i].name);

		t->type[i] = e ? e->id : -1;
		if (e || !events[i].needed)
			continue;
		if (i == EV_CAP) {
			if (uname(&u) < 0)
				strcpy(u.release, "?");
			return err_set(err, -ENOTSUP, "the kernel has no tracepoint capability:cap_capable, which "
				       "learning reads (Linux 6.14 and later have it; this is Linux %s)", u.release);
		}
		return err_set(err, -ENOTSUP, "the kernel has no tracepoint %s:%s, which learning reads",
			       events[i].system, events[i].name);
	}
	for (i = 0; i < F_COUNT; i++) {
		struct tep_event *e;

		if (t->type[fields[i].ev] < 0)
			continue;
		e = tep_find_event_by_name(t->tep, events[fields[i].ev].system, events[fields[i].ev].name);
		t->f[i] = e ? tep_find_field(e, fields[i].name) : NULL;
		if (!t->f[i])
			return err_set(err, -ENOTSUP, "the tracepoint %s:%s has no field %s", events[fields[i].ev].system,
				       events[fields[i].ev].name, fields[i].name);
	}
	t->kbuf = tep_kbuffer(t->tep);
	if (!t->kbuf)
		return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	return 0;
}

static int setup_instance(struct ca_tracer *t, unsigned buffer_kb, struct ca_err *err)
{
	char name[64], buf[32];
	unsigned i;
	long n;

	snprintf(name, sizeof(name), CA_TRACE_INSTANCE_PREFIX "%d", (int)getpid());
	t->inst = tracefs_instance_create(name);
	if (!t->inst) {
		int e = errno ? errno : EPERM;

		return err_set(err, -e, "cannot make the ftrace instance %s/instances/%s: %s%s", tracefs_tracing_dir(),
			       name, strerror(e), e == EACCES || e == EPERM ? " (learning needs root)" : "");
	}
	/* Ours from the start, whatever a run of the same pid left. */
	tracefs_trace_off(t->inst);
	snprintf(buf, sizeof(buf), "%u", buffer_kb);
	if (tracefs_instance_file_write(t->inst, "buffer_size_kb", buf) < 0)
		return err_set(err, -ENOMEM, "cannot give the ftrace instance %u KiB a CPU: %s", buffer_kb, strerror(errno));
	/* CLOCK_MONOTONIC on every CPU, so that the CPUs' events can be put in one order. */
	if (tracefs_instance_file_write(t->inst, "trace_clock", "mono") < 0)
		return err_set(err, -ENOTSUP, "the ftrace instance has no clock \"mono\": %s", strerror(errno));
	/* A full buffer drops new events and counts them, rather than overwriting unread ones. */
	tracefs_instance_file_write(t->inst, "options/overwrite", "0");
	for (i = 0; i < EV_COUNT; i++) {
		if (i == EV_STACK || t->type[i] < 0)
			continue;
		if (tracefs_event_enable(t->inst, events[i].system, events[i].name) < 0)
			return err_set(err, -errno ? -errno : -EIO, "cannot enable %s:%s: %s", events[i].system,
				       events[i].name, strerror(errno ? errno : EIO));
	}
	/*
	 * Every check's call path: a stack walk and a second event for the
	 * process that checks, which tests/bench/learn.sh finds within the
	 * noise of a fork-, exec- and mmap-heavy workload (1.007 with paths,
	 * 1.045 without those of denied CAP_SYS_ADMIN checks, 61 pairs).
	 */
	if (tracefs_event_file_write(t->inst, "capability", "cap_capable", "trigger", "stacktrace") < 0)
		return err_set(err, -errno ? -errno : -EIO, "cannot record the call paths of capability:cap_capable "
			       "(its stacktrace trigger): %s", strerror(errno ? errno : EIO));
	n = sysconf(_SC_NPROCESSORS_CONF);
	if (n < 1)
		n = 1;
	t->cpus = calloc((size_t)n, sizeof(*t->cpus));
	if (!t->cpus)
		return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; i < (unsigned)n; i++) {
		struct cpu *c = &t->cpus[t->ncpus];
		int size;

		c->tcpu = tracefs_cpu_open(t->inst, (int)i, true);
		if (!c->tcpu)
			continue;		/* an offline CPU has no buffer */
		size = tracefs_cpu_read_size(c->tcpu);
		c->page = size > 0 ? malloc((size_t)size) : NULL;
		if (!c->page) {
			tracefs_cpu_close(c->tcpu);
			return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
		}
		c->cpu = (int)i;
		c->last_cap = SIZE_MAX;
		t->max_pages = (size_t)buffer_kb * 1024 / (size_t)size;
		t->ncpus++;
	}
	if (t->ncpus == 0)
		return err_set(err, -EIO, "cannot read the ring buffer of any CPU: %s", strerror(errno ? errno : EIO));
	t->counts.cpus = t->ncpus;
	if (tracefs_trace_on(t->inst) < 0)
		return err_set(err, -errno ? -errno : -EIO, "cannot start the ftrace instance: %s",
			       strerror(errno ? errno : EIO));
	return 0;
}

int captrace_open(const struct ca_tracer_opts *o, struct ca_tracer **out, struct ca_err *err)
{
	struct ca_tracer *t;
	const char *dir;
	int r;

	*out = NULL;
	r = tracelibs_load(err);
	if (r < 0)
		return r;
	t = calloc(1, sizeof(*t));
	if (!t)
		return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
	if (o->tracefs) {
		/* A tracefs mounted elsewhere (capaudit(8), ENVIRONMENT): libtracefs copies the name. */
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s", o->tracefs);
		if (tracefs_set_tracing_dir(path) < 0) {
			free(t);
			return err_set(err, -ENOMEM, "%s", strerror(ENOMEM));
		}
	} else if (!is_tracefs(TRACEFS_DIR)) {
		/*
		 * Not where it belongs: libtracefs looks under debugfs, and
		 * mounts it at TRACEFS_DIR where it finds none. (Its own
		 * "is it mounted" call leaks the path it returns.)
		 */
		errno = 0;
		if (!tracefs_tracing_dir()) {
			int e = errno ? errno : ENODEV;

			free(t);
			return err_set(err, -e, "tracefs is not mounted and cannot be (%s): mount -t tracefs nodev "
				       TRACEFS_DIR "%s", strerror(e), e == EPERM || e == EACCES ? ", as root" : "");
		}
		if (is_tracefs(TRACEFS_DIR))
			t->mounted = strdup(TRACEFS_DIR);
	}
	/* (asked once: libtracefs 1.6 leaks a path each time it looks again, as a user may not read it) */
	dir = tracefs_tracing_dir();
	if (!dir || access(dir, W_OK) < 0) {
		int e = dir ? errno : ENODEV;

		captrace_close(t);
		if (e == EACCES || e == EPERM || e == EROFS)
			return err_set(err, -e, "learning needs root: %s is not writable (%s)", dir, strerror(e));
		return err_set(err, -e, "no tracefs at %s: %s", dir ? dir : TRACEFS_DIR, strerror(e));
	}
	r = setup_events(t, err);
	if (r == 0)
		r = load_kallsyms(t, err);
	if (r == 0) {
		t->counts.stale_removed = remove_stale();
		r = setup_instance(t, o->buffer_kb ? o->buffer_kb : DEFAULT_BUFFER_KB, err);
	}
	if (r < 0) {
		captrace_close(t);
		return r;
	}
	*out = t;
	return 0;
}

void captrace_stop(struct ca_tracer *t)
{
	if (t && t->inst)
		tracefs_trace_off(t->inst);
}

static void free_pending(struct ca_tracer *t)
{
	size_t i;

	for (i = 0; i < t->npend; i++)
		free(t->pend[i].path);
	free(t->pend);
	t->pend = NULL;
	t->npend = t->pend_cap = 0;
}

void captrace_close(struct ca_tracer *t)
{
	unsigned i;

	if (!t)
		return;
	if (t->inst) {
		tracefs_trace_off(t->inst);
		if (tracefs_instance_destroy(t->inst) < 0) {
			/* tracing files still open keep it busy: close them, try again */
			for (i = 0; i < t->ncpus; i++) {
				tracefs_cpu_close(t->cpus[i].tcpu);
				t->cpus[i].tcpu = NULL;
			}
			tracefs_instance_destroy(t->inst);
		}
		tracefs_instance_free(t->inst);
	}
	for (i = 0; i < t->ncpus; i++) {
		if (t->cpus[i].tcpu)
			tracefs_cpu_close(t->cpus[i].tcpu);
		free(t->cpus[i].page);
	}
	free(t->cpus);
	if (t->kbuf)
		kbuffer_free(t->kbuf);
	if (t->tep)
		tep_free(t->tep);
	free_pending(t);
	for (i = 0; i < t->nstacks; i++)
		free(t->stacks[i]);
	free(t->stacks);
	keymap_free(&t->by_addrs);
	if (t->mounted)
		umount2(t->mounted, MNT_DETACH);
	free(t->mounted);
	free(t);
}

static unsigned long long num(struct ca_tracer *t, enum fld f, const void *data)
{
	unsigned long long v = 0;

	if (t->f[f])
		tep_read_number_field(t->f[f], data, &v);
	return v;
}

/* A string field into @out (at most @size bytes with its NUL): fixed arrays and __data_loc ones. */
static void str(struct ca_tracer *t, enum fld f, const char *data, int len, char *out, size_t size)
{
	const struct tep_format_field *fl = t->f[f];
	size_t off, n;

	out[0] = '\0';
	if (!fl || fl->offset < 0 || fl->offset + fl->size > len)
		return;
	if (fl->flags & TEP_FIELD_IS_DYNAMIC) {
		unsigned long long loc = num(t, f, data);

		off = loc & 0xffff;
		n = (loc >> 16) & 0xffff;
		/* since Linux 6.6 an __rel_loc is relative to the field's end; __data_loc is from the start */
		if (fl->flags & TEP_FIELD_IS_RELATIVE)
			off += (size_t)fl->offset + (size_t)fl->size;
	} else {
		off = (size_t)fl->offset;
		n = (size_t)fl->size;
	}
	if (off > (size_t)len || n > (size_t)len - off)
		return;
	n = strnlen(data + off, n);
	if (n >= size)
		n = size - 1;
	memcpy(out, data + off, n);
	out[n] = '\0';
}

static struct pending *push(struct ca_tracer *t)
{
	struct pending *p;

	if (t->npend == t->pend_cap) {
		size_t cap = t->pend_cap ? 2 * t->pend_cap : 4096;

		p = reallocarray(t->pend, cap, sizeof(*p));
		if (!p)
			return NULL;
		t->pend = p;
		t->pend_cap = cap;
	}
	p = &t->pend[t->npend++];
	memset(p, 0, sizeof(*p));
	p->seq = t->seq++;
	return p;
}

/* The call path of a kernel_stack event, interned: one ca_stack per distinct path. */
static const struct ca_stack *intern(struct ca_tracer *t, const char *data, int len)
{
	const struct tep_format_field *fl = t->f[F_CALLER];
	unsigned long long size = num(t, F_SIZE, data);
	size_t n, i, at;
	uint64_t addrs[CA_STACK_MAX];
	int64_t got;
	struct ca_stack *s;

	if (!fl || fl->offset < 0 || fl->offset >= len)
		return NULL;
	n = ((size_t)len - (size_t)fl->offset) / sizeof(uint64_t);
	if (size < n)
		n = (size_t)size;
	if (n > CA_STACK_MAX)
		n = CA_STACK_MAX;
	/* the ring buffer keeps events 4-byte aligned: the addresses are copied out */
	memcpy(addrs, data + fl->offset, n * sizeof(uint64_t));
	got = keymap_get(&t->by_addrs, addrs, n * sizeof(uint64_t));
	if (got >= 0)
		return t->stacks[got];
	if (t->nstacks == t->stacks_cap) {
		size_t cap = t->stacks_cap ? 2 * t->stacks_cap : 256;
		struct ca_stack **q = reallocarray(t->stacks, cap, sizeof(*q));

		if (!q)
			return NULL;
		t->stacks = q;
		t->stacks_cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	at = t->nstacks;
	if (keymap_put(&t->by_addrs, addrs, n * sizeof(uint64_t), (uint32_t)at) < 0) {
		free(s);
		return NULL;
	}
	s->id = (unsigned)at + 1;
	for (i = 0; i < n && addrs[i]; i++)
		s->fn[s->n++] = tep_find_function(t->tep, addrs[i]);
	t->stacks[t->nstacks++] = s;
	t->counts.paths = t->nstacks;
	return s;
}

/* The string field @f (a file, a cgroup) as @p's own path; 0 or -ENOMEM. */
static int own_path(struct ca_tracer *t, enum fld f, const char *data, int len, struct pending *p)
{
	char path[4096];

	str(t, f, data, len, path, sizeof(path));
	p->path = strdup(path);
	p->ev.path = p->path;
	return p->path ? 0 : -ENOMEM;
}

/* One event of @c's page into the pending events; -ENOMEM. */
static int parse(struct ca_tracer *t, struct cpu *c, const char *data, int len, unsigned long long ts)
{
	unsigned type;
	int pid, i;
	struct pending *p;

	if (len < 8)
		return 0;
	type = (unsigned)(unsigned char)data[0] | (unsigned)(unsigned char)data[1] << 8;
	memcpy(&pid, data + 4, sizeof(pid));
	for (i = 0; i < EV_COUNT; i++)
		if (t->type[i] >= 0 && (unsigned)t->type[i] == type)
			break;
	if (i == EV_COUNT)
		return 0;
	t->counts.read++;
	if (i == EV_STACK) {
		/* The trigger writes the path right after the check, on its CPU. */
		if (c->last_cap != SIZE_MAX && t->pend[c->last_cap].ev.pid == pid &&
		    !t->pend[c->last_cap].ev.stack) {
			t->pend[c->last_cap].ev.stack = intern(t, data, len);
			if (!t->pend[c->last_cap].ev.stack)
				return -ENOMEM;
		}
		c->last_cap = SIZE_MAX;
		return 0;
	}
	p = push(t);
	if (!p)
		return -ENOMEM;
	p->ev.ts = ts;
	p->ev.pid = pid;
	c->last_cap = SIZE_MAX;
	switch ((enum ev)i) {
	case EV_CAP:
		p->ev.kind = CA_TEV_CAP;
		p->ev.cap = (int)num(t, F_CAP, data);
		p->ev.ret = (int)num(t, F_RET, data);
		c->last_cap = t->npend - 1;
		break;
	case EV_FORK:
		p->ev.kind = CA_TEV_FORK;
		p->ev.pid = (pid_t)num(t, F_PARENT, data);
		p->ev.other = (pid_t)num(t, F_CHILD, data);
		str(t, F_CHILD_COMM, data, len, p->ev.comm, sizeof(p->ev.comm));
		break;
	case EV_EXEC:
		p->ev.kind = CA_TEV_EXEC;
		p->ev.pid = (pid_t)num(t, F_EXEC_PID, data);
		p->ev.other = (pid_t)num(t, F_OLD_PID, data);
		if (own_path(t, F_FILENAME, data, len, p) < 0)
			return -ENOMEM;
		{
			/* the kernel names a task after its file's base name (TASK_COMM_LEN, cut) */
			const char *base = strrchr(p->path, '/');

			base = base ? base + 1 : p->path;
			memcpy(p->ev.comm, base, strnlen(base, sizeof(p->ev.comm) - 1));
		}
		break;
	case EV_RENAME:
		p->ev.kind = CA_TEV_RENAME;
		p->ev.pid = (pid_t)num(t, F_RENAME_PID, data);
		str(t, F_NEWCOMM, data, len, p->ev.comm, sizeof(p->ev.comm));
		break;
	case EV_ATTACH:
		p->ev.kind = CA_TEV_ATTACH;
		p->ev.pid = (pid_t)num(t, F_ATTACH_PID, data);
		if (own_path(t, F_DST_PATH, data, len, p) < 0)
			return -ENOMEM;
		break;
	case EV_STACK:
	case EV_COUNT:
	default:
		break;
	}
	return 0;
}

/*
 * Read @c's ring buffer: to its end with @drain, else at most one buffer's
 * worth (a storm of checks must not keep the watch from its deadline, nor
 * hold more than a buffer in memory: what the kernel then drops, it counts).
 * Returns 0 where it read to the end, 1 where it stopped short, with the
 * time of the last event read in c->last_ts; or a negative errno.
 */
static int read_cpu(struct ca_tracer *t, struct cpu *c, bool drain, struct ca_err *err)
{
	unsigned long long ts = 0;
	void *data;
	int n, r, missed;
	size_t pages;

	for (pages = 0;; pages++) {
		if (!drain && pages == t->max_pages)
			return 1;
		n = tracefs_cpu_read(c->tcpu, c->page, true);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return err_set(err, -errno, "cannot read the ring buffer of CPU %d: %s", c->cpu,
					       strerror(errno));
			return 0;
		}
		if (kbuffer_load_subbuffer(t->kbuf, c->page) < 0)
			return err_set(err, -EIO, "cannot read a page of the ring buffer of CPU %d", c->cpu);
		missed = kbuffer_missed_events(t->kbuf);
		if (missed > 0)
			t->counts.lost += (uint64_t)missed;
		for (data = kbuffer_read_event(t->kbuf, &ts); data; data = kbuffer_next_event(t->kbuf, &ts)) {
			r = parse(t, c, data, kbuffer_event_size(t->kbuf), ts);
			if (r < 0)
				return err_set(err, r, "%s", strerror(-r));
			c->last_ts = ts;
		}
	}
}

static int by_time(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->ev.ts != y->ev.ts)
		return x->ev.ts < y->ev.ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int captrace_read(struct ca_tracer *t, bool drain, int (*ev)(void *ctx, const struct ca_tev *e), void *ctx,
		  struct ca_err *err)
{
	/*
	 * Every CPU's buffer is read after this moment, so every event stamped
	 * before it is in hand, with the call path its trigger writes right
	 * after it; a later one may still precede, on another CPU, an event
	 * not yet read, and waits.
	 */
	uint64_t moment = drain ? UINT64_MAX : now_ns() - HOLD_NS;
	size_t i, done;
	unsigned c;
	int r = 0;

	for (c = 0; c < t->ncpus; c++) {
		r = read_cpu(t, &t->cpus[c], drain, err);
		if (r < 0)
			return r;
		/* a CPU read short holds events after its last one read: nothing later is handed over */
		if (r == 1 && t->cpus[c].last_ts < moment)
			moment = t->cpus[c].last_ts;
	}
	r = 0;
	qsort(t->pend, t->npend, sizeof(t->pend[0]), by_time);
	for (done = 0; done < t->npend && t->pend[done].ev.ts <= moment; done++) {
		r = ev(ctx, &t->pend[done].ev);
		if (r < 0) {
			err_set(err, r, "%s", strerror(-r));
			break;
		}
	}
	for (i = 0; i < done; i++)
		free(t->pend[i].path);
	memmove(t->pend, t->pend + done, (t->npend - done) * sizeof(t->pend[0]));
	t->npend -= done;
	/*
	 * The CPUs' last checks were indexes into what is now sorted. The path
	 * of a check is written before the tracepoint returns, microseconds
	 * after it: one read nearly always holds both, and a check whose path
	 * it missed stays without one.
	 */
	for (c = 0; c < t->ncpus; c++)
		t->cpus[c].last_cap = SIZE_MAX;
	return r;
}

/* "dropped events: N" and "overrun: N" of each CPU's stats file. */
static uint64_t stat_lost(struct ca_tracer *t)
{
	uint64_t lost = 0;
	unsigned c;

	for (c = 0; c < t->ncpus; c++) {
		char file[64], *text, *at;

		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", t->cpus[c].cpu);
		text = tracefs_instance_file_read(t->inst, file, NULL);
		if (!text)
			continue;
		if ((at = strstr(text, "overrun: ")))
			lost += strtoull(at + 9, NULL, 10);
		if ((at = strstr(text, "dropped events: ")))
			lost += strtoull(at + 16, NULL, 10);
		free(text);
	}
	return lost;
}

const struct ca_trace_counts *captrace_counts(struct ca_tracer *t)
{
	uint64_t lost = stat_lost(t);

	/* A page's missed count and the stats file count the same losses: the larger holds both. */
	if (lost > t->counts.lost)
		t->counts.lost = lost;
	return &t->counts;
}
