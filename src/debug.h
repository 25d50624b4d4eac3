/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decisions a user will question, traced on demand, as util-linux's DBG()
 * masks do: CAPAUDIT_DEBUG=attrib or --debug=attrib, on standard error, and
 * one test of a word when off. capaudit(8), DEBUGGING, lists the masks.
 */
#ifndef CAPAUDIT_DEBUG_H
#define CAPAUDIT_DEBUG_H

enum {
	CA_DEBUG_ATTRIB = 1u << 0,	/* why each process is in the container it is in */
	CA_DEBUG_LEARN = 1u << 1,	/* learn: why a check is a need, a probe or the runtime's */
	CA_DEBUG_ALL = CA_DEBUG_ATTRIB | CA_DEBUG_LEARN,
};

/* The masks turned on; 0 unless debug_set() was called. */
extern unsigned ca_debug_mask;

/**
 * debug_set() - turn on the masks named in @spec, a comma-separated list of
 * "attrib", "learn" and "all". Returns 0, or -EINVAL for a name it does not know
 * (and then turns on none).
 */
int debug_set(const char *spec);

/**
 * debug_print() - "capaudit: @what: " and the message, a line on stderr.
 * Text a process chose must be escaped (esc_text()) before it is passed.
 */
void debug_print(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define DBG(mask, ...)                                                                            \
	do {                                                                                      \
		if (ca_debug_mask & CA_DEBUG_##mask)                                             \
			debug_print(#mask, __VA_ARGS__);                                          \
	} while (0)

#endif
