/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtimes capaudit knows, as data. */
#include "config.h"

#include <linux/capability.h>

#include "caps.h"
#include "runtime.h"

/* moby's oci/caps/defaults.go; containerd's oci.defaultUnixCaps() is the same. */
#define DOCKER_DEFAULT_CAPS                                                        \
	(CA_BIT(CAP_CHOWN) | CA_BIT(CAP_DAC_OVERRIDE) | CA_BIT(CAP_FSETID) |       \
	 CA_BIT(CAP_FOWNER) | CA_BIT(CAP_MKNOD) | CA_BIT(CAP_NET_RAW) |            \
	 CA_BIT(CAP_SETGID) | CA_BIT(CAP_SETUID) | CA_BIT(CAP_SETFCAP) |           \
	 CA_BIT(CAP_SETPCAP) | CA_BIT(CAP_NET_BIND_SERVICE) |                      \
	 CA_BIT(CAP_SYS_CHROOT) | CA_BIT(CAP_KILL) | CA_BIT(CAP_AUDIT_WRITE))

/* default_capabilities of Debian 12's /usr/share/containers/containers.conf. */
#define PODMAN_DEFAULT_CAPS                                                        \
	(CA_BIT(CAP_CHOWN) | CA_BIT(CAP_DAC_OVERRIDE) | CA_BIT(CAP_FOWNER) |       \
	 CA_BIT(CAP_FSETID) | CA_BIT(CAP_KILL) | CA_BIT(CAP_NET_BIND_SERVICE) |    \
	 CA_BIT(CAP_SETFCAP) | CA_BIT(CAP_SETGID) | CA_BIT(CAP_SETPCAP) |          \
	 CA_BIT(CAP_SETUID) | CA_BIT(CAP_SYS_CHROOT))

/* CRI-O's default_capabilities (crio.conf). */
#define CRIO_DEFAULT_CAPS                                                          \
	(CA_BIT(CAP_CHOWN) | CA_BIT(CAP_DAC_OVERRIDE) | CA_BIT(CAP_FSETID) |       \
	 CA_BIT(CAP_FOWNER) | CA_BIT(CAP_SETGID) | CA_BIT(CAP_SETUID) |            \
	 CA_BIT(CAP_SETPCAP) | CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_KILL))

static const struct {
	const char *name;
	bool has_default;
	uint64_t default_caps;
} runtimes[CA_RT_COUNT] = {
	[CA_RT_NONE] = { "host", false, 0 },
	[CA_RT_DOCKER] = { "docker", true, DOCKER_DEFAULT_CAPS },
	[CA_RT_PODMAN] = { "podman", true, PODMAN_DEFAULT_CAPS },
	[CA_RT_CONTAINERD] = { "containerd", true, DOCKER_DEFAULT_CAPS },
	[CA_RT_CRIO] = { "crio", true, CRIO_DEFAULT_CAPS },
	[CA_RT_LXC] = { "lxc", false, 0 },
	[CA_RT_NSPAWN] = { "nspawn", false, 0 },
	/* a bundle's config.json says it all: runc and crun add nothing of their own */
	[CA_RT_RUNC] = { "runc", false, 0 },
	[CA_RT_CRUN] = { "crun", false, 0 },
	[CA_RT_UNKNOWN] = { "unknown", false, 0 },
};

const char *runtime_name(enum ca_runtime rt)
{
	return rt < CA_RT_COUNT ? runtimes[rt].name : "?";
}

bool runtime_default_caps(enum ca_runtime rt, uint64_t *mask)
{
	if (rt >= CA_RT_COUNT || !runtimes[rt].has_default)
		return false;
	*mask = runtimes[rt].default_caps;
	return true;
}
