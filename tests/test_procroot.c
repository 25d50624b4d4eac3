/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the proc root: a snapshot's tree in memory, and a directory of files nobody can turn. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/openat2.h>

#include "memtree.h"
#include "procroot.h"

/* The seam: with @no_openat2, the kernel has none (before 5.6, or a seccomp filter). */
static bool no_openat2;
int __wrap_util_openat2(int dirfd, const char *path, const struct open_how *how);
int __real_util_openat2(int dirfd, const char *path, const struct open_how *how);
int __wrap_util_openat2(int dirfd, const char *path, const struct open_how *how)
{
	if (no_openat2) {
		errno = ENOSYS;
		return -1;
	}
	return __real_util_openat2(dirfd, path, how);
}

static void add(struct ca_memtree *t, enum ca_node_type type, const char *name, const char *data)
{
	const char *copy = data ? memtree_copy(t, data, strlen(data)) : NULL;

	assert_true(!data || copy);
	assert_int_equal(memtree_add(t, type, memtree_copy(t, name, strlen(name)), copy, data ? strlen(data) : 0), 0);
}

/* Every pid a listing of @rel gives, in order, as "1 2 12 "; or the error. */
static const char *listing(const struct ca_procroot *root, const char *rel)
{
	static char out[256];
	struct ca_piditer it;
	size_t n = 0;
	pid_t pid;
	int r;

	out[0] = '\0';
	r = procroot_dir_open(root, rel, &it);
	if (r < 0) {
		snprintf(out, sizeof(out), "%s", strerror(-r));
		return out;
	}
	while ((r = procroot_pids_next(&it, &pid)) == 0)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%d ", (int)pid);
	procroot_pids_close(&it);
	assert_int_equal(r, 1);
	return out;
}

/* A snapshot read in place: files, links, directories listed or only implied. */
static void tree(void **state)
{
	struct ca_memtree *t = calloc(1, sizeof(*t));
	struct ca_procroot root;
	struct ca_buf buf = { 0 };
	const char *dup;
	char link[64];

	(void)state;
	assert_non_null(t);
	add(t, CA_NODE_FILE, "proc/1/status", "Name:\tinit\n");
	add(t, CA_NODE_LINK, "proc/1/ns/pid", "pid:[4026531836]");
	add(t, CA_NODE_DIR, "proc/1", NULL);
	add(t, CA_NODE_DIR, "proc/2", NULL);
	add(t, CA_NODE_FILE, "proc/12/status", "Name:\tx\n");	/* no node of its directory */
	add(t, CA_NODE_FILE, "proc/12-x", "not a pid");		/* sorts among 12's nodes */
	add(t, CA_NODE_FILE, "proc/12/task/13/status", "Name:\tt\n");
	add(t, CA_NODE_FILE, "proc/7", "a file, no directory");
	add(t, CA_NODE_FILE, "policy.ini", "[default]\n");
	assert_int_equal(memtree_seal(t, &dup), 0);
	assert_int_equal(procroot_open_tree(&root, t, "s.tar:proc"), 0);
	assert_string_equal(root.path, "s.tar:proc");

	assert_int_equal(procroot_read(&root, "1/status", &buf), 11);
	assert_string_equal(buf.data, "Name:\tinit\n");
	assert_int_equal(procroot_read(&root, "1/ns/pid", &buf), -ENOENT);
	assert_int_equal(procroot_read(&root, "2", &buf), -EISDIR);
	assert_int_equal(procroot_read(&root, "3/status", &buf), -ENOENT);
	assert_int_equal(procroot_readlink(&root, "1/ns/pid", link, sizeof(link)), 16);
	assert_string_equal(link, "pid:[4026531836]");
	assert_int_equal(procroot_readlink(&root, "1/ns/pid", link, 8), -ENAMETOOLONG);
	assert_int_equal(procroot_readlink(&root, "1/status", link, sizeof(link)), -EINVAL);
	assert_string_equal(listing(&root, "."), "1 12 2 ");	/* in the order of names */
	assert_string_equal(listing(&root, "12/task"), "13 ");
	assert_string_equal(listing(&root, "99/task"), strerror(ENOENT));

	/* What failed at capture fails again. */
	assert_int_equal(procroot_set_errors(&root, "13 1/status\n", 12), 0);
	assert_int_equal(procroot_read(&root, "1/status", &buf), -EACCES);
	assert_int_equal(procroot_set_errors(&root, "13 no newline", 13), -EINVAL);
	buf_free(&buf);
	procroot_close(&root);

	/* A tree with nothing under proc/ is no proc root; the root owns it either way. */
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	add(t, CA_NODE_FILE, "policy.ini", "[default]\n");
	assert_int_equal(memtree_seal(t, &dup), 0);
	assert_int_equal(procroot_open_tree(&root, t, "empty.tar:proc"), -ENOENT);
	procroot_close(&root);
}

