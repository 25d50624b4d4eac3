/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of attribution, driven directly: a table of processes as a
 * walk would hand them over, their command lines and namespaces as the
 * reader would give them, and attempts to spoof it.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "attrib.h"
#include "debug.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HOST_PIDNS 4026531836u
#define HOST_MNTNS 4026531841u

/* A process of the table: what the walk hands over, and what its reads give. */
struct fake {
	pid_t pid, ppid;
	const char *name;
	int level;			/* NSpid depth; -1 unknown */
	const char *cgroup;		/* its cgroup file's text */
	const char *cmdline;		/* with its NULs; NULL: unreadable */
	size_t cmdlen;
	uint64_t pidns, mntns;		/* 0: unreadable */
	int cmdline_reads;		/* how often attribution asked */
	struct ca_attrib cg;
	bool placed;			/* what the engine said of it */
	struct ca_placement where;
	char id[CA_ID_MAX];
};

struct table {
	struct fake *p;
	size_t n;
	int fail_cmdline;		/* the errno the next command line read fails with */
};

#define CMD(s) .cmdline = s, .cmdlen = sizeof(s)	/* a literal command line, its last NUL included */

static struct fake *find(struct table *t, pid_t pid)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->p[i].pid == pid)
			return &t->p[i];
	return NULL;
}

static int fake_cmdline(void *ctx, pid_t pid, const char **data, size_t *len)
{
	struct table *t = ctx;
	struct fake *f = find(t, pid);

	if (t->fail_cmdline)
		return -t->fail_cmdline;
	if (!f || !f->cmdline)
		return -ENOENT;
	f->cmdline_reads++;
	*data = f->cmdline;
	*len = f->cmdlen;
	return 0;
}

static int fake_ns(void *ctx, pid_t pid, enum ca_ns ns, uint64_t *ino)
{
	struct fake *f = find(ctx, pid);
	uint64_t v = !f ? 0 : ns == CA_NS_PID ? f->pidns : ns == CA_NS_MNT ? f->mntns : 0;

	if (!v)
		return -EACCES;
	*ino = v;
	return 0;
}

static void remember(struct fake *f, const struct ca_placement *where)
{
	f->placed = true;
	f->where = *where;
	snprintf(f->id, sizeof(f->id), "%s", where->contained ? where->id : "");
	f->where.id = f->id;
	f->where.cg = NULL;	/* the caller's, gone after the call */
}

static int place(void *ctx, uint32_t tag, const struct ca_placement *where)
{
	struct table *t = ctx;

	assert_true(tag < t->n);
	assert_false(t->p[tag].placed);
	remember(&t->p[tag], where);
	return 0;
}

static int place_fails(void *ctx, uint32_t tag, const struct ca_placement *where)
{
	(void)ctx;
	(void)tag;
	(void)where;
	return -EIO;
}

/* Run the table through the engine, as the scan does; returns attrib_finish()'s result. */
static int run(struct table *t, int (*placer)(void *, uint32_t, const struct ca_placement *))
{
	struct ca_host host = { .ns_known = (1u << CA_NS_PID) | (1u << CA_NS_MNT) };
	const struct ca_attrib_reads reads = { .cmdline = fake_cmdline, .ns = fake_ns, .ctx = t };
	struct ca_attrib_engine *e;
	size_t i;
	int r;

	host.ns[CA_NS_PID] = HOST_PIDNS;
	host.ns[CA_NS_MNT] = HOST_MNTNS;
	e = attrib_new(&host, &reads);
	assert_non_null(e);
	for (i = 0; i < t->n; i++) {
		struct fake *f = &t->p[i];
		const struct ca_attrib_proc in = {
			.pid = f->pid, .ppid = f->ppid, .name = f->name, .pidns_level = f->level, .cg = &f->cg,
		};
		struct ca_placement where;

		cgroup_parse(f->cgroup, strlen(f->cgroup), &f->cg);
		r = attrib_add(e, &in, (uint32_t)i, &where);
		if (r < 0) {
			attrib_free(e);
			return r;
		}
		if (r == 0)
			remember(f, &where);
		else
			assert_int_equal(r, CA_ATTRIB_LATER);
	}
	r = attrib_finish(e, placer, t);
	attrib_free(e);
	return r;
}

