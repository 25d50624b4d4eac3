/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the diff: processes by pid and start time, containers, bounds and findings. */
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
#include <linux/capability.h>

#include "diff.h"
#include "pidstat.h"
#include "policy_ini.h"

#define VM_HOST UINT64_C(0x000001fffeffffff)
#define DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)
#define ALL_SETS ((1u << CA_SET_COUNT) - 1)
#define BOOT "8a6f0c1e-3b2d-4c5e-9f70-1a2b3c4d5e6f"

/* One side, built by hand: a scan, the built-in policy's audit of it, a host. */
struct side {
	struct ca_scan scan;
	struct ca_audit audit;
	struct ca_policy *policy;
	struct ca_host_ident ident;
	struct ca_diff_side s;
};

static void side_init(struct side *sd, const char *boot)
{
	struct ca_err err;

	memset(sd, 0, sizeof(*sd));
	sd->scan.host = (struct ca_host){ .last_cap = 40, .bounding_pid = 1, .bounding = VM_HOST };
	snprintf(sd->ident.hostname, sizeof(sd->ident.hostname), "node1");
	snprintf(sd->ident.boot_id, sizeof(sd->ident.boot_id), "%s", boot);
	assert_int_equal(policy_builtin(&sd->policy, &err), 0);
}

/* Containers go in the scan's own order: runtime name, then id. */
static struct ca_container *container(struct side *sd, enum ca_runtime rt, const char *id)
{
	struct ca_container *c;

	assert_int_equal(util_grow(&sd->scan.containers, &sd->scan.containers_cap, sd->scan.ncontainers + 1,
				   sizeof(*c)), 0);
	c = &sd->scan.containers[sd->scan.ncontainers++];
	memset(c, 0, sizeof(*c));
	c->runtime = rt;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->userns = (struct ca_userns){ .known = true, .child = false };
	for (int ns = 0; ns < CA_NS_COUNT; ns++)
		c->shares[ns] = CA_NO;
	c->shares[CA_NS_USER] = CA_YES;
	return c;
}

/* A process of @c in pid order; @start 0: its start time unknown. */
static struct ca_proc *proc(struct ca_container *c, pid_t pid, uint64_t start, uint64_t bnd)
{
	struct ca_proc *p;

	assert_int_equal(util_grow(&c->procs, &c->procs_cap, c->nprocs + 1, sizeof(*p)), 0);
	p = &c->procs[c->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start = start;
	p->start_known = start != 0;
	p->userns_known = true;
	p->userns = 4026531837;
	p->st.known = STATUS_NAME | STATUS_NO_NEW_PRIVS | STATUS_SECCOMP | STATUS_UID | STATUS_NSPID;
	snprintf(p->st.name, sizeof(p->st.name), "p%d", (int)pid);
	p->st.seccomp = 2;
	p->st.no_new_privs = true;
	p->st.uid[0] = p->st.uid[1] = 1000;
	p->st.caps.known = ALL_SETS;
	p->st.caps.mask[CA_SET_BOUNDING] = bnd;
	p->st.caps.mask[CA_SET_EFFECTIVE] = bnd;
	p->st.caps.mask[CA_SET_PERMITTED] = bnd;
	return p;
}

static void judge(struct side *sd)
{
	sd->scan.counts.processes = 1;
	assert_int_equal(audit_run(&sd->scan, sd->policy, &sd->audit), 0);
	sd->s = (struct ca_diff_side){ .source = "x", .when = "", .ident = &sd->ident, .scan = &sd->scan,
				       .audit = &sd->audit, .policy = sd->policy };
}

static void side_free(struct side *sd)
{
	audit_free(&sd->audit);
	scan_free(&sd->scan);
	policy_free(sd->policy);
}

static void run(struct side *a, struct side *b, struct ca_diff *d)
{
	judge(a);
	judge(b);
	assert_int_equal(diff_run(&a->s, &b->s, d), 0);
}

/* One host twice, alike: nothing changed, and nothing is new. */
static void nothing_changed(void **state)
{
	struct side a, b;
	struct ca_diff d;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct side *sd = i ? &b : &a;
		struct ca_container *c;

		side_init(sd, BOOT);
		c = container(sd, CA_RT_DOCKER, "aaaa");
		proc(c, 100, 5000, DOCKER_DEFAULT);
		proc(c, 101, 5001, DOCKER_DEFAULT);
	}
	run(&a, &b, &d);
	assert_int_equal(d.ncontainers, 0);
	assert_int_equal(d.nfindings, 0);
	assert_int_equal(d.summary.new_failing, 0);
	assert_false(d.hosts_differ);
	assert_false(d.boots_differ);
	assert_false(d.policies_differ);
	diff_free(&d);
	side_free(&a);
	side_free(&b);
}

