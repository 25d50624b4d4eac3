/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target shares: libFuzzer's entry points and the checks they make. */
#ifndef CAPAUDIT_FUZZ_H
#define CAPAUDIT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/**
 * LLVMFuzzerTestOneInput() - run one input through the code under test and
 * check what it promises; abort where a promise is broken. Frees all it
 * takes. Returns 0, as libFuzzer wants.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * LLVMFuzzerInitialize() - once, before the first input (replay.c calls it
 * too). Returns 0.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * A broken promise of the code under test: say which, and abort, so that
 * libFuzzer keeps the input as a crash (and a plain replay fails).
 */
#define FUZZ_ASSERT(cond)                                                                         \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "%s:%d: broken: %s\n", __FILE__, __LINE__, #cond);       \
			abort();                                                                  \
		}                                                                                 \
	} while (0)

/* A fixed-size field of a struct holds a C string: a NUL inside it. */
#define FUZZ_TERMINATED(field) FUZZ_ASSERT(memchr((field), '\0', sizeof(field)) != NULL)

/* The input as a C string, cut at its first NUL as a C caller would see it. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
