/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What learning found, as text: per container its needs, its least set and the fix. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "learnrun.h"
#include "remedy.h"
#include "report.h"
#include "runtime.h"

static const char *const use_label[CA_USE_COUNT] = {
	[CA_USE_NEED] = "used",
	[CA_USE_PROBE] = "probe",
	[CA_USE_RUNTIME] = "runtime",
};

/* "ping, chown", escaped: a process names itself. */
static void print_comms(FILE *out, const struct ca_capuse *u)
{
	unsigned i;

	for (i = 0; i < u->ncomms; i++) {
		_cleanup_free_ char *e = esc_text(u->comms[i].comm, strlen(u->comms[i].comm));

		fprintf(out, "%s%s", i ? ", " : "", e ? e : "?");
	}
	if (u->more_comms)
		fputs(", ...", out);
}

/* The noise rules that matched @u, by name, each once. */
static void print_rules(FILE *out, const struct ca_capuse *u)
{
	size_t n, i;
	const struct ca_noise_rule *rules = noise_rules(&n);
	uint64_t named = noise_names(u->rules);
	bool first = true;

	for (i = 0; i < n; i++) {
		if (!(named & (UINT64_C(1) << i)))
			continue;
		fprintf(out, "%s%s", first ? "  (" : ", ", rules[i].name);
		first = false;
	}
	if (!first)
		fputc(')', out);
}

/* One line per capability of @mask: its checks of kind @use, and the processes that made them. */
static void print_uses(FILE *out, const struct ca_learned *l, enum ca_use use, const char *label, uint64_t mask)
{
	char word[CA_CAPNAME_MAX];
	unsigned bit;

	for (bit = 0; bit < CA_CAP_MAX; bit++) {
		const struct ca_capuse *u = &l->use[use][bit];

		if (!(mask & CA_BIT(bit)))
			continue;
		fprintf(out, "  %-9s %-18s", label, caps_word(bit, word));
		if (u->granted)
			fprintf(out, " %" PRIu64 " granted", u->granted);
		if (u->denied)
			fprintf(out, "%s %" PRIu64 " denied", u->granted ? "," : "", u->denied);
		if (u->alternative)
			fprintf(out, "%s %" PRIu64 " denied, answered by another", u->granted || u->denied ? "," : "",
				u->alternative);
		fputs(" by ", out);
		print_comms(out, u);
		if (use == CA_USE_PROBE)
			print_rules(out, u);
		fputc('\n', out);
		label = "";
	}
}

static uint64_t mask_of(const struct ca_learned *l, enum ca_use use)
{
	uint64_t m = 0;
	unsigned bit;

	for (bit = 0; bit < CA_CAP_MAX; bit++)
		if (l->use[use][bit].granted || l->use[use][bit].denied || l->use[use][bit].alternative)
			m |= CA_BIT(bit);
	return m;
}

static uint64_t checks_of(const struct ca_learned *l, enum ca_use use)
{
	uint64_t n = 0;
	unsigned bit;

	for (bit = 0; bit < CA_CAP_MAX; bit++)
		n += l->use[use][bit].granted + l->use[use][bit].denied + l->use[use][bit].alternative;
	return n;
}

/* "  least     CHOWN NET_RAW", or "(none)". */
static int print_caps(FILE *out, const char *label, const struct ca_capnames *names, uint64_t mask)
{
	_cleanup_free_ char *list = caps_join(names, mask, " ");

	if (!list)
		return -ENOMEM;
	fprintf(out, "  %-9s %s\n", label, *list ? list : "(none)");
	return 0;
}

static int print_container(FILE *out, const struct ca_learn_report *r, const struct ca_learn_item *it)
{
	const struct ca_learned *l = it->learned;
	const struct ca_workload *w = it->ctr ? &it->ctr->workload : NULL;
	_cleanup_free_ char *id = NULL, *name = NULL, *image = NULL;
	char shortid[16];
	const char *sid = report_short_id_of(l->id, shortid, sizeof(shortid));
	uint64_t probes, runtime;
	char *fix[2];
	int n, i;

	id = esc_text(sid, strlen(sid));
	if (w && w->name)
		name = esc_text(w->name, strlen(w->name));
	if (w && w->image)
		image = esc_text(w->image, strlen(w->image));
	if (!id || (w && w->name && !name) || (w && w->image && !image))
		return -ENOMEM;
	fprintf(out, "\n%s %s%s%s%s", runtime_name(l->runtime), name ? name : id, name ? " (" : "", name ? id : "",
		name ? ")" : "");
	if (image)
		fprintf(out, ", image %s", image);
	fprintf(out, ": %" PRIu64 " task%s, %" PRIu64 " check%s%s\n", l->tasks, l->tasks == 1 ? "" : "s",
		l->checks, l->checks == 1 ? "" : "s", it->ctr ? "" : " (gone by the end)");
	print_uses(out, l, CA_USE_NEED, "used", it->least);
	print_uses(out, l, CA_USE_NEED, "denied", it->denied);
	print_uses(out, l, CA_USE_NEED, "answered", mask_of(l, CA_USE_NEED) & ~it->least & ~it->denied);
	if (it->held_known) {
		if (print_caps(out, "unused", r->names, it->held & ~it->least) < 0)
			return -ENOMEM;
	} else {
		fprintf(out, "  %-9s %s\n", "unused", "unknown: its sets were not read");
	}
	if (print_caps(out, "least", r->names, it->least) < 0)
		return -ENOMEM;
	n = remedy_least(l->runtime, it->ctr && it->ctr->pod_uid[0], it->least, it->held, it->held_known, r->names,
			 fix);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		fprintf(out, "  %-9s %s\n", i ? "" : "fix", fix[i]);
		free(fix[i]);
	}
	probes = checks_of(l, CA_USE_PROBE);
	runtime = checks_of(l, CA_USE_RUNTIME);
	if (r->noise) {
		print_uses(out, l, CA_USE_PROBE, use_label[CA_USE_PROBE], mask_of(l, CA_USE_PROBE));
		print_uses(out, l, CA_USE_RUNTIME, use_label[CA_USE_RUNTIME], mask_of(l, CA_USE_RUNTIME));
	} else if (probes || runtime) {
		fprintf(out, "  %-9s %" PRIu64 " probe%s, %" PRIu64 " check%s by the runtime (--noise shows them)\n",
			"noise", probes, probes == 1 ? "" : "s", runtime, runtime == 1 ? "" : "s");
	}
	return 0;
}

int report_learn_text_print(FILE *out, const struct ca_learn_report *r)
{
	const struct ca_learn_run *run = r->run;
	size_t i;
	int e;

	fprintf(out, "Learned for %.1f s%s: %" PRIu64 " capability checks, %" PRIu64 " of them by %zu container%s",
		run->seconds, run->stopped ? " (stopped early)" : "", run->counts.checks, run->counts.contained,
		run->nitems, run->nitems == 1 ? "" : "s");
	if (run->trace.lost)
		fprintf(out, "; %" PRIu64 " EVENTS LOST (the ring buffer was full: --buffer-size)", run->trace.lost);
	else
		fputs("; no event lost", out);
	fputs(".\n", out);
	if (run->counts.unattributed)
		fprintf(out, "%" PRIu64 " checks by processes gone before they could be placed.\n",
			run->counts.unattributed);
	for (i = 0; i < run->nitems; i++) {
		e = print_container(out, r, &run->items[i]);
		if (e < 0)
			return e;
	}
	return ferror(out) ? -EIO : 0;
}
