/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor: the least a program that reads what capaudit reads can do.
 *
 *   floor [PROC]              (default /proc)
 *   floor -l LIST [PROC]
 *
 * Without -l, the floor of a scan: for every numeric entry of /proc it
 * opens, reads once (one read(2) into a buffer big enough for either file)
 * and closes <pid>/status and <pid>/cgroup, relative to one open /proc, and
 * nothing else. The benchmark divides capaudit's scan time by this.
 *
 * With -l, the floor of a snapshot: it lists PROC once (as any capture
 * must, to find the pids), then reads exactly the members of a capture,
 * named in LIST one a line as "<type> <path relative to PROC>" (the types
 * of a snapshot's MANIFEST.sha256: f a file, opened, read to its end and
 * closed; l a link, readlinkat(2); d a directory, nothing more). LIST is
 * read whole before the first member. The benchmark divides the capture's
 * time by this.
 *
 * Output: "<entries> processes, <files> files read, <bytes> bytes"
 * (with -l also "<links> links").
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

/* A file to its end, as a capture reads it: a short read is the end (procfs). */
static long read_whole(int dirfd, const char *rel)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	long total = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		total += n;
		if ((size_t)n < sizeof(buf))
			break;
	}
	close(fd);
	return n < 0 ? -1 : total;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t cap = 0;

	if (!f || getdelim(&text, &cap, '\0', f) < 0) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return text;
}

static int members(const char *list, int dfd, DIR *dir)
{
	long entries = 0, files = 0, links = 0, bytes = 0, n;
	char *text = slurp(list), *line, *next;
	char target[256];
	struct dirent *d;

	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			entries++;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == 'f' && line[1] == ' ') {
			if ((n = read_whole(dfd, line + 2)) >= 0) {
				files++;
				bytes += n;
			}
		} else if (line[0] == 'l' && line[1] == ' ') {
			if (readlinkat(dfd, line + 2, target, sizeof(target)) >= 0)
				links++;
		}
	}
	free(text);
	printf("%ld processes, %ld files read, %ld bytes, %ld links\n", entries, files, bytes, links);
	return 0;
}

int main(int argc, char **argv)
{
	const char *proc = "/proc", *list = NULL;
	long entries = 0, files = 0, bytes = 0;
	struct dirent *d;
	DIR *dir;
	int dfd, c;

	while ((c = getopt(argc, argv, "l:")) != -1) {
		if (c != 'l') {
			fprintf(stderr, "usage: floor [-l LIST] [PROC]\n");
			return 2;
		}
		list = optarg;
	}
	if (optind < argc)
		proc = argv[optind];
	dir = opendir(proc);
	if (!dir) {
		perror(proc);
		return 1;
	}
	dfd = dirfd(dir);
	if (list) {
		members(list, dfd, dir);
		closedir(dir);
		return 0;
	}
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
