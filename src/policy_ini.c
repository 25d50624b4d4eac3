/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy language, read with inih through a reader of our own that counts lines. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ini.h>

#include "keymap.h"
#include "policy_ini.h"
#include "preset.h"
#include "userfile.h"
#include "workload.h"

/* `policy show` writes "id = <id>", a line that must load again. */
#define ID_LEN_MAX (CA_POLICY_LINE_MAX - sizeof("id = ") + 1)
_Static_assert(ID_LEN_MAX < CA_ID_MAX, "a policy's container id fits struct ca_section");

/* Keys of a section other than rule settings, as bits of struct loader.seen. */
enum {
	SEEN_FAIL_ON = 1u << 4,
};

/*
 * Debian's inih passes no line number to the handler, cuts section names at
 * 49 characters, reads a line over 199 bytes as two, and never calls the
 * handler for an empty section. So the reader counts lines, sees every
 * section header and refuses an over-long line before inih can misread it.
 */
struct loader {
	struct ca_policy *p;
	const char *file;		/* for messages */
	const char *text;
	size_t len, pos;
	char *line;			/* the current line, whole */
	size_t linecap;
	int lineno;
	ssize_t cur;			/* current section, -1 before the first */
	unsigned seen;			/* selectors and fail-on set in the current section */
	int failed;			/* the first error: 0 or a negative errno */
	int rule_line[CA_RULES_MAX];	/* where each rule was first named */
	bool cis_set[CA_RULES_MAX];
	int empty_line;			/* a list key with nothing on its line yet, or 0 */
	char empty_key[CA_RULE_NAME_MAX + 8];
	struct ca_err *err;
	struct ca_keymap names;		/* every section's, to find one given twice */
	size_t sections_cap;
};

