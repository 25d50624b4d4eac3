/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: status_parse() on any bytes, as a process's status file could hold. */
#include "config.h"

#include "esc.h"
#include "fuzz.h"
#include "status.h"

/* esc_text()'s promise: valid UTF-8, no control character left. */
static void check_escaped(const char *s, size_t len)
{
	char *e = esc_text(s, len);
	size_t i = 0, n;

	FUZZ_ASSERT(e != NULL);
	n = strlen(e);
	while (i < n) {
		size_t u = esc_utf8_len((const unsigned char *)e + i, n - i);
		unsigned char c = (unsigned char)e[i];

		FUZZ_ASSERT(u > 0);
		FUZZ_ASSERT(c >= 0x20 && c != 0x7f);
		if (u == 2)	/* C1 controls, U+0080..U+009F */
			FUZZ_ASSERT(!(c == 0xc2 && (unsigned char)e[i + 1] < 0xa0));
		i += u;
	}
	free(e);
}

/* Each set read, named as the reports name it. */
static void check_caps(const struct ca_capsets *caps)
{
	static struct ca_capnames names;
	static bool names_ready;
	unsigned set;

	if (!names_ready) {
		FUZZ_ASSERT(caps_names_init(&names, CA_CAP_MAX - 1) == 0);
		names_ready = true;
	}
	for (set = 0; set < CA_SET_COUNT; set++) {
		char *joined;

		if (!caps_set_is_known(caps, (enum ca_capset)set))
			continue;
		joined = caps_join(&names, caps->mask[set], ",");
		FUZZ_ASSERT(joined != NULL);
		FUZZ_ASSERT((caps->mask[set] == 0) == (joined[0] == '\0'));
		free(joined);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_status st;
	unsigned last;

	status_parse((const char *)data, size, &st);

	if (st.known & STATUS_NAME) {
		FUZZ_TERMINATED(st.name);
		check_escaped(st.name, strlen(st.name));
	}
	FUZZ_ASSERT(!(st.known & STATUS_NAME_CUT) || (st.known & STATUS_NAME));
	FUZZ_ASSERT(status_has(&st, 0));
	FUZZ_ASSERT(status_has(&st, st.known));
	if (st.known & STATUS_SECCOMP)
		FUZZ_ASSERT(st.seccomp <= 2);
	if (st.known & STATUS_NSPID)
		FUZZ_ASSERT(st.pidns_level < 32);
	check_caps(&st.caps);
	(void)status_is_kernel_thread(&st, 2);
	(void)status_is_kernel_thread(&st, 1234);

	/* The other pure parser of a /proc file: cap_last_cap. */
	if (caps_last_cap_parse((const char *)data, size, &last) == 0)
		FUZZ_ASSERT(last < CA_CAP_MAX);
	return 0;
}
