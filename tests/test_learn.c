/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of learning: noise rules on kernel call paths, and the engine on event streams. */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "learn.h"
#include "noise.h"

#define DOCKER_ID "3a3d46a02486b8c5e1f0d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f7a8b"
#define CG "/docker/" DOCKER_ID

/* Call paths as the tracer resolves them, innermost first (Linux 6.18, from traces). */
static const struct ca_stack fork_probe = { 1, 7, { "trace_event_raw_event_cap_capable", "cap_capable",
	"security_vm_enough_memory_mm", "dup_mmap", "copy_process", "kernel_clone", "__do_sys_clone" } };
static const struct ca_stack raw_socket = { 2, 6, { "trace_event_raw_event_cap_capable", "cap_capable",
	"security_capable", "ns_capable", "inet_create", "__sock_create" } };
static const struct ca_stack dac_open = { 3, 7, { "cap_capable", "security_capable", "capable_wrt_inode_uidgid",
	"generic_permission", "inode_permission", "may_open", "path_openat" } };
static const struct ca_stack sysctl_read = { 4, 5, { "cap_capable", "ns_capable_noaudit", "net_ctl_permissions",
	"sysctl_perm", "proc_sys_permission" } };
static const struct ca_stack sysctl_write = { 5, 6, { "cap_capable", "ns_capable_noaudit", "net_ctl_permissions",
	"sysctl_perm", "proc_sys_call_handler", "vfs_write" } };
static const struct ca_stack oom = { 6, 4, { "cap_capable", "has_capability_noaudit", "__set_oom_adj.isra.0",
	"oom_score_adj_write" } };
static const struct ca_stack setuid_path = { 7, 3, { "cap_capable", "ns_capable_setid", "__sys_setuid" } };
static const struct ca_stack chown_path = { 8, 5, { "cap_capable", "capable_wrt_inode_uidgid", "setattr_prepare",
	"notify_change", "chown_common" } };

/* The name of noise rule @at, which must be one. */
static const char *rule_name(int at)
{
	size_t n;
	const struct ca_noise_rule *r = noise_rules(&n);

	assert_true(at >= 0 && (size_t)at < n);
	return r[at].name;
}

static void rules(void **state)
{
	(void)state;
	/* the memory-accounting probe on every fork is not a need, granted or denied */
	assert_string_equal(rule_name(noise_classify(&fork_probe, CAP_SYS_ADMIN, true)), "vm-accounting");
	assert_string_equal(rule_name(noise_classify(&fork_probe, CAP_SYS_ADMIN, false)), "vm-accounting");
	/* a rule is for its capability only */
	assert_int_equal(noise_classify(&fork_probe, CAP_NET_RAW, true), -1);
	/* a raw socket is a need; so is a chown */
	assert_int_equal(noise_classify(&raw_socket, CAP_NET_RAW, true), -1);
	assert_int_equal(noise_classify(&chown_path, CAP_CHOWN, true), -1);
	/* a sysctl's mode on lookup is a probe; a write is a need */
	assert_string_equal(rule_name(noise_classify(&sysctl_read, CAP_NET_ADMIN, true)), "sysctl-mode");
	assert_int_equal(noise_classify(&sysctl_write, CAP_NET_ADMIN, true), -1);
	/* the compiler's suffix does not hide a function; a longer name is another function */
	assert_string_equal(rule_name(noise_classify(&oom, CAP_SYS_RESOURCE, false)), "oom-score-min");
	{
		const struct ca_stack other = { 9, 2, { "cap_capable", "__set_oom_adjust" } };

		assert_int_equal(noise_classify(&other, CAP_SYS_RESOURCE, false), -1);
	}
	/* setuid() to one's own id asks first and succeeds anyway: denied, a probe; granted, a need */
	assert_string_equal(rule_name(noise_classify(&setuid_path, CAP_SETUID, false)), "own-id");
	assert_int_equal(noise_classify(&setuid_path, CAP_SETUID, true), -1);
	/* rows of one name are named once, by the first; another name by its own */
	{
		size_t n, i, sysctl[2], nsysctl = 0, vm = 0;
		const struct ca_noise_rule *r = noise_rules(&n);

		for (i = 0; i < n; i++) {
			if (strcmp(r[i].name, "sysctl-mode") == 0 && nsysctl < 2)
				sysctl[nsysctl++] = i;
			if (strcmp(r[i].name, "vm-accounting") == 0)
				vm = i;
		}
		assert_int_equal(nsysctl, 2);
		assert_true(noise_names((UINT64_C(1) << sysctl[0]) | (UINT64_C(1) << sysctl[1]) | (UINT64_C(1) << vm)) ==
			    ((UINT64_C(1) << sysctl[0]) | (UINT64_C(1) << vm)));
		assert_true(noise_names(UINT64_C(1) << sysctl[1]) == (UINT64_C(1) << sysctl[1]));
	}
	/* no call path: nothing tells a probe, so it is a need */
	assert_int_equal(noise_classify(NULL, CAP_SYS_ADMIN, true), -1);
}

