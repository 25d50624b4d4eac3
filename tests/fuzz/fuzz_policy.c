/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the policy loader. Any text either fails with a message
 * naming a line, or loads into a policy whose `policy show` text loads
 * again into a policy that shows the same text, and that judges a named
 * container (its globs against a name, an image, a label, a namespace) as
 * the policy it was shown from does.
 */
#include "config.h"

#include "fuzz.h"
#include "policy_ini.h"
#include "workload.h"

/* A docker container named web, from nginx, in a Kubernetes namespace, with a label. */
static size_t judge(const struct ca_policy *p, struct ca_verdict_item *items)
{
	static struct ca_label label = { .key = (char *)"app", .value = (char *)"web[1]" };
	static const struct ca_workload w = {
		.status = CA_WL_READ, .name = (char *)"web-1", .image = (char *)"docker.io/library/nginx",
		.k8s_namespace = (char *)"kube-system", .labels = &label, .nlabels = 1,
	};
	struct ca_status st = { .known = STATUS_NAME, .name = "nginx" };
	const struct ca_subject s = {
		.runtime = CA_RT_DOCKER, .id = "4e4e4e4e", .pod = "", .workload = &w, .st = &st,
		.host_bounding = UINT64_C(0x000001fffeffffff), .last_cap = 40,
	};

	st.caps.known = (1u << CA_SET_COUNT) - 1;
	st.caps.mask[CA_SET_BOUNDING] = UINT64_C(0x00000000a80425fb);
	return policy_eval(p, &s, items);
}

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
	{
		struct ca_verdict_item a[CA_RULES_MAX], b[CA_RULES_MAX];
		size_t n = judge(p, a);

		FUZZ_ASSERT(n <= p->nrules && n == judge(q, b));
		FUZZ_ASSERT(memcmp(a, b, n * sizeof(a[0])) == 0);
	}

	free(again);
	free(shown);
	policy_free(q);
	policy_free(p);
	return 0;
}