static void memtree_duplicates(void **state)
{
	struct ca_memtree t = { 0 };
	const char *dup;

	(void)state;
	add(&t, CA_NODE_FILE, "proc/1/status", "a");
	add(&t, CA_NODE_FILE, "errors", "");
	add(&t, CA_NODE_FILE, "proc/1/status", "b");
	assert_int_equal(memtree_seal(&t, &dup), -EEXIST);
	assert_string_equal(dup, "proc/1/status");
	assert_non_null(memtree_find(&t, "errors"));
	assert_null(memtree_find(&t, "proc/1"));
	assert_int_equal(memtree_lower(&t, "proc/"), 1);
	assert_true(t.bytes > 3 * sizeof(struct ca_memnode));
	memtree_free(&t);
}

static char top[64];

static void mk(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every subdirectory a listing of @rel gives, sorted, as "a b "; or the error. */
static const char *subdirs(const struct ca_procroot *root, const char *rel)
{
	static char out[256];
	char *names[16];
	struct ca_piditer it = { 0 };
	const char *name;
	size_t n = 0, i, len = 0;
	int r;

	out[0] = '\0';
	r = procroot_subdirs_open(root, rel, &it);
	if (r < 0) {
		procroot_pids_close(&it);
		snprintf(out, sizeof(out), "%s", strerror(-r));
		return out;
	}
	while ((r = procroot_subdirs_next(&it, &name)) == 0 && n < 16)
		names[n++] = strdup(name);
	procroot_pids_close(&it);
	assert_int_equal(r, 1);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s ", names[i]);
		free(names[i]);
	}
	return out;
}

/* A runtime's state directory, by name: in a snapshot and in a directory of files. */
static void state_dirs(void **state)
{
	struct ca_memtree *t = calloc(1, sizeof(*t));
	struct ca_procroot proc, host;
	struct ca_err err = { 0 };
	const char *dup;
	char dir[64];

	(void)state;
	assert_non_null(t);
	add(t, CA_NODE_FILE, "proc/1/status", "Name:\tinit\n");
	add(t, CA_NODE_DIR, "host/run/runc/box", NULL);
	add(t, CA_NODE_FILE, "host/run/runc/box/state.json", "{}");
	add(t, CA_NODE_FILE, "host/run/runc/web-1/state.json", "{}");	/* no node of its directory */
	add(t, CA_NODE_FILE, "host/run/runc/stray", "a file, no directory");
	add(t, CA_NODE_DIR, "host/run/runc/12", NULL);			/* a name of digits is a name */
	assert_int_equal(memtree_seal(t, &dup), 0);
	assert_int_equal(procroot_open_tree(&proc, t, "s.tar:proc"), 0);
	assert_int_equal(procroot_open_host_tree(&host, &proc, "s.tar:host"), 0);
	assert_string_equal(subdirs(&host, "run/runc"), "12 box web-1 ");
	assert_string_equal(subdirs(&host, "run/crun"), strerror(ENOENT));
	procroot_close(&host);
	procroot_close(&proc);

	snprintf(dir, sizeof(dir), "/tmp/capaudit-test-procroot.XXXXXX");
	assert_non_null(mkdtemp(dir));
	sh("cd %s && mkdir -p run/runc/box run/runc/.hidden && touch run/runc/stray && ln -s box run/runc/link && "
	   "ln -s /etc run/crun", dir);
	assert_int_equal(procroot_open_host(&host, dir, &err), 0);
	assert_string_equal(subdirs(&host, "run/runc"), ".hidden box ");
	assert_string_equal(subdirs(&host, "run/crun"), strerror(ELOOP));
	procroot_close(&host);
	sh("rm -rf %s", dir);
}

/*
 * A directory of files someone else made: a link out of it, a pid that is
 * a link to /, a fifo, a device, a hard link to a file outside, a link
 * inside it: none is read, none blocks; namespace links are read as links.
 */