/* The one read: pids 900.. are in the docker container, 1000 is gone, others are the host's. */
static int place(void *ctx, pid_t pid, struct ca_attrib *out, char comm[CA_COMM_LEN])
{
	int *calls = ctx;

	(*calls)++;
	if (pid == 1000)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	snprintf(comm, CA_COMM_LEN, "p%d", (int)pid);
	if (pid >= 900 && pid < 1000) {
		out->kind = CA_ATTRIB_CONTAINER;
		out->runtime = CA_RT_DOCKER;
		snprintf(out->id, sizeof(out->id), "%s", DOCKER_ID);
	}
	return 0;
}

/* An engine whose reads count into *@calls. */
static struct ca_learn *engine(int *calls)
{
	const struct ca_learn_reads reads = { place, calls };

	return learn_new(&reads);
}

static struct ca_tev cap(pid_t pid, int c, int ret, const struct ca_stack *st)
{
	return (struct ca_tev){ .kind = CA_TEV_CAP, .pid = pid, .cap = c, .ret = ret, .stack = st };
}

static struct ca_tev fork_of(pid_t parent, pid_t child, const char *comm)
{
	struct ca_tev e = { .kind = CA_TEV_FORK, .pid = parent, .other = child };

	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	return e;
}

static struct ca_tev exec_of(pid_t pid, const char *comm)
{
	struct ca_tev e = { .kind = CA_TEV_EXEC, .pid = pid, .other = pid };

	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	return e;
}

static const struct ca_learned *only(const struct ca_learn *l, enum ca_runtime rt, const char *id)
{
	size_t n, i;
	const struct ca_learned *c = learn_results(l, &n);

	for (i = 0; i < n; i++)
		if (c[i].runtime == rt && strcmp(c[i].id, id) == 0)
			return &c[i];
	fail_msg("no container %s", id);
	return NULL;
}

static void feed(struct ca_learn *l, struct ca_tev e)
{
	assert_int_equal(learn_event(l, &e), 0);
}

