/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Presets: the default sets of runtimes and Kubernetes' Pod Security levels, as data. */
#include "config.h"

#include <string.h>
#include <linux/capability.h>

#include "preset.h"
#include "runtime.h"

/* Pod Security Standards, baseline: docker's defaults without NET_RAW. */
#define K8S_BASELINE                                                               \
	(CA_BIT(CAP_AUDIT_WRITE) | CA_BIT(CAP_CHOWN) | CA_BIT(CAP_DAC_OVERRIDE) |  \
	 CA_BIT(CAP_FOWNER) | CA_BIT(CAP_FSETID) | CA_BIT(CAP_KILL) | CA_BIT(CAP_MKNOD) | \
	 CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_SETFCAP) | CA_BIT(CAP_SETGID) |  \
	 CA_BIT(CAP_SETPCAP) | CA_BIT(CAP_SETUID) | CA_BIT(CAP_SYS_CHROOT))

bool preset_lookup(const char *name, struct ca_caplist *out)
{
	uint64_t mask = 0;

	out->all = false;
	if (strcmp(name, "@docker-default") == 0)
		runtime_default_caps(CA_RT_DOCKER, &mask);
	else if (strcmp(name, "@containerd-default") == 0)
		runtime_default_caps(CA_RT_CONTAINERD, &mask);
	else if (strcmp(name, "@podman-default") == 0)
		runtime_default_caps(CA_RT_PODMAN, &mask);
	else if (strcmp(name, "@crio-default") == 0)
		runtime_default_caps(CA_RT_CRIO, &mask);
	else if (strcmp(name, "@k8s-baseline") == 0)
		mask = K8S_BASELINE;
	else if (strcmp(name, "@k8s-restricted") == 0)
		mask = CA_BIT(CAP_NET_BIND_SERVICE);
	else if (strcmp(name, "@none") == 0)
		mask = 0;
	else if (strcmp(name, "@all") == 0)
		out->all = true;
	else
		return false;
	out->mask = mask;
	return true;
}
