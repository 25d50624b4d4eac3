/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the CIS, Prometheus and JSON reports, on a scan and its audit built by hand. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/capability.h>
#include <math.h>

#include "esc.h"
#include "policy_ini.h"
#include "report.h"

/* Measured on these hosts: pid 1 lacks CAP_SYS_RESOURCE. */
#define HOST_BND UINT64_C(0x000001fffeffffff)
#define DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)
#define PODMAN_DEFAULT UINT64_C(0x00000000800405fb)
#define CRIO_DEFAULT                                                                 \
	(CA_BIT(CAP_CHOWN) | CA_BIT(CAP_DAC_OVERRIDE) | CA_BIT(CAP_FSETID) |         \
	 CA_BIT(CAP_FOWNER) | CA_BIT(CAP_SETGID) | CA_BIT(CAP_SETUID) |              \
	 CA_BIT(CAP_SETPCAP) | CA_BIT(CAP_NET_BIND_SERVICE) | CA_BIT(CAP_KILL))

#define ID_DEFAULT "3f2a9c1b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define ID_DROPALL "1111111111111111111111111111111111111111111111111111111111111111"
#define ID_ADMIN "2222222222222222222222222222222222222222222222222222222222222222"
#define ID_UNREAD "3333333333333333333333333333333333333333333333333333333333333333"
#define ID_PRIV "4444444444444444444444444444444444444444444444444444444444444444"
#define ID_CRIO "5555555555555555555555555555555555555555555555555555555555555555"
#define ID_CRIO_NONE "6666666666666666666666666666666666666666666666666666666666666666"
/* An LXC name may hold anything: a newline, quotes, backslashes, invalid UTF-8. */
#define ID_EVIL "evil\n\"q\\z\\x41\xff"
#define ID_EVIL_TEXT "evil\\x0a\"q\\z\\x5cx41\\xff"
#define ID_EVIL_LABEL "evil\\\\x0a\\\"q\\\\z\\\\x5cx41\\\\xff"

/* The built-in policy, which only memory can fail to load. */
static struct ca_policy *builtin(void)
{
	struct ca_policy *p = NULL;

	assert_int_equal(policy_builtin(&p, NULL), 0);
	return p;
}

static struct ca_capnames names;

/* A scan and its audit, side by side: c[i] is what was read, j[i] its judgement. */
struct fixture {
	struct ca_container c[10];
	struct ca_judgement j[10];
	struct ca_finding f[16];
	size_t nf;
	struct ca_scan scan;
	struct ca_audit audit;
	struct ca_policy *policy;
	struct ca_report rep;
};

/* A container whose bounding set is @bnd, judged against the fixture's host as audit_run() does. */
static struct ca_judgement *add(struct fixture *fx, enum ca_runtime rt, const char *id, bool known,
				uint64_t bnd, size_t nprocs)
{
	struct ca_container *c = &fx->c[fx->scan.ncontainers];
	struct ca_judgement *j = &fx->j[fx->scan.ncontainers];
	struct ca_capsets caps = { .known = 0 };

	fx->audit.ncontainers = ++fx->scan.ncontainers;
	c->runtime = rt;
	snprintf(c->id, sizeof(c->id), "%s", id);
	if (known) {
		caps.known = (1u << CA_SET_COUNT) - 1;
		caps.mask[CA_SET_BOUNDING] = bnd;
	}
	c->nprocs = nprocs;
	audit_caps_eval(&caps, rt, &fx->scan.host, j);
	j->verdict = known ? CA_VERDICT_PASS : CA_VERDICT_UNKNOWN;
	return j;
}

static void finding(struct fixture *fx, struct ca_judgement *c, const char *rule,
		    enum ca_severity sev)
{
	struct ca_finding *f = &fx->f[fx->nf++];
	int i = policy_find_rule(fx->policy, rule);

	assert_true(i >= 0);
	f->rule = (size_t)i;
	f->severity = sev;
	if (!c->findings)
		c->findings = f;
	/* A container's findings are contiguous: added one container at a time. */
	assert_ptr_equal(c->findings + c->nfindings, f);
	c->nfindings++;
	if (policy_fails(fx->policy, sev))
		c->verdict = CA_VERDICT_FAIL;
}

