/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by every module. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "util.h"

int util_grow(void *array, size_t *cap, size_t want, size_t size)
{
	void **p = array;
	size_t ncap = *cap ? *cap : 16;
	void *n;

	if (want <= *cap)
		return 0;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	n = realloc(*p, ncap * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

int err_set(struct ca_err *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * Not instrumented for coverage in a fuzzing build (clang): it has no
 * branch but its loop's, whose every comparison libFuzzer would trace for
 * each digest of each member: a fortieth of an execution of fuzz_snapshot.
 */
#ifdef __clang__
__attribute__((no_sanitize("coverage")))
#endif
void util_hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

int util_openat2(int dirfd, const char *path, const struct open_how *how)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}
