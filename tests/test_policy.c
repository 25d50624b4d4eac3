/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the judge: the built-in policy, sections and their precedence. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/capability.h>

#include "policy.h"
#include "policy_ini.h"
#include "preset.h"
#include "workload.h"

/* Measured on these hosts: pid 1 lacks CAP_SYS_RESOURCE. */
#define HOST_BND UINT64_C(0x000001fffeffffff)
#define DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)
#define PODMAN_DEFAULT UINT64_C(0x00000000800405fb)
#define ID "3f2a9c1b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define POD "4e5f6a7b-1c2d-4e3f-9a8b-7c6d5e4f3a2b"

/*
 * The seam: calloc() fails while @calloc_fails is set, without touching
 * errno, as an allocation that fails deep in a library may leave it.
 */
static bool calloc_fails;
void *__wrap_calloc(size_t n, size_t size);
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
	return calloc_fails ? NULL : __real_calloc(n, size);
}

/* The built-in policy, which only memory can fail to load. */
static struct ca_policy *builtin(void)
{
	struct ca_policy *p = NULL;

	assert_int_equal(policy_builtin(&p, NULL), 0);
	return p;
}

static struct ca_status st;
static struct ca_subject subj;

/* A docker container's process, with its bounding set (= effective) and sane hardening. */
static const struct ca_subject *process(enum ca_runtime rt, const char *comm, uint64_t bnd)
{
	int ns;

	memset(&st, 0, sizeof(st));
	st.known = STATUS_NAME | STATUS_UID | STATUS_SECCOMP | STATUS_NO_NEW_PRIVS;
	snprintf(st.name, sizeof(st.name), "%s", comm);
	st.uid[1] = 1000;
	st.seccomp = 2;
	st.no_new_privs = true;
	st.caps.known = (1u << CA_SET_COUNT) - 1;
	st.caps.mask[CA_SET_BOUNDING] = bnd;
	memset(&subj, 0, sizeof(subj));
	subj.runtime = rt;
	subj.id = ID;
	subj.pod = "";
	subj.st = &st;
	for (ns = 0; ns < CA_NS_COUNT; ns++)
		subj.shares[ns] = CA_NO;
	subj.userns_child = CA_NO;
	subj.root_unmapped = true;
	subj.host_bounding = HOST_BND;
	subj.last_cap = 40;
	return &subj;
}

static struct ca_policy *load(const char *text)
{
	struct ca_policy *p = NULL;
	struct ca_err err = { 0 };

	if (policy_load_text(text, "test.ini", &p, &err) < 0)
		fail_msg("%s", err.msg);
	return p;
}

/* The rule names of the findings, "net-raw,cap-added". */
static const char *rules(const struct ca_policy *p, const struct ca_subject *s)
{
	static char buf[512];
	struct ca_verdict_item items[CA_RULES_MAX];
	size_t n = policy_eval(p, s, items), i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, p->rules[items[i].rule].name);
	}
	return buf;
}

static void builtin_cis(void **state)
{
	struct ca_policy *p = builtin();
	struct ca_verdict_item items[CA_RULES_MAX];
	size_t n;

	assert_non_null(p);
	/* docker default: NET_RAW is not dropped (high), and named once */
	assert_string_equal(rules(p, process(CA_RT_DOCKER, "nginx", DOCKER_DEFAULT)), "net-raw");
	n = policy_eval(p, &subj, items);
	assert_int_equal(n, 1);
	assert_true(items[0].caps == CA_BIT(CAP_NET_RAW));
	assert_true(policy_fails(p, items[0].severity));
	assert_string_equal(p->rules[items[0].rule].cis, "5.4");
	/* drop ALL, add NET_BIND_SERVICE: nothing */
	assert_string_equal(rules(p, process(CA_RT_DOCKER, "nginx", CA_BIT(CAP_NET_BIND_SERVICE))), "");
	/* podman's default passes */
	assert_string_equal(rules(p, process(CA_RT_PODMAN, "httpd", PODMAN_DEFAULT)), "");
	/* SYS_ADMIN added, NET_RAW dropped */
	assert_string_equal(rules(p, process(CA_RT_DOCKER, "app",
					     (DOCKER_DEFAULT & ~CA_BIT(CAP_NET_RAW)) | CA_BIT(CAP_SYS_ADMIN))),
			    "cap-added");
	/* everything the host holds: privileged, although SYS_RESOURCE is missing */
	assert_string_equal(rules(p, process(CA_RT_PODMAN, "sh", HOST_BND)), "privileged,net-raw,cap-added");
	/* docker 20.10's --cap-add=ALL stops at 37: still privileged */
	assert_string_equal(rules(p, process(CA_RT_DOCKER, "sh", HOST_BND & (CA_BIT(CAP_PERFMON) - 1))),
			    "privileged,net-raw,cap-added");
	/* one short of the host's: not privileged */
	assert_string_equal(rules(p, process(CA_RT_DOCKER, "sh", HOST_BND & ~CA_BIT(CAP_SYS_MODULE))),
			    "net-raw,cap-added");
	policy_free(p);
}