/* Where @pid went: "docker <id> by cgroup", "host by helper". */
static const char *where(struct table *t, pid_t pid)
{
	static char buf[CA_ID_MAX + 64];
	struct fake *f = find(t, pid);

	if (!f)
		fail_msg("no process %d in the table", (int)pid);
	assert_true(f && f->placed);
	if (!f)
		return "";
	snprintf(buf, sizeof(buf), "%s%s%s by %s", f->where.contained ? runtime_name(f->where.runtime) : "host",
		 f->where.contained ? " " : "", f->id, attrib_why_name(f->where.why));
	return buf;
}

#define HOSTNS .level = 0, .pidns = HOST_PIDNS, .mntns = HOST_MNTNS
#define TABLE(...) struct fake procs[] = { __VA_ARGS__ }; struct table t = { procs, sizeof(procs) / sizeof(procs[0]), 0 }

/* The cgroup says where, at once; a host process is a host process. */
static void by_cgroup(void **state)
{
	TABLE({ .pid = 1, .name = "init", .cgroup = "0::/init.scope\n", HOSTNS },
	      { .pid = 10, .ppid = 1, .name = "sh", .cgroup = "0::/docker/" ID_A "\n", .level = 1, .pidns = 5 },
	      /* docker in docker: the outer container is its parent */
	      { .pid = 20, .ppid = 1, .name = "sh", .level = 2, .pidns = 6,
		.cgroup = "0::/docker/" ID_A "/docker/" ID_B "\n" });

	(void)state;
	assert_int_equal(run(&t, place), 0);
	assert_string_equal(where(&t, 1), "host by host");
	assert_string_equal(where(&t, 10), "docker " ID_A " by cgroup");
	assert_string_equal(where(&t, 20), "docker " ID_B " by cgroup");
	assert_int_equal(procs[2].cg.nparents, 1);
	assert_string_equal(procs[2].cg.parents[0].id, ID_A);
}

/*
 * A supervisor (a host process named conmon) names its container; its child
 * in a pid namespace of its own joins it, whether it comes before or after
 * the supervisor in the walk (pids wrap). A helper the supervisor runs in
 * its own mount namespace stays a host process; one with mounts of its own
 * in the host's pid namespace (--pid=host) is the container's.
 */
static void by_supervisor(void **state)
{
	TABLE({ .pid = 1, .name = "init", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 5, .ppid = 90, .name = "sleep", .cgroup = "0::/\n", .level = 1, .pidns = 7 },
	      { .pid = 90, .ppid = 1, .name = "conmon", .cgroup = "0::/libpod_parent/conmon\n", HOSTNS,
		CMD("/usr/bin/conmon\0--api-version\0" "1\0-c\0" ID_A "\0-u\0" ID_A) },
	      { .pid = 91, .ppid = 90, .name = "app", .cgroup = "0::/\n", .level = 1, .pidns = 7 },
	      { .pid = 92, .ppid = 90, .name = "runc", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 93, .ppid = 90, .name = "app", .cgroup = "0::/\n", .level = 0, .pidns = HOST_PIDNS,
		.mntns = 8 });

	(void)state;
	assert_int_equal(run(&t, place), 0);
	assert_string_equal(where(&t, 90), "host by supervisor");
	assert_string_equal(where(&t, 91), "podman " ID_A " by nested");
	assert_string_equal(where(&t, 5), "podman " ID_A " by nested");
	assert_string_equal(where(&t, 92), "host by helper");
	assert_string_equal(where(&t, 93), "podman " ID_A " by own-mounts");
	assert_int_equal(procs[2].cmdline_reads, 1);
}

/*
 * A container's processes choose their names and command lines: one named
 * conmon, naming another container, is never asked for its command line,
 * nor is one in a pid namespace of its own; neither makes a container, and
 * their children go where their own cgroup or namespace says.
 */
