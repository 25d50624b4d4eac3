/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What changed between two audits of a host: containers, processes, bounds and findings. */
#ifndef CAPAUDIT_DIFF_H
#define CAPAUDIT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "host.h"
#include "policy.h"
#include "scan.h"

/* One side of a diff: a scan, its audit, the policy that judged it, the host it shows. The caller's. */
struct ca_diff_side {
	const char *source;		/* "live", a snapshot or a directory, as named */
	const char *when;		/* UTC, "2026-12-03T07:26:44Z"; "" where unknown */
	const struct ca_host_ident *ident;
	const struct ca_scan *scan;	/* read with ca_scan_opts.identity */
	const struct ca_audit *audit;
	const struct ca_policy *policy;
};

enum ca_change {
	CA_CHANGE_APPEARED,		/* in NEW only */
	CA_CHANGE_GONE,			/* in OLD only */
	CA_CHANGE_CHANGED,		/* in both, and different */
};

/* What changed of a process, bits of ca_proc_change.what: a set's own bit, then these. */
enum {
	DIFF_SETS = (1u << CA_SET_COUNT) - 1,	/* bit (1u << set): that capability set */
	DIFF_NO_NEW_PRIVS = 1u << 8,
	DIFF_SECCOMP = 1u << 9,
	DIFF_USERNS = 1u << 10,
};

struct ca_proc_change {
	enum ca_change kind;
	const struct ca_proc *old;	/* NULL where it appeared */
	const struct ca_proc *new;	/* NULL where it is gone */
	unsigned what;			/* CHANGED: DIFF_* */
};

/* What changed of a container, bits of ca_container_change.what. */
enum {
	DIFF_BOUNDING = 1u << 0,	/* the union of its bounding sets */
	DIFF_VERDICT = 1u << 1,
	DIFF_CONTAINER_USERNS = 1u << 2,	/* whether its user namespace is the host's, and what root maps to */
	DIFF_PROCESSES = 1u << 3,	/* a process appeared, went or changed */
};

struct ca_container_change {
	enum ca_change kind;
	size_t old, new;		/* into each side's scan and audit; SIZE_MAX where it has none */
	unsigned what;			/* CHANGED: DIFF_BOUNDING... */
	uint64_t bound_grew;		/* DIFF_BOUNDING: in NEW's bounding sets, not OLD's */
	uint64_t bound_lost;
	struct ca_proc_change *procs;	/* CHANGED: by pid, OLD's before NEW's of the same pid */
	size_t nprocs;
	size_t unmatched;		/* pids on both sides whose start time one side lacks: not compared */
};

/* A finding NEW holds and OLD did not, or the reverse. */
struct ca_finding_change {
	bool resolved;			/* OLD's, gone in NEW; else NEW's, new */
	size_t container;		/* into that side's scan and audit */
	const struct ca_finding *f;	/* on that side */
	uint64_t caps;			/* capability checks: the capabilities new (or resolved) */
	bool failing;			/* by that side's policy */
};

struct ca_diff_summary {
	size_t appeared, gone, changed;	/* containers */
	size_t procs_appeared, procs_gone, procs_changed, unmatched;
	size_t findings_new, findings_resolved;
	size_t new_failing;		/* new findings that fail: the exit status */
};

struct ca_diff {
	struct ca_container_change *containers;	/* by runtime, then id */
	size_t ncontainers;
	struct ca_finding_change *findings;	/* new ones, then resolved ones, by container */
	size_t nfindings;
	struct ca_diff_summary summary;
	bool hosts_differ;		/* both hostnames known, and not the same */
	bool boots_differ;		/* both boot ids known, and not the same: no process is on both sides */
	bool policies_differ;		/* as policy show prints them */
};

/**
 * diff_run() - what changed from @old to @new, into @out. Containers are
 * the same by runtime and id; processes by pid and start time, never by
 * pid alone, and none across two boots; findings by container, rule and
 * capability set, a capability check's new capabilities a new finding of
 * their own. Pure: neither side is changed. Returns 0 or -ENOMEM; free
 * @out with diff_free(), also after a failure.
 */
int diff_run(const struct ca_diff_side *old, const struct ca_diff_side *new, struct ca_diff *out);

/**
 * diff_free() - release what diff_run() allocated in @d and clear it.
 */
void diff_free(struct ca_diff *d);

/**
 * diff_change_name() - "appeared", "gone" or "changed".
 */
const char *diff_change_name(enum ca_change kind);

#endif
