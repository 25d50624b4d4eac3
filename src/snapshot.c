/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Snapshots: libarchive for the archive, OpenSSL's libcrypto for SHA-256. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "nameset.h"
#include "ns.h"
#include "pidmap.h"
#include "policy_ini.h"
#include "snaplibs.h"
#include "snapshot.h"
#include "snapwriter.h"

/* The members a snapshot holds besides proc/. */
#define M_ERRORS "errors"
#define M_METADATA "metadata.json"
#define M_POLICY "policy.ini"
#define M_MANIFEST CA_MANIFEST

/* No file a scan reads is near this; a larger member is not a snapshot's. */
#define MEMBER_MAX (16u << 20)
/* The manifest and the errors list grow with the host: 30k processes take ~6 MiB. */
#define LIST_MAX (1u << 30)
#define MEMBERS_MAX (4u << 20)

struct ca_snapshot {
	struct ca_snapwriter *w;	/* the archive: members go there */
	int err;			/* the first failure, sticky */
	char msg[256];
	struct ca_recorder rec;
	struct ca_nameset seen;		/* every name captured, or whose read failed */
	char *errors;			/* "<errno> <rel>\n" lines */
	size_t errors_len, errors_cap;
	struct seen_pid *procs;		/* what is captured of each process */
	size_t nprocs, procs_cap, cursor;
	struct ca_pidmap procs_of;	/* pid -> index in procs */
	uint32_t *listed;		/* indexes in procs of every pid listed, in order */
	size_t nlisted, listed_cap;
	struct ca_snapshot_opts o;
	char started[32];
	struct timespec first, last;	/* the capture window: first read to last */
	void *userns;			/* user namespaces whose maps are taken */
	bool lsm_labels;		/* whether a process can have an LSM label */
};

