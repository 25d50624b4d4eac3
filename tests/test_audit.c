/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the audit's judgement: added, dropped, privileged, on synthetic scans. */
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

#include "audit.h"
#include "policy_ini.h"

/* Measured: this VM's pid 1 lacks SYS_RESOURCE; a host that lacks nothing holds all 41. */
#define VM_HOST UINT64_C(0x000001fffeffffff)
#define FULL_HOST UINT64_C(0x000001ffffffffff)
/* docker 20.10 knows nothing past AUDIT_READ: its --privileged, here (37) and on a full host (38) */
#define DOCKER2010_VM UINT64_C(0x0000003ffeffffff)
#define DOCKER2010_FULL UINT64_C(0x0000003fffffffff)
#define DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)
#define PODMAN_DEFAULT UINT64_C(0x00000000800405fb)
#define ALL_SETS ((1u << CA_SET_COUNT) - 1)

static struct ca_host host_of(uint64_t bounding, unsigned last_cap)
{
	struct ca_host h = { .last_cap = last_cap, .bounding_pid = 1, .bounding = bounding };

	return h;
}

/* Every set read; @bnd the bounding set, the others empty. */
static struct ca_capsets sets(uint64_t bnd)
{
	struct ca_capsets s = { .known = ALL_SETS };

	s.mask[CA_SET_BOUNDING] = bnd;
	return s;
}

static struct ca_judgement eval(enum ca_runtime rt, uint64_t bnd, uint64_t host_bnd)
{
	struct ca_host h = host_of(host_bnd, 40);
	struct ca_capsets s = sets(bnd);
	struct ca_judgement j;

	memset(&j, 0xa5, sizeof(j));	/* everything it leaves alone would show */
	audit_caps_eval(&s, rt, &h, &j);
	return j;
}

static void added_and_dropped(void **state)
{
	struct ca_judgement j;
	struct ca_capsets s = sets(DOCKER_DEFAULT);
	struct ca_host h = host_of(VM_HOST, 40);

	j = eval(CA_RT_DOCKER, DOCKER_DEFAULT, VM_HOST);
	assert_true(j.has_default);
	assert_true(j.default_caps == DOCKER_DEFAULT);
	assert_true(j.added == 0);
	assert_true(j.dropped == 0);
	assert_false(j.privileged);

	/* --cap-drop=NET_RAW --cap-add=SYS_ADMIN */
	j = eval(CA_RT_DOCKER, (DOCKER_DEFAULT & ~CA_BIT(CAP_NET_RAW)) | CA_BIT(CAP_SYS_ADMIN), VM_HOST);
	assert_true(j.added == CA_BIT(CAP_SYS_ADMIN));
	assert_true(j.dropped == CA_BIT(CAP_NET_RAW));

	/* --cap-drop=ALL: the whole default dropped, nothing added */
	j = eval(CA_RT_CONTAINERD, 0, VM_HOST);
	assert_true(j.added == 0);
	assert_true(j.dropped == DOCKER_DEFAULT);

	/* docker's 14 are three beyond podman's default */
	j = eval(CA_RT_PODMAN, DOCKER_DEFAULT, VM_HOST);
	assert_true(j.default_caps == PODMAN_DEFAULT);
	assert_true(j.added == (CA_BIT(CAP_NET_RAW) | CA_BIT(CAP_MKNOD) | CA_BIT(CAP_AUDIT_WRITE)));
	assert_true(j.dropped == 0);

	/* no default to compare with: nothing added or dropped */
	j = eval(CA_RT_LXC, DOCKER_DEFAULT, VM_HOST);
	assert_false(j.has_default);
	assert_true(j.default_caps == 0);
	assert_true(j.added == 0);
	assert_true(j.dropped == 0);

	/* the union is kept as given, the judgement beside it */
	audit_caps_eval(&s, CA_RT_DOCKER, &h, &j);
	assert_memory_equal(&j.caps, &s, sizeof(s));
}

/* Bits the kernel does not have are neither added nor dropped. */
static void bounded_by_cap_last_cap(void **state)
{
	struct ca_host h = host_of(UINT64_C(0x7fffffff), 30);	/* a kernel before SETFCAP (31) */
	struct ca_capsets s = sets(DOCKER_DEFAULT & ~CA_BIT(CAP_SETFCAP));
	struct ca_judgement j;

	audit_caps_eval(&s, CA_RT_DOCKER, &h, &j);
	assert_true(j.default_caps == (DOCKER_DEFAULT & ~CA_BIT(CAP_SETFCAP)));
	assert_true(j.dropped == 0);
	assert_true(j.added == 0);

	/* a mask bit above cap_last_cap (a hostile or odd status) is no addition */
	j = eval(CA_RT_DOCKER, DOCKER_DEFAULT | CA_BIT(50), VM_HOST);
	assert_true(j.added == 0);
	assert_true(j.caps.mask[CA_SET_BOUNDING] == (DOCKER_DEFAULT | CA_BIT(50)));
}