/* A container's needs, its probes, a short-lived child, and a host process beside it. */
static void needs_and_probes(void **state)
{
	int calls = 0;
	struct ca_learn *l = engine(&calls);
	const struct ca_learned *c;

	(void)state;
	assert_non_null(l);
	assert_int_equal(learn_seed(l, 500, CA_RT_DOCKER, DOCKER_ID, "sh"), 0);
	assert_int_equal(learn_seed(l, 1, CA_RT_NONE, NULL, "init"), 0);
	/* the shell forks a ping that lives for three events: it is the container's */
	feed(l, cap(500, CAP_SYS_ADMIN, -EPERM, &fork_probe));
	feed(l, fork_of(500, 501, "sh"));
	feed(l, exec_of(501, "ping"));
	feed(l, cap(501, CAP_NET_RAW, 0, &raw_socket));
	/* the host's own checks count, but in no container */
	feed(l, cap(1, CAP_CHOWN, 0, &chown_path));
	c = only(l, CA_RT_DOCKER, DOCKER_ID);
	assert_int_equal(c->use[CA_USE_NEED][CAP_NET_RAW].granted, 1);
	assert_string_equal(c->use[CA_USE_NEED][CAP_NET_RAW].comms[0].comm, "ping");
	assert_int_equal(c->use[CA_USE_PROBE][CAP_SYS_ADMIN].denied, 1);
	assert_int_equal(c->use[CA_USE_NEED][CAP_SYS_ADMIN].denied, 0);
	assert_true(learn_least(c) == (UINT64_C(1) << CAP_NET_RAW));
	assert_true(learn_denied(c) == 0);
	assert_int_equal(c->tasks, 2);
	assert_int_equal(learn_counts(l)->checks, 3);
	assert_int_equal(learn_counts(l)->contained, 2);
	/* every process was seeded or forked: nothing was read */
	assert_int_equal(calls, 0);
	learn_free(l);
}

/* A runtime entering the container: its checks until execve() are the runtime's, not the workload's. */
static void entering(void **state)
{
	int calls = 0;
	struct ca_learn *l = engine(&calls);
	const struct ca_learned *c;

	(void)state;
	assert_non_null(l);
	assert_int_equal(learn_seed(l, 700, CA_RT_NONE, NULL, "runc"), 0);
	feed(l, fork_of(700, 701, "runc"));
	feed(l, (struct ca_tev){ .kind = CA_TEV_ATTACH, .pid = 701, .path = CG });
	/* a second hierarchy's attach into the same container is no second entry */
	feed(l, (struct ca_tev){ .kind = CA_TEV_ATTACH, .pid = 701, .path = CG });
	feed(l, (struct ca_tev){ .kind = CA_TEV_RENAME, .pid = 701, .comm = "runc:[2:INIT]" });
	feed(l, cap(701, CAP_SETPCAP, 0, NULL));
	feed(l, cap(701, CAP_SYS_ADMIN, 0, NULL));
	feed(l, fork_of(701, 702, "runc:[2:INIT]"));	/* a thread of runc init: still setting up */
	feed(l, cap(702, CAP_MKNOD, 0, NULL));
	feed(l, exec_of(701, "chown"));
	feed(l, cap(701, CAP_CHOWN, 0, &chown_path));
	/* a move below the container's own cgroup is its init placing a process, no entry */
	feed(l, (struct ca_tev){ .kind = CA_TEV_ATTACH, .pid = 701, .path = CG "/system.slice/x.service" });
	feed(l, cap(701, CAP_CHOWN, 0, &chown_path));
	c = only(l, CA_RT_DOCKER, DOCKER_ID);
	assert_int_equal(c->use[CA_USE_NEED][CAP_CHOWN].granted, 2);
	/* a move into the cgroup its id names, from inside, is an entry (docker exec's runc init) */
	feed(l, (struct ca_tev){ .kind = CA_TEV_ATTACH, .pid = 701, .path = CG });
	feed(l, cap(701, CAP_KILL, 0, NULL));
	assert_int_equal(c->use[CA_USE_RUNTIME][CAP_KILL].granted, 1);
	assert_int_equal(c->use[CA_USE_RUNTIME][CAP_SETPCAP].granted, 1);
	assert_int_equal(c->use[CA_USE_RUNTIME][CAP_SYS_ADMIN].granted, 1);
	assert_int_equal(c->use[CA_USE_RUNTIME][CAP_MKNOD].granted, 1);
	assert_string_equal(c->use[CA_USE_RUNTIME][CAP_SETPCAP].comms[0].comm, "runc:[2:INIT]");
	assert_true(learn_least(c) == (UINT64_C(1) << CAP_CHOWN));
	assert_string_equal(c->use[CA_USE_NEED][CAP_CHOWN].comms[0].comm, "chown");
	assert_false(c->candidate);
	learn_free(l);
}