static void archive_read_freep_(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

static int sha256(const void *data, size_t len, unsigned char out[CA_SHA256_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (util_grow(buf, cap, *len + n + 1, 1) < 0)
		return -ENOMEM;
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

static void fail(struct ca_snapshot *s, int err, const char *what)
{
	if (s->err)
		return;
	s->err = err;
	snprintf(s->msg, sizeof(s->msg), "%s: %s", what, strerror(-err));
}

/*
 * The files of a process a capture knows by name, a bit each: a process's
 * dozen names are marked in a word found through its pid (usually the one
 * just used: the scan takes a process's files one after another), not
 * looked up among hundreds of thousands. Every other name goes to the
 * name set.
 */
static const char *const pid_files[] = {
	"status", "cgroup", "cmdline", "environ", "uid_map", "gid_map", "attr/current",
	"attr/apparmor/current",
};
#define NS_BIT(ns) (ARRAY_SIZE(pid_files) + (size_t)(ns))
#define DIR_BIT 31

struct seen_pid {
	pid_t pid;
	uint32_t have;			/* 1 << index in pid_files, NS_BIT(ns), DIR_BIT */
};

/* The bit of @file ("status", "ns/pid", "" for the directory), or -1. */
static int file_bit(const char *file)
{
	size_t i;
	int ns;

	if (!*file)
		return DIR_BIT;
	if (strncmp(file, "ns/", 3) == 0) {
		for (ns = 0; ns < CA_NS_COUNT; ns++)
			if (strcmp(file, ns_file(ns)) == 0)
				return (int)NS_BIT(ns);
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(pid_files); i++)
		if (strcmp(file, pid_files[i]) == 0)
			return (int)i;
	return -1;
}

/* The entry of @pid, made where @create; NULL where none or memory ran out. */
static struct seen_pid *seen_pid(struct ca_snapshot *s, pid_t pid, bool create)
{
	int64_t i;

	if (s->cursor < s->nprocs && s->procs[s->cursor].pid == pid)
		return &s->procs[s->cursor];
	i = pidmap_get(&s->procs_of, pid);
	if (i < 0) {
		if (!create || s->nprocs >= UINT32_MAX ||
		    util_grow(&s->procs, &s->procs_cap, s->nprocs + 1, sizeof(*s->procs)) < 0 ||
		    pidmap_put(&s->procs_of, pid, (uint32_t)s->nprocs) < 0)
			return NULL;
		s->procs[s->nprocs] = (struct seen_pid){ .pid = pid };
		i = (int64_t)s->nprocs++;
	}
	s->cursor = (size_t)i;
	return &s->procs[i];
}

/*
 * Where @name ("proc/1234/status") is one of a process's known files, its
 * process's entry and bit; NULL elsewhere.
 */
static struct seen_pid *pid_name(struct ca_snapshot *s, const char *name, bool create, int *bit)
{
	const char *p = name + 5;
	long pid = 0;

	if (strncmp(name, "proc/", 5) != 0 || *p < '1' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((pid = pid * 10 + (*p - '0')) > INT_MAX)
			return NULL;
	if (*p != '/' && *p != '\0')
		return NULL;
	*bit = file_bit(*p ? p + 1 : p);
	return *bit < 0 ? NULL : seen_pid(s, (pid_t)pid, create);
}

/*
 * Mark @name as captured (or as failed): 1 where it is new, 0 where it was
 * marked before, or a negative errno.
 */
static int mark(struct ca_snapshot *s, const char *name, size_t nlen)
{
	struct seen_pid *sp;
	int bit = -1;

	sp = pid_name(s, name, true, &bit);
	if (sp) {
		if (sp->have & (1u << bit))
			return 0;
		sp->have |= 1u << bit;
		return 1;
	}
	if (bit >= 0)
		return -ENOMEM;		/* a known file whose entry could not be made */
	return nameset_add(&s->seen, name, nlen);
}

/* Add one member, once. @name is @nlen bytes, NUL-terminated. */
static void add(struct ca_snapshot *s, char type, const char *name, size_t nlen, const char *data,
		size_t len)
{
	int r;

	if (s->err)
		return;
	if (nlen >= PATH_MAX) {
		fail(s, -ENAMETOOLONG, name);
		return;
	}
	r = mark(s, name, nlen);
	if (r == 0)
		return;		/* read twice by the scan: captured once */
	if (r > 0)
		r = snapwriter_add(s->w, type, name, nlen, data, len);
	if (r < 0)
		fail(s, r, name);
}

static void add_own(struct ca_snapshot *s, const char *name, const char *data, size_t len)
{
	add(s, 'f', name, strlen(name), data, len);
}

static void record(void *ctx, enum ca_record what, const char *rel, const char *data, size_t len,
		   int err)
{
	struct ca_snapshot *s = ctx;
	char name[PATH_MAX], line[PATH_MAX + 16];
	size_t rlen = strlen(rel), nlen = rlen + 5;
	char *end;
	long pid;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &s->last);
	if (!s->first.tv_sec && !s->first.tv_nsec)
		s->first = s->last;

	if (nlen >= sizeof(name)) {
		fail(s, -ENAMETOOLONG, rel);
		return;
	}
	memcpy(name, "proc/", 5);
	memcpy(name + 5, rel, rlen + 1);
	switch (what) {
	case CA_REC_FILE:
		add(s, 'f', name, nlen, data, len);
		break;
	case CA_REC_LINK:
		add(s, 'l', name, nlen, data, len);
		break;
	case CA_REC_DIR:
		add(s, 'd', name, nlen, NULL, 0);
		pid = strtol(rel, &end, 10);
		if (*end == '\0' && pid > 0 && pid <= INT_MAX &&
		    util_grow(&s->listed, &s->listed_cap, s->nlisted + 1, sizeof(*s->listed)) == 0 &&
		    seen_pid(s, (pid_t)pid, true))
			s->listed[s->nlisted++] = (uint32_t)s->cursor;
		break;
	case CA_REC_ERROR:
		/*
		 * A replay must fail where the capture did: vanished, denied,
		 * unsupported. The first read of a name stands: a replay gives
		 * it to every later read.
		 */
		r = mark(s, name, nlen);
		if (r < 0)
			fail(s, r, rel);
		if (r <= 0)
			break;
		snprintf(line, sizeof(line), "%d %s\n", -err, rel);
		if (append(&s->errors, &s->errors_len, &s->errors_cap, line) < 0)
			fail(s, -ENOMEM, rel);
		break;
	}
}

static const struct {
	const char *suffix;
	const char *name;
	int filter;
} filters[] = {
	{ ".tar", "none", ARCHIVE_FILTER_NONE },
	{ ".tar.gz", "gzip", ARCHIVE_FILTER_GZIP },
	{ ".tgz", "gzip", ARCHIVE_FILTER_GZIP },
	{ ".tar.zst", "zstd", ARCHIVE_FILTER_ZSTD },
	{ ".tar.xz", "xz", ARCHIVE_FILTER_XZ },
};

static int filter_of(const struct ca_snapshot_opts *o, struct ca_err *err)
{
	size_t i, n = strlen(o->name);

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		size_t k = strlen(filters[i].suffix);

		if (o->compress ? strcmp(o->compress, filters[i].name) == 0
				: n > k && strcmp(o->name + n - k, filters[i].suffix) == 0)
			return filters[i].filter;
	}
	if (!o->compress && strcmp(o->name, "-") == 0)
		return ARCHIVE_FILTER_NONE;
	if (o->compress)
		return err_set(err, -EINVAL, "--compress=%s: use none, gzip, zstd or xz", o->compress);
	return err_set(err, -EINVAL, "%s: name a .tar, .tar.gz, .tar.zst or .tar.xz file, or -",
		       o->name);
}

int snapshot_open(struct ca_snapshot **out, const struct ca_snapshot_opts *o, struct ca_err *err)
{
	struct ca_snapshot *s;
	int filter = filter_of(o, err);
	time_t now = time(NULL);
	struct tm tm;

	if (filter < 0)
		return filter;
	s = calloc(1, sizeof(*s));
	if (!s || snapwriter_new(&s->w, o->fd, filter, o->name, now) < 0) {
		free(s);
		return err_set(err, -ENOMEM, "%s: out of memory", o->name);
	}
	s->o = *o;
	s->rec.record = record;
	s->rec.ctx = s;
	strftime(s->started, sizeof(s->started), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	*out = s;
	return 0;
}

const struct ca_recorder *snapshot_recorder(struct ca_snapshot *s)
{
	return &s->rec;
}

void snapshot_abort(struct ca_snapshot *s)
{
	if (!s)
		return;
	snapwriter_free(s->w);
	nameset_free(&s->seen);
	pidmap_free(&s->procs_of);
	free(s->procs);
	free(s->listed);
	tdestroy(s->userns, free);
	free(s->errors);
	free(s);
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/*
 * The pids of containers' processes, sorted, for --no-cmdline (a supervisor
 * is no container process, so its line stays). The caller frees it; NULL
 * with *n = 0 where there is none or memory ran out.
 */
static pid_t *container_pids(const struct ca_scan *scan, size_t *n)
{
	pid_t *pids;
	size_t i, j, k = 0;

	for (i = 0, *n = 0; i < scan->ncontainers; i++)
		*n += scan->containers[i].nprocs;
	pids = *n ? malloc(*n * sizeof(*pids)) : NULL;
	if (!pids) {
		*n = 0;
		return NULL;
	}
	for (i = 0; i < scan->ncontainers; i++)
		for (j = 0; j < scan->containers[i].nprocs; j++)
			pids[k++] = scan->containers[i].procs[j].pid;
	qsort(pids, *n, sizeof(*pids), pid_cmp);
	return pids;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Whether @ino is a user namespace not seen yet: its maps are taken once. */
static bool new_userns(struct ca_snapshot *s, uint64_t ino)
{
	uint64_t *key;

	if (tfind(&ino, &s->userns, u64_cmp))
		return false;
	key = malloc(sizeof(*key));
	if (!key)
		return true;
	*key = ino;
	if (!tsearch(key, &s->userns, u64_cmp))
		free(key);
	return true;
}

/*
 * Read proc/<@sp's pid>/@file into the capture, unless it holds it already
 * (or its failure): the scan read it.
 */
static void take(const struct ca_procroot *root, const struct seen_pid *sp, const char *file,
		 struct ca_buf *buf)
{
	char rel[64];

	if (sp->have & (1u << file_bit(file)))
		return;
	procroot_pid_rel(rel, sizeof(rel), sp->pid, file);
	procroot_read(root, rel, buf);
}

/*
 * Whether any process can have an LSM label: no module of this kernel gives
 * attr/current (-EINVAL for every task) and it has no AppArmor of its own
 * (no attr/apparmor/) is a fact of the kernel, not of a process, so it is
 * asked once, of capaudit's own process, which cannot vanish meanwhile;
 * the scan's own reads of labels are captured as ever.
 */
static bool lsm_labels(const struct ca_procroot *root, struct ca_buf *buf)
{
	return !root->live || procroot_probe(root, "self/attr/current", buf) != -EINVAL ||
	       procroot_probe(root, "self/attr/apparmor/current", buf) != -ENOENT;
}

/* What a responder needs beyond the scan's reads, for every process listed. */
static void capture_extras(struct ca_snapshot *s, const struct ca_procroot *root,
			   const struct ca_scan *scan)
{
	static const char *const files[] = { "attr/current", "attr/apparmor/current" };
	static const char *const maps[] = { "uid_map", "gid_map" };
	struct ca_buf buf = { 0 };
	char rel[96], target[128];
	uint64_t user = 0;
	size_t i, k, ncont = 0;
	_cleanup_free_ pid_t *cont = s->o.no_cmdline ? container_pids(scan, &ncont) : NULL;
	int ns;

	/* Without the list, --no-cmdline could not keep its promise. */
	if (s->o.no_cmdline && !cont && scan->counts.contained)
		fail(s, -ENOMEM, "--no-cmdline");
	s->lsm_labels = lsm_labels(root, &buf);

	for (i = 0; i < s->nlisted && !s->err; i++) {
		/* a copy: reading adds processes (their entries move) */
		const struct seen_pid sp = s->procs[s->listed[i]];
		bool user_known = false, take_maps;

		for (ns = 0; ns < CA_NS_COUNT; ns++) {
			/* the user namespace's link is read for its inode, captured or not */
			if (ns != CA_NS_USER && (sp.have & (1u << NS_BIT(ns))))
				continue;
			procroot_pid_rel(rel, sizeof(rel), sp.pid, ns_file(ns));
			if (procroot_readlink(root, rel, target, sizeof(target)) >= 0 && ns == CA_NS_USER)
				user_known = ns_link_parse(CA_NS_USER, target, &user) == 0;
		}
		/* A user namespace's maps are the same for all its processes. */
		take_maps = !user_known || new_userns(s, user);
		for (k = 0; take_maps && k < ARRAY_SIZE(maps); k++)
			take(root, &sp, maps[k], &buf);

		/* cmdline can hold secrets: --no-cmdline leaves containers' out */
		if (!s->o.no_cmdline || !ncont ||
		    !bsearch(&sp.pid, cont, ncont, sizeof(*cont), pid_cmp))
			take(root, &sp, "cmdline", &buf);
		if (s->o.with_environ)
			take(root, &sp, "environ", &buf);
		for (k = 0; s->lsm_labels && k < ARRAY_SIZE(files); k++)
			take(root, &sp, files[k], &buf);
	}
	buf_free(&buf);
}

static char *metadata(struct ca_snapshot *s, const struct ca_policy *policy)
{
	struct json_object *o = json_object_new_object();
	struct utsname u;
	char host[256] = "", boot[64] = "", ended[32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	char *text;

	if (!o)
		return NULL;
	gethostname(host, sizeof(host) - 1);
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f) {
		if (!fgets(boot, sizeof(boot), f))
			boot[0] = '\0';
		boot[strcspn(boot, "\n")] = '\0';
		fclose(f);
	}
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	strftime(ended, sizeof(ended), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	json_object_object_add(o, "schema_version", json_object_new_int(1));
	json_object_object_add(o, "hostname", json_object_new_string(host));
	json_object_object_add(o, "kernel_release", json_object_new_string(u.release));
	json_object_object_add(o, "boot_id", json_object_new_string(boot));
	json_object_object_add(o, "capture_start", json_object_new_string(s->started));
	json_object_object_add(o, "capture_end", json_object_new_string(ended));
	json_object_object_add(o, "capture_window_seconds",
			       json_object_new_double((double)(s->last.tv_sec - s->first.tv_sec) +
						      (double)(s->last.tv_nsec - s->first.tv_nsec) / 1e9));
	json_object_object_add(o, "capaudit_version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "command_line", json_object_new_string(s->o.command_line ? s->o.command_line : ""));
	json_object_object_add(o, "policy_source", json_object_new_string(policy->source));
	json_object_object_add(o, "no_cmdline", json_object_new_boolean(s->o.no_cmdline));
	json_object_object_add(o, "with_environ", json_object_new_boolean(s->o.with_environ));
	json_object_object_add(o, "lsm_labels", json_object_new_boolean(s->lsm_labels));
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

int snapshot_close(struct ca_snapshot *s, const struct ca_procroot *root, const struct ca_scan *scan,
		   const struct ca_policy *policy, unsigned char digest[CA_SHA256_LEN],
		   struct ca_err *err)
{
	_cleanup_free_ char *meta = NULL, *pol = NULL;
	struct ca_err werr = { 0 };
	size_t pol_len = 0;
	FILE *f;
	int r;

	capture_extras(s, root, scan);
	f = open_memstream(&pol, &pol_len);
	if (!f || policy_show(f, policy) < 0)
		fail(s, -ENOMEM, M_POLICY);
	if (f)
		fclose(f);
	add_own(s, M_POLICY, pol ? pol : "", pol ? pol_len : 0);
	add_own(s, M_ERRORS, s->errors ? s->errors : "", s->errors_len);
	meta = metadata(s, policy);
	if (!meta)
		fail(s, -ENOMEM, M_METADATA);
	else
		add_own(s, M_METADATA, meta, strlen(meta));
	/* The writer's own failure says most: which library, which write. */
	r = snapwriter_close(steal_pointer(&s->w), digest, &werr);
	if (r < 0)
		err_set(err, r, "%s", werr.msg);
	else if (s->err)
		r = err_set(err, s->err, "%s: %s", s->o.name, s->msg);
	snapshot_abort(s);
	return r;
}

/* A manifest line, "<sha256|->  <type> <name>", kept in a search tree. */
struct mline {
	char *name;
	char sum[2 * CA_SHA256_LEN + 1];
	char type;
	bool seen;
};

static int mline_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mline *)a)->name, ((const struct mline *)b)->name);
}

static void mline_free(void *p)
{
	struct mline *m = p;

	free(m->name);
	free(m);
}

static int parse_manifest(const char *text, size_t len, void **tree)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *sp = nl ? memchr(p, ' ', (size_t)(nl - p)) : NULL;
		struct mline *m, **node;

		if (!nl || !sp || (size_t)(sp - p) >= sizeof(m->sum) || sp + 4 >= nl || sp[1] != ' ' ||
		    sp[3] != ' ')
			return -EINVAL;
		m = calloc(1, sizeof(*m));
		if (!m)
			return -ENOMEM;
		memcpy(m->sum, p, (size_t)(sp - p));
		m->type = sp[2];
		m->name = strndup(sp + 4, (size_t)(nl - sp - 4));
		node = m->name ? tsearch(m, tree, mline_cmp) : NULL;
		if (!node) {
			mline_free(m);
			return -ENOMEM;
		}
		/* A name given twice: tsearch() kept the first, and no capture writes that. */
		if (*node != m) {
			mline_free(m);
			return -EINVAL;
		}
		p = nl + 1;
	}
	return 0;
}

/* Read the data of the current entry whole, up to MEMBER_MAX. */
static la_int64_t size_max(const char *name)
{
	return !strcmp(name, M_MANIFEST) || !strcmp(name, M_ERRORS) ? LIST_MAX : MEMBER_MAX;
}

/*
 * Read a member whole. The buffer grows with what arrives, not with what the
 * header claims: a 512-byte archive must not make us allocate a gigabyte.
 */
static int read_member(struct archive *a, struct archive_entry *e, char **data, size_t *len)
{
	la_int64_t size = archive_entry_size(e);
	size_t got = 0, cap = 0;
	la_ssize_t n;

	*data = NULL;
	*len = 0;
	if (size < 0 || size > size_max(archive_entry_pathname(e)))
		return -EFBIG;
	do {
		size_t want = (size_t)size - got < 65536 ? (size_t)size - got : 65536;

		if (util_grow(data, &cap, got + want + 1, 1) < 0) {
			free(*data);
			*data = NULL;
			return -ENOMEM;
		}
		n = want ? archive_read_data(a, *data + got, want) : 0;
		if (n > 0)
			got += (size_t)n;
	} while (n > 0 && got < (size_t)size);
	if (got != (size_t)size) {
		free(*data);
		*data = NULL;
		return -EIO;
	}
	(*data)[got] = '\0';
	*len = got;
	return 0;
}

static int open_reader(const char *path, struct archive **out, struct ca_err *err)
{
	struct archive *a;
	int r = snaplibs_load(err);

	if (r < 0)
		return r;
	a = archive_read_new();
	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, strcmp(path, "-") == 0 ? NULL : path, 65536) != ARCHIVE_OK) {
		err_set(err, -EIO, "%s: cannot read: %s", path, archive_error_string(a));
		archive_read_free(a);
		return -EIO;
	}
	*out = a;
	return 0;
}

