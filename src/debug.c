/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Debug traces: which are on, and the one place they are written. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "debug.h"
#include "util.h"

unsigned ca_debug_mask;

static const struct {
	const char *name;
	unsigned mask;
} masks[] = {
	{ "attrib", CA_DEBUG_ATTRIB },
	{ "learn", CA_DEBUG_LEARN },
	{ "all", CA_DEBUG_ALL },
};

int debug_set(const char *spec)
{
	unsigned on = 0;
	const char *p = spec;

	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < ARRAY_SIZE(masks); i++)
			if (strlen(masks[i].name) == n && strncmp(p, masks[i].name, n) == 0)
				break;
		if (i == ARRAY_SIZE(masks))
			return -EINVAL;
		on |= masks[i].mask;
		p += n + (p[n] == ',');
	}
	ca_debug_mask |= on;
	return 0;
}

void debug_print(const char *what, const char *fmt, ...)
{
	char name[16];
	va_list ap;
	size_t i;

	for (i = 0; what[i] && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)what[i]);
	name[i] = '\0';
	fprintf(stderr, "capaudit: %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