static void spoofed_supervisor(void **state)
{
	TABLE({ .pid = 1, .name = "init", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 10, .ppid = 1, .name = "conmon", .cgroup = "0::/docker/" ID_A "\n", .level = 1, .pidns = 5,
		CMD("conmon\0-c\0" ID_B) },
	      { .pid = 11, .ppid = 10, .name = "sh", .cgroup = "0::/\n", .level = 1, .pidns = 5 },
	      { .pid = 20, .ppid = 1, .name = "conmon", .cgroup = "0::/\n", .level = 1, .pidns = 6,
		CMD("conmon\0-c\0" ID_B) },
	      { .pid = 21, .ppid = 20, .name = "sh", .cgroup = "0::/\n", .level = 1, .pidns = 6 });

	(void)state;
	assert_int_equal(run(&t, place), 0);
	assert_int_equal(procs[1].cmdline_reads, 0);
	assert_int_equal(procs[3].cmdline_reads, 0);
	assert_string_equal(where(&t, 10), "docker " ID_A " by cgroup");
	/* no supervisor above: its own pid namespace names it, not conmon's claim */
	assert_string_equal(where(&t, 11), "unknown pidns:5 by pidns");
	assert_string_equal(where(&t, 20), "unknown pidns:6 by pidns");
	assert_string_equal(where(&t, 21), "unknown pidns:6 by pidns");
}

/*
 * A container that can write its own cgroup tree names a sub-cgroup like a
 * monitor's to hide a process: in a pid namespace of its own, it is not
 * excluded. In the host's pid namespace, the monitor is no container.
 */
static void crafted_cgroup(void **state)
{
	TABLE({ .pid = 1, .name = "init", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 30, .ppid = 1, .name = "sh", .level = 1, .pidns = 9,
		.cgroup = "0::/machine.slice/libpod-conmon-" ID_A ".scope\n" },
	      { .pid = 40, .ppid = 1, .name = "conmon", HOSTNS,
		.cgroup = "0::/machine.slice/libpod-conmon-" ID_A ".scope\n" });

	(void)state;
	assert_int_equal(run(&t, place), 0);
	assert_string_equal(where(&t, 30), "unknown pidns:9 by pidns");
	assert_string_equal(where(&t, 40), "host by monitor");
}

/* ctr's "/<namespace>/<id>" is a container's only where a shim names it. */
static void ctr_candidates(void **state)
{
	TABLE({ .pid = 1, .name = "init", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 50, .ppid = 1, .name = "containerd-shim", .cgroup = "0::/\n", HOSTNS,
		CMD("/usr/bin/containerd-shim-runc-v2\0-namespace\0default\0-id\0mybox\0-address\0/run/c.sock") },
	      { .pid = 51, .ppid = 50, .name = "sh", .cgroup = "0::/default/mybox\n", .level = 1, .pidns = 12 },
	      { .pid = 60, .ppid = 1, .name = "svc", .cgroup = "0::/system/svc\n", HOSTNS });

	(void)state;
	assert_int_equal(run(&t, place), 0);
	assert_string_equal(where(&t, 51), "containerd mybox by shim");
	assert_string_equal(where(&t, 60), "host by host");
}

/*
 * A pid namespace nothing names is named by its top process's namespace,
 * read once: where that link cannot be read, by the process's own, else by
 * the top's pid.
 */