static void builtin_low_checks(void **state)
{
	struct ca_policy *p = builtin();
	struct ca_verdict_item items[CA_RULES_MAX];
	size_t n, i;

	process(CA_RT_DOCKER, "sh", 0);
	subj.shares[CA_NS_PID] = CA_YES;
	subj.shares[CA_NS_NET] = CA_YES;
	st.seccomp = 0;
	st.no_new_privs = false;
	st.caps.mask[CA_SET_AMBIENT] = CA_BIT(CAP_NET_BIND_SERVICE);
	st.caps.mask[CA_SET_EFFECTIVE] = CA_BIT(CAP_NET_BIND_SERVICE);
	assert_string_equal(rules(p, &subj), "host-pid,host-net,seccomp,no-new-privs,ambient,nonroot-effective");
	n = policy_eval(p, &subj, items);
	for (i = 0; i < n; i++)
		assert_false(policy_fails(p, items[i].severity));	/* all low, below fail-on */
	/* root without a user namespace, and LSM labels */
	process(CA_RT_DOCKER, "sh", 0);
	st.uid[1] = 0;
	subj.lsm = "unconfined";
	assert_string_equal(rules(p, &subj), "root,apparmor");
	subj.lsm = "docker-default (enforce)";
	assert_string_equal(rules(p, &subj), "root");
	subj.lsm = "system_u:system_r:spc_t:s0";
	assert_string_equal(rules(p, &subj), "root,selinux");
	subj.lsm = "system_u:system_r:container_t:s0:c1,c2";
	assert_string_equal(rules(p, &subj), "root");
	/* root that a user namespace maps to an unprivileged uid is not root on the host */
	subj.userns_child = CA_YES;
	subj.root_unmapped = false;
	assert_string_equal(rules(p, &subj), "");
	/* unknown is not "no": nothing is claimed */
	subj.userns_child = CA_UNKNOWN;
	assert_string_equal(rules(p, &subj), "");
	policy_free(p);
}

static const char layered[] =
	"[default]\n"
	"net-raw = high\n"
	"net-raw.deny = NET_RAW\n"
	"cap-added = medium\n"
	"cap-added.allow = @docker-default\n"
	"[docker]\n"
	"runtime = docker\n"
	"net-raw = low\n"
	"[pod]\n"
	"pod = " POD "\n"
	"net-raw = info\n"
	"[capture]\n"
	"id = 3f2a9c1b\n"
	"net-raw = off\n"
	"[capture-exact]\n"
	"id = " ID "\n"
	"cap-added.allow = @docker-default SYS_ADMIN\n"
	"[web]\n"
	"runtime = podman\n"
	"comm = nginx\n"
	"cap-added.allow = NET_BIND_SERVICE CHOWN\n";

static enum ca_severity severity_of(const struct ca_policy *p, const char *rule)
{
	struct ca_verdict_item items[CA_RULES_MAX];
	size_t n = policy_eval(p, &subj, items), i;

	for (i = 0; i < n; i++)
		if (strcmp(p->rules[items[i].rule].name, rule) == 0)
			return items[i].severity;
	return (enum ca_severity)-1;
}

/* A capability is named by the gravest rule it breaks: with the default's
 * allow list holding NET_RAW, only net-raw can name it. */
