/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of capaudit's own privileges: the drop, the reading back, what renames need. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "privs.h"
#include "status.h"

#define NOBODY 65534

/* The process's own status, as the kernel writes it. */
static void self_status(struct ca_status *st)
{
	char buf[8192];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	status_parse(buf, (size_t)n, st);
}

/* Whether privs_read() says what /proc/self/status says. Returns 0 or a line number. */
static int agrees_with_status(const struct ca_privs *p)
{
	struct ca_status st;
	int set, i;

	self_status(&st);
	for (set = 0; set < CA_SET_COUNT; set++)
		if (caps_set_is_known(&st.caps, set) &&
		    (!caps_set_is_known(&p->caps, set) || st.caps.mask[set] != p->caps.mask[set]))
			return __LINE__;
	for (i = 0; i < 4; i++)
		if (st.uid[i] != p->uid[i] || st.gid[i] != p->gid[i])
			return __LINE__;
	if (!status_has(&st, STATUS_NO_NEW_PRIVS) || st.no_new_privs != p->no_new_privs)
		return __LINE__;
	return 0;
}

static void read_is_the_kernels(void **state)
{
	struct ca_privs p;

	(void)state;
	assert_int_equal(privs_read(&p), 0);
	assert_int_equal(agrees_with_status(&p), 0);
}

/*
 * In a child, so that the other tests keep their privileges: after the drop,
 * the sets are @keep where the process held it (root), and never more than
 * it held; the bounding set shrinks where CAP_SETPCAP allowed; no_new_privs
 * is set either way. Returns the child's exit status: 0, or the failing line.
 */
static int drop_in_child(uint64_t keep)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct ca_privs before, after;
		uint64_t want;

		if (privs_read(&before) < 0 || privs_drop(keep) < 0 || privs_read(&after) < 0)
			_exit(__LINE__);
		want = keep & before.caps.mask[CA_SET_PERMITTED];
		if (after.caps.mask[CA_SET_EFFECTIVE] != want || after.caps.mask[CA_SET_PERMITTED] != want)
			_exit(__LINE__);
		if (after.caps.mask[CA_SET_INHERITABLE] != 0 || after.caps.mask[CA_SET_AMBIENT] != 0)
			_exit(__LINE__);
		if (before.caps.mask[CA_SET_PERMITTED] & CA_BIT(CAP_SETPCAP) ?
		    after.caps.mask[CA_SET_BOUNDING] != (keep & before.caps.mask[CA_SET_BOUNDING]) :
		    after.caps.mask[CA_SET_BOUNDING] != before.caps.mask[CA_SET_BOUNDING])
			_exit(__LINE__);
		if (!after.no_new_privs)
			_exit(__LINE__);
		/* A second drop changes nothing and fails nothing. */
		if (privs_drop(keep) < 0 || privs_read(&before) < 0 ||
		    memcmp(&before.caps, &after.caps, sizeof(after.caps)) != 0)
			_exit(__LINE__);
		_exit(agrees_with_status(&after));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void drop_keeps_only_reading(void **state)
{
	(void)state;
	assert_int_equal(drop_in_child(PRIVS_READ), 0);
}

static void drop_everything(void **state)
{
	(void)state;
	assert_int_equal(drop_in_child(0), 0);
}

static void sticky(void **state)
{
	struct stat dir = { .st_uid = NOBODY, .st_mode = S_IFDIR | 01777 };
	struct stat theirs = { .st_uid = NOBODY, .st_mode = S_IFREG | 0644 };
	struct stat mine = { .st_uid = 0, .st_mode = S_IFREG | 0644 };

	(void)state;
	assert_true(privs_sticky_denies(&dir, &theirs, 0));
	assert_false(privs_sticky_denies(&dir, &mine, 0));
	/* The directory's owner may remove anything in it. */
	assert_false(privs_sticky_denies(&dir, &theirs, NOBODY));
	dir.st_uid = 0;
	assert_false(privs_sticky_denies(&dir, &theirs, 0));
	/* No sticky bit, no question of owners. */
	dir.st_uid = NOBODY;
	dir.st_mode = S_IFDIR | 0777;
	assert_false(privs_sticky_denies(&dir, &theirs, 0));
}

/*
 * Asked of the kernel, as root: a directory of another owner takes
 * CAP_DAC_OVERRIDE, another owner's file in a sticky one CAP_FOWNER, one's
 * own directory nothing.
 */
/* privs_dir_needs() of the directory @path, opened as the output code opens one. */
static int dir_needs_of(const char *path, const char *name, uint64_t keep, uint64_t *need)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = privs_dir_needs(fd, name, keep, need);
	close(fd);
	return r;
}

static void dir_needs(void **state)
{
	char top[] = "/tmp/capaudit-test-privs.XXXXXX", path[128];
	uint64_t need = 1;
	int fd;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: needs root to make directories of another owner\n");
		skip();
	}
	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/theirs", top);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chown(path, NOBODY, NOBODY), 0);
	assert_int_equal(dir_needs_of(path, "r.json", PRIVS_READ, &need), 0);
	assert_true(need == CA_BIT(CAP_DAC_OVERRIDE));
	/* Held already: nothing more. */
	assert_int_equal(dir_needs_of(path, "r.json", PRIVS_READ | CA_BIT(CAP_DAC_OVERRIDE), &need), 0);
	assert_true(need == 0);

	snprintf(path, sizeof(path), "%s/sticky", top);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 01777), 0);
	assert_int_equal(chown(path, NOBODY, NOBODY), 0);
	assert_int_equal(dir_needs_of(path, "r.json", PRIVS_READ, &need), 0);
	assert_true(need == 0);
	snprintf(path, sizeof(path), "%s/sticky/r.json", top);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(path, NOBODY, NOBODY), 0);
	snprintf(path, sizeof(path), "%s/sticky", top);
	assert_int_equal(dir_needs_of(path, "r.json", PRIVS_READ, &need), 0);
	assert_true(need == CA_BIT(CAP_FOWNER));
	assert_int_equal(dir_needs_of(path, NULL, PRIVS_READ, &need), 0);
	assert_true(need == 0);

	assert_int_equal(dir_needs_of(top, "r.json", 0, &need), 0);
	assert_true(need == 0);
	snprintf(path, sizeof(path), "%s/missing", top);
	assert_int_equal(dir_needs_of(path, "r.json", 0, &need), -ENOENT);
	/* A descriptor that is no directory cannot be asked. */
	assert_int_equal(privs_dir_needs(-1, "r.json", 0, &need), -EBADF);

	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_is_the_kernels),
		cmocka_unit_test(drop_keeps_only_reading),
		cmocka_unit_test(drop_everything),
		cmocka_unit_test(sticky),
		cmocka_unit_test(dir_needs),
	};

	return cmocka_run_group_tests_name("privs", tests, NULL, NULL);
}
