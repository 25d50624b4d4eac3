/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: container attribution. The same bytes go to cgroup_parse(),
 * as a process's cgroup file, and to supervisor_parse() for every kind of
 * supervisor, as its command line: the two ways a scan places a process.
 * What each returns is checked as the scan and the reports use it.
 */
#include "config.h"

#include "cgroup.h"
#include "esc.h"
#include "fuzz.h"
#include "runtime.h"
#include "supervisor.h"

/* An id as the reports print it: escaped, never empty. */
static void check_id(const char *id, size_t size)
{
	char *e;

	FUZZ_ASSERT(memchr(id, '\0', size) != NULL);
	FUZZ_ASSERT(id[0] != '\0');
	e = esc_word(id, strlen(id));
	FUZZ_ASSERT(e != NULL);
	FUZZ_ASSERT(strchr(e, ' ') == NULL && strchr(e, '\n') == NULL);
	free(e);
}

static void check_runtime(enum ca_runtime rt)
{
	uint64_t mask;

	FUZZ_ASSERT(rt > CA_RT_NONE && rt < CA_RT_COUNT);
	FUZZ_ASSERT(runtime_name(rt) != NULL);
	(void)runtime_default_caps(rt, &mask);
}

static void check_attrib(const struct ca_attrib *at)
{
	unsigned i;

	FUZZ_TERMINATED(at->id);
	FUZZ_TERMINATED(at->ns);
	FUZZ_TERMINATED(at->pod_uid);
	FUZZ_ASSERT(at->qos <= CA_QOS_BESTEFFORT);
	FUZZ_ASSERT((cgroup_qos_name(at->qos) == NULL) == (at->qos == CA_QOS_NONE));
	FUZZ_ASSERT(at->nparents <= CA_PARENTS_MAX);
	switch (at->kind) {
	case CA_ATTRIB_NONE:
		FUZZ_ASSERT(at->nparents == 0);
		break;
	case CA_ATTRIB_CONTAINER:
		check_runtime(at->runtime);
		check_id(at->id, sizeof(at->id));
		break;
	case CA_ATTRIB_MONITOR:
		check_runtime(at->runtime);
		break;
	case CA_ATTRIB_CANDIDATE:
		check_id(at->id, sizeof(at->id));
		check_id(at->ns, sizeof(at->ns));
		break;
	default:
		FUZZ_ASSERT(!"an attribution of no known kind");
	}
	for (i = 0; i < at->nparents && i < CA_PARENTS_MAX; i++) {
		check_runtime(at->parents[i].runtime);
		check_id(at->parents[i].id, sizeof(at->parents[i].id));
	}
}

static void check_supervisors(const char *cmdline, size_t len)
{
	enum ca_sup_kind kind;

	for (kind = CA_SUP_CONMON; kind <= CA_SUP_NSPAWN; kind++) {
		struct ca_supervisor sup;

		if (!supervisor_parse(kind, cmdline, len, &sup))
			continue;
		FUZZ_ASSERT(sup.kind == kind);
		check_runtime(sup.runtime);
		check_id(sup.id, sizeof(sup.id));
		FUZZ_TERMINATED(sup.ns);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_attrib at;
	char comm[CA_ID_MAX];

	cgroup_parse((const char *)data, size, &at);
	check_attrib(&at);
	check_supervisors((const char *)data, size);

	/* The first line as a process name, which picks the supervisors worth a look. */
	snprintf(comm, sizeof(comm), "%.*s", (int)(size < 64 ? size : 64), (const char *)data);
	comm[strcspn(comm, "\n")] = '\0';
	(void)supervisor_kind(comm);
	return 0;
}
