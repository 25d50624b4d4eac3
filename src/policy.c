/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The judge: applies a policy's sections and rules to one process. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "workload.h"

static const char *const severity_names[CA_SEV_COUNT] = {
	[CA_SEV_INFO] = "info",
	[CA_SEV_LOW] = "low",
	[CA_SEV_MEDIUM] = "medium",
	[CA_SEV_HIGH] = "high",
	[CA_SEV_CRITICAL] = "critical",
};

/* The fixed checks: their rule names and the CIS Docker Benchmark 1.6.0 checks they implement. */
static const struct {
	const char *name;
	const char *cis;
} checks[CA_CHECK_COUNT] = {
	[CA_CHECK_CAPS] = { NULL, "" },
	[CA_CHECK_PRIVILEGED] = { "privileged", "5.5" },
	[CA_CHECK_HOST_PID] = { "host-pid", "5.16" },
	[CA_CHECK_HOST_NET] = { "host-net", "5.10" },
	[CA_CHECK_HOST_IPC] = { "host-ipc", "5.17" },
	[CA_CHECK_HOST_UTS] = { "host-uts", "5.21" },
	[CA_CHECK_HOST_USER] = { "host-user", "5.31" },
	[CA_CHECK_SECCOMP] = { "seccomp", "5.22" },
	[CA_CHECK_NO_NEW_PRIVS] = { "no-new-privs", "5.26" },
	[CA_CHECK_ROOT] = { "root", "4.1" },
	[CA_CHECK_APPARMOR] = { "apparmor", "5.2" },
	[CA_CHECK_SELINUX] = { "selinux", "5.3" },
	[CA_CHECK_AMBIENT] = { "ambient", "" },
	[CA_CHECK_NONROOT_EFFECTIVE] = { "nonroot-effective", "" },
	[CA_CHECK_THREADS] = { "threads", "" },
	[CA_CHECK_CONFIGURED] = { "beyond-configured", "" },
};

const char *policy_severity_name(enum ca_severity sev)
{
	return sev < CA_SEV_COUNT ? severity_names[sev] : "?";
}

int policy_severity_parse(const char *s)
{
	int i;

	for (i = 0; i < CA_SEV_COUNT; i++)
		if (strcmp(s, severity_names[i]) == 0)
			return i;
	return -1;
}

const char *policy_check_name(enum ca_check check)
{
	return check < CA_CHECK_COUNT ? checks[check].name : NULL;
}

const char *policy_check_cis(enum ca_check check)
{
	return check < CA_CHECK_COUNT ? checks[check].cis : "";
}

int policy_find_rule(const struct ca_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].name, name) == 0)
			return (int)i;
	return -1;
}

struct ca_policy *policy_new_empty(const char *source)
{
	struct ca_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fail_on = CA_SEV_MEDIUM;
	p->source = strdup(source);
	p->sections = calloc(1, sizeof(*p->sections));
	if (!p->source || !p->sections) {
		policy_free(p);
		errno = ENOMEM;
		return NULL;
	}
	snprintf(p->sections[0].name, sizeof(p->sections[0].name), "default");
	p->nsections = 1;
	return p;
}

void policy_free(struct ca_policy *p)
{
	if (!p)
		return;
	free(p->source);
	free(p->sections);
	free(p);
}

bool policy_fails(const struct ca_policy *p, enum ca_severity sev)
{
	return sev >= p->fail_on;
}

/* A glob of a policy against a string a runtime's file gave: NULL never matches. */
static bool glob(const char *pattern, const char *s)
{
	return s && fnmatch(pattern, s, 0) == 0;
}

/*
 * An image reference as docker normalises it: "nginx", "nginx:latest",
 * "library/nginx:latest" and "docker.io/library/nginx:latest" are one
 * image, which docker records as it was typed and containerd and podman
 * in full. @full gets the full form, @familiar the short one docker shows;
 * both are "" for a reference they cannot hold.
 */
