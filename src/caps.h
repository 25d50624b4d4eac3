/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability sets: masks, their names (from libcap) and their bounds. */
#ifndef CAPAUDIT_CAPS_H
#define CAPAUDIT_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CA_BIT(cap) (UINT64_C(1) << (cap))

/* The five sets of /proc/<pid>/status, in the order reports list them. */
enum ca_capset {
	CA_SET_EFFECTIVE,
	CA_SET_PERMITTED,
	CA_SET_INHERITABLE,
	CA_SET_BOUNDING,
	CA_SET_AMBIENT,
	CA_SET_COUNT
};

struct ca_capsets {
	uint64_t mask[CA_SET_COUNT];
	unsigned known;			/* bit (1u << set) when that set was read */
};

#define CA_CAP_MAX 64			/* a mask has 64 bits */
#define CA_CAPNAME_MAX 32

/* Names of every capability up to cap_last_cap, as libcap spells them. */
struct ca_capnames {
	unsigned last_cap;
	char name[CA_CAP_MAX][CA_CAPNAME_MAX];
};

/**
 * caps_set_name() - the lower-case name of a set ("effective", ...).
 */
const char *caps_set_name(enum ca_capset set);

/**
 * caps_set_is_known() - whether @set of @sets was read.
 */
bool caps_set_is_known(const struct ca_capsets *sets, enum ca_capset set);

/**
 * caps_last_cap_parse() - parse /proc/sys/kernel/cap_last_cap.
 * Returns 0 and sets *@last, or -EINVAL for anything but a number below 64
 * and a newline, -ERANGE for a number of 64 or more.
 */
int caps_last_cap_parse(const char *buf, size_t len, unsigned *last);

/**
 * caps_valid_mask() - every bit a kernel with this cap_last_cap can set.
 */
uint64_t caps_valid_mask(unsigned last_cap);

/**
 * caps_names_init() - ask libcap for the name of every bit up to @last_cap.
 * A bit libcap cannot name (a kernel newer than libcap) becomes "cap_<n>".
 * Returns 0, or -ENOMEM.
 */
int caps_names_init(struct ca_capnames *names, unsigned last_cap);

/**
 * caps_name() - libcap's lower-case name of @bit ("cap_net_raw").
 * The string lives in @names.
 */
const char *caps_name(const struct ca_capnames *names, unsigned bit);

/**
 * caps_join() - "NET_RAW,SYS_ADMIN": the bits of @mask up to cap_last_cap,
 * upper-case without the "cap_" prefix, separated by @sep; "" for none.
 * Returns a string the caller frees, or NULL with errno set.
 */
char *caps_join(const struct ca_capnames *names, uint64_t mask, const char *sep);

/**
 * caps_count() - the number of bits set in @mask.
 */
unsigned caps_count(uint64_t mask);

/**
 * caps_parse_name() - a capability name, with or without "CAP_", any case
 * ("NET_RAW", "cap_net_raw"), as libcap knows it, or "cap_<n>".
 * Returns the bit, or -1 for a name no capability has.
 */
int caps_parse_name(const char *name);

/**
 * caps_word() - the name of capability @bit as a policy and the reports
 * write it ("NET_RAW"; "cap_41" for a bit libcap cannot name), in @word.
 * Returns @word.
 */
const char *caps_word(unsigned bit, char word[CA_CAPNAME_MAX]);

/**
 * caps_privileged_mask() - what a set must hold to be privileged, which
 * every report shows as "ALL": each capability that @host_bounding, the
 * host's own bounding set (pid 1's CapBnd), holds below CAP_PERFMON.
 * 0 where the host holds none of them.
 */
uint64_t caps_privileged_mask(uint64_t host_bounding);

/**
 * caps_is_privileged() - whether @mask holds caps_privileged_mask() of
 * @host_bounding; never where that is empty, so that a host reference
 * holding nothing makes nothing privileged.
 */
bool caps_is_privileged(uint64_t mask, uint64_t host_bounding);

#endif