static int fail(struct loader *l, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct loader *l, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (l->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->failed = -EINVAL;
	l->err->line = line;
	/* A path too long for the message is cut; the line number and the message are not. */
	snprintf(l->err->msg, sizeof(l->err->msg), "%.200s:%d: %s", l->file, line, msg);
	return 0;		/* inih: stop calling us for this line */
}

static bool name_ok(const char *s, size_t n, const char *extra)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

/* A section header at the start of @line: record the section. */
static void header(struct loader *l, const char *line)
{
	const char *end = strchr(line, ']');
	struct ca_section *secs;
	size_t n, i;
	int r;

	if (!end) {
		fail(l, l->lineno, "section header without its closing ']'");
		return;
	}
	if (end[1 + strspn(end + 1, " \t\r\n")] != '\0' && end[1 + strspn(end + 1, " \t")] != ';' &&
	    end[1 + strspn(end + 1, " \t")] != '#') {
		fail(l, l->lineno, "text after the section header");
		return;
	}
	n = (size_t)(end - line - 1);
	if (n >= CA_SECTION_NAME_MAX) {
		fail(l, l->lineno, "section name longer than %d characters", CA_SECTION_NAME_MAX - 1);
		return;
	}
	if (!name_ok(line + 1, n, "-_.")) {
		fail(l, l->lineno, "bad section name \"%.*s\": use letters, digits, '-', '_' and '.'",
		     (int)n, line + 1);
		return;
	}
	if (l->cur < 0 && (n != 7 || memcmp(line + 1, "default", 7) != 0)) {
		fail(l, l->lineno, "the first section must be [default]");
		return;
	}
	r = keymap_put(&l->names, line + 1, n, 0);
	if (r < 0) {
		l->failed = -ENOMEM;
		return;
	}
	for (i = 0; r == 0 && i < l->p->nsections; i++)
		if (strlen(l->p->sections[i].name) == n && memcmp(l->p->sections[i].name, line + 1, n) == 0) {
			fail(l, l->lineno, "section [%.*s] given twice (first on line %d)", (int)n, line + 1,
			     l->p->sections[i].line);
			return;
		}
	if (l->cur >= 0 && l->p->nsections >= CA_SECTIONS_MAX) {
		fail(l, l->lineno, "more than %d sections", CA_SECTIONS_MAX);
		return;
	}
	if (l->cur >= 0) {
		/* [default] was made with the policy, and its array with it */
		if (!l->sections_cap)
			l->sections_cap = l->p->nsections;
		if (util_grow(&l->p->sections, &l->sections_cap, l->p->nsections + 1, sizeof(*secs)) < 0) {
			l->failed = -ENOMEM;
			return;
		}
		secs = l->p->sections;
		memset(&secs[l->p->nsections], 0, sizeof(*secs));
		memcpy(secs[l->p->nsections].name, line + 1, n);
		l->cur = (ssize_t)l->p->nsections++;
	} else {
		l->cur = 0;	/* [default] exists from the start */
	}
	l->p->sections[l->cur].line = l->lineno;
	l->seen = 0;
}

static bool empty_list_left(struct loader *l, const char *name);

static char *reader(char *str, int num, void *stream)
{
	struct loader *l = stream;
	const char *start = l->text + l->pos, *nl;
	size_t bom;
	ssize_t n;

	if (l->failed || l->pos >= l->len)
		return NULL;
	nl = memchr(start, '\n', l->len - l->pos);
	n = nl ? nl - start + 1 : (ssize_t)(l->len - l->pos);
	if ((size_t)n + 1 > l->linecap) {
		char *b = realloc(l->line, (size_t)n + 1);

		if (!b) {
			l->failed = -ENOMEM;
			return NULL;
		}
		l->line = b;
		l->linecap = (size_t)n + 1;
	}
	memcpy(l->line, start, (size_t)n);
	l->line[n] = '\0';
	l->pos += (size_t)n;
	l->lineno++;
	if (memchr(l->line, '\0', (size_t)n)) {
		fail(l, l->lineno, "NUL byte in the line");
		return NULL;
	}
	if (n > 0 && l->line[n - 1] == '\n')
		n--;
	if (n > 0 && l->line[n - 1] == '\r')		/* CRLF */
		l->line[--n] = '\0';
	l->line[n] = '\0';
	if (n > CA_POLICY_LINE_MAX || n + 2 > num) {
		fail(l, l->lineno, "line longer than %d bytes; continue a long list on an indented line",
		     CA_POLICY_LINE_MAX);
		return NULL;
	}
	/* inih skips a UTF-8 byte order mark on the first line; so must we. */
	bom = l->lineno == 1 && n >= 3 && memcmp(l->line, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if (l->line[0] == ' ' || l->line[0] == '\t') {
		/* inih strips no inline comment from a continuation line: we do. */
		char *c;

		for (c = l->line + 1; (c = strchr(c, ';')); c++)
			if (c[-1] == ' ' || c[-1] == '\t') {
				*c = '\0';
				n = (ssize_t)(c - l->line);
				break;
			}
	}
	if (l->line[bom] == '[') {
		if (empty_list_left(l, NULL))
			return NULL;
		header(l, l->line + bom);
	} else if ((l->line[0] == ' ' || l->line[0] == '\t') && l->line[strspn(l->line, " \t")] == '[') {
		/* inih would read it as a continuation, or as a header we did not see */
		fail(l, l->lineno, "a section header must start its line");
		return NULL;
	}
	if (l->failed)
		return NULL;
	memcpy(str, l->line, (size_t)n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* Parse a capability list, appending to @list. */
static int parse_caps(struct loader *l, const char *key, const char *value, struct ca_caplist *list)
{
	char buf[CA_POLICY_LINE_MAX + 1], *tok, *save = NULL;
	int ntok = 0;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		struct ca_caplist preset;
		int bit;

		ntok++;
		if (tok[0] == '@') {
			if (!preset_lookup(tok, &preset))
				return fail(l, l->lineno, "unknown preset \"%s\" in %s", tok, key);
			list->mask |= preset.mask;
			list->all |= preset.all;
			continue;
		}
		bit = caps_parse_name(tok);
		if (bit < 0)
			return fail(l, l->lineno, "unknown capability \"%s\" in %s", tok, key);
		list->mask |= CA_BIT(bit);
	}
	if (!ntok) {
		/* Nothing yet: the list may go on over indented lines. */
		l->empty_line = l->lineno;
		snprintf(l->empty_key, sizeof(l->empty_key), "%s", key);
		return 1;
	}
	l->empty_line = 0;
	return 1;
}

static const char *const set_words[CA_SET_COUNT] = {
	"effective", "permitted", "inheritable", "bounding", "ambient",
};

/* The rule a key names, made where [default] first mentions a capability rule. */
static int rule_for(struct loader *l, const char *name, size_t n, const char *field)
{
	struct ca_policy *p = l->p;
	char rname[CA_RULE_NAME_MAX];
	int i, c;

	if (n >= sizeof(rname) || !name_ok(name, n, "-_"))
		return fail(l, l->lineno, "unknown key \"%s\"", name) - 1;
	memcpy(rname, name, n);
	rname[n] = '\0';
	i = policy_find_rule(p, rname);
	if (i >= 0)
		return i;
	for (c = 0; c < CA_CHECK_COUNT; c++)
		if (policy_check_name(c) && strcmp(policy_check_name(c), rname) == 0)
			break;
	if (c == CA_CHECK_COUNT && l->cur != 0)
		return fail(l, l->lineno, "unknown rule \"%s\": a rule is made in [default]", rname) - 1;
	if (c == CA_CHECK_COUNT && !field)
		/* "name = severity" alone: a typo of a check, or a rule with no list yet */
		c = CA_CHECK_CAPS;
	if (p->nrules == CA_RULES_MAX)
		return fail(l, l->lineno, "more than %d rules", CA_RULES_MAX) - 1;
	i = (int)p->nrules++;
	l->rule_line[i] = l->lineno;
	snprintf(p->rules[i].name, sizeof(p->rules[i].name), "%s", rname);
	p->rules[i].check = c == CA_CHECK_COUNT ? CA_CHECK_CAPS : (enum ca_check)c;
	snprintf(p->rules[i].cis, sizeof(p->rules[i].cis), "%s", policy_check_cis(p->rules[i].check));
	return i;
}

static int rule_key(struct loader *l, struct ca_section *sec, const char *name, const char *value)
{
	const char *dot = strchr(name, '.');
	const char *field = dot ? dot + 1 : NULL;
	struct ca_rule_cfg *cfg;
	struct ca_rule *rule;
	int r, sev, set;

	r = rule_for(l, name, dot ? (size_t)(dot - name) : strlen(name), field);
	if (r < 0)
		return 0;
	rule = &l->p->rules[r];
	cfg = &sec->cfg[r];
	if (!field) {
		if (cfg->has & CFG_SEVERITY)
			return fail(l, l->lineno, "%s is given twice in [%s] (an indented line continues the key above it)",
				    name, sec->name);
		sev = policy_severity_parse(value);
		if (sev < 0 && strcmp(value, "off") != 0)
			return fail(l, l->lineno, "bad severity \"%s\" for %s: use off, info, low, medium, high or critical",
				    value, name);
		cfg->off = sev < 0;
		cfg->severity = sev < 0 ? CA_SEV_INFO : (enum ca_severity)sev;
		cfg->has |= CFG_SEVERITY;
		return 1;
	}
	if (strcmp(field, "cis") == 0) {
		if (l->cur != 0)
			return fail(l, l->lineno, "%s belongs in [default]", name);
		if (rule->check != CA_CHECK_CAPS)
			return fail(l, l->lineno, "%s: the CIS check of the built-in %s cannot change", name,
				    rule->name);
		if (l->cis_set[r])
			return fail(l, l->lineno, "%s is given twice in [%s]", name, sec->name);
		if (!name_ok(value, strlen(value), ".") || strlen(value) >= sizeof(rule->cis))
			return fail(l, l->lineno, "bad CIS check \"%s\" for %s", value, name);
		l->cis_set[r] = true;
		snprintf(rule->cis, sizeof(rule->cis), "%s", value);
		return 1;
	}
	if (strcmp(field, "set") == 0) {
		if (rule->check != CA_CHECK_CAPS && rule->check != CA_CHECK_PRIVILEGED)
			return fail(l, l->lineno, "%s: %s judges no capability set", name, rule->name);
		if (cfg->has & CFG_SET)
			return fail(l, l->lineno, "%s is given twice in [%s]", name, sec->name);
		for (set = 0; set < CA_SET_COUNT; set++)
			if (strcmp(value, set_words[set]) == 0)
				break;
		if (set == CA_SET_COUNT)
			return fail(l, l->lineno, "bad set \"%s\" for %s: use bounding, effective, permitted, inheritable or ambient",
				    value, name);
		cfg->set = (enum ca_capset)set;
		cfg->has |= CFG_SET;
		return 1;
	}
	if (strcmp(field, "allow") == 0 || strcmp(field, "deny") == 0) {
		bool allow = field[0] == 'a';
		struct ca_caplist *list = allow ? &cfg->allow : &cfg->deny;
		const struct ca_caplist *other = allow ? &cfg->deny : &cfg->allow;

		if (rule->check != CA_CHECK_CAPS)
			return fail(l, l->lineno, "%s: %s takes no capability list", name, rule->name);
		if (!parse_caps(l, name, value, list))
			return 0;
		cfg->has |= allow ? CFG_ALLOW : CFG_DENY;
		if ((list->mask & other->mask) || (list->all && (other->mask || other->all)) ||
		    (other->all && list->mask)) {
			uint64_t both = list->mask & other->mask;
			char word[CA_CAPNAME_MAX];

			return fail(l, l->lineno, "%s.allow and %s.deny both name %s in [%s]", rule->name,
				    rule->name, both ? caps_word((unsigned)__builtin_ctzll(both), word) : "@all",
				    sec->name);
		}
		return 1;
	}
	return fail(l, l->lineno, "unknown key \"%s\"", name);
}

/* The keys that select containers, and what each sets in a section. */
static const struct {
	const char *key;
	unsigned bit;
} selectors[] = {
	{ "runtime", SEL_RUNTIME }, { "id", SEL_ID }, { "pod", SEL_POD }, { "comm", SEL_COMM },
	{ "name", SEL_NAME }, { "image", SEL_IMAGE }, { "label", SEL_LABEL }, { "namespace", SEL_NAMESPACE },
};

static unsigned selector_bit(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(selectors); i++)
		if (strcmp(name, selectors[i].key) == 0)
			return selectors[i].bit;
	return 0;
}

/* A glob fnmatch() reads as the writer meant: every [ closed, no \ left at its end. */
static int glob_key(struct loader *l, const char *name, const char *value, char *out, size_t max)
{
	size_t n = strlen(value), i;

	if (n >= max)
		return fail(l, l->lineno, "%s is %zu bytes long, more than the %zu a name can have here", name, n,
			    max - 1);
	for (i = 0; i < n; i++) {
		if (value[i] == '\\' && ++i == n)
			return fail(l, l->lineno, "%s \"%s\" ends in a \\ that escapes nothing", name, value);
		if (value[i] == '[') {
			size_t j = i + 1;

			j += value[j] == '!' || value[j] == '^';
			j += value[j] == ']';
			while (j < n && value[j] != ']')
				j++;
			if (j == n)
				return fail(l, l->lineno, "%s \"%s\" has a [ that is never closed", name, value);
			i = j;
		}
	}
	memcpy(out, value, n + 1);
	return 1;
}

static int selector_key(struct loader *l, struct ca_section *sec, const char *name, const char *value)
{
	size_t i, hex, n = strlen(value);
	unsigned bit = selector_bit(name);
	const char *eq;

	if (l->cur == 0)
		return fail(l, l->lineno, "%s selects containers: it belongs in a section of its own, not [default]",
			    name);
	if (sec->select & bit)
		return fail(l, l->lineno, "%s is given twice in [%s]", name, sec->name);
	if (n == 0)
		return fail(l, l->lineno, "%s is empty: it would select everything", name);
	/* `policy show` writes "key = value" on one line, which must load again. */
	if (strlen(name) + sizeof(" = ") - 1 + n > CA_POLICY_LINE_MAX)
		return fail(l, l->lineno, "%s is %zu bytes long, more than the %zu a line holds after \"%s = \"%s",
			    name, n, CA_POLICY_LINE_MAX - strlen(name) - 3, name,
			    bit == SEL_ID ? ": give a prefix of it" : "");
	sec->select |= bit;
	switch (bit) {
	case SEL_RUNTIME:
		/* every runtime a container can have, by the names reports give them */
		for (i = CA_RT_DOCKER; i < CA_RT_COUNT; i++)
			if (strcmp(value, runtime_name((enum ca_runtime)i)) == 0)
				break;
		if (i == CA_RT_COUNT)
			return fail(l, l->lineno, "unknown runtime \"%s\": use docker, podman, containerd, crio, lxc, "
				    "nspawn, runc, crun or unknown", value);
		sec->runtime = (enum ca_runtime)i;
		break;
	case SEL_ID:
		if (strpbrk(value, " \t"))
			return fail(l, l->lineno, "bad container id \"%s\": give an id or a prefix of one, "
				    "without spaces", value);
		memcpy(sec->id, value, n + 1);
		break;
	case SEL_POD:
		for (i = 0, hex = 0; i < n; i++)
			hex += isxdigit((unsigned char)value[i]) != 0;
		if (n < 32 || n > 36 || strspn(value, "0123456789abcdef-_") != n || hex != 32)
			return fail(l, l->lineno, "bad pod uid \"%s\": 32 lower-case hex digits, with "
				    "dashes or underscores", value);
		for (i = 0; i <= n; i++)
			sec->pod[i] = value[i] == '_' ? '-' : value[i];
		break;
	case SEL_NAME:
		return glob_key(l, name, value, sec->wl_name, sizeof(sec->wl_name));
	case SEL_IMAGE:
		return glob_key(l, name, value, sec->image, sizeof(sec->image));
	case SEL_NAMESPACE:
		return glob_key(l, name, value, sec->k8s_namespace, sizeof(sec->k8s_namespace));
	case SEL_LABEL:
		eq = strchr(value, '=');
		if (!eq || eq == value)
			return fail(l, l->lineno, "label \"%s\" is not KEY=VALUE (a glob; * for any value)", value);
		if ((size_t)(eq - value) > CA_WL_LABEL_KEY_MAX)
			return fail(l, l->lineno, "label key is %zu bytes long, more than the %d capaudit keeps",
				    (size_t)(eq - value), CA_WL_LABEL_KEY_MAX);
		memcpy(sec->label, value, (size_t)(eq - value) + 1);
		return glob_key(l, name, eq + 1, sec->label + (eq - value) + 1,
				sizeof(sec->label) - (size_t)(eq - value) - 1);
	default:
		/* The kernel keeps 15 bytes of a process name: a longer one never matches. */
		if (n > 15)
			return fail(l, l->lineno, "comm \"%s\" is longer than the 15 bytes the kernel keeps", value);
		memcpy(sec->comm, value, n + 1);
		break;
	}
	return 1;
}

/* A list key left empty must have been continued by the very next call. */
static bool empty_list_left(struct loader *l, const char *name)
{
	if (!l->empty_line || (name && strcmp(name, l->empty_key) == 0))
		return false;
	fail(l, l->empty_line, "%s is an empty list; write @none for no capability", l->empty_key);
	return true;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	struct ca_section *sec;
	int sev;

	if (l->failed || empty_list_left(l, name))
		return 0;
	if (l->cur < 0)
		return fail(l, l->lineno, "key \"%s\" outside a section", name);
	/*
	 * inih reads "key =;x" as ";x" but "key = ;x" as an empty value and a
	 * comment: one meaning only, or `policy show` (which writes " = ")
	 * would turn the one into the other.
	 */
	if (value[0] == ';')
		return fail(l, l->lineno, "the value of %s starts with \";\", which after a space starts a comment",
			    name);
	sec = &l->p->sections[l->cur];
	if (strcmp(section, sec->name) != 0)
		return fail(l, l->lineno, "a section header must start its line");
	if (strcmp(name, "fail-on") == 0) {
		if (l->cur != 0)
			return fail(l, l->lineno, "fail-on belongs in [default]");
		if (l->seen & SEEN_FAIL_ON)
			return fail(l, l->lineno, "fail-on is given twice");
		sev = policy_severity_parse(value);
		if (sev < 0)
			return fail(l, l->lineno, "bad severity \"%s\" for fail-on: use info, low, medium, high or critical",
				    value);
		l->p->fail_on = (enum ca_severity)sev;
		l->seen |= SEEN_FAIL_ON;
		return 1;
	}
	if (selector_bit(name))
		return selector_key(l, sec, name, value);
	return rule_key(l, sec, name, value);
}

static int selection_cmp(const struct ca_section *s, const struct ca_section *t)
{
	int r;

	if (s->select != t->select)
		return s->select < t->select ? -1 : 1;
	if (s->runtime != t->runtime)
		return s->runtime < t->runtime ? -1 : 1;
	if ((r = strcmp(s->id, t->id)) || (r = strcmp(s->pod, t->pod)) || (r = strcmp(s->comm, t->comm)) ||
	    (r = strcmp(s->wl_name, t->wl_name)) || (r = strcmp(s->image, t->image)) ||
	    (r = strcmp(s->label, t->label)) || (r = strcmp(s->k8s_namespace, t->k8s_namespace)))
		return r;
	return 0;
}

static int index_cmp(const void *a, const void *b, void *sections)
{
	const struct ca_section *secs = sections;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = selection_cmp(&secs[x], &secs[y]);

	return r ? r : (x > y) - (x < y);
}

/*
 * Two sections that select the same: the one that comes second in the file
 * earliest is named, beside the first of its kind, as a reading in file
 * order would find them. Sorted, not compared pair by pair: a policy may
 * have thousands of sections.
 */
static void same_selection(struct loader *l)
{
	const struct ca_policy *p = l->p;
	size_t n = p->nsections - 1, i, first = 0, dup = 0;
	_cleanup_free_ size_t *order = n > 1 ? calloc(n, sizeof(*order)) : NULL;

	if (n < 2)
		return;
	if (!order) {
		l->failed = -ENOMEM;
		return;
	}
	for (i = 0; i < n; i++)
		order[i] = i + 1;
	qsort_r(order, n, sizeof(*order), index_cmp, p->sections);
	/* in each run of equal selections, sorted by index, the second is the twin */
	for (i = 1; i < n; i++)
		if (selection_cmp(&p->sections[order[i - 1]], &p->sections[order[i]]) == 0 &&
		    (i < 2 || selection_cmp(&p->sections[order[i - 2]], &p->sections[order[i]]) != 0) &&
		    (!dup || order[i] < dup)) {
			dup = order[i];
			first = order[i - 1];
		}
	if (dup)
		fail(l, p->sections[dup].line, "section [%s] selects the same as [%s] (line %d)",
		     p->sections[dup].name, p->sections[first].name, p->sections[first].line);
}

/* What can be judged only once the whole file is read. */
static void validate(struct loader *l)
{
	const struct ca_policy *p = l->p;
	size_t i;

	for (i = 0; i < p->nrules && !l->failed; i++) {
		const struct ca_rule_cfg *def = &p->sections[0].cfg[i];

		if (p->rules[i].check != CA_CHECK_CAPS)
			continue;
		if (!(def->has & (CFG_ALLOW | CFG_DENY)))
			fail(l, l->rule_line[i], "unknown check \"%s\": a rule of your own needs an allow "
			     "or deny list in [default]", p->rules[i].name);
		else if (!(def->has & CFG_SEVERITY))
			fail(l, l->rule_line[i], "rule %s has no severity in [default]", p->rules[i].name);
	}
	for (i = 1; i < p->nsections && !l->failed; i++) {
		const struct ca_section *s = &p->sections[i];

		if (!s->select)
			fail(l, s->line, "section [%s] selects nothing: give it id, pod, name, image, label, "
			     "namespace or runtime", s->name);
		else if (!(s->select & ~SEL_COMM))
			fail(l, s->line, "section [%s]: comm only narrows a section that selects by id, pod, name, "
			     "image, label, namespace or runtime (a process chooses its own name)", s->name);
	}
	if (!l->failed)
		same_selection(l);
}

static int load(struct loader *l, const char *source, struct ca_policy **out)
{
	int r;

	l->p = policy_new_empty(source);
	if (!l->p)
		return -ENOMEM;
	l->cur = -1;
	r = ini_parse_stream(reader, l, handler, l);
	if (!l->failed)
		empty_list_left(l, NULL);
	/* inih goes on after a syntax error: the earlier mistake is the one to name. */
	if (r > 0 && (!l->failed || (l->failed == -EINVAL && r < l->err->line))) {
		l->failed = 0;
		fail(l, r, "syntax error: not a [section], a key = value or a comment");
	} else if (!l->failed && r < 0) {
		l->failed = -ENOMEM;
		snprintf(l->err->msg, sizeof(l->err->msg), "%s: out of memory", l->file);
	}
	if (!l->failed && l->cur < 0)
		fail(l, l->lineno ? l->lineno : 1, "no [default] section");
	if (!l->failed)
		validate(l);
	free(l->line);
	keymap_free(&l->names);
	if (l->failed) {
		policy_free(l->p);
		return l->failed;
	}
	*out = l->p;
	return 0;
}

int policy_load_file(const char *path, struct ca_policy **out, struct ca_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = userfile_read(path, CA_POLICY_FILE_MAX, &text, &len, err);

	return r < 0 ? r : policy_load_buf(text, len, path, out, err);
}

int policy_load_named(const char *name, const char *default_file, struct ca_policy **out,
		      struct ca_err *err)
{
	const char *path = name ? name : default_file;

	/* "built-in" names the built-in policy even where the default file exists. */
	if (strcmp(path, "built-in") == 0 || (!name && access(path, F_OK) < 0))
		return policy_builtin(out, err);
	return policy_load_file(path, out, err);
}

int policy_load_buf(const char *text, size_t len, const char *source, struct ca_policy **out,
		    struct ca_err *err)
{
	struct loader l = { .file = source, .text = text, .len = len, .err = err };

	return load(&l, source, out);
}

int policy_load_text(const char *text, const char *source, struct ca_policy **out,
		     struct ca_err *err)
{
	return policy_load_buf(text, strlen(text), source, out, err);
}

/* "CHOWN DAC_OVERRIDE ...", wrapped on indented lines that inih joins again. */
static void show_list(FILE *out, const char *key, const struct ca_caplist *list)
{
	struct ca_capnames names;
	size_t col;
	unsigned bit;

	caps_names_init(&names, CA_CAP_MAX - 1);
	col = (size_t)fprintf(out, "%s =", key);
	if (list->all) {
		fputs(" @all\n", out);
		return;
	}
	if (!list->mask) {
		fputs(" @none\n", out);
		return;
	}
	for (bit = 0; bit < CA_CAP_MAX; bit++) {
		_cleanup_free_ char *word = NULL;

		if (!(list->mask & CA_BIT(bit)))
			continue;
		word = caps_join(&names, CA_BIT(bit), "");
		if (!word)
			continue;
		if (col + 1 + strlen(word) > 78) {
			fputs("\n\t", out);
			col = 8;
		} else {
			fputc(' ', out);
			col++;
		}
		col += (size_t)fprintf(out, "%s", word);
	}
	fputc('\n', out);
}

static void show_cfg(FILE *out, const struct ca_policy *p, size_t i, const struct ca_rule_cfg *c,
		     bool is_default)
{
	const char *name = p->rules[i].name;
	char key[CA_RULE_NAME_MAX + 8];

	if (c->has & CFG_SEVERITY)
		fprintf(out, "%s = %s\n", name, c->off ? "off" : policy_severity_name(c->severity));
	if (is_default && p->rules[i].check == CA_CHECK_CAPS && p->rules[i].cis[0])
		fprintf(out, "%s.cis = %s\n", name, p->rules[i].cis);
	snprintf(key, sizeof(key), "%s.allow", name);
	if (c->has & CFG_ALLOW)
		show_list(out, key, &c->allow);
	snprintf(key, sizeof(key), "%s.deny", name);
	if (c->has & CFG_DENY)
		show_list(out, key, &c->deny);
	if (c->has & CFG_SET)
		fprintf(out, "%s.set = %s\n", name, set_words[c->set]);
}

int policy_show(FILE *out, const struct ca_policy *p)
{
	size_t i, r;

	fputs("# capaudit policy, as `capaudit policy show` writes it: presets expanded.\n"
	      "# See capaudit.ini(5).\n", out);
	for (i = 0; i < p->nsections; i++) {
		const struct ca_section *s = &p->sections[i];

		fprintf(out, "\n[%s]\n", s->name);
		if (i == 0)
			fprintf(out, "fail-on = %s\n", policy_severity_name(p->fail_on));
		if (s->select & SEL_RUNTIME)
			fprintf(out, "runtime = %s\n", runtime_name(s->runtime));
		if (s->select & SEL_ID)
			fprintf(out, "id = %s\n", s->id);
		if (s->select & SEL_POD)
			fprintf(out, "pod = %s\n", s->pod);
		if (s->select & SEL_NAME)
			fprintf(out, "name = %s\n", s->wl_name);
		if (s->select & SEL_IMAGE)
			fprintf(out, "image = %s\n", s->image);
		if (s->select & SEL_LABEL)
			fprintf(out, "label = %s\n", s->label);
		if (s->select & SEL_NAMESPACE)
			fprintf(out, "namespace = %s\n", s->k8s_namespace);
		if (s->select & SEL_COMM)
			fprintf(out, "comm = %s\n", s->comm);
		for (r = 0; r < p->nrules; r++)
			show_cfg(out, p, r, &s->cfg[r], i == 0);
	}
	return ferror(out) ? -EIO : 0;
}
