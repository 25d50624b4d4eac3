/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the policy loader. Any text either fails with a message
 * naming a line, or loads into a policy whose `policy show` text loads
 * again into a policy that shows the same text.
 */
#include "config.h"

#include "fuzz.h"
#include "policy_ini.h"

/* policy_show() into a string the caller frees. */
static char *show(const struct ca_policy *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(policy_show(f, p) == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), *shown, *again;
	struct ca_policy *p = NULL, *q = NULL;
	struct ca_err err = { 0 };
	int r;

	r = policy_load_text(text, "fuzz.ini", &p, &err);
	free(text);
	if (r < 0) {
		FUZZ_ASSERT(p == NULL);
		FUZZ_TERMINATED(err.msg);
		FUZZ_ASSERT(strncmp(err.msg, "fuzz.ini", 8) == 0);
		return 0;
	}
	FUZZ_ASSERT(p != NULL);

	shown = show(p);
	memset(&err, 0, sizeof(err));
	r = policy_load_text(shown, "shown.ini", &q, &err);
	if (r < 0)
		fprintf(stderr, "policy show wrote what does not load: %s\n%s", err.msg, shown);
	FUZZ_ASSERT(r == 0);
	again = show(q);
	if (strcmp(shown, again) != 0)
		fprintf(stderr, "policy show is not stable:\n%s\n----\n%s", shown, again);
	FUZZ_ASSERT(strcmp(shown, again) == 0);

	free(again);
	free(shown);
	policy_free(q);
	policy_free(p);
	return 0;
}