/* As audit_run() sums them up. */
static void summarize(struct fixture *fx)
{
	size_t i, j;

	for (i = 0; i < fx->scan.ncontainers; i++) {
		const struct ca_judgement *c = &fx->j[i];

		fx->audit.summary.containers++;
		if (c->verdict == CA_VERDICT_PASS)
			fx->audit.summary.passed++;
		else if (c->verdict == CA_VERDICT_FAIL)
			fx->audit.summary.failed++;
		else
			fx->audit.summary.unknown++;
		for (j = 0; j < c->nfindings; j++)
			fx->audit.summary.findings[c->findings[j].severity]++;
	}
}

static void build(struct fixture *fx, struct ca_policy *policy)
{
	struct ca_judgement *c;

	memset(fx, 0, sizeof(*fx));
	fx->policy = policy;
	fx->scan.containers = fx->c;
	fx->audit.containers = fx->j;
	fx->scan.host.last_cap = 40;
	fx->scan.host.bounding = HOST_BND;
	fx->scan.counts = (struct ca_counts){ .processes = 42, .contained = 17, .kernel_threads = 7,
					      .vanished = 3, .unreadable = 2, .unreadable_denied = 2 };

	c = add(fx, CA_RT_DOCKER, ID_DEFAULT, true, DOCKER_DEFAULT, 3);
	finding(fx, c, "net-raw", CA_SEV_HIGH);
	finding(fx, c, "seccomp", CA_SEV_LOW);
	/* --cap-drop=ALL --cap-add=NET_BIND_SERVICE */
	add(fx, CA_RT_DOCKER, ID_DROPALL, true, CA_BIT(CAP_NET_BIND_SERVICE), 1);
	/* --cap-drop=NET_RAW --cap-add=SYS_ADMIN */
	c = add(fx, CA_RT_DOCKER, ID_ADMIN, true,
		(DOCKER_DEFAULT & ~CA_BIT(CAP_NET_RAW)) | CA_BIT(CAP_SYS_ADMIN), 2);
	finding(fx, c, "cap-added", CA_SEV_MEDIUM);
	add(fx, CA_RT_DOCKER, ID_UNREAD, false, 0, 1);
	/* --privileged: everything the host holds, though not every bit */
	c = add(fx, CA_RT_PODMAN, ID_PRIV, true, HOST_BND, 1);
	finding(fx, c, "privileged", CA_SEV_CRITICAL);
	c = add(fx, CA_RT_CRIO, ID_CRIO, true,
		CRIO_DEFAULT | CA_BIT(CAP_NET_ADMIN) | CA_BIT(CAP_SYS_ADMIN), 4);
	finding(fx, c, "cap-added", CA_SEV_MEDIUM);
	add(fx, CA_RT_CRIO, ID_CRIO_NONE, true, 0, 1);
	c = add(fx, CA_RT_LXC, ID_EVIL, true, CA_BIT(CAP_CHOWN) | CA_BIT(CAP_NET_RAW), 2);
	finding(fx, c, "net-raw", CA_SEV_HIGH);
	add(fx, CA_RT_NSPAWN, "web-front", true, HOST_BND, 1);
	add(fx, CA_RT_UNKNOWN, "pidns:4026532420", true, DOCKER_DEFAULT, 1);
	summarize(fx);
	fx->rep = (struct ca_report){
		.scan = &fx->scan,
		.audit = &fx->audit,
		.policy = policy,
		.names = &names,
		.source = "fixture",
		.duration = 1.5,
		.timestamp = 1764385200.25,
	};
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct ca_policy *p = builtin();

	if (!fx || !p || caps_names_init(&names, 40) < 0)
		return -1;
	build(fx, p);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	policy_free(fx->policy);
	free(fx);
	return 0;
}

