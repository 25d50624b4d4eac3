/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Remediation: the fix for a finding, in the words of the runtime that runs the container. */
#ifndef CAPAUDIT_REMEDY_H
#define CAPAUDIT_REMEDY_H

#include <stdbool.h>
#include <stdint.h>

#include "caps.h"
#include "policy.h"
#include "runtime.h"

/**
 * remedy_text() - how to fix @check for a container of @rt (@in_pod: a
 * Kubernetes pod's), naming @caps where the check is about capabilities.
 * Returns a string the caller frees, or NULL with errno set.
 */
char *remedy_text(enum ca_check check, enum ca_runtime rt, bool in_pod, uint64_t caps,
		  const struct ca_capnames *names);

/**
 * remedy_least() - how to run a container of @rt (@in_pod: a Kubernetes
 * pod's) with the capabilities @least and no other: the runtime's own
 * flags or configuration, one or two lines into @lines, which the caller
 * frees. @held, what it holds now (where @held_known), is what a runtime
 * that cannot drop all and add back must drop. Returns the number of
 * lines, or -ENOMEM.
 */
int remedy_least(enum ca_runtime rt, bool in_pod, uint64_t least, uint64_t held, bool held_known,
		 const struct ca_capnames *names, char *lines[2]);

#endif
