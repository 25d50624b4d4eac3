/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libarchive and libcrypto, dlopen()ed by the snapshot commands only. */
#include "config.h"

#include <stdbool.h>

#define SNAPLIBS_NO_REDIRECT
#include "libload.h"
#include "snaplibs.h"

struct ca_snaplibs ca_snaplibs;

#define SYM(f) { #f, (void **)&ca_snaplibs.f },
static const struct ca_sym archive_syms[] = { SNAPLIBS_ARCHIVE(SYM) };
static const struct ca_sym crypto_syms[] = { SNAPLIBS_CRYPTO(SYM) };
#undef SYM

int snaplibs_load(struct ca_err *err)
{
	static bool loaded;
	int r;

	if (loaded)
		return 0;
	r = libload(LIBARCHIVE_SONAME, archive_syms, ARRAY_SIZE(archive_syms), "snapshots need", err);
	if (r == 0)
		r = libload(LIBCRYPTO_SONAME, crypto_syms, ARRAY_SIZE(crypto_syms), "snapshots need", err);
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