static void image_forms(const char *image, char *full, char *familiar, size_t size)
{
	const char *slash = strchr(image, '/');
	size_t dlen = slash ? (size_t)(slash - image) : 0;
	/* a first component with a dot or a port, or localhost, is a registry, as docker reads it */
	bool registry = slash && (memchr(image, '.', dlen) || memchr(image, ':', dlen) ||
				  (dlen == 9 && strncmp(image, "localhost", 9) == 0));
	bool hub = !registry || (dlen == 9 && strncmp(image, "docker.io", 9) == 0) ||
		   (dlen == 15 && strncmp(image, "index.docker.io", 15) == 0);
	const char *path = registry ? slash + 1 : image, *last = strrchr(path, '/');
	const char *tag = strchr(last ? last : path, ':') || strchr(path, '@') ? "" : ":latest";
	const char *brief = path;
	int n, m;

	if (!hub) {
		n = snprintf(full, size, "%s%s", image, tag);
		m = snprintf(familiar, size, "%s%s", image, tag);
	} else {
		if (strncmp(path, "library/", 8) == 0 && !strchr(path + 8, '/'))
			brief = path + 8;
		n = snprintf(full, size, "docker.io/%s%s%s", strchr(path, '/') ? "" : "library/", path, tag);
		m = snprintf(familiar, size, "%s%s", brief, tag);
	}
	if (n < 0 || (size_t)n >= size)
		full[0] = '\0';
	if (m < 0 || (size_t)m >= size)
		familiar[0] = '\0';
}

static bool image_matches(const char *pattern, const char *image)
{
	char full[CA_PATTERN_MAX + 300], familiar[sizeof(full)];

	if (!image)
		return false;
	if (glob(pattern, image))
		return true;
	image_forms(image, full, familiar, sizeof(full));
	return (full[0] && glob(pattern, full)) || (familiar[0] && glob(pattern, familiar));
}

static bool label_matches(const char *selector, const struct ca_workload *w)
{
	const char *eq = strchr(selector, '=');
	char key[CA_PATTERN_MAX];
	size_t i;

	memcpy(key, selector, (size_t)(eq - selector));
	key[eq - selector] = '\0';
	for (i = 0; i < w->nlabels; i++)
		if (strcmp(w->labels[i].key, key) == 0)
			return glob(eq + 1, w->labels[i].value);
	return false;
}

static bool workload_matches(const struct ca_section *sec, const struct ca_workload *w)
{
	if (!w)
		return false;
	if ((sec->select & SEL_NAME) && !glob(sec->wl_name, w->name))
		return false;
	if ((sec->select & SEL_IMAGE) && !image_matches(sec->image, w->image))
		return false;
	if ((sec->select & SEL_LABEL) && !label_matches(sec->label, w))
		return false;
	if ((sec->select & SEL_NAMESPACE) && !glob(sec->k8s_namespace, w->k8s_namespace))
		return false;
	return true;
}

static bool section_matches(const struct ca_section *sec, const struct ca_subject *s)
{
	if ((sec->select & SEL_RUNTIME) && sec->runtime != s->runtime)
		return false;
	if ((sec->select & SEL_ID) && strncmp(s->id, sec->id, strlen(sec->id)) != 0)
		return false;
	if ((sec->select & SEL_POD) && strcmp(s->pod, sec->pod) != 0)
		return false;
	if ((sec->select & SEL_WORKLOAD) && !workload_matches(sec, s->workload))
		return false;
	/* A name the process chose itself only narrows what the other keys select. */
	if ((sec->select & SEL_COMM) &&
	    (!status_has(s->st, STATUS_NAME) || strcmp(s->st->name, sec->comm) != 0))
		return false;
	return true;
}

/* The selectors, most specific first: an instance, then a workload, then a kind, then a place. */
static const unsigned rank_order[] = {
	SEL_ID, SEL_POD, SEL_NAME, SEL_LABEL, SEL_IMAGE, SEL_NAMESPACE, SEL_RUNTIME,
};

static int rank(const struct ca_section *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rank_order); i++)
		if (s->select & rank_order[i])
			return (int)(ARRAY_SIZE(rank_order) - i);
	return 0;
}

/* Its selectors that name one value, not a pattern of them. */
static int exact(const struct ca_section *s)
{
	const char *label = strchr(s->label, '=');

	return ((s->select & SEL_NAME) && !strpbrk(s->wl_name, "*?[")) +
	       ((s->select & SEL_IMAGE) && !strpbrk(s->image, "*?[")) +
	       ((s->select & SEL_LABEL) && label && !strpbrk(label + 1, "*?[")) +
	       ((s->select & SEL_NAMESPACE) && !strpbrk(s->k8s_namespace, "*?["));
}

