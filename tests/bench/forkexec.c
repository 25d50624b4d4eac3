/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The learn benchmark's workload (tests/bench/learn.sh): N rounds of eight
 * 1 MiB private mappings touched and unmapped, then a fork and an exec of
 * /bin/true, waited for: every check the kernel makes on fork, exec and
 * mmap (the memory-accounting probe above all), as many times as it can.
 * Prints its own run time in seconds, from CLOCK_MONOTONIC, and the CPU
 * time (user and system) it and its children took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, i, j;
	struct timespec a, b;
	struct rusage self, kids;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		pid_t c;

		for (j = 0; j < 8; j++) {
			char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				return 1;
			p[0] = 1;
			munmap(p, 1 << 20);
		}
		c = fork();
		if (c == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (c < 0 || waitpid(c, NULL, 0) != c)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("%.6f %.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	       (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6);
	return 0;
}