static void precedence(void **state)
{
	struct ca_policy *p = load(layered);

	/* default */
	process(CA_RT_CRIO, "sh", DOCKER_DEFAULT);
	subj.id = "0000";
	assert_int_equal(severity_of(p, "net-raw"), CA_SEV_HIGH);
	/* runtime > default */
	process(CA_RT_DOCKER, "sh", DOCKER_DEFAULT);
	subj.id = "0000";
	assert_int_equal(severity_of(p, "net-raw"), CA_SEV_LOW);
	/* pod > runtime */
	subj.pod = POD;
	assert_int_equal(severity_of(p, "net-raw"), CA_SEV_INFO);
	/* container id (prefix) > pod */
	subj.id = ID;
	assert_string_equal(rules(p, &subj), "");
	/* a longer prefix inherits what it does not set: net-raw stays off */
	process(CA_RT_DOCKER, "sh", DOCKER_DEFAULT | CA_BIT(CAP_SYS_ADMIN) | CA_BIT(CAP_SYS_PTRACE));
	assert_string_equal(rules(p, &subj), "cap-added");
	/* a process name narrows a runtime section... */
	process(CA_RT_PODMAN, "nginx", CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_CHOWN));
	subj.id = "0000";
	assert_string_equal(rules(p, &subj), "");
	process(CA_RT_PODMAN, "nginx", CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_KILL));
	subj.id = "0000";
	assert_string_equal(rules(p, &subj), "cap-added");
	/* ...and a process of another name in that runtime is judged by [default] */
	process(CA_RT_PODMAN, "redis", CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_KILL));
	subj.id = "0000";
	assert_string_equal(rules(p, &subj), "");
	policy_free(p);
}

/*
 * Sections by what the runtime's files say: the seed example of issue 14,
 * a container named web from nginx keeping NET_BIND_SERVICE and CHOWN
 * after cap_drop ALL, whatever its id; and the order of the selectors.
 */
static const char by_name[] = "[default]\n"
			      "extra = medium\nextra.allow = @none\n"
			      "[hub]\nimage = nginx:*\nextra.allow = NET_BIND_SERVICE\n"
			      "[web]\nname = web\nimage = nginx:*\nextra.allow = NET_BIND_SERVICE CHOWN\n"
			      "[any-web]\nname = web*\nextra.allow = CHOWN KILL\n"
			      "[team]\nlabel = com.example.team=edge\nextra = low\n"
			      "[kube]\nnamespace = kube-*\nextra = info\n"
			      "[pinned]\nid = 3f2a9c\nextra.allow = @all\n";

static struct ca_workload wl;
static struct ca_label wl_labels[1];

static const struct ca_subject *named(const char *name, const char *image)
{
	process(CA_RT_DOCKER, "nginx", CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_CHOWN));
	subj.id = "0000";
	memset(&wl, 0, sizeof(wl));
	wl.status = CA_WL_READ;
	wl.name = (char *)name;
	wl.image = (char *)image;
	subj.workload = &wl;
	return &subj;
}

static void by_workload(void **state)
{
	struct ca_policy *p = load(by_name);

	/* the seed: named web, from nginx, at any tag and in any of docker's spellings */
	assert_string_equal(rules(p, named("web", "nginx:1.25")), "");
	assert_string_equal(rules(p, named("web", "nginx")), "");
	assert_string_equal(rules(p, named("web", "docker.io/library/nginx:1.27")), "");
	assert_string_equal(rules(p, named("web", "library/nginx:1")), "");
	/* another image: [web] does not match, the glob web* does */
	assert_string_equal(rules(p, named("web", "redis:7")), "extra");
	assert_string_equal(rules(p, named("web", "evil.example/nginx:1.25")), "extra");
	assert_string_equal(rules(p, named("web", "nginx-unprivileged:1.25")), "extra");
	/* name > image: web-2 from nginx is any-web's (CHOWN KILL), not hub's */
	named("web-2", "nginx:1.25");
	assert_string_equal(rules(p, &subj), "extra");
	st.caps.mask[CA_SET_BOUNDING] = CA_BIT(CAP_CHOWN) | CA_BIT(CAP_KILL);
	assert_string_equal(rules(p, &subj), "");
	/* image alone: hub's NET_BIND_SERVICE, CHOWN beyond it */
	named("db", "docker.io/library/nginx:1.25");
	assert_string_equal(rules(p, &subj), "extra");
	st.caps.mask[CA_SET_BOUNDING] = CA_BIT(CAP_NET_BIND_SERVICE);
	assert_string_equal(rules(p, &subj), "");
	/* no names (no host root, unreadable state, a rootless claim): [default] */
	named("web", "nginx:1.25");
	subj.workload = NULL;
	assert_string_equal(rules(p, &subj), "extra");
	/* an id beats every name: [pinned] allows all */
	named("db", "redis:7");
	subj.id = "3f2a9c1b";
	assert_string_equal(rules(p, &subj), "");
	/* label > image: [team] grades, inheriting hub's list */
	named("db", "nginx:1.25");
	wl_labels[0] = (struct ca_label){ .key = (char *)"com.example.team", .value = (char *)"edge" };
	wl.labels = wl_labels;
	wl.nlabels = 1;
	assert_int_equal(severity_of(p, "extra"), CA_SEV_LOW);
	wl_labels[0].value = (char *)"edger";
	assert_int_equal(severity_of(p, "extra"), CA_SEV_MEDIUM);
	/* a Kubernetes namespace, by glob */
	named("coredns", "registry.k8s.io/coredns:1.10");
	wl.k8s_namespace = (char *)"kube-system";
	assert_int_equal(severity_of(p, "extra"), CA_SEV_INFO);
	wl.k8s_namespace = (char *)"default";
	assert_int_equal(severity_of(p, "extra"), CA_SEV_MEDIUM);
	policy_free(p);
}

