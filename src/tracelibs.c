/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libtracefs and libtraceevent, dlopen()ed by capaudit learn only. */
#include "config.h"

#include <stdbool.h>

#define TRACELIBS_NO_REDIRECT
#include "libload.h"
#include "tracelibs.h"

struct ca_tracelibs ca_tracelibs;

#define SYM(f) { #f, (void **)&ca_tracelibs.f },
static const struct ca_sym tracefs_syms[] = { TRACELIBS_TRACEFS(SYM) };
static const struct ca_sym traceevent_syms[] = { TRACELIBS_TRACEEVENT(SYM) };
#undef SYM

int tracelibs_load(struct ca_err *err)
{
	static bool loaded;
	int r;

	if (loaded)
		return 0;
	r = libload(LIBTRACEEVENT_SONAME, traceevent_syms, ARRAY_SIZE(traceevent_syms), "learning needs", err);
	if (r == 0)
		r = libload(LIBTRACEFS_SONAME, tracefs_syms, ARRAY_SIZE(tracefs_syms), "learning needs", err);
	if (r < 0)
		return r;
	/* Both print their warnings on stderr by default; capaudit says its own. */
	ca_tracelibs.tep_set_loglevel(TEP_LOG_NONE);
	ca_tracelibs.tracefs_set_loglevel(TEP_LOG_NONE);
	loaded = true;
	return 0;
}