/*
 * Order of specificity: the most specific selector a section has (container
 * id > pod > name > label > image > namespace > runtime > default); then a
 * longer id prefix; then more selectors that name one value rather than a
 * glob; then more selectors; then a process name. Sections still equal are
 * taken in file order, the later overriding.
 */
static int specificity_cmp(const struct ca_section *a, const struct ca_section *b)
{
	size_t ia = strlen(a->id), ib = strlen(b->id);
	int d;

	if ((d = rank(a) - rank(b)))
		return d;
	if (ia != ib)
		return ia < ib ? -1 : 1;
	if ((d = exact(a) - exact(b)))
		return d;
	if ((d = __builtin_popcount(a->select & ~SEL_COMM) - __builtin_popcount(b->select & ~SEL_COMM)))
		return d;
	return (int)!!(a->select & SEL_COMM) - (int)!!(b->select & SEL_COMM);
}

static void cfg_merge(struct ca_rule_cfg *into, const struct ca_rule_cfg *from)
{
	if (from->has & CFG_SEVERITY) {
		into->off = from->off;
		into->severity = from->severity;
	}
	if (from->has & CFG_ALLOW)
		into->allow = from->allow;
	if (from->has & CFG_DENY)
		into->deny = from->deny;
	if (from->has & CFG_SET)
		into->set = from->set;
	into->has |= from->has;
}

static uint64_t expand(const struct ca_caplist *l, unsigned last_cap)
{
	return l->all ? caps_valid_mask(last_cap) : l->mask;
}

static bool selinux_unconfined(const char *label)
{
	/* user:role:type:level - the type is the third field */
	const char *t = strchr(label, ':');

	t = t ? strchr(t + 1, ':') : NULL;
	if (!t)
		return false;
	t++;
	return strncmp(t, "spc_t", 5) == 0 ? (t[5] == ':' || t[5] == '\0' || t[5] == '\n')
	       : strncmp(t, "unconfined_t", 12) == 0 &&
			 (t[12] == ':' || t[12] == '\0' || t[12] == '\n');
}

static bool is_selinux_label(const char *label)
{
	int colons = 0;

	for (; *label; label++)
		colons += *label == ':';
	return colons >= 2;
}

static bool apparmor_unconfined(const char *label)
{
	size_t n = strcspn(label, " \n");

	return !is_selinux_label(label) && n == 10 && strncmp(label, "unconfined", 10) == 0;
}

static uint64_t held(const struct ca_status *st, enum ca_capset set)
{
	return caps_set_is_known(&st->caps, set) ? st->caps.mask[set] : 0;
}