/* What @print wrote, in a string the caller frees. */
static char *render(int (*print)(FILE *, const struct ca_report *), const struct ca_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(print(f, rep), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static void cis_lines(void **state)
{
	struct fixture *fx = *state;
	char *got = render(report_cis_print, &fx->rep);

	assert_string_equal(got,
		ID_DEFAULT ": CapAdd=[] CapDrop=[]\n"
		ID_DROPALL ": CapAdd=[NET_BIND_SERVICE] CapDrop=[ALL]\n"
		ID_ADMIN ": CapAdd=[SYS_ADMIN] CapDrop=[NET_RAW]\n"
		ID_UNREAD ": CapAdd=? CapDrop=? (nothing of it could be read)\n"
		ID_PRIV ": CapAdd=[ALL] CapDrop=[]\n"
		ID_CRIO ": CapAdd=[NET_ADMIN SYS_ADMIN] CapDrop=[]\n"
		ID_CRIO_NONE ": CapAdd=[] CapDrop=[ALL]\n"
		ID_EVIL_TEXT ": CapAdd=? CapDrop=? Bounding=[CHOWN NET_RAW] "
		"(no default set is known for lxc)\n"
		"web-front: CapAdd=? CapDrop=? Bounding=[ALL] (no default set is known for nspawn)\n"
		"pidns:4026532420: CapAdd=? CapDrop=? Bounding=[CHOWN DAC_OVERRIDE FOWNER FSETID KILL "
		"SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP] "
		"(no default set is known for unknown)\n");
	free(got);
}

/* The shortest request that gives the set: --cap-drop=ALL once it names fewer. */
static void cis_shortest_request(void **state)
{
	static const uint64_t kept5 = CA_BIT(CAP_CHOWN) | CA_BIT(CAP_DAC_OVERRIDE) |
				      CA_BIT(CAP_FOWNER) | CA_BIT(CAP_FSETID) | CA_BIT(CAP_KILL);
	struct fixture *fx = *state;
	char *got;

	memset(fx->c, 0, sizeof(fx->c));
	memset(fx->j, 0, sizeof(fx->j));
	fx->scan.ncontainers = 0;
	add(fx, CA_RT_DOCKER, "a", true, CA_BIT(CAP_CHOWN) | CA_BIT(CAP_SYS_ADMIN), 1);
	/* podman's 11, 5 kept and 6 gone: a tie keeps the explicit list */
	add(fx, CA_RT_PODMAN, "b", true, kept5, 1);
	add(fx, CA_RT_PODMAN, "c", true, kept5 & ~CA_BIT(CAP_KILL), 1);
	add(fx, CA_RT_CONTAINERD, "d", true, DOCKER_DEFAULT & ~CA_BIT(CAP_NET_RAW), 1);
	got = render(report_cis_print, &fx->rep);
	assert_string_equal(got,
		"a: CapAdd=[CHOWN SYS_ADMIN] CapDrop=[ALL]\n"
		"b: CapAdd=[] CapDrop=[SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP]\n"
		"c: CapAdd=[CHOWN DAC_OVERRIDE FOWNER FSETID] CapDrop=[ALL]\n"
		"d: CapAdd=[] CapDrop=[NET_RAW]\n");
	free(got);
	build(fx, fx->policy);
}

/* The host's bounding set unknown (0): nothing is ALL, every bit is named. */
static void cis_without_host(void **state)
{
	struct fixture *fx = *state;
	struct ca_capsets caps = fx->j[0].caps;
	char *got;

	fx->scan.ncontainers = fx->audit.ncontainers = 1;
	caps.mask[CA_SET_BOUNDING] = HOST_BND;
	fx->scan.host.bounding = 0;
	audit_caps_eval(&caps, fx->c[0].runtime, &fx->scan.host, &fx->j[0]);
	got = render(report_cis_print, &fx->rep);
	assert_non_null(strstr(got, ": CapAdd=[DAC_READ_SEARCH LINUX_IMMUTABLE"));
	assert_non_null(strstr(got, " CHECKPOINT_RESTORE] CapDrop=[]\n"));
	free(got);
	build(fx, fx->policy);
}

/* ------------------------------------------------ the exposition format */

static bool is_name(const char *s, size_t n, bool colon)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
			     (colon && ch == ':');

		if (!alpha && !(i > 0 && ch >= '0' && ch <= '9'))
			return false;
	}
	return true;
}

