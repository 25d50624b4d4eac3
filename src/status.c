/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A pure parser of /proc/<pid>/status: never opens a file. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "status.h"

/* Longest "NSpid:" we accept: the kernel nests at most 32 pid namespaces. */
#define NSPID_MAX 32

struct line {
	const char *key;
	size_t keylen;
	const char *val;		/* after "Key:" and one tab */
	size_t vallen;
};

/* Parse an unsigned decimal in [p, end) up to @max; returns the end or NULL. */
static const char *parse_uint(const char *p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *start = p;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > max || v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == start)
		return NULL;
	*out = v;
	return p;
}

/* Exactly the kernel's 16 hex digits: a shorter field was cut off. */
static bool parse_mask(const struct line *l, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (l->vallen != 16)
		return false;
	for (i = 0; i < 16; i++) {
		char c = l->val[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}

/* One number, or several separated by tabs; *n is how many were read. */
static bool parse_uints(const struct line *l, uint64_t max, uint64_t *out, size_t cap, size_t *n)
{
	const char *p = l->val, *end = l->val + l->vallen;

	*n = 0;
	while (p < end) {
		if (*n == cap)
			return false;
		p = parse_uint(p, end, max, &out[*n]);
		if (!p)
			return false;
		(*n)++;
		if (p < end) {
			if (*p != '\t' || p + 1 == end)
				return false;
			p++;
		}
	}
	return *n > 0;
}

static bool parse_one(const struct line *l, uint64_t max, uint64_t *out)
{
	size_t n;

	return parse_uints(l, max, out, 1, &n);
}

/*
 * The kernel escapes a task name with seq_escape_str(ESCAPE_SPACE |
 * ESCAPE_SPECIAL, "\n\\"): only newline and backslash, as "\n" and "\\".
 * Undo those and, defensively, the rest of those two classes.
 */
static bool parse_name(const struct line *l, char *name, bool *cut)
{
	const char *p = l->val, *end = l->val + l->vallen;
	size_t n = 0;

	while (p < end && n < CA_COMM_MAX) {
		char c = *p++;

		if (c == '\0')
			return false;
		if (c == '\\' && p < end) {
			switch (*p) {
			case 'n': c = '\n'; p++; break;
			case 't': c = '\t'; p++; break;
			case 'r': c = '\r'; p++; break;
			case 'f': c = '\f'; p++; break;
			case 'v': c = '\v'; p++; break;
			case 'a': c = '\a'; p++; break;
			case 'e': c = '\033'; p++; break;
			case '"': c = '"'; p++; break;
			case '\\': c = '\\'; p++; break;
			default: break;
			}
		}
		name[n++] = c;
	}
	name[n] = '\0';
	*cut = p < end;
	return true;
}

static void parse_line(const struct line *l, struct ca_status *st)
{
	static const struct {
		char key[7];
		enum ca_capset set;
	} masks[] = {
		{ "CapInh", CA_SET_INHERITABLE },
		{ "CapPrm", CA_SET_PERMITTED },
		{ "CapEff", CA_SET_EFFECTIVE },
		{ "CapBnd", CA_SET_BOUNDING },
		{ "CapAmb", CA_SET_AMBIENT },
	};
	uint64_t v[NSPID_MAX];
	size_t i, n;

#define KEY_IS(s) (l->keylen == sizeof(s) - 1 && memcmp(l->key, s, sizeof(s) - 1) == 0)
	/* Most of the ~57 lines are none of ours: one switch turns them away. */
	switch (l->key[0]) {
	case 'C':
		for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
			if (KEY_IS(masks[i].key)) {
				if (parse_mask(l, &st->caps.mask[masks[i].set]))
					st->caps.known |= 1u << masks[i].set;
				return;
			}
		}
		break;
	case 'N':
		if (KEY_IS("Name")) {
			bool cut;

			if (parse_name(l, st->name, &cut))
				st->known |= STATUS_NAME | (cut ? STATUS_NAME_CUT : 0);
		} else if (KEY_IS("NSpid")) {
			if (parse_uints(l, INT_MAX, v, NSPID_MAX, &n)) {
				st->pidns_level = (unsigned)(n - 1);
				st->ns_pid = (pid_t)v[n - 1];
				st->known |= STATUS_NSPID;
			}
		} else if (KEY_IS("NoNewPrivs")) {
			if (parse_one(l, 1, v)) {
				st->no_new_privs = v[0];
				st->known |= STATUS_NO_NEW_PRIVS;
			}
		}
		break;
	case 'P':
		if (KEY_IS("PPid") && parse_one(l, INT_MAX, v)) {
			st->ppid = (pid_t)v[0];
			st->known |= STATUS_PPID;
		}
		break;
	case 'U':
	case 'G':
		if ((KEY_IS("Uid") || KEY_IS("Gid")) && parse_uints(l, UINT32_MAX, v, 4, &n) && n == 4) {
			bool uid = l->key[0] == 'U';

			for (i = 0; i < 4; i++) {
				if (uid)
					st->uid[i] = (uid_t)v[i];
				else
					st->gid[i] = (gid_t)v[i];
			}
			st->known |= uid ? STATUS_UID : STATUS_GID;
		}
		break;
	case 'S':
		if (KEY_IS("Seccomp")) {
			if (parse_one(l, 2, v)) {
				st->seccomp = (unsigned)v[0];
				st->known |= STATUS_SECCOMP;
			}
		} else if (KEY_IS("Seccomp_filters")) {
			if (parse_one(l, UINT32_MAX, v)) {
				st->seccomp_filters = (unsigned)v[0];
				st->known |= STATUS_SECCOMP_FILTERS;
			}
		}
		break;
	case 'K':
		if (KEY_IS("Kthread") && parse_one(l, 1, v)) {
			st->kthread = v[0];
			st->known |= STATUS_KTHREAD;
		}
		break;
	default:
		break;
	}
#undef KEY_IS
}

/* Every field the kernel always writes; "Kthread:", where it is, comes before them. */
#define STATUS_ALL (STATUS_NAME | STATUS_PPID | STATUS_UID | STATUS_GID | STATUS_NSPID | \
		    STATUS_NO_NEW_PRIVS | STATUS_SECCOMP | STATUS_SECCOMP_FILTERS)
