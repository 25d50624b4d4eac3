/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A library and the functions of it a command calls, loaded with dlopen(). */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>

#include "libload.h"

int libload(const char *soname, const struct ca_sym *syms, size_t n, const char *who, struct ca_err *err)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h)
		return err_set(err, -ELIBACC, "%s %s: %s", who, soname, dlerror());
	for (i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot)
			return err_set(err, -ELIBACC, "%s %s from %s: %s", who, syms[i].name, soname, dlerror());
	}
	return 0;
}