static bool is_value(const char *s)
{
	char *end;

	if (!strcmp(s, "NaN") || !strcmp(s, "+Inf") || !strcmp(s, "-Inf"))
		return true;
	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return false;
	strtod(s, &end);
	return *end == '\0';
}

struct families {
	char name[16][64];
	size_t n;
	bool typed;			/* the last family's TYPE was seen */
	char *series[1024];
	size_t nseries;
};

static void families_free(struct families *fam)
{
	size_t i;

	for (i = 0; i < fam->nseries; i++)
		free(fam->series[i]);
	fam->nseries = 0;
}

static bool family_seen(const struct families *fam, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < fam->n; i++)
		if (strlen(fam->name[i]) == n && !strncmp(fam->name[i], name, n))
			return true;
	return false;
}

/*
 * One line of text format 0.0.4, as node_exporter's textfile collector
 * parses it. Returns NULL, or what is wrong with it. @fam carries the
 * families met so far: a family's TYPE comes once, before its samples, and
 * no family is split.
 */
static const char *check_line(const char *line, struct families *fam)
{
	const char *cur = fam->n ? fam->name[fam->n - 1] : "";
	const char *p = line, *name = line;
	size_t n, nlabels = 0, i;
	char labels[8][64];

	if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
		bool type = line[2] == 'T';

		name = line + 7;
		n = strcspn(name, " ");
		if (!is_name(name, n, true) || name[n] != ' ')
			return "HELP/TYPE without a metric name and text";
		p = name + n + 1;
		if (type) {
			if (strcmp(p, "gauge") && strcmp(p, "counter") && strcmp(p, "untyped") &&
			    strcmp(p, "summary") && strcmp(p, "histogram"))
				return "unknown TYPE";
			if (strlen(cur) != n || strncmp(cur, name, n) || fam->typed)
				return "TYPE not once, after its own HELP";
			fam->typed = true;
			return NULL;
		}
		if (family_seen(fam, name, n))
			return "a family declared twice, or split";
		for (; *p; p++)
			if (*p == '\\' && p[1] != '\\' && p[1] != 'n')
				return "bad escape in HELP";
			else if (*p == '\\')
				p++;
		if (n >= sizeof(fam->name[0]) || fam->n == ARRAY_SIZE(fam->name))
			return "too many families for this checker";
		memcpy(fam->name[fam->n], name, n);
		fam->name[fam->n++][n] = '\0';
		fam->typed = false;
		return NULL;
	}
	if (line[0] == '#')
		return "a comment that is neither HELP nor TYPE";
	n = strcspn(name, "{ ");
	if (!is_name(name, n, true))
		return "bad metric name";
	if (strlen(cur) != n || strncmp(cur, name, n) || !fam->typed)
		return "a sample outside its family, or before its TYPE";
	p = name + n;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t ln = strcspn(p, "=");

			if (!is_name(p, ln, false) || !strncmp(p, "__", 2) || p[ln] != '=' ||
			    p[ln + 1] != '"')
				return "bad label name";
			if (ln >= sizeof(labels[0]) || nlabels == ARRAY_SIZE(labels))
				return "too many labels for this checker";
			for (i = 0; i < nlabels; i++)
				if (strlen(labels[i]) == ln && !strncmp(labels[i], p, ln))
					return "a label twice";
			memcpy(labels[nlabels], p, ln);
			labels[nlabels++][ln] = '\0';
			for (p += ln + 2; *p != '"'; p++) {
				if (!*p)
					return "unterminated label value";
				if (*p == '\\') {
					if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
						return "bad escape in a label value";
					p++;
				}
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return "no comma between labels";
		}
		p++;
	}
	if (*p != ' ')
		return "no space before the value";
	if (!is_value(p + 1))
		return "bad value (or a timestamp)";
	for (i = 0; i < fam->nseries; i++)
		if (!strncmp(fam->series[i], line, (size_t)(p - line)) &&
		    fam->series[i][p - line] == '\0')
			return "a series twice";
	if (fam->nseries == ARRAY_SIZE(fam->series))
		return "too many series for this checker";
	fam->series[fam->nseries++] = strndup(line, (size_t)(p - line));
	return NULL;
}

