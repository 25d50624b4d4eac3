/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability masks and names; libcap owns the spelling of every name. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "caps.h"
#include "util.h"

static const char *const set_names[CA_SET_COUNT] = {
	[CA_SET_EFFECTIVE] = "effective",
	[CA_SET_PERMITTED] = "permitted",
	[CA_SET_INHERITABLE] = "inheritable",
	[CA_SET_BOUNDING] = "bounding",
	[CA_SET_AMBIENT] = "ambient",
};

static void cap_freep(char **p)
{
	if (*p)
		cap_free(*p);
}

const char *caps_set_name(enum ca_capset set)
{
	return set < CA_SET_COUNT ? set_names[set] : "?";
}

bool caps_set_is_known(const struct ca_capsets *sets, enum ca_capset set)
{
	return sets->known & (1u << set);
}

int caps_last_cap_parse(const char *buf, size_t len, unsigned *last)
{
	unsigned long v = 0;
	size_t i;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len > 3)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)buf[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(buf[i] - '0');
	}
	if (v >= CA_CAP_MAX)
		return -ERANGE;
	*last = (unsigned)v;
	return 0;
}

uint64_t caps_valid_mask(unsigned last_cap)
{
	if (last_cap >= CA_CAP_MAX - 1)
		return UINT64_MAX;
	return (UINT64_C(1) << (last_cap + 1)) - 1;
}

int caps_names_init(struct ca_capnames *names, unsigned last_cap)
{
	unsigned bit;

	if (last_cap >= CA_CAP_MAX)
		return -ERANGE;
	memset(names, 0, sizeof(*names));
	names->last_cap = last_cap;
	for (bit = 0; bit < CA_CAP_MAX; bit++) {
		_cleanup_(cap_freep) char *s = NULL;
		const char *p;

		if (bit > last_cap) {
			snprintf(names->name[bit], CA_CAPNAME_MAX, "cap_%u", bit);
			continue;
		}
		s = cap_to_name((cap_value_t)bit);
		if (!s)
			return -ENOMEM;
		/* libcap spells a bit it has no name for as its number. */
		for (p = s; *p && isdigit((unsigned char)*p); p++)
			;
		if (*p == '\0' || strlen(s) >= CA_CAPNAME_MAX)
			snprintf(names->name[bit], CA_CAPNAME_MAX, "cap_%u", bit);
		else
			memcpy(names->name[bit], s, strlen(s) + 1);
	}
	return 0;
}

const char *caps_name(const struct ca_capnames *names, unsigned bit)
{
	return bit < CA_CAP_MAX ? names->name[bit] : "?";
}

char *caps_join(const struct ca_capnames *names, uint64_t mask, const char *sep)
{
	size_t seplen = strlen(sep), len = 0, n;
	char *out, *p;
	unsigned bit;

	mask &= caps_valid_mask(names->last_cap);
	for (bit = 0; bit < CA_CAP_MAX; bit++)
		if (mask & CA_BIT(bit))
			len += strlen(names->name[bit]) + seplen;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	p = out;
	for (bit = 0; bit < CA_CAP_MAX; bit++) {
		const char *s = names->name[bit];

		if (!(mask & CA_BIT(bit)))
			continue;
		if (p != out) {
			memcpy(p, sep, seplen);
			p += seplen;
		}
		/* "cap_41", a bit libcap cannot name, keeps its prefix: "41" is no name. */
		if (strncmp(s, "cap_", 4) == 0 && !isdigit((unsigned char)s[4]))
			s += 4;
		for (n = 0; s[n]; n++)
			*p++ = (char)toupper((unsigned char)s[n]);
	}
	*p = '\0';
	return out;
}

unsigned caps_count(uint64_t mask)
{
	return (unsigned)__builtin_popcountll(mask);
}

/*
 * The one definition of "privileged" (the policy's privileged check) and of
 * "ALL" (every report). It stops below CAP_PERFMON (bit 38): CAP_PERFMON,
 * CAP_BPF (Linux 5.8) and CAP_CHECKPOINT_RESTORE (5.9) were split out of
 * CAP_SYS_ADMIN, which still grants their powers (the kernel's
 * perfmon_capable(), bpf_capable() and checkpoint_restore_ns_capable()
 * accept CAP_SYS_ADMIN), and a runtime built before them gives --privileged
 * only the capabilities it knows: docker 20.10's set stops at
 * CAP_AUDIT_READ. It is judged against the host's own bounding set, never
 * against every bit up to cap_last_cap: no container holds more than its
 * host, so a host that lacks one (Firecracker VMs lack CAP_SYS_RESOURCE)
 * would otherwise make every container unprivileged.
 */
uint64_t caps_privileged_mask(uint64_t host_bounding)
{
	return host_bounding & (CA_BIT(CAP_PERFMON) - 1);
}

bool caps_is_privileged(uint64_t mask, uint64_t host_bounding)
{
	uint64_t want = caps_privileged_mask(host_bounding);

	return want && (mask & want) == want;
}

int caps_parse_name(const char *name)
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

const char *caps_word(unsigned bit, char word[CA_CAPNAME_MAX])
{
	_cleanup_(cap_freep) char *s = bit < CA_CAP_MAX ? cap_to_name((cap_value_t)bit) : NULL;
	size_t i;

	/* libcap spells a bit it has no name for as its number: "cap_41", as reports do */
	if (!s || strncmp(s, "cap_", 4) != 0)
		snprintf(word, CA_CAPNAME_MAX, "cap_%u", bit);
	else
		snprintf(word, CA_CAPNAME_MAX, "%s", s + 4);
	for (i = 0; word[i] && strncmp(word, "cap_", 4) != 0; i++)
		word[i] = (char)toupper((unsigned char)word[i]);
	return word;
}