/* A pid is the same process only with the same start time; without one, nothing is said. */
static void pid_and_start_time(void **state)
{
	struct side a, b;
	struct ca_container *c;
	struct ca_diff d;

	(void)state;
	side_init(&a, BOOT);
	c = container(&a, CA_RT_DOCKER, "aaaa");
	proc(c, 100, 5000, DOCKER_DEFAULT);	/* its pid taken by another later */
	proc(c, 101, 0, DOCKER_DEFAULT);	/* no start time here (an older snapshot) */
	proc(c, 102, 5002, DOCKER_DEFAULT);	/* gone */
	side_init(&b, BOOT);
	c = container(&b, CA_RT_DOCKER, "aaaa");
	proc(c, 100, 9000, DOCKER_DEFAULT);
	proc(c, 101, 5001, 0);			/* would be a change, were it known to be the same */
	proc(c, 103, 9001, DOCKER_DEFAULT);	/* appeared */
	run(&a, &b, &d);

	assert_int_equal(d.ncontainers, 1);
	assert_int_equal(d.containers[0].kind, CA_CHANGE_CHANGED);
	assert_int_equal(d.containers[0].nprocs, 4);
	assert_int_equal(d.containers[0].procs[0].kind, CA_CHANGE_GONE);
	assert_int_equal(d.containers[0].procs[0].old->pid, 100);
	assert_int_equal(d.containers[0].procs[1].kind, CA_CHANGE_APPEARED);
	assert_int_equal(d.containers[0].procs[1].new->pid, 100);
	assert_int_equal(d.containers[0].procs[2].kind, CA_CHANGE_GONE);
	assert_int_equal(d.containers[0].procs[2].old->pid, 102);
	assert_int_equal(d.containers[0].procs[3].kind, CA_CHANGE_APPEARED);
	assert_int_equal(d.containers[0].procs[3].new->pid, 103);
	assert_int_equal(d.containers[0].unmatched, 1);
	assert_int_equal(d.summary.unmatched, 1);
	assert_int_equal(d.summary.procs_appeared, 2);
	assert_int_equal(d.summary.procs_gone, 2);
	assert_int_equal(d.summary.procs_changed, 0);
	diff_free(&d);
	side_free(&a);
	side_free(&b);
}

/* Across two boots no process is on both sides, whatever its pid and start time. */
static void another_boot(void **state)
{
	struct side a, b;
	struct ca_diff d;

	(void)state;
	side_init(&a, BOOT);
	proc(container(&a, CA_RT_DOCKER, "aaaa"), 100, 5000, DOCKER_DEFAULT);
	side_init(&b, "0b7f0c1e-3b2d-4c5e-9f70-1a2b3c4d5e6f");
	proc(container(&b, CA_RT_DOCKER, "aaaa"), 100, 5000, DOCKER_DEFAULT);
	run(&a, &b, &d);
	assert_true(d.boots_differ);
	assert_false(d.hosts_differ);
	assert_int_equal(d.ncontainers, 1);
	assert_int_equal(d.containers[0].nprocs, 2);
	assert_int_equal(d.containers[0].procs[0].kind, CA_CHANGE_GONE);
	assert_int_equal(d.containers[0].procs[1].kind, CA_CHANGE_APPEARED);
	assert_int_equal(d.summary.unmatched, 0);
	diff_free(&d);
	side_free(&a);
	side_free(&b);
}