/* Equal in rank: one value beats a glob, more selectors beat fewer, then the later section. */
static void by_workload_ties(void **state)
{
	struct ca_policy *p = load("[default]\nextra = medium\nextra.allow = @none\n"
				   "[exact]\nname = cache\nextra = high\n"
				   "[glob]\nname = c*\nextra = low\n"
				   "[two]\nname = d*\nruntime = docker\nextra = info\n"
				   "[one]\nname = d?\nextra = critical\n"
				   "[first]\nname = e*\nextra = low\n"
				   "[second]\nname = *e\nextra = high\n");

	named("cache", NULL);
	assert_int_equal(severity_of(p, "extra"), CA_SEV_HIGH);
	named("cold", NULL);
	assert_int_equal(severity_of(p, "extra"), CA_SEV_LOW);
	named("db", NULL);
	assert_int_equal(severity_of(p, "extra"), CA_SEV_INFO);
	named("ee", NULL);
	assert_int_equal(severity_of(p, "extra"), CA_SEV_HIGH);
	/* a name of no container matches no name */
	named(NULL, NULL);
	assert_int_equal(severity_of(p, "extra"), CA_SEV_MEDIUM);
	policy_free(p);
}

/* A process beyond what its runtime was told to grant: the container's configuration knows, /proc shows. */
static void beyond_configured(void **state)
{
	struct ca_policy *p = builtin();
	struct ca_verdict_item items[CA_RULES_MAX];
	const uint64_t told = CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_CHOWN);
	size_t n, i;

	/* as told: nothing */
	process(CA_RT_DOCKER, "nginx", told);
	subj.configured_known = true;
	subj.configured = told;
	assert_string_equal(rules(p, &subj), "");
	/* entered from the host: the host's every capability */
	process(CA_RT_DOCKER, "bash", HOST_BND);
	subj.configured_known = true;
	subj.configured = told;
	n = policy_eval(p, &subj, items);
	for (i = 0; i < n && strcmp(p->rules[items[i].rule].name, "beyond-configured") != 0; i++)
		;
	assert_true(i < n);
	assert_true(items[i].caps == (HOST_BND & ~told & caps_valid_mask(40)));
	assert_true(policy_fails(p, items[i].severity));
	/* a permitted set that kept what the bounding set lost */
	process(CA_RT_DOCKER, "nginx", told);
	st.caps.mask[CA_SET_PERMITTED] = told | CA_BIT(CAP_SYS_ADMIN);
	subj.configured_known = true;
	subj.configured = told;
	assert_string_equal(rules(p, &subj), "beyond-configured");
	/* an unread permitted set proves nothing; nor does a configuration not read */
	st.caps.known &= ~(1u << CA_SET_PERMITTED);
	assert_string_equal(rules(p, &subj), "");
	process(CA_RT_DOCKER, "bash", told | CA_BIT(CAP_SYS_ADMIN));
	subj.configured = told;
	assert_string_equal(rules(p, &subj), "cap-added");
	policy_free(p);
}