/* The capabilities @rule breaks in @s, or whether it breaks a yes/no check. */
static bool judge(const struct ca_rule *rule, const struct ca_rule_cfg *cfg,
		  const struct ca_subject *s, uint64_t *caps, uint64_t *denied)
{
	const struct ca_status *st = s->st;
	enum ca_capset set = (cfg->has & CFG_SET) ? cfg->set : CA_SET_BOUNDING;
	uint64_t mask = st->caps.mask[set];

	*caps = *denied = 0;
	switch (rule->check) {
	case CA_CHECK_CAPS:
		if (!caps_set_is_known(&st->caps, set))
			return false;
		*caps = *denied = mask & expand(&cfg->deny, s->last_cap);
		if (cfg->has & CFG_ALLOW)
			*caps |= mask & ~expand(&cfg->allow, s->last_cap);
		*caps &= caps_valid_mask(s->last_cap);
		return *caps != 0;
	case CA_CHECK_PRIVILEGED:
		/* What it is, and why, is caps.c's: the reports show the same as ALL. */
		*caps = caps_privileged_mask(s->host_bounding);
		return caps_set_is_known(&st->caps, set) && caps_is_privileged(mask, s->host_bounding);
	case CA_CHECK_HOST_PID:
		return s->shares[CA_NS_PID] == CA_YES;
	case CA_CHECK_HOST_NET:
		return s->shares[CA_NS_NET] == CA_YES;
	case CA_CHECK_HOST_IPC:
		return s->shares[CA_NS_IPC] == CA_YES;
	case CA_CHECK_HOST_UTS:
		return s->shares[CA_NS_UTS] == CA_YES;
	case CA_CHECK_HOST_USER:
		return s->shares[CA_NS_USER] == CA_YES;
	case CA_CHECK_SECCOMP:
		return status_has(st, STATUS_SECCOMP) && st->seccomp == 0;
	case CA_CHECK_NO_NEW_PRIVS:
		return status_has(st, STATUS_NO_NEW_PRIVS) && !st->no_new_privs;
	case CA_CHECK_ROOT:
		return status_has(st, STATUS_UID) && st->uid[1] == 0 && s->userns_child != CA_UNKNOWN &&
		       s->root_unmapped;
	case CA_CHECK_APPARMOR:
		return s->lsm && apparmor_unconfined(s->lsm);
	case CA_CHECK_SELINUX:
		return s->lsm && is_selinux_label(s->lsm) && selinux_unconfined(s->lsm);
	case CA_CHECK_AMBIENT:
		*caps = st->caps.mask[CA_SET_AMBIENT];
		return caps_set_is_known(&st->caps, CA_SET_AMBIENT) && *caps;
	case CA_CHECK_NONROOT_EFFECTIVE:
		*caps = st->caps.mask[CA_SET_EFFECTIVE];
		return status_has(st, STATUS_UID) && st->uid[1] != 0 &&
		       caps_set_is_known(&st->caps, CA_SET_EFFECTIVE) && *caps;
	case CA_CHECK_THREADS:
		return s->thread_differs == CA_YES;
	case CA_CHECK_CONFIGURED:
		/* its ceiling, and what it holds: a permitted set keeps what a bounding set lost */
		*caps = held(st, CA_SET_BOUNDING) | held(st, CA_SET_PERMITTED) | held(st, CA_SET_EFFECTIVE);
		*caps &= ~s->configured & caps_valid_mask(s->last_cap);
		return s->configured_known && *caps;
	case CA_CHECK_COUNT:
		break;
	}
	return false;
}

void policy_resolve(const struct ca_policy *p, const struct ca_subject *s, struct ca_resolved *r)
{
	size_t matched[64], nmatched = 0, i, j;
	int sev;

	/* Matching sections, least specific first; [default] always matches. */
	for (i = 0; i < p->nsections && nmatched < sizeof(matched) / sizeof(matched[0]); i++) {
		if (i > 0 && !section_matches(&p->sections[i], s))
			continue;
		for (j = nmatched; j > 0 &&
		     specificity_cmp(&p->sections[matched[j - 1]], &p->sections[i]) > 0; j--)
			matched[j] = matched[j - 1];
		matched[j] = i;
		nmatched++;
	}
	memset(r->eff, 0, sizeof(r->eff));
	for (i = 0; i < p->nrules; i++)
		for (j = 0; j < nmatched; j++)
			cfg_merge(&r->eff[i], &p->sections[matched[j]].cfg[i]);
	r->section = matched[nmatched - 1];

	/* Most severe first, so that a capability is named by the gravest rule only. */
	r->norder = 0;
	for (sev = CA_SEV_COUNT - 1; sev >= 0; sev--)
		for (i = 0; i < p->nrules; i++)
			if ((r->eff[i].has & CFG_SEVERITY) && !r->eff[i].off &&
			    (int)r->eff[i].severity == sev)
				r->order[r->norder++] = i;
}

bool policy_by_comm(const struct ca_policy *p)
{
	size_t i;

	for (i = 0; i < p->nsections; i++)
		if (p->sections[i].select & SEL_COMM)
			return true;
	return false;
}

size_t policy_judge(const struct ca_policy *p, const struct ca_resolved *r, const struct ca_subject *s,
		    struct ca_verdict_item *out)
{
	uint64_t named = 0;
	size_t k, n = 0;

	for (k = 0; k < r->norder; k++) {
		size_t i = r->order[k];
		const struct ca_rule_cfg *cfg = &r->eff[i];
		const struct ca_rule *rule = &p->rules[i];
		uint64_t caps, denied;

		if (!judge(rule, cfg, s, &caps, &denied))
			continue;
		if (rule->check == CA_CHECK_CAPS) {
			caps &= ~named;
			named |= caps;
			if (!caps)
				continue;
		}
		out[n].rule = i;
		out[n].section = r->section;
		out[n].severity = cfg->severity;
		out[n].set = (cfg->has & CFG_SET) ? cfg->set : CA_SET_BOUNDING;
		out[n].caps = caps;
		out[n].denied = denied & caps;
		n++;
	}
	return n;
}