/* Every field a process can change, each with its own bit, and only where both sides read it. */
static void process_changes(void **state)
{
	struct side a, b;
	struct ca_container *c;
	struct ca_proc *p;
	struct ca_diff d;
	const struct ca_proc_change *pc;

	(void)state;
	side_init(&a, BOOT);
	c = container(&a, CA_RT_DOCKER, "aaaa");
	proc(c, 100, 5000, DOCKER_DEFAULT);
	proc(c, 101, 5001, DOCKER_DEFAULT);
	side_init(&b, BOOT);
	c = container(&b, CA_RT_DOCKER, "aaaa");
	p = proc(c, 100, 5000, DOCKER_DEFAULT);
	p->st.caps.mask[CA_SET_EFFECTIVE] |= CA_BIT(CAP_SYS_ADMIN);
	p->st.caps.mask[CA_SET_AMBIENT] = CA_BIT(CAP_NET_ADMIN);
	p->st.no_new_privs = false;
	p->st.seccomp = 0;
	p->userns = 4026532999;
	p = proc(c, 101, 5001, DOCKER_DEFAULT);
	/* unknown on one side: no change said */
	p->st.caps.known &= ~(1u << CA_SET_INHERITABLE);
	p->st.caps.mask[CA_SET_INHERITABLE] = ~UINT64_C(0);
	p->st.known &= ~STATUS_SECCOMP;
	p->st.seccomp = 0;
	p->userns_known = false;
	p->userns = 1;
	run(&a, &b, &d);

	assert_int_equal(d.ncontainers, 1);
	assert_int_equal(d.containers[0].nprocs, 1);
	pc = &d.containers[0].procs[0];
	assert_int_equal(pc->kind, CA_CHANGE_CHANGED);
	assert_int_equal(pc->new->pid, 100);
	assert_int_equal(pc->what, (1u << CA_SET_EFFECTIVE) | (1u << CA_SET_AMBIENT) | DIFF_NO_NEW_PRIVS |
				   DIFF_SECCOMP | DIFF_USERNS);
	assert_true(d.containers[0].what & DIFF_PROCESSES);
	assert_false(d.containers[0].what & DIFF_BOUNDING);
	assert_int_equal(d.summary.procs_changed, 1);
	diff_free(&d);
	side_free(&a);
	side_free(&b);
}

/* Containers by runtime and id; a bound that grows; the findings that come with it. */
static void containers_and_findings(void **state)
{
	struct side a, b;
	struct ca_container *c;
	struct ca_diff d;
	size_t i, cap_added_new = 0;

	(void)state;
	side_init(&a, BOOT);
	proc(container(&a, CA_RT_DOCKER, "aaaa"), 100, 5000, DOCKER_DEFAULT | CA_BIT(CAP_NET_ADMIN));
	proc(container(&a, CA_RT_DOCKER, "bbbb"), 200, 6000, DOCKER_DEFAULT);
	proc(container(&a, CA_RT_PODMAN, "cccc"), 300, 7000, DOCKER_DEFAULT);
	side_init(&b, BOOT);
	/* NET_ADMIN was added before; SYS_ADMIN is added now, NET_RAW dropped */
	c = container(&b, CA_RT_DOCKER, "aaaa");
	proc(c, 100, 5000, (DOCKER_DEFAULT | CA_BIT(CAP_NET_ADMIN) | CA_BIT(CAP_SYS_ADMIN)) & ~CA_BIT(CAP_NET_RAW));
	proc(container(&b, CA_RT_DOCKER, "abab"), 250, 6500, DOCKER_DEFAULT);
	proc(container(&b, CA_RT_PODMAN, "cccc"), 300, 7000, DOCKER_DEFAULT);
	run(&a, &b, &d);

	assert_int_equal(d.ncontainers, 3);
	assert_int_equal(d.containers[0].kind, CA_CHANGE_CHANGED);	/* docker aaaa */
	assert_true(d.containers[0].what & DIFF_BOUNDING);
	assert_true(d.containers[0].bound_grew == CA_BIT(CAP_SYS_ADMIN));
	assert_true(d.containers[0].bound_lost == CA_BIT(CAP_NET_RAW));
	assert_int_equal(d.containers[1].kind, CA_CHANGE_APPEARED);	/* docker abab */
	assert_string_equal(b.scan.containers[d.containers[1].new].id, "abab");
	assert_int_equal(d.containers[2].kind, CA_CHANGE_GONE);		/* docker bbbb */
	assert_string_equal(a.scan.containers[d.containers[2].old].id, "bbbb");
	assert_int_equal(d.summary.appeared, 1);
	assert_int_equal(d.summary.gone, 1);
	assert_int_equal(d.summary.changed, 1);

	for (i = 0; i < d.nfindings; i++) {
		const struct ca_finding_change *fc = &d.findings[i];
		const struct ca_diff_side *s = fc->resolved ? &a.s : &b.s;
		const char *rule = s->policy->rules[fc->f->rule].name;
		const char *id = s->scan->containers[fc->container].id;

		/* podman cccc did not change: none of its findings is new or resolved */
		assert_string_not_equal(id, "cccc");
		if (!fc->resolved && strcmp(id, "aaaa") == 0 && strcmp(rule, "cap-added") == 0) {
			/* only what is new of an old finding: NET_ADMIN was there */
			assert_true(fc->caps == CA_BIT(CAP_SYS_ADMIN));
			assert_true(fc->failing);
			cap_added_new++;
		}
		/* what aaaa resolved is NET_RAW, dropped: from the bound, and from what a non-root holds */
		if (fc->resolved && strcmp(id, "aaaa") == 0)
			assert_true(fc->caps == CA_BIT(CAP_NET_RAW));
	}
	assert_int_equal(cap_added_new, 1);
	assert_true(d.summary.new_failing >= 2);	/* aaaa's SYS_ADMIN, abab's NET_RAW */
	assert_true(d.summary.findings_resolved >= 2);	/* aaaa's NET_RAW, bbbb's */
	diff_free(&d);
	side_free(&a);
	side_free(&b);
}

