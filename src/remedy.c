/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fix for each check, per runtime, as data. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remedy.h"
#include "util.h"

/* How a runtime spells a list of capabilities in its fix. */
enum style {
	NONE,			/* the fix names no capability */
	FLAGS,			/* "--cap-drop=NET_RAW --cap-drop=SYS_ADMIN" */
	CTR_FLAGS,		/* "--cap-drop CAP_NET_RAW --cap-drop CAP_SYS_ADMIN" */
	YAML,			/* "[NET_RAW, SYS_ADMIN]" */
	LXC,			/* "net_raw sys_admin" */
	CAP_WORDS,		/* "CAP_NET_RAW CAP_SYS_ADMIN" */
	COMMA,			/* "NET_RAW,SYS_ADMIN" */
	ADD_FLAGS,		/* "--cap-add=NET_RAW --cap-add=SYS_ADMIN" */
	JSON,			/* "[\"CAP_NET_RAW\", \"CAP_SYS_ADMIN\"]" */
};

/* Runtimes as the table below has them: a Kubernetes pod's fix is its securityContext. */
enum who {
	W_DOCKER,
	W_PODMAN,
	W_CTR,
	W_K8S,
	W_CRIO,
	W_LXC,
	W_NSPAWN,
	W_OTHER,
	W_COUNT
};

struct fix {
	enum style style;
	const char *text;	/* one %s where the capabilities go, if style is not NONE */
};

#define CAPS_FIX(d, p, c, k, o, l, n, u)                                           \
	{ { FLAGS, d }, { FLAGS, p }, { CTR_FLAGS, c }, { YAML, k }, { YAML, o },   \
	  { LXC, l }, { CAP_WORDS, n }, { CAP_WORDS, u } }

