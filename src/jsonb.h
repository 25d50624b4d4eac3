/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a JSON document with json-c where any step may fail for memory:
 * every helper takes a NULL and passes the failure on, and the builder says
 * at the end whether the document is whole.
 */
#ifndef CAPAUDIT_JSONB_H
#define CAPAUDIT_JSONB_H

#include <json.h>
#include <stdint.h>
#include <stdio.h>

#include "caps.h"

struct ca_jb {
	int err;			/* 0, or -ENOMEM once anything failed */
};

/* What jb_put() and jb_append() take for JSON's null (which json-c spells NULL, as a failure). */
extern struct json_object *const JB_NULL;

/**
 * jb_put() - add @val to @obj under @key (json-c takes @val, also on
 * failure); JB_NULL adds null. Returns @obj.
 */
struct json_object *jb_put(struct ca_jb *b, struct json_object *obj, const char *key, struct json_object *val);

/**
 * jb_append() - add @val to the array @arr (which takes it).
 */
void jb_append(struct ca_jb *b, struct json_object *arr, struct json_object *val);

/**
 * jb_str() - a string of text from anywhere (a process, a cgroup, a file of
 * the host), escaped into valid UTF-8 first (src/esc.c); NULL for memory.
 */
struct json_object *jb_str(const char *s);

/**
 * jb_mask() - a 64-bit mask as "0x" and 16 hex digits: JSON numbers lose
 * precision above 2^53.
 */
struct json_object *jb_mask(uint64_t mask);

/**
 * jb_names() - the capabilities of @mask, libcap's names, as an array.
 */
struct json_object *jb_names(struct ca_jb *b, const struct ca_capnames *n, uint64_t mask);

/**
 * jb_print() - write @doc (which it releases) pretty to @out, or nothing
 * where the building failed. Returns 0, b->err, or -EIO.
 */
int jb_print(struct ca_jb *b, struct json_object *doc, FILE *out);

#endif