static void privileged(void **state)
{
	struct ca_judgement j;

	/* On this VM's host, lacking SYS_RESOURCE: docker 20.10's 37 and a current runtime's 40. */
	j = eval(CA_RT_DOCKER, DOCKER2010_VM, VM_HOST);
	assert_true(j.privileged);
	assert_true(j.added == (DOCKER2010_VM & ~DOCKER_DEFAULT));
	assert_true(j.dropped == 0);
	assert_true(eval(CA_RT_PODMAN, VM_HOST, VM_HOST).privileged);
	assert_true(eval(CA_RT_CONTAINERD, VM_HOST, VM_HOST).privileged);
	/* rootless podman --privileged: every bit, inside its user namespace */
	assert_true(eval(CA_RT_PODMAN, FULL_HOST, VM_HOST).privileged);
	/* one capability short below PERFMON, whatever is held above it */
	assert_false(eval(CA_RT_DOCKER, DOCKER2010_VM & ~CA_BIT(CAP_NET_ADMIN), VM_HOST).privileged);
	assert_false(eval(CA_RT_PODMAN, VM_HOST & ~CA_BIT(CAP_AUDIT_READ), VM_HOST).privileged);
	assert_false(eval(CA_RT_PODMAN, VM_HOST & ~CA_BIT(CAP_CHOWN), VM_HOST).privileged);

	/* On a host that lacks nothing: docker 20.10's 38 and 41 are; the VM's 40 lack SYS_RESOURCE. */
	assert_true(eval(CA_RT_DOCKER, DOCKER2010_FULL, FULL_HOST).privileged);
	assert_true(eval(CA_RT_PODMAN, FULL_HOST, FULL_HOST).privileged);
	assert_false(eval(CA_RT_PODMAN, VM_HOST, FULL_HOST).privileged);
	assert_false(eval(CA_RT_DOCKER, DOCKER2010_VM, FULL_HOST).privileged);

	/* whatever the runtime, a default or not */
	j = eval(CA_RT_LXC, DOCKER2010_VM, VM_HOST);
	assert_true(j.privileged);
	assert_false(j.has_default);
	assert_true(eval(CA_RT_UNKNOWN, VM_HOST, VM_HOST).privileged);

	/* a host reference that holds nothing makes nothing privileged */
	assert_false(eval(CA_RT_PODMAN, FULL_HOST, 0).privileged);
}

/* A bounding set that was not read: no comparison and no privilege, whatever its mask says. */
static void unknown_bounding(void **state)
{
	struct ca_host h = host_of(VM_HOST, 40);
	struct ca_capsets s = sets(VM_HOST);
	struct ca_judgement j;

	s.known = 1u << CA_SET_EFFECTIVE;
	audit_caps_eval(&s, CA_RT_DOCKER, &h, &j);
	assert_true(j.has_default);
	assert_true(j.default_caps == DOCKER_DEFAULT);
	assert_true(j.added == 0);
	assert_true(j.dropped == 0);
	assert_false(j.privileged);
}

/* ------------------------------------------------ audit_run on a synthetic scan */

struct fixture {
	struct ca_proc procs[16];
	size_t nprocs;
	struct ca_container c[8];
	struct ca_scan scan;
	struct ca_policy *policy;
	struct ca_audit audit;
};

static struct ca_container *container(struct fixture *fx, enum ca_runtime rt, const char *id)
{
	struct ca_container *c = &fx->c[fx->scan.ncontainers++];

	c->runtime = rt;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->procs = &fx->procs[fx->nprocs];	/* its processes come next */
	return c;
}

