/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Presets: the default sets of runtimes and Kubernetes' Pod Security levels, as data. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

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

int preset_cap_parse(const char *name)
{
	char buf[64];
	cap_value_t v;
	char *canon;
	bool ok;
	size_t i, n = strlen(name);
	unsigned long bit;
	char *end;

	if (n == 0 || n + 5 > sizeof(buf) || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return -1;
	/* libcap wants "cap_net_raw": add the prefix where missing, lower the case. */
	if (strncasecmp(name, "cap_", 4) == 0)
		snprintf(buf, sizeof(buf), "%s", name);
	else
		snprintf(buf, sizeof(buf), "cap_%s", name);
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	/* "cap_41": a bit libcap has no name for, as capaudit's reports spell it. */
	if (isdigit((unsigned char)buf[4])) {
		if (strncasecmp(name, "cap_", 4) != 0)
			return -1;
		bit = strtoul(buf + 4, &end, 10);
		return *end == '\0' && bit < CA_CAP_MAX ? (int)bit : -1;
	}
	/* libcap also takes "cap_net_raw+ep" and stops at junk: insist on its own spelling. */
	if (cap_from_name(buf, &v) < 0 || v < 0 || v >= CA_CAP_MAX)
		return -1;
	canon = cap_to_name(v);
	ok = canon && strcmp(canon, buf) == 0;
	if (canon)
		cap_free(canon);
	return ok ? (int)v : -1;
}
