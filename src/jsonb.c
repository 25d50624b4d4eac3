/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON documents built with json-c, a failure anywhere said once at the end. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "esc.h"
#include "jsonb.h"
#include "util.h"

static char null_marker;
struct json_object *const JB_NULL = (struct json_object *)&null_marker;

struct json_object *jb_put(struct ca_jb *b, struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == JB_NULL && obj && !b->err) {
		if (json_object_object_add(obj, key, NULL))
			b->err = -ENOMEM;
		return obj;
	}
	if (val == JB_NULL)
		val = NULL;
	if (!obj || !val || b->err) {
		json_object_put(val);
		b->err = -ENOMEM;
		return obj;
	}
	/* json_object_object_add() takes @val, even when it fails. */
	if (json_object_object_add(obj, key, val))
		b->err = -ENOMEM;
	return obj;
}

void jb_append(struct ca_jb *b, struct json_object *arr, struct json_object *val)
{
	if (!arr || !val || b->err || json_object_array_add(arr, val)) {
		json_object_put(val);
		b->err = -ENOMEM;
	}
}

struct json_object *jb_str(const char *s)
{
	_cleanup_free_ char *e = esc_text(s, strlen(s));

	return e ? json_object_new_string(e) : NULL;
}

struct json_object *jb_mask(uint64_t mask)
{
	char hex[32];

	snprintf(hex, sizeof(hex), "0x%016" PRIx64, mask);
	return json_object_new_string(hex);
}

struct json_object *jb_names(struct ca_jb *b, const struct ca_capnames *n, uint64_t mask)
{
	struct json_object *a = json_object_new_array();
	unsigned bit;

	mask &= caps_valid_mask(n->last_cap);
	for (bit = 0; a && bit < CA_CAP_MAX; bit++)
		if (mask & CA_BIT(bit))
			jb_append(b, a, json_object_new_string(caps_name(n, bit)));
	return a;
}

int jb_print(struct ca_jb *b, struct json_object *doc, FILE *out)
{
	const char *text = NULL;
	int r = doc ? b->err : -ENOMEM;

	if (r == 0)
		text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (r == 0 && !text)
		r = -ENOMEM;
	if (r == 0 && fprintf(out, "%s\n", text) < 0)
		r = -EIO;
	json_object_put(doc);
	return r == 0 && ferror(out) ? -EIO : r;
}