size_t policy_eval(const struct ca_policy *p, const struct ca_subject *s,
		   struct ca_verdict_item *out)
{
	struct ca_resolved r;

	policy_resolve(p, s, &r);
	return policy_judge(p, &r, s, out);
}

/* "pid 1402 holds", "pids 1402, 1403 hold", "pids 1, 2, 3, 4 and 5 more hold" */
#define PIDS_NAMED 4
static char *who_holds(const pid_t *pids, size_t npids)
{
	char buf[PIDS_NAMED * 24 + 64];
	size_t i, len = 0;

	len += (size_t)snprintf(buf, sizeof(buf), "%s", npids == 1 ? "pid" : "pids");
	for (i = 0; i < npids && i < PIDS_NAMED; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %d", i ? "," : "", (int)pids[i]);
	if (npids > PIDS_NAMED)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " and %zu more", npids - PIDS_NAMED);
	snprintf(buf + len, sizeof(buf) - len, " %s", npids == 1 ? "holds" : "hold");
	return strdup(buf);
}

char *policy_message(const struct ca_policy *p, size_t rule, enum ca_capset set, uint64_t caps,
		     uint64_t denied, const pid_t *pids, size_t npids, const struct ca_capnames *names)
{
	_cleanup_free_ char *list = caps_join(names, caps, ", ");
	const char *setname = caps_set_name(set);
	char *msg = NULL;
	int r = -1;

	if (!list)
		return NULL;
	switch (p->rules[rule].check) {
	case CA_CHECK_CAPS:
		if (denied == caps)
			r = asprintf(&msg, "%s %s not dropped from the %s set", list,
				     caps_count(caps) == 1 ? "is" : "are", setname);
		else
			r = asprintf(&msg, "the %s set holds capabilities beyond those allowed: %s",
				     setname, list);
		break;
	case CA_CHECK_PRIVILEGED:
		r = asprintf(&msg, "privileged: the %s set holds all %u capabilities the host "
			     "holds below CAP_PERFMON", setname, caps_count(caps));
		break;
	case CA_CHECK_HOST_PID:
		r = asprintf(&msg, "shares the host's pid namespace");
		break;
	case CA_CHECK_HOST_NET:
		r = asprintf(&msg, "shares the host's network namespace");
		break;
	case CA_CHECK_HOST_IPC:
		r = asprintf(&msg, "shares the host's IPC namespace");
		break;
	case CA_CHECK_HOST_UTS:
		r = asprintf(&msg, "shares the host's UTS namespace");
		break;
	case CA_CHECK_HOST_USER:
		r = asprintf(&msg, "shares the host's user namespace");
		break;
	case CA_CHECK_SECCOMP:
		r = asprintf(&msg, "runs without a seccomp filter (Seccomp: 0)");
		break;
	case CA_CHECK_NO_NEW_PRIVS:
		r = asprintf(&msg, "can gain privileges through execve (NoNewPrivs: 0)");
		break;
	case CA_CHECK_ROOT:
		r = asprintf(&msg, "runs as root, and no user namespace maps it to an unprivileged host uid");
		break;
	case CA_CHECK_APPARMOR:
		r = asprintf(&msg, "runs unconfined by AppArmor");
		break;
	case CA_CHECK_SELINUX:
		r = asprintf(&msg, "runs with an unconfined SELinux type (spc_t or unconfined_t)");
		break;
	case CA_CHECK_AMBIENT:
		r = asprintf(&msg, "holds ambient capabilities: %s", list);
		break;
	case CA_CHECK_NONROOT_EFFECTIVE:
		r = asprintf(&msg, "a non-root process holds effective capabilities: %s", list);
		break;
	case CA_CHECK_THREADS:
		r = asprintf(&msg, "a thread's capability sets differ from its process's");
		break;
	case CA_CHECK_CONFIGURED: {
		_cleanup_free_ char *who = npids ? who_holds(pids, npids) : strdup("it holds");

		r = who ? asprintf(&msg, "%s capabilities its runtime was not told to grant: %s", who, list) : -1;
		break;
	}
	case CA_CHECK_COUNT:
		break;
	}
	if (r < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return msg;
}