static const struct fix fixes[CA_CHECK_COUNT][W_COUNT] = {
	[CA_CHECK_CAPS] = CAPS_FIX(
		"docker run %s (compose: cap_drop)",
		"podman run %s, or leave them out of default_capabilities in containers.conf",
		"ctr run %s",
		"securityContext.capabilities.drop: %s",
		"securityContext.capabilities.drop: %s, or leave them out of default_capabilities in crio.conf",
		"lxc.cap.drop = %s",
		"DropCapability=%s in the .nspawn file (--drop-capability=)",
		"drop %s from the container's bounding set"),
	[CA_CHECK_PRIVILEGED] = {
		{ NONE, "docker run without --privileged; --cap-add only what it needs" },
		{ NONE, "podman run without --privileged; --cap-add only what it needs" },
		{ NONE, "ctr run without --privileged; --cap-add only what it needs" },
		{ NONE, "securityContext.privileged: false; capabilities.add only what it needs" },
		{ NONE, "securityContext.privileged: false; capabilities.add only what it needs" },
		{ NONE, "lxc.cap.keep only what it needs, or an unprivileged container (lxc.idmap)" },
		{ NONE, "--capability= only what it needs, and --private-users=pick" },
		{ NONE, "start it with only the capabilities it needs" },
	},
	[CA_CHECK_HOST_PID] = {
		{ NONE, "docker run without --pid=host" }, { NONE, "podman run without --pid=host" },
		{ NONE, "ctr run without --with-ns pid:/proc/1/ns/pid" },
		{ NONE, "hostPID: false" }, { NONE, "hostPID: false" },
		{ NONE, "remove lxc.namespace.share.pid" }, { NONE, "nspawn always gives a pid namespace: check how it was started" },
		{ NONE, "start it in a pid namespace of its own" },
	},
	[CA_CHECK_HOST_NET] = {
		{ NONE, "docker run without --network=host" }, { NONE, "podman run without --network=host" },
		{ NONE, "ctr run without --net-host" }, { NONE, "hostNetwork: false" }, { NONE, "hostNetwork: false" },
		{ NONE, "lxc.net.0.type = empty or veth, not none" }, { NONE, "--private-network or --network-veth" },
		{ NONE, "start it in a network namespace of its own" },
	},
	[CA_CHECK_HOST_IPC] = {
		{ NONE, "docker run without --ipc=host" }, { NONE, "podman run without --ipc=host" },
		{ NONE, "ctr run without --with-ns ipc:" }, { NONE, "hostIPC: false" }, { NONE, "hostIPC: false" },
		{ NONE, "remove lxc.namespace.share.ipc" }, { NONE, "do not share the host's IPC namespace" },
		{ NONE, "start it in an IPC namespace of its own" },
	},
	[CA_CHECK_HOST_UTS] = {
		{ NONE, "docker run without --uts=host" }, { NONE, "podman run without --uts=host" },
		{ NONE, "ctr run without --with-ns uts:" }, { NONE, "hostNetwork: false (pods share UTS with it)" },
		{ NONE, "hostNetwork: false (pods share UTS with it)" }, { NONE, "remove lxc.namespace.share.uts" },
		{ NONE, "do not share the host's UTS namespace" }, { NONE, "start it in a UTS namespace of its own" },
	},
	[CA_CHECK_HOST_USER] = {
		{ NONE, "enable userns-remap in /etc/docker/daemon.json, or run docker rootless" },
		{ NONE, "podman run --userns=auto, or run podman rootless" },
		{ NONE, "ctr run --uidmap/--gidmap" }, { NONE, "hostUsers: false" }, { NONE, "hostUsers: false" },
		{ NONE, "an unprivileged container: lxc.idmap" }, { NONE, "--private-users=pick" },
		{ NONE, "start it in a user namespace of its own" },
	},
	[CA_CHECK_SECCOMP] = {
		{ NONE, "docker run without --security-opt seccomp=unconfined" },
		{ NONE, "podman run without --security-opt seccomp=unconfined" },
		{ NONE, "ctr run --seccomp" },
		{ NONE, "securityContext.seccompProfile.type: RuntimeDefault" },
		{ NONE, "securityContext.seccompProfile.type: RuntimeDefault" },
		{ NONE, "lxc.seccomp.profile" }, { NONE, "SystemCallFilter= in the .nspawn file" },
		{ NONE, "give it a seccomp filter" },
	},
	[CA_CHECK_NO_NEW_PRIVS] = {
		{ NONE, "docker run --security-opt no-new-privileges" },
		{ NONE, "podman run --security-opt no-new-privileges" },
		{ NONE, "ctr runs with NoNewPrivs by default: check the spec's noNewPrivileges" },
		{ NONE, "securityContext.allowPrivilegeEscalation: false" },
		{ NONE, "securityContext.allowPrivilegeEscalation: false" },
		{ NONE, "lxc.no_new_privs = 1" }, { NONE, "--no-new-privileges=yes" },
		{ NONE, "set no_new_privs (prctl PR_SET_NO_NEW_PRIVS)" },
	},
	[CA_CHECK_ROOT] = {
		{ NONE, "docker run --user UID, or userns-remap" }, { NONE, "podman run --user UID, or rootless" },
		{ NONE, "ctr run --user UID" }, { NONE, "securityContext.runAsNonRoot: true" },
		{ NONE, "securityContext.runAsNonRoot: true" }, { NONE, "an unprivileged container: lxc.idmap" },
		{ NONE, "--private-users=pick, or --user=" }, { NONE, "run it as a user other than root" },
	},
	[CA_CHECK_APPARMOR] = {
		{ NONE, "docker run without --security-opt apparmor=unconfined" },
		{ NONE, "podman run without --security-opt apparmor=unconfined" },
		{ NONE, "ctr run --apparmor-default-profile" },
		{ NONE, "securityContext.appArmorProfile.type: RuntimeDefault" },
		{ NONE, "securityContext.appArmorProfile.type: RuntimeDefault" },
		{ NONE, "lxc.apparmor.profile = generated" }, { NONE, "an AppArmor profile for systemd-nspawn" },
		{ NONE, "confine it with an AppArmor profile" },
	},
	[CA_CHECK_SELINUX] = {
		{ NONE, "docker run without --security-opt label=disable or label=type:spc_t" },
		{ NONE, "podman run without --security-opt label=disable or --privileged" },
		{ NONE, "run it with a container_t label" },
		{ NONE, "securityContext.seLinuxOptions: a container_t type, not spc_t" },
		{ NONE, "securityContext.seLinuxOptions: a container_t type, not spc_t" },
		{ NONE, "lxc.selinux.context with a confined type" }, { NONE, "--selinux-context= with a confined type" },
		{ NONE, "run it with a confined SELinux type" },
	},
	[CA_CHECK_AMBIENT] = {
		{ COMMA, "do not raise ambient capabilities (%s): no AmbientCapabilities=, capsh --addamb" },
		{ COMMA, "do not raise ambient capabilities (%s): no AmbientCapabilities=, capsh --addamb" },
		{ COMMA, "remove %s from the spec's process.capabilities.ambient" },
		{ COMMA, "do not raise ambient capabilities (%s)" },
		{ COMMA, "remove %s from ambient capabilities (add_inheritable_capabilities in crio.conf)" },
		{ COMMA, "do not raise ambient capabilities (%s)" },
		{ COMMA, "AmbientCapability= without %s" },
		{ COMMA, "do not raise ambient capabilities (%s)" },
	},
	[CA_CHECK_NONROOT_EFFECTIVE] = {
		{ COMMA, "a non-root user should hold no capability (%s): remove file capabilities (setcap -r)" },
		{ COMMA, "a non-root user should hold no capability (%s): remove file capabilities (setcap -r)" },
		{ COMMA, "a non-root user should hold no capability (%s): remove file capabilities (setcap -r)" },
		{ COMMA, "a non-root user should hold no capability (%s): drop them in securityContext.capabilities" },
		{ COMMA, "a non-root user should hold no capability (%s): drop them in securityContext.capabilities" },
		{ COMMA, "a non-root user should hold no capability (%s): remove file capabilities (setcap -r)" },
		{ COMMA, "a non-root user should hold no capability (%s): remove file capabilities (setcap -r)" },
		{ COMMA, "a non-root user should hold no capability (%s): remove file capabilities (setcap -r)" },
	},
	[CA_CHECK_THREADS] = {
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
		{ NONE, "a thread changed its own sets (capset): find out which, and why" },
	},
	/* not a setting to change: a way in to find */
	[CA_CHECK_CONFIGURED] = {
		{ NONE, "find how those pids got them: docker exec --privileged, or a process entered from the host (nsenter)" },
		{ NONE, "find how those pids got them: podman exec --privileged, or a process entered from the host (nsenter)" },
		{ NONE, "find how those pids got them: ctr task exec, or a process entered from the host (nsenter)" },
		{ NONE, "find how those pids got them: a privileged debug container, or a process entered from the node (nsenter)" },
		{ NONE, "find how those pids got them: a privileged debug container, or a process entered from the node (nsenter)" },
		{ NONE, "find how those pids got them: lxc-attach with more than the container keeps, or a process entered from the host (nsenter)" },
		{ NONE, "find how those pids got them: a process entered from the host (nsenter)" },
		{ NONE, "find how those pids got them: a process entered from the host (nsenter)" },
	},
};