/* Every line valid, the whole valid UTF-8 and ending in a newline; returns NULL or why not. */
static const char *check_exposition(const char *text, char *where, size_t size)
{
	struct families fam = { .n = 0 };
	const char *p = text, *why = NULL;
	size_t len = strlen(text), i = 0;

	while (i < len) {
		size_t n = esc_utf8_len((const unsigned char *)text + i, len - i);

		if (!n)
			return "invalid UTF-8";
		i += n;
	}
	if (len && text[len - 1] != '\n')
		return "no newline at the end";
	while (*p && !why) {
		const char *nl = strchr(p, '\n');
		char *line = strndup(p, (size_t)(nl - p));

		why = check_line(line, &fam);
		if (why)
			snprintf(where, size, "%s", line);
		free(line);
		p = nl + 1;
	}
	families_free(&fam);
	return why;
}

static void validator_rejects(void **state)
{
	static const char *const bad[] = {
		"foo 1\n",						/* no TYPE */
		"# TYPE foo gauge\nfoo 1\n",				/* no HELP */
		"# HELP foo x\n# TYPE foo gauge\nfoo{a=\"x\\q\"} 1\n",	/* bad escape */
		"# HELP foo x\n# TYPE foo gauge\nfoo{a=\"x\ny\"} 1\n",	/* raw newline */
		"# HELP foo x\n# TYPE foo gauge\nfoo{a=\"x\"\"} 1\n",
		"# HELP foo x\n# TYPE foo gauge\nfoo{a=\"1\",a=\"2\"} 1\n",
		"# HELP foo x\n# TYPE foo gauge\nfoo 1\nfoo 2\n",	/* series twice */
		"# HELP foo x\n# TYPE foo gauge\nfoo nan\n",
		"# HELP foo x\n# TYPE foo gauge\nfoo 1 1700000000\n",	/* timestamp */
		"# HELP foo-bar x\n# TYPE foo-bar gauge\nfoo-bar 1\n",
		"# HELP foo x\n# TYPE foo gauge\n# HELP bar x\n# TYPE bar gauge\nbar 1\nfoo 1\n",
		"# HELP foo x\n# TYPE foo gauge\nfoo{0a=\"x\"} 1\n",
		"# HELP foo x\xff\n# TYPE foo gauge\nfoo 1\n",
		"# HELP foo x\n# TYPE foo gauge\nfoo 1",
		"# HELP foo x\nfoo 1\n",				/* no TYPE */
		"# HELP foo x\n# TYPE foo gauge\n# TYPE foo gauge\nfoo 1\n",
	};
	char where[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!check_exposition(bad[i], where, sizeof(where)))
			fail_msg("the checker took bad input %zu", i);
	assert_null(check_exposition("# HELP foo a \\\\ b\\n\n# TYPE foo gauge\n"
				     "foo{a=\"\\\\\\\"\\n\",b=\"\"} -1.5e3\n",
				     where, sizeof(where)));
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define assert_line(text, line)                                                      \
	do {                                                                         \
		if (!has_line(text, line))                                           \
			fail_msg("no line \"%s\" in:\n%s", line, text);              \
	} while (0)

static void prom_is_valid(void **state)
{
	struct fixture *fx = *state;
	char *got = render(report_prom_print, &fx->rep);
	char where[1024] = "";
	const char *why = check_exposition(got, where, sizeof(where));

	if (why)
		fail_msg("%s: %s", why, where);
	free(got);
}

static void prom_samples(void **state)
{
	struct fixture *fx = *state;
	char *got = render(report_prom_print, &fx->rep);

	assert_line(got, "capaudit_info{version=\"" PACKAGE_VERSION "\",policy=\"built-in\"} 1");
	assert_line(got, "# TYPE capaudit_info gauge");
	assert_line(got, "capaudit_audit_complete 0");
	assert_line(got, "capaudit_scan_duration_seconds 1.500000");
	assert_line(got, "capaudit_scan_timestamp_seconds 1764385200.250");
	assert_line(got, "capaudit_processes 42");
	assert_line(got, "capaudit_processes_vanished 3");
	assert_line(got, "capaudit_processes_unreadable 2");
	assert_line(got, "capaudit_kernel_threads 7");
	assert_line(got, "capaudit_containers{verdict=\"pass\"} 4");
	assert_line(got, "capaudit_containers{verdict=\"fail\"} 5");
	assert_line(got, "capaudit_containers{verdict=\"unknown\"} 1");
	assert_line(got, "capaudit_findings{rule=\"net-raw\",severity=\"high\"} 2");
	assert_line(got, "capaudit_findings{rule=\"cap-added\",severity=\"medium\"} 2");
	assert_line(got, "capaudit_findings{rule=\"privileged\",severity=\"critical\"} 1");
	/* zero, not absent, for a rule that is on */
	assert_line(got, "capaudit_findings{rule=\"apparmor\",severity=\"low\"} 0");
	assert_null(strstr(got, "capaudit_findings{rule=\"net-raw\",severity=\"low\"}"));
	assert_line(got, "capaudit_container_verdict{runtime=\"docker\",id=\"" ID_DEFAULT
			 "\",verdict=\"fail\"} 1");
	assert_line(got, "capaudit_container_verdict{runtime=\"docker\",id=\"" ID_UNREAD
			 "\",verdict=\"unknown\"} 1");
	assert_line(got, "capaudit_container_verdict{runtime=\"lxc\",id=\"" ID_EVIL_LABEL
			 "\",verdict=\"fail\"} 1");
	assert_line(got, "capaudit_container_processes{runtime=\"crio\",id=\"" ID_CRIO "\"} 4");
	assert_line(got, "capaudit_container_findings{runtime=\"docker\",id=\"" ID_DEFAULT
			 "\",severity=\"high\"} 1");
	assert_line(got, "capaudit_container_findings{runtime=\"docker\",id=\"" ID_DEFAULT
			 "\",severity=\"critical\"} 0");
	assert_line(got, "capaudit_container_added_capability{runtime=\"docker\",id=\"" ID_ADMIN
			 "\",capability=\"cap_sys_admin\"} 1");
	assert_line(got, "capaudit_container_added_capability{runtime=\"crio\",id=\"" ID_CRIO
			 "\",capability=\"cap_net_admin\"} 1");
	assert_line(got, "capaudit_container_added_capability{runtime=\"crio\",id=\"" ID_CRIO
			 "\",capability=\"cap_sys_admin\"} 1");
	assert_line(got, "capaudit_container_added_capability{runtime=\"podman\",id=\"" ID_PRIV
			 "\",capability=\"cap_checkpoint_restore\"} 1");
	/* the host lacks it: not added, though a mask could hold it */
	assert_null(strstr(got, "capaudit_container_added_capability{runtime=\"podman\",id=\"" ID_PRIV
				"\",capability=\"cap_sys_resource\"}"));
	/* privileged (ALL elsewhere): the host's whole set, with a default or without */
	assert_line(got, "capaudit_container_privileged{runtime=\"podman\",id=\"" ID_PRIV "\"} 1");
	assert_line(got, "capaudit_container_privileged{runtime=\"nspawn\",id=\"web-front\"} 1");
	assert_line(got, "capaudit_container_privileged{runtime=\"docker\",id=\"" ID_ADMIN "\"} 0");
	assert_line(got, "capaudit_container_privileged{runtime=\"crio\",id=\"" ID_CRIO_NONE "\"} 0");
	assert_null(strstr(got, "capaudit_container_privileged{runtime=\"docker\",id=\"" ID_UNREAD "\"}"));
	/* dropped is no addition; no default, no comparison; unread, nothing */
	assert_null(strstr(got, "id=\"" ID_DROPALL "\",capability="));
	assert_null(strstr(got, "capaudit_container_added_capability{runtime=\"lxc\""));
	assert_null(strstr(got, "capaudit_container_added_capability{runtime=\"nspawn\""));
	assert_null(strstr(got, "capaudit_container_added_capability{runtime=\"unknown\""));
	assert_null(strstr(got, "id=\"" ID_UNREAD "\",capability="));
	/* no per-process series */
	assert_null(strstr(got, "pid=\""));
	assert_null(strstr(got, "comm=\""));
	free(got);
}

/* Per rule, the severities some section can give it; a rule off everywhere has no series. */
static void prom_findings_follow_policy(void **state)
{
	struct fixture *fx = *state;
	struct ca_policy *builtin = fx->policy, *p = NULL;
	struct ca_err err = { 0 };
	char where[1024] = "";
	const char *why;
	char *got;

	if (policy_load_text("[default]\nraw = high\nraw.deny = NET_RAW\n"
			     "quiet = off\nquiet.deny = SYS_ADMIN\n"
			     "[lxc]\nruntime = lxc\nraw = critical\nquiet = low\n"
			     "[never]\nruntime = nspawn\nraw = off\n",
			     "/etc/capaudit/\"odd\"\\policy.ini", &p, &err) < 0)
		fail_msg("%s", err.msg);
	memset(fx, 0, sizeof(*fx));
	fx->policy = p;
	fx->scan.containers = fx->c;
	fx->audit.containers = fx->j;
	fx->scan.host.last_cap = 40;
	add(fx, CA_RT_LXC, "web", true, CA_BIT(CAP_NET_RAW), 1);
	finding(fx, &fx->j[0], "raw", CA_SEV_CRITICAL);
	summarize(fx);
	fx->rep = (struct ca_report){ .scan = &fx->scan, .audit = &fx->audit, .policy = p,
				      .names = &names, .source = "fixture" };
	got = render(report_prom_print, &fx->rep);
	why = check_exposition(got, where, sizeof(where));
	if (why)
		fail_msg("%s: %s", why, where);
	assert_line(got, "capaudit_info{version=\"" PACKAGE_VERSION
			 "\",policy=\"/etc/capaudit/\\\"odd\\\"\\\\policy.ini\"} 1");
	assert_line(got, "capaudit_findings{rule=\"raw\",severity=\"high\"} 0");
	assert_line(got, "capaudit_findings{rule=\"raw\",severity=\"critical\"} 1");
	assert_line(got, "capaudit_findings{rule=\"quiet\",severity=\"low\"} 0");
	assert_null(strstr(got, "severity=\"off\""));
	assert_null(strstr(got, "capaudit_findings{rule=\"quiet\",severity=\"info\"}"));
	assert_line(got, "capaudit_scan_duration_seconds 0.000000");
	free(got);
	policy_free(p);
	build(fx, builtin);
}

static void prom_no_containers(void **state)
{
	struct fixture *fx = *state;
	char where[1024] = "";
	const char *why;
	char *got;

	fx->scan.ncontainers = fx->audit.ncontainers = 0;
	memset(&fx->audit.summary, 0, sizeof(fx->audit.summary));
	fx->audit.summary.complete = true;
	fx->rep.duration = (double)NAN;
	got = render(report_prom_print, &fx->rep);
	why = check_exposition(got, where, sizeof(where));
	if (why)
		fail_msg("%s: %s", why, where);
	assert_line(got, "capaudit_audit_complete 1");
	assert_line(got, "capaudit_containers{verdict=\"fail\"} 0");
	assert_line(got, "capaudit_scan_duration_seconds NaN");
	assert_line(got, "# TYPE capaudit_container_verdict gauge");
	assert_null(strstr(got, "capaudit_container_verdict{"));
	free(got);
	got = render(report_cis_print, &fx->rep);
	assert_string_equal(got, "");
	free(got);
	build(fx, fx->policy);
}

/* "scanner", beside "host" in both JSON forms: the sets by name and mask, null where unknown. */
static void json_scanner(void **state)
{
	struct fixture *fx = *state;
	struct ca_privs me = {
		.uid = { 0, 0, 0, 0 },
		.gid = { 0, 0, 0, 0 },
		.no_new_privs = true,
		.caps = {
			.mask = {
				[CA_SET_EFFECTIVE] = CA_BIT(CAP_DAC_READ_SEARCH) | CA_BIT(CAP_SYS_PTRACE),
				[CA_SET_PERMITTED] = CA_BIT(CAP_DAC_READ_SEARCH) | CA_BIT(CAP_SYS_PTRACE),
				[CA_SET_BOUNDING] = CA_BIT(CAP_DAC_READ_SEARCH) | CA_BIT(CAP_SYS_PTRACE),
			},
			.known = 0xf,		/* no ambient set: a kernel before 4.3 */
		},
	};
	static const char want[] =
		"\"scanner\":{\"uid\":[0,0,0,0],\"gid\":[0,0,0,0],\"no_new_privs\":true,"
		"\"capabilities\":{\"effective\":[\"cap_dac_read_search\",\"cap_sys_ptrace\"],"
		"\"permitted\":[\"cap_dac_read_search\",\"cap_sys_ptrace\"],\"inheritable\":[],"
		"\"bounding\":[\"cap_dac_read_search\",\"cap_sys_ptrace\"],\"ambient\":null},"
		"\"masks\":{\"effective\":\"0x0000000000080004\",\"permitted\":\"0x0000000000080004\","
		"\"inheritable\":\"0x0000000000000000\",\"bounding\":\"0x0000000000080004\","
		"\"ambient\":null}},\"policy\":";
	char *got;

	/* The hand-built containers have no processes to show: none, then. */
	fx->scan.ncontainers = fx->audit.ncontainers = 0;
	got = render(report_jsonl_print, &fx->rep);
	assert_non_null(strstr(got, "\"hidepid\":null},\"scanner\":null,\"policy\":"));
	free(got);
	fx->rep.scanner = &me;
	got = render(report_jsonl_print, &fx->rep);
	assert_non_null(strstr(got, want));
	free(got);
	got = render(report_json_print, &fx->rep);
	assert_non_null(strstr(got, "  \"scanner\": {\n    \"uid\": [\n"));
	assert_non_null(strstr(got, "      \"effective\": [\n        \"cap_dac_read_search\",\n"
				    "        \"cap_sys_ptrace\"\n      ],\n"));
	free(got);
	fx->rep.scanner = NULL;
	build(fx, fx->policy);
}

/* Whether the JSON line of container @id holds @needle. */
static bool jsonl_has(const char *text, const char *id, const char *needle)
{
	char key[128];
	const char *p, *nl;
	char *line;
	bool found;

	snprintf(key, sizeof(key), "\"id\":\"%s\",", id);
	p = strstr(text, key);
	if (!p)
		return false;
	nl = strchr(p, '\n');
	line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
	assert_non_null(line);
	found = strstr(line, needle) != NULL;
	free(line);
	return found;
}

/* "privileged": the audit's judgement, null where the bounding set was not read. */
static void json_privileged(void **state)
{
	struct fixture *fx = *state;
	char *got;
	size_t i;

	/* The hand-built containers have no processes to show: none, then. */
	for (i = 0; i < fx->scan.ncontainers; i++)
		fx->c[i].nprocs = 0;
	got = render(report_jsonl_print, &fx->rep);
	assert_true(jsonl_has(got, ID_PRIV, "\"privileged\":true,"));
	assert_true(jsonl_has(got, "web-front", "\"added\":null,\"dropped\":null,\"privileged\":true,"));
	assert_true(jsonl_has(got, ID_DEFAULT, "\"added\":[],\"dropped\":[],\"privileged\":false,"));
	assert_true(jsonl_has(got, ID_ADMIN, "\"privileged\":false,"));
	assert_true(jsonl_has(got, ID_UNREAD, "\"added\":null,\"dropped\":null,\"privileged\":null,"));
	free(got);
	build(fx, fx->policy);
}

/* A stream that cannot be written: -EIO, never a partial success. */
static void write_errors(void **state)
{
	struct fixture *fx = *state;
	FILE *f = fopen("/dev/null", "r");

	assert_non_null(f);
	assert_int_equal(report_cis_print(f, &fx->rep), -EIO);
	clearerr(f);
	assert_int_equal(report_prom_print(f, &fx->rep), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cis_lines),
		cmocka_unit_test(cis_shortest_request),
		cmocka_unit_test(cis_without_host),
		cmocka_unit_test(validator_rejects),
		cmocka_unit_test(prom_is_valid),
		cmocka_unit_test(prom_samples),
		cmocka_unit_test(prom_findings_follow_policy),
		cmocka_unit_test(prom_no_containers),
		cmocka_unit_test(json_scanner),
		cmocka_unit_test(json_privileged),
		cmocka_unit_test(write_errors),
	};

	return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
