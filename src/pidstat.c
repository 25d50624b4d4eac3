/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A pure parser of /proc/<pid>/stat's start time: never opens a file. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "pidstat.h"

/* starttime is field 22; the fields after "pid (comm)" begin with state, field 3. */
#define START_FIELD (22 - 3)

int pidstat_parse_start(const char *buf, size_t len, uint64_t *start)
{
	const char *p = NULL, *end = buf + len, *q;
	uint64_t v = 0;
	int field;

	for (q = buf; q < end; q++)
		if (*q == ')')
			p = q + 1;
	if (!p)
		return -EINVAL;
	for (field = 0; field < START_FIELD; field++) {
		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		while (p < end && *p != ' ')
			p++;
	}
	if (p >= end || *p++ != ' ' || p >= end || *p < '0' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	/* The field ends where the next begins: a last field without its end was cut off. */
	if (p >= end || *p != ' ')
		return -EINVAL;
	*start = v;
	return 0;
}
