/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * population: start N long-lived, nearly free processes for the capaudit
 * benchmark, spread over N/100 fake docker containers in real cgroups, hold
 * them until SIGTERM/SIGINT/SIGHUP, then kill and reap exactly those
 * processes and remove exactly the cgroups it created.
 *
 *   population -n N [--host [--host-cgroup PATH]] [--per-container K] [--churn] [--list]
 *   population --cleanup [--host-cgroup PATH]   remove what a killed run left
 *
 * Shape: this process (the "top") stays where it was started. For every
 * fake container it forks a leader; the leader joins /docker/<id> in every
 * cgroup hierarchy mounted (every v1 hierarchy and cgroup2), takes the
 * container's confinement (bounding set, capabilities, seccomp, NoNewPrivs)
 * and forks the container's other K-1 processes, which inherit all of it and
 * pause. The leader reaps its own processes; the top reaps the leaders. Each
 * process is killed by its parent, which has not reaped it yet, so no pid
 * can have been reused. Every process also has PR_SET_PDEATHSIG(SIGKILL): if
 * the top is killed outright, the leaders die, and with them their
 * processes; `--cleanup` then removes the empty cgroups.
 *
 * With --host no container cgroup is made: the same processes, confinements
 * and tree, all host processes, left where population was started or, with
 * --host-cgroup PATH, moved to PATH ("/": the root) in every hierarchy.
 *
 * No process holds a file descriptor once it is ready (a pipe on our stdout
 * must see its end when we do), and none execs: each is a fork of this small
 * static program, parked in pause() with every signal blocked.
 *
 * With --churn (tests/churn.sh), the first process a leader forks is a
 * churner instead: it starts short-lived processes without end, a few at a
 * time, each gone after up to CHURN_MAX_US, half of them with a second
 * thread, so that a scan meets processes and threads that exit between
 * being listed and being read. It is a container's process like the others,
 * and dies (SIGKILL) with them; what it has in flight exits on its own and
 * is reaped by the top (subreaper).
 *
 * Fake container ids are 64 hex digits that end with ID_MARK, so that
 * --cleanup finds only ours; the rest mixes in the top's pid and a random
 * salt, so that two runs in different pid namespaces (the same top pid)
 * never pick the same cgroups.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define ID_MARK "cafebe0c"		/* every fake container id ends so */
#define CHILD_NAME "capbench-pause"	/* comm of every process we start */
#define MAX_HIER 32
#define PID_HEADROOM 512		/* pids left for everybody else */
#define WAVE 4				/* groups started or stopped at a time */
#define CHURN_INFLIGHT 8		/* --churn: short-lived processes alive at once */
#define CHURN_MAX_US 20000		/* --churn: the longest one lives */

/* docker's default bounding set: 14 capabilities. */
static const int docker_caps[] = {
	0 /* CHOWN */, 1 /* DAC_OVERRIDE */, 3 /* FOWNER */, 4 /* FSETID */, 5 /* KILL */,
	6 /* SETGID */, 7 /* SETUID */, 8 /* SETPCAP */, 10 /* NET_BIND_SERVICE */,
	13 /* NET_RAW */, 18 /* SYS_CHROOT */, 27 /* MKNOD */, 29 /* AUDIT_WRITE */,
	31 /* SETFCAP */,
};
#define CAP_NET_RAW_BIT 13
#define CAP_NET_BIND_SERVICE_BIT 10

/* The confinements, dealt round-robin to the containers. */
enum caps_kind { CAPS_DOCKER, CAPS_DOCKER_NO_NET_RAW, CAPS_ALL, CAPS_BIND_ONLY };
static const struct profile {
	const char *name;
	enum caps_kind caps;
	bool seccomp;
	bool nnp;
} profiles[] = {
	{ "docker-default", CAPS_DOCKER, true, false },
	{ "docker-no-net-raw+nnp", CAPS_DOCKER_NO_NET_RAW, true, true },
	{ "docker-unconfined", CAPS_DOCKER, false, false },
	{ "privileged", CAPS_ALL, false, false },
	{ "bind-only+nnp", CAPS_BIND_ONLY, true, true },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

struct hier {
	char mnt[256];		/* the hierarchy's mount point */
	bool cpuset;			/* has cpuset.cpus: children need cpus and mems */
};

/* What a leader tells the top, in one write to the pipe (atomic: < PIPE_BUF). */
struct report {
	int index;
	int started;			/* processes running in the container, leader included */
	int err;			/* errno of the first failure, 0 */
	char what[96];			/* what failed */
};

static struct hier hiers[MAX_HIER];
static int nhiers;
static const char *prog = "population";

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int close_all_fds(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 0U, ~0U, 0U) == 0)
		return 0;
