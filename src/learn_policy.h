/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy learning writes (learn --policy-out): the policy in force,
 * and for each container learned a section, by its name where its runtime
 * names it, that holds it to its least set.
 */
#ifndef CAPAUDIT_LEARN_POLICY_H
#define CAPAUDIT_LEARN_POLICY_H

#include "learnrun.h"
#include "policy.h"
#include "userfile.h"
#include "util.h"

/* The rule each learned section sets: capabilities beyond the least set. */
#define CA_LEAST_RULE "least-set"

/**
 * learn_policy_build() - @base with the rule CA_LEAST_RULE (off in
 * [default]) and a section for each container of @run: CA_LEAST_RULE on at
 * @base's fail-on, allowing exactly its least set in the bounding set, and
 * every other capability rule of @base that would fail that set relaxed for
 * those capabilities alone, so that the container restarted with its least
 * set passes. A section of @base that selects the same container is
 * replaced. Returns 0 and *@out (the caller's, for policy_free()), or a
 * negative errno with @err saying why.
 */
int learn_policy_build(const struct ca_policy *base, const struct ca_learn_run *run, struct ca_policy **out,
		       struct ca_err *err);

/**
 * learn_policy_write() - @p into @out as `policy show` writes it, committed
 * (renamed into place) only after it has been read back as `policy check`
 * reads a file: what capaudit writes, it accepts. Returns 0, or a negative
 * errno with @err saying why.
 */
int learn_policy_write(const struct ca_policy *p, struct ca_output *out, struct ca_err *err);

#endif