/*
 * podman: conmon runs runc from inside the container's cgroup, so nothing
 * moves runc init into it: the runtime's programs mark its start-up, also
 * across runc's re-exec of itself, and the workload starts at /bin/sh.
 */
static void runtime_programs(void **state)
{
	int calls = 0;
	struct ca_learn *l = engine(&calls);
	const struct ca_learned *c;
	struct ca_tev e;

	(void)state;
	assert_non_null(l);
	assert_int_equal(learn_seed(l, 800, CA_RT_DOCKER, DOCKER_ID, "conmon"), 0);
	feed(l, fork_of(800, 801, "conmon"));
	e = exec_of(801, "runc");
	e.path = "/usr/bin/runc";
	feed(l, e);
	feed(l, cap(801, CAP_SYS_ADMIN, 0, NULL));
	feed(l, fork_of(801, 802, "runc"));
	e = exec_of(802, "exe");
	e.path = "/proc/self/exe";
	feed(l, e);
	feed(l, cap(802, CAP_SYS_ADMIN, 0, NULL));
	e = exec_of(802, "6");
	e.path = "/dev/fd/6";
	feed(l, e);
	feed(l, (struct ca_tev){ .kind = CA_TEV_RENAME, .pid = 802, .comm = "runc:[2:INIT]" });
	feed(l, cap(802, CAP_SETPCAP, 0, NULL));
	e = exec_of(802, "sh");
	e.path = "/bin/sh";
	feed(l, e);
	feed(l, cap(802, CAP_CHOWN, 0, &chown_path));
	/* busybox runs an applet by /proc/self/exe: still the workload */
	feed(l, fork_of(802, 803, "sh"));
	e = exec_of(803, "exe");
	e.path = "/proc/self/exe";
	feed(l, e);
	feed(l, cap(803, CAP_NET_RAW, 0, &raw_socket));
	c = only(l, CA_RT_DOCKER, DOCKER_ID);
	assert_int_equal(c->use[CA_USE_RUNTIME][CAP_SYS_ADMIN].granted, 2);
	assert_int_equal(c->use[CA_USE_RUNTIME][CAP_SETPCAP].granted, 1);
	assert_true(learn_least(c) == ((UINT64_C(1) << CAP_CHOWN) | (UINT64_C(1) << CAP_NET_RAW)));
	learn_free(l);
}

/* generic_permission() asks DAC_READ_SEARCH, then DAC_OVERRIDE: the second answered the first. */
static void alternatives(void **state)
{
	int calls = 0;
	struct ca_learn *l = engine(&calls);
	const struct ca_learned *c;

	(void)state;
	assert_non_null(l);
	assert_int_equal(learn_seed(l, 600, CA_RT_DOCKER, DOCKER_ID, "cat"), 0);
	feed(l, cap(600, CAP_DAC_READ_SEARCH, -EPERM, &dac_open));
	feed(l, cap(600, CAP_DAC_OVERRIDE, 0, &dac_open));
	/* a denial nothing answered stays one */
	feed(l, cap(600, CAP_NET_RAW, -EPERM, &raw_socket));
	c = only(l, CA_RT_DOCKER, DOCKER_ID);
	assert_int_equal(c->use[CA_USE_NEED][CAP_DAC_READ_SEARCH].denied, 0);
	assert_int_equal(c->use[CA_USE_NEED][CAP_DAC_READ_SEARCH].alternative, 1);
	assert_true(learn_least(c) == (UINT64_C(1) << CAP_DAC_OVERRIDE));
	assert_true(learn_denied(c) == (UINT64_C(1) << CAP_NET_RAW));
	learn_free(l);
}

