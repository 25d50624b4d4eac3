/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The proc root: open once, then openat() everything relative to it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "procroot.h"
#include "userfile.h"
#include "util.h"

/* status is about 1.5 KiB: one read of this size takes it whole. */
#define BUF_INITIAL 8192
/* No file capaudit reads is anywhere near this; refuse rather than grow forever. */
#define BUF_LIMIT (16u << 20)
/* Where a snapshot keeps what it read of the proc root, and of the host root. */
#define PROC_MEMBERS "proc/"
#define HOST_MEMBERS "host/"

/*
 * The directory @path the user named (by the rules of src/userfile.c), or
 * the live host's @live where @path is NULL, as an O_PATH descriptor in
 * *@fd; its name in *@name. Returns 0, or a negative errno with @err.
 */
static int open_dir(const char *path, const char *live, int *fd, const char **name, struct ca_err *err)
{
	*name = path ? path : live;
	if (path)
		return userfile_open_dir(path, fd, err);
	*fd = open(live, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? err_set(err, -errno, "cannot open %s: %s", live, strerror(errno)) : 0;
}

/* @root holds @fd from here, named @name. */
static int set_root(struct ca_procroot *root, int *fd, const char *name, struct ca_err *err)
{
	root->path = strdup(name);
	if (!root->path)
		return err_set(err, -ENOMEM, "cannot open %s: %s", name, strerror(ENOMEM));
	root->fd = steal_fd(fd);
	return 0;
}

int procroot_open(struct ca_procroot *root, const char *path, struct ca_err *err)
{
	_cleanup_close_ int fd = -1;
	struct statfs sfs;
	const char *name;
	int r;

	memset(root, 0, sizeof(*root));
	root->fd = -1;
	root->members = PROC_MEMBERS;
	r = open_dir(path, "/proc", &fd, &name, err);
	if (r < 0)
		return r;
	if (fstatfs(fd, &sfs) < 0)
		return err_set(err, -errno, "cannot open %s: %s", name, strerror(errno));
	root->live = sfs.f_type == PROC_SUPER_MAGIC;
	if (!path && !root->live)
		return err_set(err, -EMEDIUMTYPE, "/proc is not a procfs mount; use --proc-root to read a copy of one");
	return set_root(root, &fd, name, err);
}

int procroot_open_host(struct ca_procroot *root, const char *path, struct ca_err *err)
{
	_cleanup_close_ int fd = -1;
	const char *name;
	int r;

	memset(root, 0, sizeof(*root));
	root->fd = -1;
	root->members = HOST_MEMBERS;
	r = open_dir(path, "/", &fd, &name, err);
	return r < 0 ? r : set_root(root, &fd, name, err);
}

int procroot_open_tree(struct ca_procroot *root, struct ca_memtree *tree, const char *name)
{
	size_t i = memtree_lower(tree, PROC_MEMBERS);

	memset(root, 0, sizeof(*root));
	root->fd = -1;
	root->tree = tree;
	root->owns_tree = true;
	root->members = PROC_MEMBERS;
	if (i == tree->n || strncmp(tree->nodes[i].name, PROC_MEMBERS, strlen(PROC_MEMBERS)) != 0)
		return -ENOENT;
	root->path = strdup(name);
	return root->path ? 0 : -ENOMEM;
}

int procroot_open_host_tree(struct ca_procroot *root, const struct ca_procroot *proc, const char *name)
{
	memset(root, 0, sizeof(*root));
	root->fd = -1;
	root->tree = proc->tree;
	root->members = HOST_MEMBERS;
	root->path = strdup(name);
	return root->path ? 0 : -ENOMEM;
}

void procroot_close(struct ca_procroot *root)
{
	if (root->fd >= 0)
		close(root->fd);
	if (root->tree && root->owns_tree) {
		memtree_free(root->tree);
		free(root->tree);
	}
	root->tree = NULL;
	free(root->path);
	free(root->errors);
	root->fd = -1;
	root->path = NULL;
	root->errors = NULL;
	root->nerrors = 0;
}

static int error_cmp(const void *a, const void *b)
{
	const struct ca_replayed_error *x = a, *y = b;
	int c = memcmp(x->rel, y->rel, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/*
 * One table for every line, its names left in @text: a capture of a host
 * whose processes come and go records thousands of failed reads, and a
 * copy of each name was a malloc() each (under ASan, in fuzz_snapshot, a
 * tenth of what a replay allocated).
 */
int procroot_set_errors(struct ca_procroot *root, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct ca_replayed_error *n;
	size_t lines = 0;

	for (; p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++)
		lines++;
	if (!lines)
		return len ? -EINVAL : 0;
	n = realloc(root->errors, (root->nerrors + lines) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	root->errors = n;
	for (p = text; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *sp, line[PATH_MAX + 16];
		long e;

		if (!nl || (size_t)(nl - p) >= sizeof(line))
			return -EINVAL;
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		e = strtol(line, &sp, 10);
		if (sp == line || *sp != ' ' || e <= 0 || e > 4095 || !sp[1])
			return -EINVAL;
		/* the name up to the line's end, or a NUL in it, as a copy of the line would have it */
		n[root->nerrors++] = (struct ca_replayed_error){
			.rel = p + (sp + 1 - line), .len = strlen(sp + 1), .err = (int)-e,
		};
		p = nl + 1;
	}
	if (root->nerrors)
		qsort(root->errors, root->nerrors, sizeof(*root->errors), error_cmp);
	return 0;
}

/*
 * @rel as a snapshot's member, in @name: "proc/<rel>", "host/<rel>".
 * Returns false where it does not fit.
 */
static bool member_of(const struct ca_procroot *root, const char *rel, char name[PATH_MAX])
{
	size_t m = strlen(root->members), n = strlen(rel);

	if (m + n >= PATH_MAX)
		return false;
	memcpy(name, root->members, m);
	memcpy(name + m, rel, n + 1);
	return true;
}

/*
 * The failure a replay must give for @rel, or 0. The errors member names
 * the proc root's files as they are named in it ("1234/ns/pid", as
 * snapshots always have), the host root's by their members ("host/...").
 */
static int replayed_error(const struct ca_procroot *root, const char *rel)
{
	struct ca_replayed_error key, *e;
	char name[PATH_MAX];

	if (!root->nerrors)
		return 0;
	if (strcmp(root->members, PROC_MEMBERS) == 0)
		key.rel = rel;
	else if (member_of(root, rel, name))
		key.rel = name;
	else
		return 0;
	key.len = strlen(key.rel);
	e = bsearch(&key, root->errors, root->nerrors, sizeof(key), error_cmp);
	return e ? e->err : 0;
}

static ssize_t recorded(const struct ca_procroot *root, enum ca_record what, const char *rel,
			const char *data, ssize_t n)
{
	char name[PATH_MAX];

	if (!root->rec)
		return n;
	if (!member_of(root, rel, name))
		name[0] = '\0';	/* the recorder refuses a name too long for a member */
	root->rec->record(root->rec->ctx, n < 0 ? CA_REC_ERROR : what, name, data, n < 0 ? 0 : (size_t)n,
			  n < 0 ? (int)n : 0);
	return n;
}

int procroot_pid_rel(char *rel, size_t size, pid_t pid, const char *file)
{
	int n = snprintf(rel, size, "%d/%s", (int)pid, file);

	return n >= 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

void buf_free(struct ca_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

static ssize_t read_file(const struct ca_procroot *root, const char *rel, struct ca_buf *buf, size_t max);

ssize_t procroot_read_max(const struct ca_procroot *root, const char *rel, struct ca_buf *buf, size_t max)
{
	ssize_t n = replayed_error(root, rel);

	if (n == 0)
		n = read_file(root, rel, buf, max);
	return recorded(root, CA_REC_FILE, rel, n >= 0 ? buf->data : NULL, n);
}

ssize_t procroot_read(const struct ca_procroot *root, const char *rel, struct ca_buf *buf)
{
	return procroot_read_max(root, rel, buf, BUF_LIMIT);
}

ssize_t procroot_probe(const struct ca_procroot *root, const char *rel, struct ca_buf *buf)
{
	return read_file(root, rel, buf, BUF_LIMIT);
}

/*
 * Before Linux 5.6, or under a seccomp filter that does not know openat2:
 * each component of @rel opened in turn without following a link, which is
 * what RESOLVE_NO_SYMLINKS asks of openat2. Returns a descriptor, or a
 * negative errno.
 */
static int open_walk(int dirfd, const char *rel, int flags)
{
	_cleanup_close_ int cur = -1;
	const char *p = rel;

	for (;;) {
		size_t n = strcspn(p, "/");
		char comp[NAME_MAX + 1];
		int fd;

		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (strcmp(comp, "..") == 0 || n == 0)
			return -EXDEV;
		p += n;
		fd = openat(cur >= 0 ? cur : dirfd, comp,
			    *p ? O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC : flags | O_NOFOLLOW);
		if (fd < 0)
			return -errno;
		if (cur >= 0)
			close(cur);
		cur = fd;
		if (!*p++)
			return steal_fd(&cur);
	}
}

/*
 * Open @rel under @root with @flags. The live procfs is the kernel's, and
 * holds no link a process could point elsewhere. A directory of files (a
 * host's /proc copied, a disk image mounted, a fixture) is anyone's, and
 * nothing outside it may be read: no symbolic link in it is followed
 * (namespace links are read as links only), and no file with a second name
 * is read (-EMLINK), for a hard link can be any file of its filesystem
 * (/etc/shadow, where protected_hardlinks is 0), and no copy of /proc has
 * one. Nor may anything in it hold a read: the open does not wait on a fifo
 * or a device (O_NONBLOCK), and only a regular file is read (-EINVAL for
 * the rest). Returns a descriptor, or a negative errno.
 */
static int open_in(const struct ca_procroot *root, const char *rel, int flags)
{
	/* openat2 refuses with O_PATH any flag that has no meaning for it */
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC |
				    (flags & O_PATH ? 0 : O_NOCTTY | (root->live ? 0 : O_NONBLOCK))),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	struct stat st = { 0 };
	int fd;

	if (root->live)
		return (fd = openat(root->fd, rel, (int)how.flags)) < 0 ? -errno : fd;
	fd = util_openat2(root->fd, rel, &how);
	if (fd < 0 && errno == ENOSYS)
		fd = open_walk(root->fd, rel, (int)how.flags);
	else if (fd < 0)
		fd = -errno;
	if (fd < 0 || (flags & (O_PATH | O_DIRECTORY)))
		return fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1)
		return fd;
	close(fd);
	return S_ISDIR(st.st_mode) ? -EISDIR : S_ISREG(st.st_mode) ? -EMLINK : -EINVAL;
}

/* The node of @rel in a tree, in @name; NULL where there is none. */
static const struct ca_memnode *tree_node(const struct ca_procroot *root, const char *rel,
					  char name[PATH_MAX])
{
	return member_of(root, rel, name) ? memtree_find(root->tree, name) : NULL;
}

/* What opening and reading @rel gives, from a tree: a link leads nowhere there. */
static ssize_t tree_read(const struct ca_procroot *root, const char *rel, struct ca_buf *buf, size_t max)
{
	char name[PATH_MAX];
	const struct ca_memnode *n = tree_node(root, rel, name);

	if (!n || n->type == CA_NODE_LINK)
		return -ENOENT;
	if (n->type == CA_NODE_DIR)
		return -EISDIR;
	if (n->len > max)
		return -EFBIG;
	if (n->len >= buf->cap) {
		char *p = realloc(buf->data, n->len + 1);

		if (!p)
			return -ENOMEM;
		buf->data = p;
		buf->cap = n->len + 1;
	}
	memcpy(buf->data, n->data, n->len + 1);
	buf->len = n->len;
	return (ssize_t)buf->len;
}

static ssize_t read_file(const struct ca_procroot *root, const char *rel, struct ca_buf *buf, size_t max)
{
	_cleanup_close_ int fd = -1;

	buf->len = 0;
	if (!buf->data) {
		buf->data = malloc(BUF_INITIAL);
		if (!buf->data)
			return -ENOMEM;
		buf->cap = BUF_INITIAL;
	}
	if (root->tree)
		return tree_read(root, rel, buf, max);
	fd = open_in(root, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	for (;;) {
		size_t room = buf->cap - buf->len - 1;
		ssize_t n = read(fd, buf->data + buf->len, room);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf->len += (size_t)n;
		if (buf->len > max)
			return -EFBIG;
		/*
		 * procfs hands a seq_file over whole when it fits, and a short
		 * read of a regular file is its end: stop without the extra
		 * read(2) that would only return 0.
		 */
		if ((size_t)n < room)
			break;
		if (buf->cap >= max)
			return -EFBIG;
		{
			char *p = realloc(buf->data, buf->cap * 2);

			if (!p)
				return -ENOMEM;
			buf->data = p;
			buf->cap *= 2;
		}
	}
	buf->data[buf->len] = '\0';
	return (ssize_t)buf->len;
}

/* readlinkat() into @out, NUL-terminated: its length, or a negative errno. */
static ssize_t link_target(int dirfd, const char *rel, char *out, size_t size)
{
	ssize_t n = readlinkat(dirfd, rel, out, size);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return n;
}

ssize_t procroot_readlink(const struct ca_procroot *root, const char *rel, char *out, size_t size)
{
	ssize_t n;

	if (size == 0)
		return -ENAMETOOLONG;
	n = replayed_error(root, rel);
	if (n == 0 && root->tree) {
		char name[PATH_MAX];
		const struct ca_memnode *node = tree_node(root, rel, name);

		n = !node ? -ENOENT : node->type != CA_NODE_LINK ? -EINVAL
		  : node->len >= size ? -ENAMETOOLONG : (ssize_t)node->len;
		if (n >= 0)
			memcpy(out, node->data, node->len + 1);
	} else if (n == 0 && root->live) {
		n = link_target(root->fd, rel, out, size);
	} else if (n == 0) {
		/* in a directory of files, the link itself, reached by open_in()'s rules */
		_cleanup_close_ int fd = open_in(root, rel, O_PATH | O_NOFOLLOW);

		n = fd < 0 ? fd : link_target(fd, "", out, size);
	}
	return recorded(root, CA_REC_LINK, rel, n >= 0 ? out : NULL, n);
}

char *procroot_hidepid(const struct ca_procroot *root)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	struct stat st;

	if (!root->live || fstat(root->fd, &st) < 0)
		return NULL;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	/* "36 25 0:22 / /proc rw,... shared:12 - proc proc rw,hidepid=invisible" */
	while (getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char *sep, *opt, *end;

		if (sscanf(line, "%*u %*u %u:%u", &maj, &min) != 2 ||
		    makedev(maj, min) != st.st_dev)
			continue;
		sep = strstr(line, " - proc ");
		if (!sep)
			continue;
		opt = strstr(sep, "hidepid=");
		if (!opt)
			return NULL;
		opt += strlen("hidepid=");
		end = opt + strcspn(opt, ", \n");
		if (end - opt == 1 && *opt == '0')
			return NULL;
		return strndup(opt, (size_t)(end - opt));
	}
	return NULL;
}

int procroot_pids_open(const struct ca_procroot *root, struct ca_piditer *it)
{
	return procroot_dir_open(root, ".", it);
}

int procroot_dir_open(const struct ca_procroot *root, const char *rel, struct ca_piditer *it)
{
	_cleanup_close_ int fd = -1;

	it->dir = NULL;
	it->root = root;
	it->subdirs = false;
	snprintf(it->rel, sizeof(it->rel), "%s", rel);
	if (root->tree) {
		/* its entries are the nodes that start with "proc/<rel>/", together */
		int n = snprintf(it->prefix, sizeof(it->prefix), "%s%s%s", root->members,
				 strcmp(rel, ".") ? rel : "", strcmp(rel, ".") ? "/" : "");

		if (n < 0 || (size_t)n >= sizeof(it->prefix))
			return -ENAMETOOLONG;
		it->plen = (size_t)n;
		it->last[0] = '\0';
		it->pos = memtree_lower(root->tree, it->prefix);
		if (it->pos == root->tree->n ||
		    strncmp(root->tree->nodes[it->pos].name, it->prefix, it->plen) != 0)
			return -ENOENT;
		return 0;
	}
	fd = open_in(root, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	it->dir = fdopendir(fd);
	if (!it->dir)
		return -errno;
	steal_fd(&fd);
	return 0;
}

static bool parse_pid(const char *s, pid_t *pid)
{
	long v = 0;

	if (*s < '1' || *s > '9')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return false;
	}
	*pid = (pid_t)v;
	return true;
}

/* Is @name one the listing gives: a pid, or with subdirs any name but "." and ".."? */
static bool listed(const struct ca_piditer *it, const char *name)
{
	pid_t pid;

	if (it->subdirs)
		return *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
	return parse_pid(name, &pid);
}

/*
 * The name of the next entry listed; NULL at the end, with errno set where
 * the listing failed. In a tree, each directory under the prefix once,
 * whether the archive lists it or only members inside it (a tar need not
 * hold directories): a directory's nodes come together in the sorted table,
 * but for other names that sort among them ("1234-x" before "1234/status").
 */
static const char *next_entry(struct ca_piditer *it)
{
	const struct ca_memtree *t = it->root->tree;
	struct dirent *d;

	errno = 0;
	if (!t) {
		while ((d = readdir(it->dir)))
			if (!it->subdirs || d->d_type == DT_DIR || d->d_type == DT_UNKNOWN)
				return d->d_name;
		return NULL;
	}
	while (it->pos < t->n && strncmp(t->nodes[it->pos].name, it->prefix, it->plen) == 0) {
		const struct ca_memnode *n = &t->nodes[it->pos++];
		const char *child = n->name + it->plen;
		size_t len = strcspn(child, "/");
		char name[sizeof(it->last)];

		if ((n->type != CA_NODE_DIR && !child[len]) || len >= sizeof(name))
			continue;
		memcpy(name, child, len);
		name[len] = '\0';
		if (strcmp(name, it->last) == 0 || !listed(it, name))
			continue;
		memcpy(it->last, name, len + 1);
		return it->last;
	}
	return NULL;
}

/* Tell the recorder of the directory "<rel>/<name>" just listed. */
static void record_listed(const struct ca_piditer *it, const char *name)
{
	char rel[sizeof(it->rel) + 1 + sizeof(it->last)];

	if (!it->root || !it->root->rec)
		return;
	if (strcmp(it->rel, ".") == 0)
		snprintf(rel, sizeof(rel), "%s", name);
	else
		snprintf(rel, sizeof(rel), "%s/%s", it->rel, name);
	recorded(it->root, CA_REC_DIR, rel, NULL, 0);
}

int procroot_pids_next(struct ca_piditer *it, pid_t *pid)
{
	const char *name;

	for (;;) {
		name = next_entry(it);
		if (!name)
			return errno ? -errno : 1;
		if (parse_pid(name, pid)) {
			record_listed(it, name);
			return 0;
		}
	}
}

int procroot_subdirs_open(const struct ca_procroot *root, const char *rel, struct ca_piditer *it)
{
	int r = procroot_dir_open(root, rel, it);

	it->subdirs = true;
	return r;
}

int procroot_subdirs_next(struct ca_piditer *it, const char **name)
{
	for (;;) {
		*name = next_entry(it);
		if (!*name)
			return errno ? -errno : 1;
		if (listed(it, *name)) {
			record_listed(it, *name);
			return 0;
		}
	}
}

void procroot_pids_close(struct ca_piditer *it)
{
	if (it->dir)
		closedir(it->dir);
	it->dir = NULL;
}