#define CA_SETS_ALL ((1u << CA_SET_COUNT) - 1)

/* The first letters of the keys parse_line() takes: most lines go unread. */
static bool key_may_be_ours(char c)
{
	switch (c) {
	case 'C': case 'G': case 'K': case 'N': case 'P': case 'S': case 'U':
		return true;
	default:
		return false;
	}
}

/* The line after @p that starts with @key, or NULL; glibc's memmem() is no faster than lines. */
static const char *find_line(const char *p, const char *end, const char *key)
{
	size_t n = strlen(key);

	for (p++; p < end && (p = memchr(p, key[0], (size_t)(end - p))); p++)
		if (p[-1] == '\n' && (size_t)(end - p) >= n && memcmp(p, key, n) == 0)
			return p;
	return NULL;
}

void status_parse(const char *buf, size_t len, struct ca_status *st)
{
	const char *p = buf, *end = buf + len;

	memset(st, 0, sizeof(*st));
	while (p < end) {
		const char *nl, *colon;
		struct line l;

		/*
		 * From "VmPeak:" to "CapInh:" the kernel writes nothing of ours
		 * (proc_pid_status() in fs/proc/array.c: task_mem() and
		 * task_sig() come between task_state() and task_cap()): one
		 * search passes over those 25 lines.
		 */
		if (*p == 'V' && !st->caps.known) {
			const char *cap = find_line(p, end, "CapInh:");

			if (cap) {
				p = cap;
				continue;
			}
		}
		nl = memchr(p, '\n', (size_t)(end - p));

		/* A last line without its newline was cut off: its value may be too. */
		if (!nl)
			break;
		colon = key_may_be_ours(*p) ? memchr(p, ':', (size_t)(nl - p)) : NULL;
		if (colon && colon + 1 < nl && colon[1] == '\t') {
			l.key = p;
			l.keylen = (size_t)(colon - p);
			l.val = colon + 2;
			l.vallen = (size_t)(nl - l.val);
			parse_line(&l, st);
			/* The kernel writes each key once: nothing after this can change. */
			if (status_has(st, STATUS_ALL) && st->caps.known == CA_SETS_ALL)
				break;
		}
		p = nl + 1;
	}
}

bool status_has(const struct ca_status *st, unsigned fields)
{
	return (st->known & fields) == fields;
}

bool status_is_kernel_thread(const struct ca_status *st, pid_t pid)
{
	if (st->known & STATUS_KTHREAD)
		return st->kthread;
	return pid == 2 || (status_has(st, STATUS_PPID) && st->ppid == 2);
}