static void pid_namespaces(void **state)
{
	TABLE({ .pid = 1, .name = "init", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 70, .ppid = 1, .name = "top", .cgroup = "0::/\n", .level = 1, .pidns = 0 },
	      { .pid = 71, .ppid = 70, .name = "child", .cgroup = "0::/\n", .level = 1, .pidns = 33 },
	      { .pid = 80, .ppid = 1, .name = "top", .cgroup = "0::/\n", .level = 1, .pidns = 44 },
	      { .pid = 81, .ppid = 80, .name = "child", .cgroup = "0::/\n", .level = 1, .pidns = 0 },
	      { .pid = 82, .ppid = 81, .name = "deeper", .cgroup = "0::/\n", .level = 2, .pidns = 0 },
	      /* no NSpid (an old kernel): the pid namespace link says it is nested */
	      { .pid = 90, .ppid = 1, .name = "old", .cgroup = "0::/\n", .level = -1, .pidns = 55 });

	(void)state;
	assert_int_equal(run(&t, place), 0);
	assert_string_equal(where(&t, 70), "unknown pidns:unreadable@70 by pidns");
	assert_string_equal(where(&t, 71), "unknown pidns:33 by pidns");
	assert_string_equal(where(&t, 81), "unknown pidns:44 by pidns");
	/* one level deeper: a namespace of its own, whose link is unreadable */
	assert_string_equal(where(&t, 82), "unknown pidns:unreadable@82 by pidns");
	assert_string_equal(where(&t, 90), "unknown pidns:55 by pidns");
}

/* A process that names itself its parent (an archive can say anything) has none. */
static void own_parent(void **state)
{
	TABLE({ .pid = 1, .ppid = 1, .name = "init", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 40, .ppid = 1, .name = "sshd", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 41, .ppid = 41, .name = "loop", .cgroup = "0::/\n", .level = 1, .pidns = 9 });

	(void)state;
	assert_int_equal(run(&t, place), 0);
	assert_string_equal(where(&t, 1), "host by host");
	assert_string_equal(where(&t, 40), "host by host");
	assert_string_equal(where(&t, 41), "unknown pidns:9 by pidns");
}

/* Memory running out stops the walk; so does a failing place(). */
static void failures(void **state)
{
	TABLE({ .pid = 1, .name = "init", .cgroup = "0::/\n", HOSTNS },
	      { .pid = 90, .ppid = 1, .name = "conmon", .cgroup = "0::/\n", HOSTNS, CMD("conmon\0-c\0" ID_A) },
	      { .pid = 91, .ppid = 90, .name = "app", .cgroup = "0::/\n", .level = 1, .pidns = 7 });

	(void)state;
	t.fail_cmdline = ENOMEM;
	assert_int_equal(run(&t, place), -ENOMEM);
	t.fail_cmdline = EACCES;	/* unreadable: no supervisor, no failure */
	memset(&procs[2].where, 0, sizeof(procs[2].where));
	procs[0].placed = procs[1].placed = procs[2].placed = false;
	assert_int_equal(run(&t, place), 0);
	assert_string_equal(where(&t, 91), "unknown pidns:7 by pidns");
	t.fail_cmdline = 0;
	assert_int_equal(run(&t, place_fails), -EIO);
}

/* With CAPAUDIT_DEBUG=attrib every decision is told; a name cannot forge a line. */
static void traced(void **state)
{
	TABLE({ .pid = 10, .ppid = 1, .name = "x\n[PASS]", .cgroup = "0::/docker/" ID_A "\n", .level = 1, .pidns = 5 });
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len), *saved = stderr;

	(void)state;
	assert_non_null(mem);
	assert_int_equal(debug_set("nope"), -EINVAL);
	assert_int_equal(ca_debug_mask, 0);
	assert_int_equal(debug_set("attrib"), 0);
	stderr = mem;
	assert_int_equal(run(&t, place), 0);
	stderr = saved;
	ca_debug_mask = 0;
	fclose(mem);
	assert_string_equal(text, "capaudit: attrib: 10 (x\\x0a[PASS]): docker " ID_A " by cgroup\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(by_cgroup),
		cmocka_unit_test(by_supervisor),
		cmocka_unit_test(spoofed_supervisor),
		cmocka_unit_test(crafted_cgroup),
		cmocka_unit_test(ctr_candidates),
		cmocka_unit_test(pid_namespaces),
		cmocka_unit_test(own_parent),
		cmocka_unit_test(failures),
		cmocka_unit_test(traced),
	};

	return cmocka_run_group_tests_name("attrib", tests, NULL, NULL);
}
