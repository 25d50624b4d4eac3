/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Taking a snapshot: the scan's every read, and what a responder needs beyond it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keymap.h"
#include "ns.h"
#include "policy_ini.h"
#include "snaplibs.h"
#include "snapmeta.h"
#include "snapshot.h"
#include "snapwriter.h"

struct ca_snapshot {
	struct ca_snapwriter *w;	/* the archive: members go there */
	int err;			/* the first failure, sticky */
	char msg[256];
	struct ca_recorder rec;
	struct ca_keymap seen;		/* every name captured, or whose read failed */
	char *errors;			/* "<errno> <rel>\n" lines */
	size_t errors_len, errors_cap;
	struct seen_pid *procs;		/* what is captured of each process */
	size_t nprocs, procs_cap, cursor;
	struct ca_keymap procs_of;	/* pid -> index in procs */
	uint32_t *listed;		/* indexes in procs of every pid listed, in order */
	size_t nlisted, listed_cap;
	struct ca_snapshot_opts o;
	char started[32];
	struct timespec first, last;	/* the capture window: first read to last */
	struct ca_keymap userns;	/* user namespaces whose maps are taken */
	bool lsm_labels;		/* whether a process can have an LSM label */
};

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
	"attr/apparmor/current", "stat",
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
	i = keymap_get_pid(&s->procs_of, pid);
	if (i < 0) {
		if (!create || s->nprocs >= UINT32_MAX ||
		    util_grow(&s->procs, &s->procs_cap, s->nprocs + 1, sizeof(*s->procs)) < 0 ||
		    keymap_put_pid(&s->procs_of, pid, (uint32_t)s->nprocs) < 0)
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
	return keymap_put(&s->seen, name, nlen, 0);
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

static void record(void *ctx, enum ca_record what, const char *name, const char *data, size_t len,
		   int err)
{
	struct ca_snapshot *s = ctx;
	/* the errors member names a proc root's file as the proc root does: "1234/ns/pid" */
	const char *rel = strncmp(name, "proc/", 5) == 0 ? name + 5 : name;
	size_t nlen = strlen(name);
	char line[PATH_MAX + 16];
	char *end;
	long pid;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &s->last);
	if (!s->first.tv_sec && !s->first.tv_nsec)
		s->first = s->last;

	if (nlen == 0 || nlen >= PATH_MAX) {
		fail(s, -ENAMETOOLONG, rel);
		return;
	}
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
		if (rel != name && *end == '\0' && pid > 0 && pid <= INT_MAX &&
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
	if (!s || snapwriter_new(&s->w, o->fd, filter, o->name, now, o->sign) < 0) {
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
	keymap_free(&s->seen);
	keymap_free(&s->procs_of);
	free(s->procs);
	free(s->listed);
	keymap_free(&s->userns);
	free(s->errors);
	free(s);
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/*
 * The pids of containers' processes, sorted: their stat is taken, and with
 * --no-cmdline their command lines are not (a supervisor is no container
 * process, so its line stays). The caller frees it; NULL
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

/* Whether @ino is a user namespace not seen yet: its maps are taken once (and where memory ran out). */
static bool new_userns(struct ca_snapshot *s, uint64_t ino)
{
	return keymap_put(&s->userns, &ino, sizeof(ino), 0) != 0;
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
	if (procroot_pid_rel(rel, sizeof(rel), sp->pid, file) == 0)
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
	_cleanup_free_ pid_t *cont = container_pids(scan, &ncont);
	int ns;

	/* Without the list, --no-cmdline could not keep its promise. */
	if (!cont && scan->counts.contained)
		fail(s, -ENOMEM, "the containers' processes");
	s->lsm_labels = lsm_labels(root, &buf);

	for (i = 0; i < s->nlisted && !s->err; i++) {
		/* a copy: reading adds processes (their entries move) */
		const struct seen_pid sp = s->procs[s->listed[i]];
		bool user_known = false, take_maps, contained;

		for (ns = 0; ns < CA_NS_COUNT; ns++) {
			/* the user namespace's link is read for its inode, captured or not */
			if (ns != CA_NS_USER && (sp.have & (1u << NS_BIT(ns))))
				continue;
			if (procroot_pid_rel(rel, sizeof(rel), sp.pid, ns_file(ns)) == 0 &&
			    procroot_readlink(root, rel, target, sizeof(target)) >= 0 && ns == CA_NS_USER)
				user_known = ns_link_parse(CA_NS_USER, target, &user) == 0;
		}
		/* A user namespace's maps are the same for all its processes. */
		take_maps = !user_known || new_userns(s, user);
		for (k = 0; take_maps && k < ARRAY_SIZE(maps); k++)
			take(root, &sp, maps[k], &buf);

		contained = ncont && bsearch(&sp.pid, cont, ncont, sizeof(*cont), pid_cmp);
		/* cmdline can hold secrets: --no-cmdline leaves containers' out */
		if (!s->o.no_cmdline || !contained)
			take(root, &sp, "cmdline", &buf);
		if (s->o.with_environ)
			take(root, &sp, "environ", &buf);
		/* pid and start time name a container's process across captures (capaudit diff) */
		if (contained)
			take(root, &sp, "stat", &buf);
		for (k = 0; s->lsm_labels && k < ARRAY_SIZE(files); k++)
			take(root, &sp, files[k], &buf);
	}
	buf_free(&buf);
}

static char *metadata(struct ca_snapshot *s, const struct ca_procroot *root, const struct ca_policy *policy)
{
	struct ca_host_ident id;
	struct ca_buf buf = { 0 };
	char ended[32];
	time_t now = time(NULL);
	struct tm tm;
	struct ca_snapmeta m = {
		.hostname = id.hostname, .kernel_release = id.release, .boot_id = id.boot_id,
		.capture_start = s->started, .capture_end = ended, .command_line = s->o.command_line,
		.policy_source = policy->source, .no_cmdline = s->o.no_cmdline,
		.with_environ = s->o.with_environ, .lsm_labels = s->lsm_labels,
		.case_id = s->o.case_id, .examiner = s->o.examiner, .note = s->o.note,
		.signer_fingerprint = s->o.sign ? snapsign_fingerprint(s->o.sign) : NULL,
	};

	/* The UTS namespace capaudit runs in names the host; boot id and release are the kernel's. */
	host_ident_read(root, &buf, &id);
	buf_free(&buf);
	strftime(ended, sizeof(ended), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	m.capture_window = (double)(s->last.tv_sec - s->first.tv_sec) +
			   (double)(s->last.tv_nsec - s->first.tv_nsec) / 1e9;
	return snapmeta_write(&m);
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
		fail(s, -ENOMEM, CA_SNAP_POLICY);
	if (f)
		fclose(f);
	add_own(s, CA_SNAP_POLICY, pol ? pol : "", pol ? pol_len : 0);
	/* Before the manifest, which covers it, as the metadata's fingerprint names it: no key can be swapped in. */
	if (s->o.sign) {
		size_t pem_len;
		const char *pem = snapsign_public_pem(s->o.sign, &pem_len);

		add_own(s, CA_SNAP_SIGNER, pem, pem_len);
	}
	/* before the errors member: its reads of host files may fail too */
	meta = metadata(s, root, policy);
	add_own(s, CA_SNAP_ERRORS, s->errors ? s->errors : "", s->errors_len);
	if (!meta)
		fail(s, -ENOMEM, CA_SNAP_METADATA);
	else
		add_own(s, CA_SNAP_METADATA, meta, strlen(meta));
	/* The writer's own failure says most: which library, which write. */
	r = snapwriter_close(steal_pointer(&s->w), digest, &werr);
	if (r < 0)
		err_set(err, r, "%s", werr.msg);
	else if (s->err)
		r = err_set(err, s->err, "%s: %s", s->o.name, s->msg);
	snapshot_abort(s);
	return r;
}