#endif
	for (int fd = 0; fd < 1024; fd++)
		close(fd);
	return 0;
}

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Threads (scheduling entities) alive now: the 4th field of /proc/loadavg, "1/90". */
static long threads_now(void)
{
	char buf[128], *slash;
	ssize_t n;
	int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	slash = strchr(buf, '/');
	return slash ? strtol(slash + 1, NULL, 10) : -1;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* A file with more in it than a newline: a cpuset that is set. */
static bool has_content(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 1 || (n == 1 && buf[0] != '\n');
}

static int copy_file(const char *from, const char *to)
{
	char buf[4096];
	ssize_t n;
	int fd = open(from, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n == 0 || strcmp(buf, "\n") == 0)
		return -ENOENT;
	return write_file(to, buf);
}

/* Every cgroup (v1) and cgroup2 mount, from mountinfo: "... - cgroup cgroup rw,cpu". */
static int find_hierarchies(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -errno;
	nhiers = 0;
	while (getline(&line, &cap, f) > 0) {
		char mnt[PATH_MAX], fstype[64];
		char *sep = strstr(line, " - ");
		char path[PATH_MAX];
		struct stat st;

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		if (strchr(mnt, '\\'))	/* an octal-escaped mount point: not ours to guess */
			continue;
		if (nhiers == MAX_HIER || strlen(mnt) >= sizeof(hiers[0].mnt))
			continue;
		snprintf(hiers[nhiers].mnt, sizeof(hiers[nhiers].mnt), "%s", mnt);
		snprintf(path, sizeof(path), "%s/cpuset.cpus", mnt);
		/* cgroup2's root has no cpuset.cpus; a v1 cpuset hierarchy does. */
		hiers[nhiers].cpuset = strcmp(fstype, "cgroup") == 0 && stat(path, &st) == 0;
		nhiers++;
	}
	free(line);
	fclose(f);
	return nhiers;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * 48 hex digits from the top's pid, @salt and the index, then the top's pid,
 * then ID_MARK: 64 in all. Random-looking first, so that 12-digit short ids
 * differ.
 */
static void make_id(char out[65], pid_t top, uint64_t salt, int index)
{
	uint64_t s = ((uint64_t)(uint32_t)top << 32) ^ salt ^ (uint64_t)(uint32_t)index;
	uint64_t a = splitmix64(&s), b = splitmix64(&s), c = splitmix64(&s);

	snprintf(out, 65, "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%08x%s", a, b, c,
		 (unsigned)top, ID_MARK);
}

/* --cleanup --top PID: only the ids of the population whose top was PID. */
static long cleanup_top = -1;

static bool is_our_id(const char *name)
{
	size_t len = strlen(name);
	char top[9];

	if (len != 64 || strcmp(name + 64 - strlen(ID_MARK), ID_MARK) != 0 ||
	    strspn(name, "0123456789abcdef") != 64)
		return false;
	/* Another population (another user's benchmark) is none of ours. */
	snprintf(top, sizeof(top), "%08x", (unsigned)cleanup_top);
	return cleanup_top < 0 || strncmp(name + 64 - strlen(ID_MARK) - 8, top, 8) == 0;
}

/* ------------------------------------------------------------ cgroups */

struct made {
	char *path;
	bool leaf;			/* a group's own cgroup, not a parent on the way */
};

static struct {
	struct made *v;			/* in creation order */
	size_t n, cap;
} created;

static int remember(const char *path, bool leaf)
{
	if (created.n == created.cap) {
		size_t cap = created.cap ? created.cap * 2 : 64;
		struct made *v = realloc(created.v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		created.v = v;
		created.cap = cap;
	}
	created.v[created.n].path = strdup(path);
	if (!created.v[created.n].path)
		return -ENOMEM;
	created.v[created.n++].leaf = leaf;
	return 0;
}

/* rmdir, waiting a little for a cgroup whose last tasks are still exiting. */
static int rmdir_patient(const char *path)
{
	for (int i = 0; i < 200; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(25000);
	}
	return -EBUSY;
}

/*
 * Remove what we created, newest first. A parent we made (/docker) may have
 * been taken into use by others meanwhile (a real docker): it stays, at once.
 */
static int remove_created(void)
{
	int failed = 0;

	while (created.n > 0) {
		struct made *m = &created.v[--created.n];
		int r;

		if (m->leaf)
			r = rmdir_patient(m->path);
		else
			r = rmdir(m->path) == 0 || errno == ENOENT ? 0 : -errno;
		if (!m->leaf && (r == -EBUSY || r == -ENOTEMPTY)) {
			printf("note: %s stays: others use it now\n", m->path);
		} else if (r < 0) {
			msg("cannot remove cgroup %s: %s", m->path, strerror(-r));
			failed++;
		}
		free(m->path);
	}
	free(created.v);
	created.v = NULL;
	created.cap = 0;
	return failed;
}

static int make_cgroup(const char *path, const char *parent, bool cpuset, bool leaf, bool *made)
{
	char from[PATH_MAX], to[PATH_MAX];
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	int r;

	*made = false;
	if (mkdir(path, 0755) < 0) {
		if (errno == EEXIST)
			return 0;
		return -errno;
	}
	*made = true;
	r = remember(path, leaf);
	if (r < 0)
		return r;
	/* A v1 cpuset cgroup starts with no cpus and no mems, and takes no task so. */
	for (size_t i = 0; cpuset && i < 2; i++) {
		snprintf(to, sizeof(to), "%s/%s", path, files[i]);
		if (has_content(to))		/* already set (clone_children) */
			continue;
		snprintf(from, sizeof(from), "%.3000s/%s", parent, files[i]);
		r = copy_file(from, to);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A cgroup path we accept: "/" or "/a/b", plain names, no "." or "..". */
static bool valid_rel(const char *rel)
{
	if (rel[0] != '/' || strlen(rel) > 200 || strstr(rel, "//") || strstr(rel, "/.") ||
	    strspn(rel, "/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") !=
		    strlen(rel))
		return false;
	return true;
}

/*
 * Make @rel ("/docker/<id>") in every hierarchy, parents included; with
 * @must_be_new, its last component must not exist yet.
 */
static int make_path(const char *rel, bool must_be_new)
{
	for (int h = 0; h < nhiers; h++) {
		char cur[PATH_MAX], parent[PATH_MAX];
		const char *p = rel;
		int r = 0;

		snprintf(cur, sizeof(cur), "%.255s", hiers[h].mnt);
		while (*p == '/')
			p++;
		while (*p) {
			size_t len = strcspn(p, "/");
			bool leaf = p[len] == '\0' || p[len + strspn(p + len, "/")] == '\0';
			bool made;

			snprintf(parent, sizeof(parent), "%s", cur);
			snprintf(cur + strlen(cur), sizeof(cur) - strlen(cur), "/%.*s", (int)len, p);
			r = make_cgroup(cur, parent, hiers[h].cpuset, leaf, &made);
			if (r == 0 && leaf && must_be_new && !made)
				r = -EEXIST;
			if (r < 0) {
				msg("cannot create cgroup %s: %s", cur, strerror(-r));
				return r;
			}
			p += len;
			while (*p == '/')
				p++;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ confinement */

static uint64_t profile_caps(const struct profile *p, int last_cap)
{
	uint64_t all = last_cap >= 63 ? ~0ULL : (1ULL << (last_cap + 1)) - 1, m = 0;

	switch (p->caps) {
	case CAPS_ALL:
		return all;
	case CAPS_BIND_ONLY:
		return 1ULL << CAP_NET_BIND_SERVICE_BIT;
	case CAPS_DOCKER:
	case CAPS_DOCKER_NO_NET_RAW:
		for (size_t i = 0; i < sizeof(docker_caps) / sizeof(docker_caps[0]); i++)
			m |= 1ULL << docker_caps[i];
		if (p->caps == CAPS_DOCKER_NO_NET_RAW)
			m &= ~(1ULL << CAP_NET_RAW_BIT);
		return m & all;
	}
	return 0;
}

/* A seccomp filter that allows everything: "Seccomp: 2" in status, at no cost. */
static int seccomp_allow_all(void)
{
	struct sock_filter insn[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog fprog = { .len = 1, .filter = insn };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0 ? -errno : 0;
}

/* Bounding set first (needs CAP_SETPCAP, still effective), then the other sets. */
static int confine(const struct profile *p, int last_cap, char *what, size_t wsize)
{
	uint64_t keep = profile_caps(p, last_cap), cur;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	/* Without NoNewPrivs, installing a filter needs CAP_SYS_ADMIN: do it first. */
	if (p->seccomp && seccomp_allow_all() < 0) {
		snprintf(what, wsize, "seccomp filter");
		return -errno;
	}
	if (p->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(what, wsize, "PR_SET_NO_NEW_PRIVS");
		return -errno;
	}
	for (int cap = 0; cap <= last_cap; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			snprintf(what, wsize, "PR_CAPBSET_DROP %d", cap);
			return -errno;
		}
	}
	if (syscall(SYS_capget, &hdr, data) < 0) {
		snprintf(what, wsize, "capget");
		return -errno;
	}
	cur = (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
	keep &= cur;
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	data[0].inheritable = data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) < 0) {
		snprintf(what, wsize, "capset");
		return -errno;
	}
	return 0;
}

/* ------------------------------------------------------------ processes */

/*
 * What every process a leader forks does first: die with the leader (even
 * one already gone), hold no file descriptor, take no signal but SIGKILL.
 */
static void become_kid(pid_t parent)
{
	sigset_t all;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(0);
	close_all_fds();
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* A container's other processes: nothing but a paused fork. */
static __attribute__((noreturn)) void child_main(pid_t parent)
{
	become_kid(parent);
	for (;;)
		pause();
}

static int join_cgroups(const char *rel, char *what, size_t wsize)
{
	char path[PATH_MAX];
	int r;

	for (int h = 0; h < nhiers; h++) {
		snprintf(path, sizeof(path), "%.255s%.300s/cgroup.procs", hiers[h].mnt,
			 strcmp(rel, "/") == 0 ? "" : rel);
		r = write_file(path, "0");
		if (r < 0) {
			snprintf(what, wsize, "join %.80s", path);
			return r;
		}
	}
	return 0;
}

/*
 * Churn processes share the churner's memory (clone(CLONE_VM), as
 * posix_spawn does): no page tables to copy, so one costs tens of
 * microseconds where a fork costs milliseconds on a nested VM. So they make
 * only raw system calls, each on a stack of its own slot, reused once the
 * process is reaped (a thread group is reaped after its last thread).
 */
static char churn_stacks[CHURN_INFLIGHT][2][16384] __attribute__((aligned(16)));
static struct churn_slot {
	uint64_t r;			/* how long it lives; its low bit: a second thread */
	int slot;
} churn_slots[CHURN_INFLIGHT];

/* A churn process's second thread: nothing, until its process exits. */
static int churn_thread(void *arg)
{
	for (;;)
		syscall(SYS_pause);
	return 0;
}

/* A churn process: lives up to CHURN_MAX_US, every other one with two threads. */
static int churn_child(void *arg)
{
	const struct churn_slot *c = arg;
	struct timespec ts = { 0, (long)(c->r % CHURN_MAX_US) * 1000 };

	if (c->r & 1)
		clone(churn_thread, churn_stacks[c->slot][1] + sizeof(churn_stacks[0][1]),
		      CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
		      NULL);
	syscall(SYS_nanosleep, &ts, NULL);
	syscall(SYS_exit_group, 0);
	return 0;
}

/*
 * --churn: start short-lived processes until killed, CHURN_INFLIGHT at a
 * time. One that cannot start (the pid space is full) is tried again later.
 */
static __attribute__((noreturn)) void churn_main(pid_t parent)
{
	uint64_t s = (uint64_t)getpid() << 20;
	pid_t inflight[CHURN_INFLIGHT] = { 0 }, pid;
	int n;

	become_kid(parent);
	for (;;) {
		n = 0;
		for (int i = 0; i < CHURN_INFLIGHT; i++) {
			if (!inflight[i]) {
				churn_slots[i].r = splitmix64(&s);
				churn_slots[i].slot = i;
				pid = clone(churn_child, churn_stacks[i][0] + sizeof(churn_stacks[0][0]),
					    CLONE_VM | SIGCHLD, &churn_slots[i]);
				inflight[i] = pid > 0 ? pid : 0;
			}
			n += inflight[i] != 0;
		}
		if (n == 0) {
			usleep(10000);
			continue;
		}
		pid = waitpid(-1, NULL, 0);
		for (int i = 0; pid > 0 && i < CHURN_INFLIGHT; i++)
			if (inflight[i] == pid)
				inflight[i] = 0;
	}
}

/*
 * A container's leader: joins its cgroups, takes its confinement, forks the
 * other @n - 1 processes, reports, then waits for SIGTERM/SIGINT/SIGHUP
 * (blocked, inherited from the top) and kills and reaps its own.
 */
static __attribute__((noreturn)) void leader_main(int index, int n, const char *rel, int last_cap,
						  int wfd, pid_t top, bool churn)
{
	const struct profile *p = &profiles[index % NPROFILES];
	struct report rep = { .index = index };
	pid_t self = getpid(), *kids;
	sigset_t wait_set;
	int nkids = 0, sig;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != top)
		_exit(1);
	prctl(PR_SET_NAME, CHILD_NAME, 0, 0, 0);
	/* A top that stopped listening (interrupted) must not kill us before we reap. */
	signal(SIGPIPE, SIG_IGN);
	/* Only the pipe: nothing else of the top's, above all not its stdout. */
	if (wfd != 3) {
		if (dup2(wfd, 3) < 0)
			_exit(1);
		wfd = 3;
	}
	syscall(SYS_close_range, 0U, 2U, 0U);
	syscall(SYS_close_range, 4U, ~0U, 0U);

	kids = calloc((size_t)(n > 1 ? n - 1 : 1), sizeof(*kids));
	if (!kids) {
		rep.err = ENOMEM;
		snprintf(rep.what, sizeof(rep.what), "calloc");
		goto report;
	}
	if (rel) {
		rep.err = -join_cgroups(rel, rep.what, sizeof(rep.what));
		if (rep.err)
			goto report;
	}
	rep.err = -confine(p, last_cap, rep.what, sizeof(rep.what));
	if (rep.err)
		goto report;
	for (nkids = 0; nkids < n - 1; nkids++) {
		pid_t pid = fork();

		if (pid == 0 && churn && nkids == 0)
			churn_main(self);
		if (pid == 0)
			child_main(self);
		if (pid < 0) {
			rep.err = errno;
			snprintf(rep.what, sizeof(rep.what), "fork (after %d)", nkids);
			break;
		}
		kids[nkids] = pid;
	}
report:
	rep.started = nkids + 1;
	if (write(wfd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		rep.err = rep.err ? rep.err : EIO;
	close(wfd);

	if (!rep.err) {
		sigemptyset(&wait_set);
		sigaddset(&wait_set, SIGTERM);
		sigaddset(&wait_set, SIGINT);
		sigaddset(&wait_set, SIGHUP);
		do
			sig = sigwaitinfo(&wait_set, NULL);
		while (sig < 0 && errno == EINTR);
	}
	/* Our own children, not yet reaped: their pids cannot have been reused. */
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < nkids; i++)
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	_exit(rep.err ? 1 : 0);
}

struct leader {
	pid_t pid;
	bool reaped;
	bool reported;
	int started;
};

static struct leader *leaders;
static int nleaders;
static long reaped_total;

/* Reap what has exited; with @block, wait. Counts leaders and any orphan. */
static int reap(bool block)
{
	int status, n = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, block ? 0 : WNOHANG)) > 0) {
		n++;
		reaped_total++;
		for (int i = 0; i < nleaders; i++)
			if (leaders[i].pid == pid) {
				leaders[i].reaped = true;
				break;
			}
	}
	return n;
}

/* Kill and reap exactly what we started; returns the leaders that needed SIGKILL. */
/*
 * Kill and reap exactly what we started, a few containers at a time: 30000
 * processes exiting at once pile up in the kernel (a load average in the
 * thousands here) and slow every other user of the host. Returns the
 * leaders that needed SIGKILL.
 */
static int teardown(void)
{
	int forced = 0;

	for (int w = 0; w < nleaders; w += WAVE) {
		int end = w + WAVE < nleaders ? w + WAVE : nleaders, procs = 0;
		double deadline;
		bool all;

		for (int i = w; i < end; i++)
			if (!leaders[i].reaped) {
				kill(leaders[i].pid, SIGTERM);
				procs += leaders[i].started;
			}
		/* Exits are slow on a busy host (about 1 ms each here): wait long enough. */
		deadline = now() + 30 + procs / 100.0;
		for (;;) {
			reap(false);
			all = true;
			for (int i = w; i < end; i++)
				all = all && leaders[i].reaped;
			if (all || now() > deadline)
				break;
			usleep(2000);
		}
		for (int i = w; i < end; i++)
			if (!leaders[i].reaped) {
				/* Its processes die with it (PDEATHSIG) and come to us (subreaper). */
				kill(leaders[i].pid, SIGKILL);
				forced++;
			}
	}
	/* Every descendant is ours to reap, leaders and any orphaned process alike. */
	while (reap(true) > 0 || errno == EINTR)
		;
	return forced;
}

struct tally {
	int killed, removed, left;
};

/* Pass 0: kill the processes of ours (by name) in cgroup @dir; pass 1: remove it. */
static void clean_one(const char *dir, int pass, struct tally *t)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int pid, r;

	if (pass == 1) {
		r = rmdir_patient(dir);
		if (r == 0) {
			t->removed++;
		} else {
			msg("cannot remove %s: %s", dir, strerror(-r));
			t->left++;
		}
		return;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	while (f && fscanf(f, "%d", &pid) == 1) {
		char comm[64] = "", cpath[64];
		FILE *c;

		snprintf(cpath, sizeof(cpath), "/proc/%d/comm", pid);
		c = fopen(cpath, "re");
		if (c && fgets(comm, sizeof(comm), c))
			comm[strcspn(comm, "\n")] = '\0';
		if (c)
			fclose(c);
		/* Only what we start: a stranger in our cgroup is left alone. */
		if (strcmp(comm, CHILD_NAME) == 0 && kill(pid, SIGKILL) == 0)
			t->killed++;
	}
	if (f)
		fclose(f);
}

/*
 * What a killed run left: every /docker/<id ending ID_MARK>, and with
 * @host_cgroup that cgroup, then its parents where they are empty (one try).
 */
static int cleanup_leftovers(const char *host_cgroup)
{
	struct tally t = { 0 };

	if (find_hierarchies() < 0) {
		msg("cannot read /proc/self/mountinfo: %s", strerror(errno));
		return 1;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int h = 0; h < nhiers; h++) {
			char dir[PATH_MAX], path[PATH_MAX + 300];
			struct dirent *d;
			struct stat st;
			DIR *dp;

			snprintf(dir, sizeof(dir), "%.255s/docker", hiers[h].mnt);
			dp = opendir(dir);
			while (dp && (d = readdir(dp))) {
				if (!is_our_id(d->d_name))
					continue;
				snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
				clean_one(path, pass, &t);
			}
			if (dp)
				closedir(dp);
			if (!host_cgroup || strcmp(host_cgroup, "/") == 0)
				continue;
			snprintf(dir, sizeof(dir), "%.255s%.300s", hiers[h].mnt, host_cgroup);
			if (stat(dir, &st) < 0)
				continue;
			clean_one(dir, pass, &t);
			/* Its parents: removed only where empty, as we would have made them. */
			while (pass == 1 && strrchr(dir, '/') && strlen(dir) > strlen(hiers[h].mnt)) {
				*strrchr(dir, '/') = '\0';
				if (strlen(dir) <= strlen(hiers[h].mnt) || rmdir(dir) < 0)
					break;
				t.removed++;
			}
		}
		if (pass == 0 && t.killed)
			usleep(200000);
	}
	printf("cleanup: killed %d leftover processes, removed %d cgroups, %d left\n", t.killed,
	       t.removed, t.left);
	return t.left ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: population -n N [--host [--host-cgroup PATH]] [--per-container K]\n"
		"                  [--churn] [--list] [--die-with-parent]\n"
		"       population --cleanup [--top PID] [--host-cgroup PATH]\n"
		"\n"
		"Start N paused processes in N/K fake docker containers (K = 100), in\n"
		"/docker/<id> of every cgroup hierarchy; print \"ready\"; on SIGTERM, SIGINT\n"
		"or SIGHUP kill and reap them and remove the cgroups created.\n"
		"  --host     no cgroups: the same processes as host processes, left in\n"
		"             the cgroups population was started in\n"
		"  --host-cgroup PATH  with --host, put them in PATH of every hierarchy\n"
		"             (\"/\": the root; made if missing, removed if made)\n"
		"  --die-with-parent  stop (and clean up) when the parent process dies\n"
		"  --churn    in each group, one process starts short-lived ones (up to\n"
		"             20 ms, 8 at a time, half with two threads) without end\n"
		"  --list     after \"ready\", a line \"container ID LEADER-PID\" per container\n"
		"  --cleanup  kill what a killed run left in its cgroups (fake containers,\n"
		"             and PATH where given), remove them\n"
		"  --top PID  with --cleanup, only the fake containers of the run whose\n"
		"             ready: line said pid PID (leave other runs' alone)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "number", required_argument, NULL, 'n' },
		{ "host", no_argument, NULL, 'H' },
		{ "host-cgroup", required_argument, NULL, 'g' },
		{ "per-container", required_argument, NULL, 'k' },
		{ "cleanup", no_argument, NULL, 'c' },
		{ "top", required_argument, NULL, 't' },
		{ "die-with-parent", no_argument, NULL, 'P' },
		{ "churn", no_argument, NULL, 'C' },
		{ "list", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	long n = -1, per = 100, pid_max, threads_max, threads, nprofile[NPROFILES] = { 0 };
	bool host = false, cleanup = false, stop = false, die_with_parent = false;
	bool churn = false, list = false;
	uint64_t salt = 0;
	const char *host_cgroup = NULL;
	int c, pipefd[2], last_cap, failed = 0, started = 0, reports = 0, forked = 0, forced, sig;
	struct rlimit rl;
	sigset_t block;
	char (*rels)[80] = NULL;
	double t0 = now();
	pid_t top = getpid();

	pid_t parent = getppid();

	while ((c = getopt_long(argc, argv, "n:Hg:k:ch", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'H':
			host = true;
			break;
		case 'g':
			host_cgroup = optarg;
			break;
		case 'k':
			per = strtol(optarg, NULL, 10);
			break;
		case 'c':
			cleanup = true;
			break;
		case 't':
			cleanup_top = strtol(optarg, NULL, 10);
			break;
		case 'P':
			die_with_parent = true;
			break;
		case 'C':
			churn = true;
			break;
		case 'L':
			list = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (cleanup) {
		if (host_cgroup && !valid_rel(host_cgroup)) {
			msg("--host-cgroup: \"%s\" is not a plain absolute cgroup path", host_cgroup);
			return 2;
		}
		return cleanup_leftovers(host_cgroup);
	}
	if (n < 1 || per < 1 || optind != argc || (host_cgroup && !host)) {
		usage(stderr);
		return 2;
	}
	if (host_cgroup && !valid_rel(host_cgroup)) {
		msg("--host-cgroup: \"%s\" is not a plain absolute cgroup path", host_cgroup);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Room for N more processes, and some for everybody else. */
	pid_max = read_long("/proc/sys/kernel/pid_max");
	threads_max = read_long("/proc/sys/kernel/threads-max");
	threads = threads_now();
	if (pid_max > 0 && threads >= 0 && threads + n + PID_HEADROOM > pid_max) {
		msg("%ld processes do not fit: %ld tasks exist, pid_max is %ld (and %d are left "
		    "for others)", n, threads, pid_max, PID_HEADROOM);
		return 1;
	}
	if (threads_max > 0 && threads >= 0 && threads + n + PID_HEADROOM > threads_max) {
		msg("%ld processes do not fit: %ld tasks exist, threads-max is %ld", n, threads,
		    threads_max);
		return 1;
	}
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)n + PID_HEADROOM > rl.rlim_cur) {
		msg("%ld processes do not fit: ulimit -u is %lu", n, (unsigned long)rl.rlim_cur);
		return 1;
	}
	last_cap = (int)read_long("/proc/sys/kernel/cap_last_cap");
	if (last_cap < 0)
		last_cap = 40;

	/* Signals wait for us (sigtimedwait); the children inherit the mask. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	/* A leader killed before its processes leaves them to us, not to init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* Our parent's death (even by SIGKILL) is a SIGTERM: stop and clean up. */
	if (die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		if (getppid() != parent)
			kill(getpid(), SIGTERM);
	}

	if (churn && per < 2) {
		msg("--churn needs room for a churner: --per-container 2 or more");
		return 2;
	}
	/* The salt only keeps ids apart: the clock will do where getrandom() cannot. */
	if (getrandom(&salt, sizeof(salt), GRND_NONBLOCK) != (ssize_t)sizeof(salt))
		salt = (uint64_t)(now() * 1e9);

	nleaders = (int)((n + per - 1) / per);
	leaders = calloc((size_t)nleaders, sizeof(*leaders));
	rels = calloc((size_t)nleaders, sizeof(*rels));
	if (!leaders || !rels) {
		msg("out of memory");
		return 1;
	}
	if (!host || host_cgroup) {
		if (find_hierarchies() <= 0) {
			msg("no cgroup hierarchy mounted (try --host)");
			return 1;
		}
		if (getuid() != 0)
			msg("warning: not root; creating cgroups will probably fail");
	}
	if (host_cgroup && make_path(host_cgroup, false) < 0) {
		failed = 1;
		nleaders = 0;
		goto out;
	}
	for (int i = 0; i < nleaders; i++) {
		char id[65];

		if (!host) {
			make_id(id, top, salt, i);
			snprintf(rels[i], sizeof(rels[i]), "/docker/%s", id);
			if (make_path(rels[i], true) < 0) {
				failed = 1;
				nleaders = 0;	/* none forked yet */
				goto out;
			}
		} else if (host_cgroup) {
			snprintf(rels[i], sizeof(rels[i]), "%s", host_cgroup);
		}
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		msg("pipe: %s", strerror(errno));
		failed = 1;
		nleaders = 0;
		goto out;
	}
	/*
	 * A few groups start at a time, the next once they are ready: 300
	 * leaders forking at once would put hundreds of tasks in the run queue
	 * of a shared host. A leader that dies before it reports is a failure.
	 */
	while (reports < nleaders) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		struct timespec zero = { 0, 0 };
		struct report rep;
		ssize_t r;

		while (forked < nleaders && forked < reports + WAVE) {
			int i = forked, k = (int)(i == nleaders - 1 ? n - (long)per * i : per);
			pid_t pid = fork();

			if (pid == 0) {
				close(pipefd[0]);
				leader_main(i, k, rels[i][0] ? rels[i] : NULL, last_cap, pipefd[1], top,
					    churn);
			}
			if (pid < 0) {
				msg("fork: %s", strerror(errno));
				failed = 1;
				break;
			}
			leaders[i].pid = pid;
			forked++;
		}
		if (failed)
			break;
		while ((sig = sigtimedwait(&block, NULL, &zero)) > 0)
			if (sig != SIGCHLD)
				stop = true;
		if (stop) {
			msg("interrupted while starting");
			failed = 1;
			break;
		}
		reap(false);
		for (int i = 0; i < forked && !failed; i++)
			if (leaders[i].reaped && !leaders[i].reported) {
				msg("container %d: its leader exited before it was ready", i);
				failed = 1;
			}
		if (failed)
			break;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		r = read(pipefd[0], &rep, sizeof(rep));
		if (r != (ssize_t)sizeof(rep)) {
			if (r < 0 && errno == EINTR)
				continue;
			msg("short report from a leader");
			failed = 1;
			break;
		}
		reports++;
		if (rep.index < 0 || rep.index >= forked) {
			msg("a report from no leader of ours");
			failed = 1;
			break;
		}
		leaders[rep.index].started = rep.started;
		leaders[rep.index].reported = true;
		started += rep.started;
		if (rep.err) {
			msg("container %d: %s: %s", rep.index, rep.what, strerror(rep.err));
			failed = 1;
			break;
		}
		nprofile[rep.index % NPROFILES] += rep.started;
	}
	nleaders = forked;	/* what teardown() stops */
	close(pipefd[1]);
	close(pipefd[0]);
	if (failed)
		goto out;

	printf("ready: %d processes in %d %s, pid %d, started in %.1f s\n", started, nleaders,
	       host ? "groups of host processes" : "fake docker containers", (int)top,
	       now() - t0);
	for (size_t i = 0; i < NPROFILES; i++)
		printf("  %-24s %6ld processes (seccomp %s, NoNewPrivs %s)\n", profiles[i].name,
		       nprofile[i], profiles[i].seccomp ? "on" : "off", profiles[i].nnp ? "on" : "off");
	if (!host)
		printf("  cgroups: /docker/<64 hex ending %s> in %d hierarchies\n", ID_MARK, nhiers);
	else if (host_cgroup)
		printf("  cgroups: %s in %d hierarchies\n", host_cgroup, nhiers);
	else
		printf("  cgroups: those population was started in\n");
	for (int i = 0; list && !host && i < nleaders; i++)
		printf("container %s %d\n", rels[i] + strlen("/docker/"), (int)leaders[i].pid);

	/* Hold them until told to stop; a leader that dies early is only noted. */
	for (;;) {
		sig = sigwaitinfo(&block, NULL);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD)
			break;
		if (reap(false) > 0)
			msg("warning: a process of ours exited early");
	}

out:
	forced = teardown();
	if (forced)
		msg("%d leaders needed SIGKILL", forced);
	failed |= remove_created() > 0;
	printf("stopped: reaped %ld leaders and orphans, removed the cgroups created\n", reaped_total);
	free(leaders);
	free(rels);
	return failed ? 1 : 0;
}