/* A process of the container made last: @bnd its bounding set, @eff its effective and permitted. */
static void process(struct fixture *fx, struct ca_container *c, uint64_t bnd, uint64_t eff,
		    bool readable)
{
	struct ca_proc *p = &fx->procs[fx->nprocs++];

	assert_ptr_equal(p, c->procs + c->nprocs);
	p->pid = (pid_t)(100 + fx->nprocs);
	p->thread_differs = CA_UNKNOWN;
	if (readable) {
		p->st.caps = sets(bnd);
		p->st.caps.mask[CA_SET_EFFECTIVE] = eff;
		p->st.caps.mask[CA_SET_PERMITTED] = eff;
	} else {
		p->error = -EACCES;
	}
	c->nprocs++;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	assert_int_equal(policy_builtin(&fx->policy, NULL), 0);
	if (!fx->policy) {
		free(fx);
		return -1;
	}
	fx->scan.containers = fx->c;
	fx->scan.host = host_of(VM_HOST, 40);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	audit_free(&fx->audit);
	policy_free(fx->policy);
	free(fx);
	return 0;
}

static bool has_finding(const struct ca_policy *p, const struct ca_judgement *j, const char *rule)
{
	size_t i;

	for (i = 0; i < j->nfindings; i++)
		if (strcmp(p->rules[j->findings[i].rule].name, rule) == 0)
			return true;
	return false;
}

/* The policy's check and the judgement agree on every container: one definition. */
static void assert_one_definition(const struct fixture *fx)
{
	size_t i;

	for (i = 0; i < fx->audit.ncontainers; i++)
		if (fx->audit.containers[i].privileged !=
		    has_finding(fx->policy, &fx->audit.containers[i], "privileged"))
			fail_msg("container %s: privileged %d, but the policy says otherwise", fx->c[i].id,
				 fx->audit.containers[i].privileged);
}

static void run_on_this_vm(void **state)
{
	struct fixture *fx = *state;
	struct ca_container *c, before[8];
	struct ca_proc procs_before[16];
	const struct ca_judgement *j;

	/* docker 20.10 --privileged, two processes: the union of their sets */
	c = container(fx, CA_RT_DOCKER, "old");
	process(fx, c, DOCKER2010_VM, 0, true);
	process(fx, c, DOCKER2010_VM, CA_BIT(CAP_CHOWN), true);
	c = container(fx, CA_RT_DOCKER, "short");
	process(fx, c, DOCKER2010_VM & ~CA_BIT(CAP_NET_ADMIN), 0, true);
	c = container(fx, CA_RT_PODMAN, "current");
	process(fx, c, VM_HOST, VM_HOST, true);
	c = container(fx, CA_RT_PODMAN, "default");
	process(fx, c, PODMAN_DEFAULT, PODMAN_DEFAULT, true);
	c = container(fx, CA_RT_DOCKER, "unread");
	process(fx, c, 0, 0, false);
	memcpy(before, fx->c, sizeof(before));
	memcpy(procs_before, fx->procs, sizeof(procs_before));

	assert_int_equal(audit_run(&fx->scan, fx->policy, &fx->audit), 0);
	/* a result of its own: the scan is as it was read */
	assert_memory_equal(before, fx->c, sizeof(before));
	assert_memory_equal(procs_before, fx->procs, sizeof(procs_before));
	assert_int_equal(fx->audit.ncontainers, 5);

	j = &fx->audit.containers[0];
	assert_true(j->caps.known == ALL_SETS);
	assert_true(j->caps.mask[CA_SET_BOUNDING] == DOCKER2010_VM);
	assert_true(j->caps.mask[CA_SET_EFFECTIVE] == CA_BIT(CAP_CHOWN));
	assert_true(j->privileged);
	assert_true(j->added == (DOCKER2010_VM & ~DOCKER_DEFAULT));
	assert_true(j->dropped == 0);
	assert_int_equal(j->verdict, CA_VERDICT_FAIL);
	/* most severe first: privileged, with both pids */
	assert_true(j->nfindings >= 1);
	assert_string_equal(fx->policy->rules[j->findings[0].rule].name, "privileged");
	assert_int_equal(j->findings[0].npids, 2);
	assert_true(j->findings[0].caps == DOCKER2010_VM);

	j = &fx->audit.containers[1];
	assert_false(j->privileged);
	assert_true(j->added == (DOCKER2010_VM & ~DOCKER_DEFAULT & ~CA_BIT(CAP_NET_ADMIN)));
	assert_int_equal(j->verdict, CA_VERDICT_FAIL);	/* net-raw, cap-added */

	assert_true(fx->audit.containers[2].privileged);
	assert_true(fx->audit.containers[2].added == (VM_HOST & ~PODMAN_DEFAULT));

	j = &fx->audit.containers[3];
	assert_false(j->privileged);
	assert_true(j->added == 0 && j->dropped == 0);
	assert_int_equal(j->nfindings, 0);
	assert_int_equal(j->verdict, CA_VERDICT_PASS);

	j = &fx->audit.containers[4];
	assert_int_equal(j->caps.known, 0);
	assert_false(j->privileged);
	assert_int_equal(j->nfindings, 0);
	assert_int_equal(j->verdict, CA_VERDICT_UNKNOWN);

	assert_one_definition(fx);
	assert_int_equal(fx->audit.summary.containers, 5);
	assert_int_equal(fx->audit.summary.failed, 3);
	assert_int_equal(fx->audit.summary.passed, 1);
	assert_int_equal(fx->audit.summary.unknown, 1);
	assert_int_equal(fx->audit.summary.findings[CA_SEV_CRITICAL], 2);
	assert_true(fx->audit.summary.complete);
}