struct walk_report {
	char *text;
	size_t len, cap;
	int altered;
};

static void note(struct walk_report *w, const char *what, const char *name)
{
	char line[PATH_MAX + 32];

	snprintf(line, sizeof(line), "%s: %s\n", what, name);
	if (append(&w->text, &w->len, &w->cap, line) == 0)
		w->altered = 1;
}

static struct walk_report *missing_report;
static void note_missing(const void *node, VISIT v, int depth)
{
	const struct mline *m = *(const struct mline *const *)node;

	(void)depth;
	if ((v == postorder || v == leaf) && !m->seen)
		note(missing_report, "missing", m->name);
}

int snapshot_verify(const char *path, char **report, struct ca_err *err)
{
	_cleanup_(archive_read_freep_) struct archive *a = NULL;
	struct walk_report w = { 0 };
	struct archive_entry *e;
	void *tree = NULL, *seen = NULL;
	char *manifest = NULL;
	size_t mlen = 0;
	int r, rr;

	*report = NULL;
	/* The manifest is the last member: read it first, in a pass of its own. */
	r = open_reader(path, &a, err);
	if (r < 0)
		return r;
	while ((rr = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), M_MANIFEST) != 0)
			continue;
		free(manifest);
		r = read_member(a, e, &manifest, &mlen);
		if (r < 0)
			return err_set(err, r, "%s: cannot read its manifest", path);
	}
	if (rr != ARCHIVE_EOF) {
		free(manifest);
		return err_set(err, -EIO, "%s: %s", path, archive_error_string(a));
	}
	if (!manifest)
		return err_set(err, -EINVAL, "%s: no %s member: not a capaudit snapshot", path, M_MANIFEST);
	r = parse_manifest(manifest, mlen, &tree);
	free(manifest);
	if (r < 0) {
		tdestroy(tree, mline_free);
		return err_set(err, r, "%s: its manifest is malformed", path);
	}
	archive_read_free(a);
	a = NULL;
	r = open_reader(path, &a, err);
	while (r == 0 && (rr = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char name[PATH_MAX];
		struct mline key = { .name = name }, **found;
		unsigned char d[CA_SHA256_LEN];
		char sum[2 * CA_SHA256_LEN + 1] = "-", *data = NULL;
		size_t len = 0;
		char type;
		size_t nl;

		/* tar keeps a directory's name with a slash after it; the manifest does not */
		snprintf(name, sizeof(name), "%s", archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		nl = strlen(name);
		if (nl > 1 && name[nl - 1] == '/')
			name[nl - 1] = '\0';
		if (strcmp(name, M_MANIFEST) == 0)
			continue;
		if (tfind(name, &seen, (int (*)(const void *, const void *))strcmp)) {
			note(&w, "duplicate", name);
			continue;
		}
		tsearch(strdup(name), &seen, (int (*)(const void *, const void *))strcmp);
		switch (archive_entry_filetype(e)) {
		case AE_IFDIR:
			type = 'd';
			break;
		case AE_IFLNK:
			type = 'l';
			if (sha256(archive_entry_symlink(e), strlen(archive_entry_symlink(e)), d) == 0)
				util_hex(d, sizeof(d), sum);
			break;
		case AE_IFREG:
			type = 'f';
			if (read_member(a, e, &data, &len) < 0 || sha256(data, len, d) < 0) {
				free(data);
				note(&w, "unreadable", name);
				continue;
			}
			free(data);
			util_hex(d, sizeof(d), sum);
			break;
		default:
			note(&w, "added", name);
			continue;
		}
		found = tfind(&key, &tree, mline_cmp);
		if (!found) {
			note(&w, "added", name);
			continue;
		}
		(*found)->seen = true;
		if ((*found)->type != type || strcmp((*found)->sum, sum) != 0)
			note(&w, "altered", name);
	}
	if (r == 0 && rr != ARCHIVE_EOF)
		r = err_set(err, -EIO, "%s: %s", path, archive_error_string(a));
	if (r == 0) {
		missing_report = &w;
		twalk(tree, note_missing);
		missing_report = NULL;
	}
	tdestroy(tree, mline_free);
	tdestroy(seen, free);
	if (r < 0) {
		free(w.text);
		return r;
	}
	*report = w.text;
	return w.altered ? CA_VERIFY_ALTERED : CA_VERIFY_INTACT;
}

/*
 * A member a snapshot may hold: "proc/" and digits, files and directories
 * under a pid, namespace links as the kernel spells them, and the four
 * files of its own. Nothing absolute, no "..", no empty component.
 */
static bool member_ok(const char *name, int type, const char *link)
{
	const char *p;
	size_t n = strlen(name);

	if (n == 0 || n >= 256 || name[0] == '/' || strstr(name, "//") ||
	    (name[n - 1] == '/' && type != AE_IFDIR))
		return false;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			return false;
	for (p = name; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return false;
	if (type == AE_IFREG && (!strcmp(name, M_ERRORS) || !strcmp(name, M_METADATA) ||
				 !strcmp(name, M_POLICY) || !strcmp(name, M_MANIFEST)))
		return true;
	if (strncmp(name, "proc/", 5) != 0)
		return false;
	if (type == AE_IFLNK) {
		/* only ns links, whose targets are no paths: "pid:[4026531836]" */
		const char *colon = strchr(link, ':');

		return strstr(name, "/ns/") && colon && colon > link && colon[1] == '[' &&
		       strspn(link, "abcdefghijklmnopqrstuvwxyz_") == (size_t)(colon - link) &&
		       strspn(colon + 2, "0123456789") > 0 &&
		       strcmp(colon + 2 + strspn(colon + 2, "0123456789"), "]") == 0;
	}
	return type == AE_IFREG || type == AE_IFDIR;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? 0 : 0;
}

void snapshot_remove(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Where a replay unpacks without $TMPDIR: memory where there is a tmpfs for
 * it (a 10k-process snapshot is 110k small files, 3.7 s to unpack, scan and
 * remove on tmpfs against 20-50 s on this disk), else /tmp.
 */
static const char *unpack_dir(void)
{
	return access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
}

int snapshot_unpack(const char *path, char **dir, struct ca_err *err)
{
	_cleanup_(archive_read_freep_) struct archive *a = NULL;
	struct archive *disk = NULL;
	struct archive_entry *e;
	const char *tmpdir = getenv("TMPDIR");
	char *root = NULL;
	void *seen = NULL;
	size_t count = 0;
	mode_t old_umask;
	int r, rr;

	*dir = NULL;
	r = open_reader(path, &a, err);
	if (r < 0)
		return r;
	if (asprintf(&root, "%s/capaudit-replay.XXXXXX", tmpdir && *tmpdir ? tmpdir : unpack_dir()) < 0)
		return -ENOMEM;
	/*
	 * The directory, and those the archive does not list, are made with the
	 * umask (which the writer reads at every member): 077 keeps them
	 * writable by their owner, who must remove them without
	 * CAP_DAC_OVERRIDE once that is dropped; 0277 would not.
	 */
	old_umask = umask(077);
	if (!mkdtemp(root)) {
		r = err_set(err, -errno, "cannot make a directory to unpack into: %s", strerror(errno));
		umask(old_umask);
		free(root);
		return r;
	}
	disk = archive_write_disk_new();
	if (!disk) {
		r = -ENOMEM;
		goto out;
	}
	/*
	 * The library's own guards, on top of the checks of member_ok(). Not
	 * ARCHIVE_EXTRACT_SECURE_SYMLINKS: member_ok() admits no link whose
	 * target holds a '/', so none can lead out of its directory, and that
	 * check lstat()ed every component of every member, 2.5 times the
	 * whole replay of 10k processes.
	 */
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					     ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_PERM);
	while ((rr = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		const char *link = archive_entry_symlink(e);
		int type = archive_entry_filetype(e);
		char *full = NULL, *copy;

		if (!name || !member_ok(name, type, link ? link : "")) {
			r = err_set(err, -EINVAL, "%s: refusing member \"%s\": not what a snapshot holds", path,
				    name ? name : "");
			goto out;
		}
		if (type == AE_IFREG && archive_entry_size(e) > size_max(name)) {
			r = err_set(err, -EFBIG, "%s: refusing member \"%s\": larger than %lld bytes", path,
				    name, (long long)size_max(name));
			goto out;
		}
		if (++count > MEMBERS_MAX) {
			r = err_set(err, -EFBIG, "%s: more than %u members", path, MEMBERS_MAX);
			goto out;
		}
		if (tfind(name, &seen, (int (*)(const void *, const void *))strcmp)) {
			r = err_set(err, -EINVAL, "%s: member \"%s\" given twice", path, name);
			goto out;
		}
		copy = strdup(name);
		if (!copy || !tsearch(copy, &seen, (int (*)(const void *, const void *))strcmp)) {
			free(copy);
			r = -ENOMEM;
			goto out;
		}
		/* archive_entry_set_pathname() frees what @name points to: messages use the copy. */
		name = copy;
		if (asprintf(&full, "%s/%s", root, name) < 0) {
			r = -ENOMEM;
			goto out;
		}
		archive_entry_set_pathname(e, full);
		archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
		free(full);
		if (archive_read_extract2(a, e, disk) != ARCHIVE_OK) {
			r = err_set(err, -EIO, "%s: cannot unpack \"%s\": %s", path, name,
				    archive_error_string(disk) ? archive_error_string(disk) : archive_error_string(a));
			goto out;
		}
	}
	if (rr != ARCHIVE_EOF)
		r = err_set(err, -EIO, "%s: %s", path, archive_error_string(a));
out:
	if (disk)
		archive_write_free(disk);
	umask(old_umask);
	tdestroy(seen, free);
	if (r < 0) {
		snapshot_remove(root);
		free(root);
		return r;
	}
	*dir = root;
	return 0;
}