/* Two policies are compared as policy show prints them. */
static void policies(void **state)
{
	struct side a, b;
	struct ca_diff d;

	(void)state;
	side_init(&a, BOOT);
	side_init(&b, BOOT);
	run(&a, &b, &d);
	assert_false(d.policies_differ);	/* two loads of the built-in */
	diff_free(&d);
	b.policy->fail_on = CA_SEV_CRITICAL;
	assert_int_equal(diff_run(&a.s, &b.s, &d), 0);
	assert_true(d.policies_differ);
	diff_free(&d);
	snprintf(b.ident.hostname, sizeof(b.ident.hostname), "node2");
	assert_int_equal(diff_run(&a.s, &b.s, &d), 0);
	assert_true(d.hosts_differ);
	diff_free(&d);
	b.ident.hostname[0] = '\0';	/* unknown is no other host */
	assert_int_equal(diff_run(&a.s, &b.s, &d), 0);
	assert_false(d.hosts_differ);
	diff_free(&d);
	side_free(&a);
	side_free(&b);
}

/* The start time is counted from the last ')': a process names itself. */
static void start_time_parsed(void **state)
{
	static const char plain[] = "1001 (nginx) S 990 1001 1001 0 -1 4194560 120 0 0 0 0 0 0 0 20 0 1 0 "
				    "50000 2654208 160 18446744073709551615\n";
	static const char hostile[] = "7 (a) b) 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99) R 1 7 7 0 -1 "
				      "4194560 120 0 0 0 0 0 0 0 20 0 1 0 123456 0 0\n";
	uint64_t t = 0;

	(void)state;
	assert_int_equal(pidstat_parse_start(plain, strlen(plain), &t), 0);
	assert_true(t == 50000);
	assert_int_equal(pidstat_parse_start(hostile, strlen(hostile), &t), 0);
	assert_true(t == 123456);
	/* cut off in or right after the field, no ')', not a number, too large */
	assert_int_equal(pidstat_parse_start(plain, strlen("1001 (nginx) S 990 1001 1001 0 -1 4194560 120 0 0 0 0 0 0 0 20 0 1 0 500"), &t), -EINVAL);
	assert_int_equal(pidstat_parse_start("1 (x S", 6, &t), -EINVAL);
	assert_int_equal(pidstat_parse_start("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x1 0",
					     strlen("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x1 0"), &t), -EINVAL);
	assert_int_equal(pidstat_parse_start("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999 0",
					     strlen("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999 0"),
					     &t), -EINVAL);
	assert_int_equal(pidstat_parse_start("", 0, &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_changed),
		cmocka_unit_test(pid_and_start_time),
		cmocka_unit_test(another_boot),
		cmocka_unit_test(process_changes),
		cmocka_unit_test(containers_and_findings),
		cmocka_unit_test(policies),
		cmocka_unit_test(start_time_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
