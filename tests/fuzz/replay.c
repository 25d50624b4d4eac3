/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A main for the fuzz targets without libFuzzer: run each file given (or
 * each file in a directory given) through the target once. Built with any
 * compiler, so that `make check` replays the inputs that once broke
 * something, and the fixtures, through the targets' checks.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Only fuzz_snapshot needs one. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *bigger = realloc(data, cap = cap ? 2 * cap : 65536);

			FUZZ_ASSERT(bigger != NULL);
			data = bigger;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, failed = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent *e;
		DIR *d;

		if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]) < 0;
			count++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		while ((e = readdir(d))) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			failed |= run_file(path) < 0;
			count++;
		}
		closedir(d);
	}
	printf("%s: %u inputs replayed\n", argv[0], count);
	return failed;
}
