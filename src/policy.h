/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A policy: rules and the sections that set them, as data; and the judge. */
#ifndef CAPAUDIT_POLICY_H
#define CAPAUDIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "cgroup.h"
#include "ns.h"
#include "runtime.h"
#include "status.h"
#include "util.h"

struct ca_workload;

enum ca_severity {
	CA_SEV_INFO,
	CA_SEV_LOW,
	CA_SEV_MEDIUM,
	CA_SEV_HIGH,
	CA_SEV_CRITICAL,
	CA_SEV_COUNT
};

/* What the judge can look at. Every rule of a policy uses one check. */
enum ca_check {
	CA_CHECK_CAPS,			/* allow and deny lists against one capability set */
	CA_CHECK_PRIVILEGED,		/* the set holds all the host holds below CAP_PERFMON */
	CA_CHECK_HOST_PID,		/* namespaces shared with the host */
	CA_CHECK_HOST_NET,
	CA_CHECK_HOST_IPC,
	CA_CHECK_HOST_UTS,
	CA_CHECK_HOST_USER,
	CA_CHECK_SECCOMP,		/* Seccomp: 0 */
	CA_CHECK_NO_NEW_PRIVS,		/* NoNewPrivs: 0 */
	CA_CHECK_ROOT,			/* uid 0 that no user namespace maps elsewhere */
	CA_CHECK_APPARMOR,		/* label "unconfined" */
	CA_CHECK_SELINUX,		/* type spc_t or unconfined_t */
	CA_CHECK_AMBIENT,		/* ambient capabilities */
	CA_CHECK_NONROOT_EFFECTIVE,	/* effective capabilities on a non-root process */
	CA_CHECK_THREADS,		/* a thread whose sets differ from its process's */
	CA_CHECK_CONFIGURED,		/* capabilities beyond what the runtime was told to grant */
	CA_CHECK_COUNT
};

#define CA_RULES_MAX 48
#define CA_RULE_NAME_MAX 40
#define CA_SECTION_NAME_MAX 50		/* Debian's inih cuts section names at 49 */

/* A capability list: names, presets, or @all (every bit the host has). */
struct ca_caplist {
	uint64_t mask;
	bool all;
};

/* One rule's settings in one section; a field counts only where its bit is set. */
enum {
	CFG_SEVERITY = 1u << 0,
	CFG_ALLOW = 1u << 1,
	CFG_DENY = 1u << 2,
	CFG_SET = 1u << 3,
};

struct ca_rule_cfg {
	unsigned has;
	bool off;
	enum ca_severity severity;
	struct ca_caplist allow;
	struct ca_caplist deny;
	enum ca_capset set;
};

struct ca_rule {
	char name[CA_RULE_NAME_MAX];	/* stable id: "net-raw" */
	char cis[8];			/* CIS Docker Benchmark 1.6.0 check, "" for none */
	enum ca_check check;
};

/* What a section selects; a section with none is [default]. */
enum {
	SEL_RUNTIME = 1u << 0,
	SEL_ID = 1u << 1,
	SEL_POD = 1u << 2,
	SEL_COMM = 1u << 3,
	/* what the runtime's own files say of a container (src/workload.h): globs */
	SEL_NAME = 1u << 4,
	SEL_IMAGE = 1u << 5,
	SEL_LABEL = 1u << 6,
	SEL_NAMESPACE = 1u << 7,
};
#define SEL_WORKLOAD (SEL_NAME | SEL_IMAGE | SEL_LABEL | SEL_NAMESPACE)
#define CA_PATTERN_MAX 200		/* a glob, as a policy line can hold it */

struct ca_section {
	char name[CA_SECTION_NAME_MAX];
	int line;
	unsigned select;
	enum ca_runtime runtime;
	char id[CA_ID_MAX];		/* a container id or a prefix of one */
	char pod[CA_POD_UID_MAX];
	char comm[CA_COMM_MAX + 1];
	char wl_name[CA_PATTERN_MAX];	/* the container's name */
	char image[CA_PATTERN_MAX];
	char label[CA_PATTERN_MAX];	/* "key=glob": the key exact, its value a glob */
	char k8s_namespace[CA_PATTERN_MAX];
	struct ca_rule_cfg cfg[CA_RULES_MAX];
};

struct ca_policy {
	char *source;			/* "built-in" or a path */
	enum ca_severity fail_on;
	struct ca_rule rules[CA_RULES_MAX];
	size_t nrules;
	struct ca_section *sections;	/* [0] is [default] */
	size_t nsections;
};