/* What is privileged on this VM is one capability short on a host that holds SYS_RESOURCE. */
static void run_on_a_full_host(void **state)
{
	struct fixture *fx = *state;
	struct ca_container *c;

	fx->scan.host = host_of(FULL_HOST, 40);
	c = container(fx, CA_RT_DOCKER, "old");
	process(fx, c, DOCKER2010_FULL, 0, true);
	c = container(fx, CA_RT_PODMAN, "current");
	process(fx, c, FULL_HOST, 0, true);
	c = container(fx, CA_RT_PODMAN, "vm");
	process(fx, c, VM_HOST, 0, true);
	assert_int_equal(audit_run(&fx->scan, fx->policy, &fx->audit), 0);
	assert_true(fx->audit.containers[0].privileged);
	assert_true(fx->audit.containers[1].privileged);
	assert_false(fx->audit.containers[2].privileged);
	assert_true(fx->audit.containers[2].added == (VM_HOST & ~PODMAN_DEFAULT));
	assert_one_definition(fx);
	assert_int_equal(fx->audit.summary.findings[CA_SEV_CRITICAL], 2);
}

/*
 * A name selects a section only where root wrote it: the same name and
 * image, read from a rootless user's own storage or not read at all, get
 * [default]'s rules.
 */
static void names_root_wrote(void **state)
{
	struct fixture *fx = *state;
	struct ca_err err = { 0 };
	struct ca_container *c;
	const uint64_t web = CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_CHOWN);
	static const char *const cases[] = { "read", "rootless", "unreadable", "none" };
	size_t i;

	policy_free(fx->policy);
	fx->policy = NULL;
	if (policy_load_text("[default]\nadded = medium\nadded.allow = @none\n"
			     "[web]\nname = web\nimage = nginx:*\nadded.allow = NET_BIND_SERVICE CHOWN\n",
			     "test.ini", &fx->policy, &err) < 0)
		fail_msg("%s", err.msg);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		c = container(fx, CA_RT_DOCKER, cases[i]);
		c->workload.status = i < 2 ? CA_WL_READ : i == 2 ? CA_WL_UNREADABLE : CA_WL_NONE;
		c->workload.user_written = i == 1;
		c->workload.name = (char *)"web";
		c->workload.image = (char *)"nginx:1.25";
		process(fx, c, web, web, true);
	}
	assert_int_equal(audit_run(&fx->scan, fx->policy, &fx->audit), 0);
	assert_int_equal(fx->audit.containers[0].nfindings, 0);
	for (i = 1; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(fx->audit.containers[i].nfindings, 1);
		assert_true(fx->audit.containers[i].findings[0].caps == web);
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		memset(&fx->c[i].workload, 0, sizeof(fx->c[i].workload));
}

/* Nothing to judge: an empty result, freed and cleared. */
static void run_on_nothing(void **state)
{
	struct fixture *fx = *state;

	fx->scan.counts.unreadable = 1;
	assert_int_equal(audit_run(&fx->scan, fx->policy, &fx->audit), 0);
	assert_int_equal(fx->audit.ncontainers, 0);
	assert_int_equal(fx->audit.summary.containers, 0);
	assert_false(fx->audit.summary.complete);
	audit_free(&fx->audit);
	assert_null(fx->audit.containers);
	assert_int_equal(fx->audit.ncontainers, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(added_and_dropped),
		cmocka_unit_test(bounded_by_cap_last_cap),
		cmocka_unit_test(privileged),
		cmocka_unit_test(unknown_bounding),
		cmocka_unit_test_setup_teardown(run_on_this_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(run_on_a_full_host, setup, teardown),
		cmocka_unit_test_setup_teardown(run_on_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(names_root_wrote, setup, teardown),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
