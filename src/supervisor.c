/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A pure parser of supervisors' command lines. */
#include "config.h"

#include <string.h>

#include "supervisor.h"

/* comm is cut at 15 bytes: "containerd-shim-runc-v2" reads "containerd-shim". */
static const struct {
	const char *comm;
	bool prefix;
	enum ca_sup_kind kind;
} names[] = {
	{ "conmon", false, CA_SUP_CONMON },
	{ "containerd-shim", true, CA_SUP_SHIM },
	{ "lxc-start", false, CA_SUP_LXC },
	{ "systemd-nspawn", false, CA_SUP_NSPAWN },
};

enum ca_sup_kind supervisor_kind(const char *comm)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].comm);

		if (names[i].prefix ? strncmp(comm, names[i].comm, n) == 0
				    : strcmp(comm, names[i].comm) == 0)
			return names[i].kind;
	}
	return CA_SUP_NONE;
}

struct args {
	const char *v[256];
	size_t n;
};

/* Split a NUL-separated command line; a last argument without its NUL counts too. */
static void split(const char *buf, size_t len, struct args *a)
{
	const char *p = buf, *end = buf + len;

	a->n = 0;
	while (p < end && a->n < sizeof(a->v) / sizeof(a->v[0])) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul)
			break;		/* cut short: not trusted */
		a->v[a->n++] = p;
		p = nul + 1;
	}
}

static bool set(char *out, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CA_ID_MAX)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

/* The value of option @shortopt / @longopt: "-c ID", "-cID", "--cid=ID", "--cid ID". */
static const char *option(const struct args *a, const char *shortopt, const char *longopt)
{
	size_t i, ls = shortopt ? strlen(shortopt) : 0, ll = longopt ? strlen(longopt) : 0;

	for (i = 1; i < a->n; i++) {
		const char *s = a->v[i];

		if (strcmp(s, "--") == 0)
			break;
		if (shortopt && strcmp(s, shortopt) == 0)
			return i + 1 < a->n ? a->v[i + 1] : NULL;
		if (longopt && strcmp(s, longopt) == 0)
			return i + 1 < a->n ? a->v[i + 1] : NULL;
		if (longopt && strncmp(s, longopt, ll) == 0 && s[ll] == '=')
			return s + ll + 1;
		if (shortopt && shortopt[1] != '-' && ls == 2 && strncmp(s, shortopt, 2) == 0 && s[2])
			return s + 2;
	}
	return NULL;
}

/* "[lxc monitor] /var/lib/lxc web": LXC rewrites its argv as one string. */
static bool parse_lxc(const char *buf, size_t len, struct ca_supervisor *out)
{
	static const char tag[] = "[lxc monitor] ";
	const char *end, *sp;
	char line[2 * CA_ID_MAX];
	size_t n;

	if (len < sizeof(tag) || memcmp(buf, tag, sizeof(tag) - 1) != 0)
		return false;
	end = memchr(buf, '\0', len);
	n = end ? (size_t)(end - buf) : len;
	if (n >= sizeof(line))
		return false;
	memcpy(line, buf, n);
	line[n] = '\0';
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	sp = strrchr(line + sizeof(tag) - 1, ' ');
	return sp && set(out->id, sp + 1);
}

bool supervisor_parse(enum ca_sup_kind kind, const char *cmdline, size_t len,
		      struct ca_supervisor *out)
{
	struct args a;
	const char *id, *ns;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (kind == CA_SUP_LXC) {
		out->runtime = CA_RT_LXC;
		return parse_lxc(cmdline, len, out);
	}
	split(cmdline, len, &a);
	switch (kind) {
	case CA_SUP_CONMON:
		out->runtime = CA_RT_PODMAN;
		id = option(&a, "-c", "--cid");
		return id && set(out->id, id);
	case CA_SUP_SHIM:
		id = option(&a, NULL, "-id");
		ns = option(&a, NULL, "-namespace");
		if (!id || !ns || !set(out->id, id) || !set(out->ns, ns))
			return false;
		/* dockerd keeps its containers in containerd's "moby" namespace. */
		out->runtime = strcmp(ns, "moby") == 0 ? CA_RT_DOCKER : CA_RT_CONTAINERD;
		return true;
	case CA_SUP_NSPAWN:
		out->runtime = CA_RT_NSPAWN;
		id = option(&a, "-M", "--machine");
		if (!id) {
			/* Without -M, nspawn names the machine after its directory. */
			const char *dir = option(&a, "-D", "--directory"), *slash;
			char tmp[CA_ID_MAX];
			size_t n;

			if (!dir || (n = strlen(dir)) >= sizeof(tmp))
				return false;
			memcpy(tmp, dir, n + 1);
			while (n > 1 && tmp[n - 1] == '/')
				tmp[--n] = '\0';
			slash = strrchr(tmp, '/');
			return set(out->id, slash ? slash + 1 : tmp);
		}
		return set(out->id, id);
	case CA_SUP_LXC:
	case CA_SUP_NONE:
		break;
	}
	return false;
}
