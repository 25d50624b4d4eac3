/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container runtimes: their names and the capabilities each grants by default. */
#ifndef CAPAUDIT_RUNTIME_H
#define CAPAUDIT_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

enum ca_runtime {
	CA_RT_NONE,			/* a host process */
	CA_RT_DOCKER,
	CA_RT_PODMAN,
	CA_RT_CONTAINERD,
	CA_RT_CRIO,
	CA_RT_LXC,
	CA_RT_NSPAWN,
	CA_RT_RUNC,			/* runc run by hand: named by its state, /run/runc */
	CA_RT_CRUN,			/* crun run by hand: /run/crun */
	CA_RT_UNKNOWN,			/* containerised, but no runtime says so */
	CA_RT_COUNT
};

/**
 * runtime_name() - the name reports use ("docker", ..., "unknown"; "host").
 */
const char *runtime_name(enum ca_runtime rt);

/**
 * runtime_default_caps() - the capability set @rt grants a container that
 * asks for nothing, as upstream ships it. Returns false where the runtime
 * has no such default (LXC, nspawn, runc, crun, unknown).
 */
bool runtime_default_caps(enum ca_runtime rt, uint64_t *mask);

#endif