/*
 * The least set a container was seen to use, as the line that starts it
 * with exactly that set. Where a runtime cannot drop everything and add
 * back (ctr, nspawn), the line drops what it holds beyond the set.
 */
static const struct least_fix {
	struct fix fix[2];
	bool drop[2];			/* spell what it holds beyond the least set, not the set */
} least_fixes[W_COUNT] = {
	[W_DOCKER] = { { { ADD_FLAGS, "docker run --cap-drop=ALL %s" },
			 { YAML, "compose: cap_drop: [ALL], cap_add: %s" } } },
	[W_PODMAN] = { { { ADD_FLAGS, "podman run --cap-drop=ALL %s" },
			 { YAML, "podman kube: securityContext.capabilities: drop: [ALL], add: %s" } } },
	[W_CTR] = { { { CTR_FLAGS, "ctr run %s" },
		      { JSON, "config.json: process.capabilities bounding, effective and permitted: %s" } },
		    { true, false } },
	[W_K8S] = { { { YAML, "securityContext.capabilities: drop: [ALL], add: %s" } } },
	[W_CRIO] = { { { YAML, "securityContext.capabilities: drop: [ALL], add: %s" } } },
	[W_LXC] = { { { LXC, "lxc.cap.keep = %s" } } },
	[W_NSPAWN] = { { { CAP_WORDS, "DropCapability=%s in the .nspawn file (--drop-capability=)" } },
		       { true } },
	[W_OTHER] = { { { JSON, "config.json: process.capabilities bounding, effective and permitted: %s" } } },
};

static enum who who_of(enum ca_runtime rt, bool in_pod)
{
	switch (rt) {
	case CA_RT_DOCKER:
		return in_pod ? W_K8S : W_DOCKER;
	case CA_RT_PODMAN:
		return W_PODMAN;
	case CA_RT_CONTAINERD:
		return in_pod ? W_K8S : W_CTR;
	case CA_RT_CRIO:
		return W_CRIO;
	case CA_RT_LXC:
		return W_LXC;
	case CA_RT_NSPAWN:
		return W_NSPAWN;
	case CA_RT_RUNC:
	case CA_RT_CRUN:
	case CA_RT_NONE:
	case CA_RT_UNKNOWN:
	case CA_RT_COUNT:
		break;
	}
	return W_OTHER;
}