static void named_once_and_sets(void **state)
{
	struct ca_policy *p = load("[default]\n"
				   "raw = high\nraw.deny = NET_RAW SYS_ADMIN\n"
				   "extra = medium\nextra.allow = @none\n"
				   "now = critical\nnow.deny = SYS_MODULE\nnow.set = effective\n");
	struct ca_verdict_item items[CA_RULES_MAX];
	size_t n;

	process(CA_RT_DOCKER, "sh", CA_BIT(CAP_NET_RAW) | CA_BIT(CAP_KILL) | CA_BIT(CAP_SYS_MODULE));
	/* SYS_MODULE only in the bounding set: "now" judges the effective set */
	assert_string_equal(rules(p, &subj), "raw,extra");
	n = policy_eval(p, &subj, items);
	assert_int_equal(n, 2);
	assert_true(items[0].caps == CA_BIT(CAP_NET_RAW));
	assert_true(items[0].denied == CA_BIT(CAP_NET_RAW));
	assert_true(items[1].caps == (CA_BIT(CAP_KILL) | CA_BIT(CAP_SYS_MODULE)));
	st.caps.mask[CA_SET_EFFECTIVE] = CA_BIT(CAP_SYS_MODULE);
	assert_string_equal(rules(p, &subj), "now,raw,extra");
	/* an unread set judges nothing */
	st.caps.known = 1u << CA_SET_EFFECTIVE;
	assert_string_equal(rules(p, &subj), "now");
	policy_free(p);
}

static void fail_on(void **state)
{
	struct ca_policy *p = load("[default]\nfail-on = high\nx = medium\nx.deny = KILL\n");

	assert_false(policy_fails(p, CA_SEV_MEDIUM));
	assert_true(policy_fails(p, CA_SEV_HIGH));
	assert_int_equal(policy_severity_parse("critical"), CA_SEV_CRITICAL);
	assert_int_equal(policy_severity_parse("off"), -1);
	policy_free(p);
}

static void capability_names(void **state)
{
	struct ca_caplist l;

	assert_int_equal(caps_parse_name("NET_RAW"), CAP_NET_RAW);
	assert_int_equal(caps_parse_name("cap_net_raw"), CAP_NET_RAW);
	assert_int_equal(caps_parse_name("Cap_Net_Raw"), CAP_NET_RAW);
	assert_int_equal(caps_parse_name("cap_41"), 41);
	/* libcap would take these, and stop at the junk: a list must not lose a name */
	assert_int_equal(caps_parse_name("cap_sys_admin+ep"), -1);
	assert_int_equal(caps_parse_name("NET_ADMIN/SYS_ADMIN"), -1);
	assert_int_equal(caps_parse_name("net_raw-"), -1);
	assert_int_equal(caps_parse_name("41"), -1);
	assert_int_equal(caps_parse_name("NET_RAWW"), -1);
	assert_int_equal(caps_parse_name(""), -1);
	assert_true(preset_lookup("@k8s-baseline", &l) && !l.all && caps_count(l.mask) == 13 &&
		    !(l.mask & CA_BIT(CAP_NET_RAW)));
	assert_true(preset_lookup("@all", &l) && l.all);
	assert_false(preset_lookup("@docker", &l));
}

/* Out of memory, the built-in says so itself: no errno left over from something else. */
static void builtin_out_of_memory(void **state)
{
	struct ca_policy *p = (struct ca_policy *)1;
	struct ca_err err = { 0 };

	(void)state;
	errno = 0;
	calloc_fails = true;
	assert_int_equal(policy_builtin(&p, &err), -ENOMEM);
	calloc_fails = false;
	assert_null(p);
	assert_string_equal(err.msg, "the built-in policy: Cannot allocate memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_cis),
		cmocka_unit_test(builtin_out_of_memory),
		cmocka_unit_test(builtin_low_checks),
		cmocka_unit_test(precedence),
		cmocka_unit_test(by_workload),
		cmocka_unit_test(by_workload_ties),
		cmocka_unit_test(beyond_configured),
		cmocka_unit_test(named_once_and_sets),
		cmocka_unit_test(fail_on),
		cmocka_unit_test(capability_names),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
