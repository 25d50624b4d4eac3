/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers every module uses: cleanup attributes and ownership hand-over. */
#ifndef CAPAUDIT_UTIL_H
#define CAPAUDIT_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	/* close() may clobber errno; callers read it after cleanup runs. */
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void fclosep(FILE **f)
{
	int saved = errno;

	if (*f)
		fclose(*f);
	errno = saved;
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership of *pp to the caller and leave NULL behind for cleanup. */
static inline void *steal_pointer(void *pp)
{
	void **p = pp;
	void *ret = *p;

	*p = NULL;
	return ret;
}

/* Take a file descriptor out of a _cleanup_close_ variable. */
static inline int steal_fd(int *fd)
{
	int ret = *fd;

	*fd = -1;
	return ret;
}

/* A fact about a process or a container that was read, or could not be. */
enum ca_tri {
	CA_UNKNOWN = -1,
	CA_NO = 0,
	CA_YES = 1,
};

/* Whether a negative errno says "not allowed" rather than "not there". */
static inline bool errno_is_denied(int r)
{
	return r == -EACCES || r == -EPERM;
}

/*
 * Grow *array to hold at least @want elements of @size bytes.
 * Returns 0 or -ENOMEM; *array and *cap are untouched on failure.
 */
int util_grow(void *array, size_t *cap, size_t want, size_t size);

struct open_how;

/**
 * util_openat2() - openat2(2), which glibc 2.36 does not wrap. Returns a
 * descriptor, or -1 with errno set (ENOSYS before Linux 5.6, or where a
 * seccomp filter does not know it).
 */
int util_openat2(int dirfd, const char *path, const struct open_how *how);

/* Write the @n bytes at @d as 2 * @n lowercase hex digits and a NUL at @out. */
void util_hex(const unsigned char *d, size_t n, char *out);

/* A message for the user, filled where the failure is understood and printed by main. */
struct ca_err {
	int line;			/* 0 where no line applies */
	char msg[512];
};

/**
 * err_set() - fill @err (if not NULL) with a printf-style message; returns @ret
 * so that callers can write `return err_set(err, -EINVAL, "...")`.
 */
int err_set(struct ca_err *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