/* The capabilities of @caps in @style; the caller frees it. */
static char *spell(enum style style, uint64_t caps, const struct ca_capnames *names)
{
	_cleanup_free_ char *list = caps_join(names, caps, " ");
	char *out = NULL, *w, *save = NULL;
	size_t len = 0, cap;
	int i;

	if (!list)
		return NULL;
	if (style == COMMA || style == NONE) {
		for (w = list; *w; w++)
			if (*w == ' ')
				*w = ',';
		return steal_pointer(&list);
	}
	cap = strlen(list) * 6 + 32;
	out = malloc(cap);
	if (!out)
		return NULL;
	out[0] = '\0';
	if (style == YAML || style == JSON)
		len += (size_t)snprintf(out, cap, "[");
	for (w = strtok_r(list, " ", &save), i = 0; w; w = strtok_r(NULL, " ", &save), i++) {
		char lower[CA_CAPNAME_MAX];
		size_t k;

		switch (style) {
		case FLAGS:
			len += (size_t)snprintf(out + len, cap - len, "%s--cap-drop=%s", i ? " " : "", w);
			break;
		case ADD_FLAGS:
			len += (size_t)snprintf(out + len, cap - len, "%s--cap-add=%s", i ? " " : "", w);
			break;
		case JSON:
			len += (size_t)snprintf(out + len, cap - len, "%s\"CAP_%s\"", i ? ", " : "", w);
			break;
		case CTR_FLAGS:
			len += (size_t)snprintf(out + len, cap - len, "%s--cap-drop CAP_%s", i ? " " : "", w);
			break;
		case YAML:
			len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", w);
			break;
		case LXC:
			for (k = 0; w[k] && k + 1 < sizeof(lower); k++)
				lower[k] = (char)tolower((unsigned char)w[k]);
			lower[k] = '\0';
			len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", lower);
			break;
		case CAP_WORDS:
			len += (size_t)snprintf(out + len, cap - len, "%sCAP_%s", i ? " " : "", w);
			break;
		case NONE:
		case COMMA:
			break;
		}
	}
	if (style == YAML || style == JSON)
		snprintf(out + len, cap - len, "]");
	else if (style == LXC && i == 0)
		snprintf(out, cap, "none");	/* lxc.cap.keep = none: keep nothing */
	return out;
}

char *remedy_text(enum ca_check check, enum ca_runtime rt, bool in_pod, uint64_t caps,
		  const struct ca_capnames *names)
{
	const struct fix *f;
	_cleanup_free_ char *list = NULL;
	const char *at;
	char *out = NULL;

	if (check >= CA_CHECK_COUNT) {
		errno = EINVAL;
		return NULL;
	}
	f = &fixes[check][who_of(rt, in_pod)];
	if (f->style == NONE)
		return strdup(f->text);
	list = spell(f->style, caps, names);
	if (!list)
		return NULL;
	/* Put the list where the template says "%s"; no format string is built. */
	at = strstr(f->text, "%s");
	if (!at)
		return strdup(f->text);
	if (asprintf(&out, "%.*s%s%s", (int)(at - f->text), f->text, list, at + 2) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return out;
}

/* @f's template with @list where it says "%s", trailing blanks cut; the caller frees it. */
static char *fill(const char *text, const char *list)
{
	const char *at = strstr(text, "%s");
	char *out = NULL;
	size_t n;

	if (!at)
		return strdup(text);
	if (asprintf(&out, "%.*s%s%s", (int)(at - text), text, list, at + 2) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	for (n = strlen(out); n && out[n - 1] == ' '; n--)
		out[n - 1] = '\0';
	return out;
}

int remedy_least(enum ca_runtime rt, bool in_pod, uint64_t least, uint64_t held, bool held_known,
		 const struct ca_capnames *names, char *lines[2])
{
	const struct least_fix *lf = &least_fixes[who_of(rt, in_pod)];
	int i, n = 0;

	lines[0] = lines[1] = NULL;
	for (i = 0; i < 2 && lf->fix[i].text; i++) {
		_cleanup_free_ char *list = NULL;

		/* What to drop is what it holds beyond the set: unknown where its sets were not read. */
		if (lf->drop[i] && !held_known)
			continue;
		if (lf->drop[i] && !(held & ~least)) {
			lines[n] = strdup("nothing to drop: it holds no more than it uses");
		} else {
			list = spell(lf->fix[i].style, lf->drop[i] ? held & ~least : least, names);
			lines[n] = list ? fill(lf->fix[i].text, list) : NULL;
		}
		if (!lines[n]) {
			while (n--)
				free(lines[n]);
			return -ENOMEM;
		}
		n++;
	}
	return n;
}
