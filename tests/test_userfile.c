/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the files a user names: outputs replaced or written through, inputs, the link rule. */
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

#include "userfile.h"

#define NOBODY 65534

static char top[64];

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/capaudit-test-userfile.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* @name under the test's directory, in a static buffer of its own (four in turn). */
static const char *at(const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned i;
	char *b = bufs[i++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", top, name);
	return b;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The file's text, or "" where it cannot be read; in a static buffer. */
static const char *text_of(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "re");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* How many entries @dir holds: nothing may be left beside what was there. */
static int entries(const char *dir)
{
	char cmd[PATH_MAX + 64];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void write_report(const char *path, const char *text)
{
	struct ca_output out;
	struct ca_err err = { 0 };

	assert_int_equal(userfile_output_open(&out, path, &err), 0);
	fputs(text, out.f);
	assert_int_equal(userfile_output_close(&out, true), 0);
}

/* A new file, and a regular one replaced: never written into, so a hard link keeps its bytes. */
static void output_replaces(void **state)
{
	struct ca_output out;
	struct ca_err err = { 0 };
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(at("o"), 0755), 0);
	write_report(at("o/r.prom"), "first\n");
	assert_string_equal(text_of(at("o/r.prom")), "first\n");
	assert_int_equal(stat(at("o/r.prom"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	assert_int_equal(link(at("o/r.prom"), at("o/other")), 0);
	write_report(at("o/r.prom"), "second\n");
	assert_string_equal(text_of(at("o/r.prom")), "second\n");
	assert_string_equal(text_of(at("o/other")), "first\n");
	assert_int_equal(entries(at("o")), 2);

	/* Given up: the new file goes, the old one stays whole. */
	assert_int_equal(userfile_output_open(&out, at("o/r.prom"), &err), 0);
	assert_non_null(out.tmp);
	assert_int_equal(entries(at("o")), 3);
	fputs("half", out.f);
	assert_int_equal(userfile_output_close(&out, false), 0);
	assert_string_equal(text_of(at("o/r.prom")), "second\n");
	assert_int_equal(entries(at("o")), 2);

	/* Standard output, named or not. */
	assert_int_equal(userfile_output_open(&out, "-", &err), 0);
	assert_ptr_equal(out.f, stdout);
	assert_int_equal(userfile_output_close(&out, true), 0);
	assert_int_equal(userfile_output_open(&out, NULL, &err), 0);
	assert_ptr_equal(out.f, stdout);
}

/* The caller's own links are followed, relative and absolute, to the file replaced. */
static void output_own_links(void **state)
{
	char target[PATH_MAX];

	(void)state;
	assert_int_equal(mkdir(at("l"), 0755), 0);
	assert_int_equal(mkdir(at("l/real"), 0755), 0);
	put(at("l/real/r.json"), "old\n");
	assert_int_equal(symlink("real/r.json", at("l/rel")), 0);
	write_report(at("l/rel"), "via a relative link\n");
	assert_string_equal(text_of(at("l/real/r.json")), "via a relative link\n");
	assert_true(readlink(at("l/rel"), target, sizeof(target)) > 0);

	assert_int_equal(symlink(at("l/real"), at("l/dirlink")), 0);
	write_report(at("l/dirlink/r.json"), "through a directory link\n");
	assert_string_equal(text_of(at("l/real/r.json")), "through a directory link\n");
	/* a link to a link, ending in a new file */
	assert_int_equal(symlink("dirlink/new.json", at("l/chain")), 0);
	write_report(at("l/chain"), "new\n");
	assert_string_equal(text_of(at("l/real/new.json")), "new\n");
	assert_int_equal(entries(at("l/real")), 2);
}

/* Another user's link, on the way or at the end: refused, nothing written, nothing left. */
static void output_planted_links(void **state)
{
	struct ca_output out;
	struct ca_err err = { 0 };

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: needs root to give a link to another user\n");
		skip();
	}
	assert_int_equal(mkdir(at("p"), 01777), 0);
	assert_int_equal(chmod(at("p"), 01777), 0);
	put(at("victim"), "root's\n");
	assert_int_equal(symlink(at("victim"), at("p/x.prom")), 0);
	assert_int_equal(lchown(at("p/x.prom"), NOBODY, NOBODY), 0);
	assert_int_equal(userfile_output_open(&out, at("p/x.prom"), &err), -EPERM);
	assert_non_null(strstr(err.msg, "refusing to follow the symbolic link \"x.prom\", which uid 65534 owns"));
	assert_null(out.f);
	assert_string_equal(text_of(at("victim")), "root's\n");
	assert_int_equal(entries(at("p")), 1);

	assert_int_equal(symlink(top, at("p/way")), 0);
	assert_int_equal(lchown(at("p/way"), NOBODY, NOBODY), 0);
	assert_int_equal(userfile_output_open(&out, at("p/way/victim"), &err), -EPERM);
	assert_non_null(strstr(err.msg, "\"way\""));
	assert_string_equal(text_of(at("victim")), "root's\n");

	/* Inputs by the same rule. */
	{
		char *data = NULL;
		size_t len = 0;

		assert_int_equal(userfile_read(at("p/x.prom"), 1024, &data, &len, &err), -EPERM);
		assert_null(data);
	}
	/* A hard link to root's link carries root's ownership: refused for its second name. */
	assert_int_equal(symlink(at("victim"), at("rootlink")), 0);
	assert_int_equal(linkat(AT_FDCWD, at("rootlink"), AT_FDCWD, at("p/hard"), 0), 0);
	assert_int_equal(userfile_output_open(&out, at("p/hard"), &err), -EPERM);
	assert_string_equal(text_of(at("victim")), "root's\n");
	/* Another user's fifo, even one a process reads: refused. */
	assert_int_equal(mkfifo(at("p/f"), 0666), 0);
	assert_int_equal(chown(at("p/f"), NOBODY, NOBODY), 0);
	{
		int rd = open(at("p/f"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		assert_true(rd >= 0);
		assert_int_equal(userfile_output_open(&out, at("p/f"), &err), -EPERM);
		assert_non_null(strstr(err.msg, "a fifo that uid 65534 made"));
		close(rd);
	}
}

/* Written through: a character device, a fifo a process reads; refused: a directory, a fifo nobody reads. */
static void output_through(void **state)
{
	struct ca_output out;
	struct ca_err err = { 0 };
	char buf[64] = "";
	int rd;

	(void)state;
	assert_int_equal(userfile_output_open(&out, "/dev/null", &err), 0);
	assert_null(out.tmp);
	fputs("gone\n", out.f);
	assert_int_equal(userfile_output_close(&out, true), 0);

	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	assert_int_equal(userfile_output_open(&out, at("fifo"), &err), -ENXIO);
	assert_non_null(strstr(err.msg, "a fifo that no process reads"));
	rd = open(at("fifo"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rd >= 0);
	assert_int_equal(userfile_output_open(&out, at("fifo"), &err), 0);
	assert_null(out.tmp);
	fputs("through\n", out.f);
	assert_int_equal(userfile_output_close(&out, true), 0);
	assert_int_equal(read(rd, buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "through\n");
	close(rd);
	assert_int_equal(mkdir(at("d"), 0755), 0);
	assert_int_equal(userfile_output_open(&out, at("d"), &err), -EISDIR);
	assert_int_equal(userfile_output_open(&out, at("d/"), &err), -EISDIR);
	assert_int_equal(userfile_output_open(&out, at("missing/r.json"), &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot write "));
	assert_int_equal(entries(at("d")), 0);
}

/* Inputs: regular files only, bounded, never waited on; a hard link where others write is refused. */
static void inputs(void **state)
{
	struct ca_err err = { 0 };
	char *data = NULL;
	size_t len = 0;
	int fd = -1;

	(void)state;
	put(at("p.ini"), "[default]\n");
	assert_int_equal(userfile_read(at("p.ini"), 1024, &data, &len, &err), 0);
	assert_int_equal(len, 10);
	assert_string_equal(data, "[default]\n");
	free(data);
	assert_int_equal(userfile_read(at("p.ini"), 9, &data, &len, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "larger than 9 bytes"));
	assert_null(data);

	assert_int_equal(mkfifo(at("in.fifo"), 0600), 0);
	assert_int_equal(userfile_read(at("in.fifo"), 1024, &data, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "it is a fifo, not a regular file"));
	assert_int_equal(userfile_open("/dev/zero", &fd, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "it is a character device"));
	assert_int_equal(mkdir(at("in.d"), 0755), 0);
	assert_int_equal(userfile_read(at("in.d"), 1024, &data, &len, &err), -EISDIR);
	assert_int_equal(userfile_read(at("p.ini/"), 1024, &data, &len, &err), -ENOTDIR);

	/* A second name where others may write: it could be anyone's file. */
	assert_int_equal(mkdir(at("w"), 0777), 0);
	assert_int_equal(chmod(at("w"), 0777), 0);
	assert_int_equal(link(at("p.ini"), at("w/p.ini")), 0);
	assert_int_equal(userfile_read(at("w/p.ini"), 1024, &data, &len, &err), -EMLINK);
	assert_non_null(strstr(err.msg, "second name"));
	/* In the caller's own directory it is the caller's doing. */
	assert_int_equal(link(at("p.ini"), at("in.d/p.ini")), 0);
	assert_int_equal(userfile_read(at("in.d/p.ini"), 1024, &data, &len, &err), 0);
	free(data);

	assert_int_equal(userfile_open("-", &fd, &err), 0);
	assert_true(fd > 2);
	close(fd);
	assert_int_equal(userfile_open_dir(at("in.d"), &fd, &err), 0);
	close(fd);
	assert_int_equal(userfile_open_dir(at("p.ini"), &fd, &err), -ENOTDIR);
	assert_int_equal(userfile_open_dir("/", &fd, &err), 0);
	close(fd);
	/* /proc/self is a link that only the kernel can follow */
	assert_int_equal(userfile_open_dir("/proc/self", &fd, &err), 0);
	close(fd);
}

/* A loop of links ends, as the kernel's would. */
static void loops(void **state)
{
	struct ca_output out;
	struct ca_err err = { 0 };

	(void)state;
	assert_int_equal(symlink("loop2", at("loop1")), 0);
	assert_int_equal(symlink("loop1", at("loop2")), 0);
	assert_int_equal(userfile_output_open(&out, at("loop1"), &err), -ELOOP);
	assert_int_equal(userfile_output_open(&out, "", &err), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(output_replaces),
		cmocka_unit_test(output_own_links),
		cmocka_unit_test(output_planted_links),
		cmocka_unit_test(output_through),
		cmocka_unit_test(inputs),
		cmocka_unit_test(loops),
	};

	return cmocka_run_group_tests_name("userfile", tests, setup, teardown);
}
