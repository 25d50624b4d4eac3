/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libarchive and libcrypto, dlopen()ed by the snapshot commands only. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#define SNAPLIBS_NO_REDIRECT
#include "snaplibs.h"

struct ca_snaplibs ca_snaplibs;

struct sym {
	const char *name;
	void **slot;			/* a field of ca_snaplibs (POSIX: a function pointer fits) */
};

#define SYM(f) { #f, (void **)&ca_snaplibs.f },
static const struct sym archive_syms[] = { SNAPLIBS_ARCHIVE(SYM) };
static const struct sym crypto_syms[] = { SNAPLIBS_CRYPTO(SYM) };
#undef SYM

/* Open @soname and fill each of @syms; the handle stays open for the process's life. */
static int load(const char *soname, const struct sym *syms, size_t n, struct ca_err *err)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h)
		return err_set(err, -ELIBACC, "snapshots need %s: %s", soname, dlerror());
	for (i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot)
			return err_set(err, -ELIBACC, "snapshots need %s from %s: %s", syms[i].name,
				       soname, dlerror());
	}
	return 0;
}

int snaplibs_load(struct ca_err *err)
{
	static bool loaded;
	int r;

	if (loaded)
		return 0;
	r = load(LIBARCHIVE_SONAME, archive_syms, sizeof(archive_syms) / sizeof(archive_syms[0]), err);
	if (r == 0)
		r = load(LIBCRYPTO_SONAME, crypto_syms, sizeof(crypto_syms) / sizeof(crypto_syms[0]),
			 err);
	loaded = r == 0;
	return r;
}

const EVP_MD *snaplibs_sha256(void)
{
	/*
	 * A fetch looks the name up in libcrypto's store and parses a
	 * property query: in fuzz_snapshot, which reads an archive per
	 * execution, about 1 % of it and a score of allocations.
	 */
	static EVP_MD *md;

	if (!md)
		md = ca_snaplibs.EVP_MD_fetch(NULL, "SHA256", NULL);
	return md;
}
