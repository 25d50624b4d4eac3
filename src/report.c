/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The formats of a report, by name: the writers themselves are report_*.c. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "util.h"

static const struct {
	const char *name;
	int (*print)(FILE *out, const struct ca_report *r);
} formats[CA_FMT_COUNT] = {
	[CA_FMT_TEXT] = { "text", report_text_print },
	[CA_FMT_JSON] = { "json", report_json_print },
	[CA_FMT_JSON_LINES] = { "json-lines", report_jsonl_print },
	[CA_FMT_CIS] = { "cis", report_cis_print },
	[CA_FMT_PROMETHEUS] = { "prometheus", report_prom_print },
};

int report_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if (strcmp(name, formats[i].name) == 0)
			return (int)i;
	return -1;
}

int report_print(enum ca_format format, FILE *out, const struct ca_report *r)
{
	return format < CA_FMT_COUNT ? formats[format].print(out, r) : -EINVAL;
}

int report_diff_print(enum ca_format format, FILE *out, const struct ca_diff_report *r)
{
	if (format == CA_FMT_TEXT)
		return report_diff_text_print(out, r);
	return format == CA_FMT_JSON ? report_diff_json_print(out, r) : -EINVAL;
}

const char *report_short_id(const struct ca_container *c, char *buf, size_t size)
{
	return report_short_id_of(c->id, buf, size);
}

const char *report_short_id_of(const char *id, char *buf, size_t size)
{
	size_t len = strlen(id), i;

	/* Only a hex id is shortened, as docker ps does; a name stays whole. */
	if (len != 64)
		return id;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", id[i]))
			return id;
	snprintf(buf, size, "%.12s", id);
	return buf;
}

int report_learn_print(enum ca_format format, FILE *out, const struct ca_learn_report *r)
{
	if (format == CA_FMT_TEXT)
		return report_learn_text_print(out, r);
	return format == CA_FMT_JSON ? report_learn_json_print(out, r) : -EINVAL;
}

char *report_id_word(const char *id, const char *name)
{
	_cleanup_free_ char *word = esc_word(id, strlen(id)), *nword = NULL;
	char *out = NULL;

	if (!word || !name || strcmp(name, id) == 0)
		return steal_pointer(&word);
	nword = esc_word(name, strlen(name));
	if (!nword || asprintf(&out, "%s (%s)", word, nword) < 0)
		return NULL;
	return out;
}

const char *report_verdict_upper(enum ca_verdict v)
{
	switch (v) {
	case CA_VERDICT_PASS:
		return "PASS";
	case CA_VERDICT_FAIL:
		return "FAIL";
	case CA_VERDICT_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

const char *report_seccomp_name(unsigned mode)
{
	return mode == 0 ? "disabled" : mode == 1 ? "strict" : mode == 2 ? "filter" : "unknown";
}
