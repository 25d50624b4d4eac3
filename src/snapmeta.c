/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metadata.json with json-c: the one place a snapshot's metadata is written and read. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "esc.h"
#include "snapmeta.h"
#include "util.h"

static bool put(struct json_object *o, const char *key, struct json_object *v)
{
	return v && json_object_object_add(o, key, v) == 0;
}

/* A string member as it is: capaudit's own command line, the name of its policy. */
static bool put_str(struct json_object *o, const char *key, const char *s)
{
	return put(o, key, json_object_new_string(s ? s : ""));
}

/* A string member read from the host (a tree's is anyone's): made printable first. */
static bool put_read(struct json_object *o, const char *key, const char *s)
{
	_cleanup_free_ char *clean = esc_text(s ? s : "", s ? strlen(s) : 0);

	return clean && put_str(o, key, clean);
}

/* A case field: null where none was given, as typed where it is printable UTF-8, else made so. */
static bool put_given(struct json_object *o, const char *key, const char *s)
{
	if (!s)
		return json_object_object_add(o, key, NULL) == 0;
	return esc_is_printable(s, strlen(s)) ? put_str(o, key, s) : put_read(o, key, s);
}

char *snapmeta_write(const struct ca_snapmeta *m)
{
	struct json_object *o = json_object_new_object();
	char *text = NULL;

	if (o && put(o, "schema_version", json_object_new_int(1)) && put_read(o, "hostname", m->hostname) &&
	    put_read(o, "kernel_release", m->kernel_release) && put_read(o, "boot_id", m->boot_id) &&
	    put_str(o, "capture_start", m->capture_start) && put_str(o, "capture_end", m->capture_end) &&
	    put(o, "capture_window_seconds", json_object_new_double(m->capture_window)) &&
	    put_str(o, "capaudit_version", PACKAGE_VERSION) && put_str(o, "command_line", m->command_line) &&
	    put_str(o, "policy_source", m->policy_source) &&
	    put(o, "no_cmdline", json_object_new_boolean(m->no_cmdline)) &&
	    put(o, "with_environ", json_object_new_boolean(m->with_environ)) &&
	    put(o, "lsm_labels", json_object_new_boolean(m->lsm_labels)) &&
	    put_given(o, "case_id", m->case_id) && put_given(o, "examiner", m->examiner) &&
	    put_given(o, "note", m->note) && put_given(o, "signer_fingerprint", m->signer_fingerprint))
		text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!text)
		errno = ENOMEM;
	return text;
}

/* The string member @key of @o, copied into *@out; absent or not a string leaves NULL. */
static int get_str(struct json_object *o, const char *key, const char **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return 0;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

static bool get_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

int snapmeta_read(const char *text, size_t len, struct ca_snapmeta *m)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *v;
	int r = 0;

	memset(m, 0, sizeof(*m));
	if (!tok)
		return -ENOMEM;
	o = len <= INT32_MAX ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	if ((r = get_str(o, "hostname", &m->hostname)) < 0 ||
	    (r = get_str(o, "kernel_release", &m->kernel_release)) < 0 ||
	    (r = get_str(o, "boot_id", &m->boot_id)) < 0 ||
	    (r = get_str(o, "capture_start", &m->capture_start)) < 0 ||
	    (r = get_str(o, "capture_end", &m->capture_end)) < 0 ||
	    (r = get_str(o, "command_line", &m->command_line)) < 0 ||
	    (r = get_str(o, "policy_source", &m->policy_source)) < 0 ||
	    (r = get_str(o, "case_id", &m->case_id)) < 0 ||
	    (r = get_str(o, "examiner", &m->examiner)) < 0 ||
	    (r = get_str(o, "note", &m->note)) < 0 ||
	    (r = get_str(o, "signer_fingerprint", &m->signer_fingerprint)) < 0)
		snapmeta_free(m);
	if (r == 0 && json_object_object_get_ex(o, "capture_window_seconds", &v) &&
	    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		m->capture_window = json_object_get_double(v);
	m->no_cmdline = r == 0 && get_bool(o, "no_cmdline");
	m->with_environ = r == 0 && get_bool(o, "with_environ");
	m->lsm_labels = r == 0 && get_bool(o, "lsm_labels");
	json_object_put(o);
	return r;
}

void snapmeta_free(struct ca_snapmeta *m)
{
	free((char *)m->hostname);
	free((char *)m->kernel_release);
	free((char *)m->boot_id);
	free((char *)m->capture_start);
	free((char *)m->capture_end);
	free((char *)m->command_line);
	free((char *)m->policy_source);
	free((char *)m->case_id);
	free((char *)m->examiner);
	free((char *)m->note);
	free((char *)m->signer_fingerprint);
	memset(m, 0, sizeof(*m));
}
