/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capability checks that are not needs: probes the kernel makes to choose
 * between two outcomes that both succeed, recognised by the kernel
 * functions on their call path. Rules as data, the kernel's reason beside
 * each (capaudit(8), NOISE, lists them).
 */
#ifndef CAPAUDIT_NOISE_H
#define CAPAUDIT_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel functions that called cap_capable(), innermost first, as a tracer resolved them. */
#define CA_STACK_MAX 32
struct ca_stack {
	unsigned id;			/* the tracer's: one per distinct call path, from 1 */
	unsigned n;
	const char *fn[CA_STACK_MAX];	/* NULL where the address named no function */
};

struct ca_noise_rule {
	const char *name;		/* stable: JSON and CAPAUDIT_DEBUG=learn say it */
	int cap;			/* the capability it is about, or -1 for any */
	const char *fn;			/* a function on the call path */
	const char *also;		/* and this one too, anywhere on the path, or NULL */
	const char *unless;		/* but not where this one is on the path, or NULL */
	bool denied_only;		/* only a denied check: a granted one is a need */
	const char *why;		/* what the probe decides, and where */
};

/**
 * noise_rules() - the table, and in *@n its length. The table is static.
 */
const struct ca_noise_rule *noise_rules(size_t *n);

/**
 * noise_names() - of the rows @rows (a bit per row of noise_rules()), the
 * first row of each name: the rules that matched, each named once, as the
 * reports give them.
 */
uint64_t noise_names(uint64_t rows);

/**
 * noise_classify() - the rule that makes a check of @cap along @stack,
 * @granted or not, a probe rather than a need: its index in noise_rules(),
 * or -1 for a need.
 */
int noise_classify(const struct ca_stack *stack, int cap, bool granted);

#endif