/* Everything the judge looks at for one process, with its container's context. */
struct ca_subject {
	enum ca_runtime runtime;
	const char *id;
	const char *pod;		/* "" outside Kubernetes */
	/* its names, where they may select a section (audit.c says when), or NULL */
	const struct ca_workload *workload;
	const struct ca_status *st;
	enum ca_tri shares[CA_NS_COUNT];	/* namespaces shared with the host */
	enum ca_tri userns_child;
	bool root_unmapped;		/* uid 0 inside is uid 0 on the host */
	const char *lsm;		/* AppArmor or SELinux label, NULL if unknown */
	enum ca_tri thread_differs;	/* with --threads */
	uint64_t host_bounding;
	unsigned last_cap;
	bool configured_known;		/* what its runtime was told to grant, where its files say */
	uint64_t configured;
};

/* One rule broken by one process. */
struct ca_verdict_item {
	size_t rule;			/* index into policy->rules */
	size_t section;			/* the most specific section that judged it */
	enum ca_severity severity;
	enum ca_capset set;
	uint64_t caps;			/* the capabilities that make it, for capability checks */
	uint64_t denied;		/* of which named by a deny list */
};

/**
 * policy_new_empty() - a policy with no rule and a [default] section.
 * Returns it, or NULL with errno set; free with policy_free().
 */
struct ca_policy *policy_new_empty(const char *source);

/**
 * policy_free() - release a policy.
 */
void policy_free(struct ca_policy *p);

/**
 * policy_builtin() - the built-in policy: CIS Docker Benchmark 5.4 and 5.5,
 * and the other checks /proc can prove at low severity. Returns 0 and *@out
 * (the caller's, for policy_free()), or a negative errno with @err saying
 * why and *@out NULL.
 */
int policy_builtin(struct ca_policy **out, struct ca_err *err);

/**
 * policy_severity_name() - "info", "low", "medium", "high" or "critical".
 */
const char *policy_severity_name(enum ca_severity sev);

/**
 * policy_severity_parse() - the severity named @s; returns -1 for none.
 */
int policy_severity_parse(const char *s);

/**
 * policy_check_name() - the fixed rule name of a check ("privileged"), NULL for CAPS.
 */
const char *policy_check_name(enum ca_check check);

/**
 * policy_check_cis() - the CIS check a built-in check implements, "" for none.
 */
const char *policy_check_cis(enum ca_check check);

/**
 * policy_find_rule() - the index of the rule named @name, or -1.
 */
int policy_find_rule(const struct ca_policy *p, const char *name);

/* The rules in force for one subject: its sections merged, most severe rule first. */
struct ca_resolved {
	struct ca_rule_cfg eff[CA_RULES_MAX];
	size_t order[CA_RULES_MAX];	/* the rules on, most severe first */
	size_t norder;
	size_t section;			/* the most specific section matched */
};

/**
 * policy_resolve() - match @s's sections and merge them into @r, as
 * policy_eval() does. What it gives depends on the container alone unless
 * policy_by_comm() says that the process name matters too.
 */
void policy_resolve(const struct ca_policy *p, const struct ca_subject *s, struct ca_resolved *r);

/**
 * policy_by_comm() - whether some section selects by process name, so that
 * processes of one container may have different rules in force.
 */
bool policy_by_comm(const struct ca_policy *p);

/**
 * policy_judge() - judge @s by the rules @r holds for it (policy_resolve()).
 * Returns the number of items written to @out, as policy_eval().
 */
size_t policy_judge(const struct ca_policy *p, const struct ca_resolved *r, const struct ca_subject *s,
		    struct ca_verdict_item *out);

/**
 * policy_eval() - judge one process.
 * Sections are matched by specificity (container id > pod > name > label >
 * image > namespace > runtime > default; a process name only narrows one of
 * these), the more specific overriding the less. Rules are applied most severe first, and a
 * capability is named by the first capability rule it breaks only.
 * Returns the number of items written to @out (room for one per rule).
 */
size_t policy_eval(const struct ca_policy *p, const struct ca_subject *s,
		   struct ca_verdict_item *out);

/**
 * policy_fails() - whether @sev is at or above the policy's fail-on.
 */
bool policy_fails(const struct ca_policy *p, enum ca_severity sev);

/**
 * policy_message() - the sentence a report shows for a finding
 * ("NET_RAW is not dropped from the bounding set"). @pids, the processes
 * that break it, are named where the rule is about processes rather than
 * the container (beyond-configured). Returns a string the caller frees, or
 * NULL with errno set.
 */
char *policy_message(const struct ca_policy *p, size_t rule, enum ca_capset set, uint64_t caps,
		     uint64_t denied, const pid_t *pids, size_t npids, const struct ca_capnames *names);

#endif
