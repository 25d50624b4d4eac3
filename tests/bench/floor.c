/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor: the least a scan of /proc that reads every process's status and
 * cgroup can do. For every numeric entry of /proc it opens, reads once (one
 * read(2) into a buffer big enough for either file) and closes
 * <pid>/status and <pid>/cgroup, relative to one open /proc, and nothing
 * else; then it prints how many entries it read. The capaudit benchmark
 * divides capaudit's time by this program's.
 *
 *   floor [PROC]          (default /proc)
 *
 * Output: "<entries> processes, <files> files read, <bytes> bytes"
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* status is ~1.5 KiB, cgroup ~1 KiB with eleven hierarchies: one read takes either. */
static char buf[64 * 1024];

static long read_once(int dirfd, const char *rel)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	const char *proc = argc > 1 ? argv[1] : "/proc";
	long entries = 0, files = 0, bytes = 0;
	struct dirent *d;
	DIR *dir;
	int dfd;

	dir = opendir(proc);
	if (!dir) {
		perror(proc);
		return 1;
	}
	dfd = dirfd(dir);
	while ((d = readdir(dir))) {
		char rel[64];
		long n;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		entries++;
		snprintf(rel, sizeof(rel), "%.20s/status", d->d_name);
		if ((n = read_once(dfd, rel)) >= 0) {
			files++;
			bytes += n;
		}
		snprintf(rel, sizeof(rel), "%.20s/cgroup", d->d_name);
		if ((n = read_once(dfd, rel)) >= 0) {
			files++;
			bytes += n;
		}
	}
	closedir(dir);
	printf("%ld processes, %ld files read, %ld bytes\n", entries, files, bytes);
	return 0;
}