/* Processes never seen start are placed by their cgroup once; gone ones are unattributed. */
static void placed_late(void **state)
{
	int calls = 0;
	struct ca_learn *l = engine(&calls);
	const struct ca_learned *c;
	size_t n;

	(void)state;
	assert_non_null(l);
	feed(l, cap(950, CAP_KILL, 0, NULL));
	feed(l, cap(950, CAP_KILL, 0, NULL));
	feed(l, cap(1000, CAP_KILL, 0, NULL));
	feed(l, cap(1001, CAP_KILL, 0, NULL));
	assert_int_equal(calls, 3);
	c = only(l, CA_RT_DOCKER, DOCKER_ID);
	assert_int_equal(c->use[CA_USE_NEED][CAP_KILL].granted, 2);
	assert_string_equal(c->use[CA_USE_NEED][CAP_KILL].comms[0].comm, "p950");
	assert_int_equal(learn_counts(l)->unattributed, 1);
	assert_int_equal(learn_counts(l)->contained, 2);
	learn_results(l, &n);
	assert_int_equal(n, 1);
	learn_free(l);
}

/* ctr's cgroup shape names a candidate only, which a host session's cgroup can have too. */
static void candidates(void **state)
{
	int calls = 0;
	struct ca_learn *l = engine(&calls);
	size_t n;
	const struct ca_learned *c;

	(void)state;
	assert_non_null(l);
	assert_int_equal(learn_seed(l, 10, CA_RT_NONE, NULL, "sh"), 0);
	feed(l, (struct ca_tev){ .kind = CA_TEV_ATTACH, .pid = 10, .path = "/process_api/0ae573d1db4d833c" });
	feed(l, cap(10, CAP_SYS_ADMIN, 0, NULL));
	c = learn_results(l, &n);
	assert_int_equal(n, 1);
	assert_true(c[0].candidate);
	assert_int_equal(c[0].runtime, CA_RT_CONTAINERD);
	/* a scan that found it makes it a container */
	assert_int_equal(learn_seed(l, 11, CA_RT_CONTAINERD, "0ae573d1db4d833c", "sleep"), 0);
	c = learn_results(l, &n);
	assert_false(c[0].candidate);
	/* and a move to no container changes nothing */
	feed(l, (struct ca_tev){ .kind = CA_TEV_ATTACH, .pid = 10, .path = "/" });
	feed(l, cap(10, CAP_SYS_ADMIN, 0, NULL));
	assert_int_equal(c[0].use[CA_USE_RUNTIME][CAP_SYS_ADMIN].granted, 2);
	learn_free(l);
}

/* A thread other than the leader that calls execve() takes the leader's pid. */
static void exec_by_thread(void **state)
{
	int calls = 0;
	struct ca_learn *l = engine(&calls);
	const struct ca_learned *c;

	(void)state;
	assert_non_null(l);
	assert_int_equal(learn_seed(l, 40, CA_RT_NONE, NULL, "host"), 0);
	assert_int_equal(learn_seed(l, 41, CA_RT_DOCKER, DOCKER_ID, "java"), 0);
	feed(l, (struct ca_tev){ .kind = CA_TEV_EXEC, .pid = 40, .other = 41, .comm = "ping" });
	feed(l, cap(40, CAP_NET_RAW, 0, &raw_socket));
	c = only(l, CA_RT_DOCKER, DOCKER_ID);
	assert_int_equal(c->use[CA_USE_NEED][CAP_NET_RAW].granted, 1);
	assert_string_equal(c->use[CA_USE_NEED][CAP_NET_RAW].comms[0].comm, "ping");
	learn_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules),
		cmocka_unit_test(needs_and_probes),
		cmocka_unit_test(entering),
		cmocka_unit_test(runtime_programs),
		cmocka_unit_test(alternatives),
		cmocka_unit_test(placed_late),
		cmocka_unit_test(candidates),
		cmocka_unit_test(exec_by_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