static void hostile_directory(bool without_openat2)
{
	struct ca_procroot root;
	struct ca_err err = { 0 };
	struct ca_buf buf = { 0 };
	char link[64];

	snprintf(top, sizeof(top), "/tmp/capaudit-test-procroot.XXXXXX");
	assert_non_null(mkdtemp(top));
	sh("cd %s && mkdir -p sys/kernel 1/ns 2 4 5 6 8 && echo 40 >sys/kernel/cap_last_cap", top);
	mk("1/status", "Name:\tinit\n");
	mk("outside", "root's secret\n");
	sh("cd %s && ln -s pid:[4026531836] 1/ns/pid && ln -s /etc/passwd 2/status && ln -s / 3 && "
	   "mkfifo 4/status && ln outside 5/status && ln -s ../1/status 6/status && ln -s 1 7 && "
	   "mknod 8/status c 1 5 2>/dev/null; true", top);
	no_openat2 = without_openat2;
	assert_int_equal(procroot_open(&root, top, &err), 0);
	assert_false(root.live);
	assert_int_equal(procroot_read(&root, "sys/kernel/cap_last_cap", &buf), 3);
	assert_int_equal(procroot_read(&root, "1/status", &buf), 11);
	assert_string_equal(buf.data, "Name:\tinit\n");
	assert_int_equal(procroot_readlink(&root, "1/ns/pid", link, sizeof(link)), 16);
	assert_string_equal(link, "pid:[4026531836]");
	assert_int_equal(procroot_read(&root, "2/status", &buf), -ELOOP);
	/* the kernel says ELOOP for the link on the way; a walk of O_NOFOLLOW opens, ENOTDIR */
	assert_true(procroot_read(&root, "3/status", &buf) == (without_openat2 ? -ENOTDIR : -ELOOP));
	assert_int_equal(procroot_read(&root, "4/status", &buf), -EINVAL);
	assert_int_equal(procroot_read(&root, "5/status", &buf), -EMLINK);
	assert_int_equal(procroot_read(&root, "6/status", &buf), -ELOOP);
	assert_true(procroot_read(&root, "7/status", &buf) < 0);
	if (geteuid() == 0)
		assert_int_equal(procroot_read(&root, "8/status", &buf), -EINVAL);
	assert_int_equal(procroot_readlink(&root, "2/status", link, sizeof(link)), 11);
	assert_string_equal(link, "/etc/passwd");	/* read as a link, never followed */
	assert_true(procroot_readlink(&root, "3/ns/pid", link, sizeof(link)) < 0);
	assert_true(procroot_read(&root, "../outside", &buf) < 0);
	assert_string_equal(listing(&root, "3/task"), strerror(without_openat2 ? ENOTDIR : ELOOP));
	no_openat2 = false;
	buf_free(&buf);
	procroot_close(&root);
	sh("rm -rf %s", top);
}

static void directory(void **state)
{
	(void)state;
	hostile_directory(false);
}

static void directory_before_openat2(void **state)
{
	(void)state;
	hostile_directory(true);
}

/* A name that does not fit is said so, never an empty one (which reads as a process gone). */
static void pid_rel(void **state)
{
	char rel[18];	/* "2147483647/status" and its NUL */

	(void)state;
	assert_int_equal(procroot_pid_rel(rel, sizeof(rel), 2147483647, "status"), 0);
	assert_string_equal(rel, "2147483647/stat" "us");
	assert_int_equal(procroot_pid_rel(rel, sizeof(rel), 2147483647, "cmdline"), -ENAMETOOLONG);
	assert_int_equal(procroot_pid_rel(rel, sizeof(rel), 1, "task/12345/status"), -ENAMETOOLONG);
}

/* The live /proc, as the default: a procfs mount. */
static void live(void **state)
{
	struct ca_procroot root;
	struct ca_err err = { 0 };
	struct ca_buf buf = { 0 };

	(void)state;
	assert_int_equal(procroot_open(&root, NULL, &err), 0);
	assert_true(root.live);
	assert_true(procroot_read(&root, "self/status", &buf) > 0);
	assert_non_null(strstr(buf.data, "CapBnd:"));
	buf_free(&buf);
	procroot_close(&root);
	assert_int_equal(procroot_open(&root, "/nonexistent-proc", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot open /nonexistent-proc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tree),
		cmocka_unit_test(memtree_duplicates),
		cmocka_unit_test(state_dirs),
		cmocka_unit_test(directory),
		cmocka_unit_test(directory_before_openat2),
		cmocka_unit_test(pid_rel),
		cmocka_unit_test(live),
	};

	return cmocka_run_group_tests_name("procroot", tests, NULL, NULL);
}
