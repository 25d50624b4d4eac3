/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability lists as a policy writes them: names and @presets. */
#ifndef CAPAUDIT_PRESET_H
#define CAPAUDIT_PRESET_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

/**
 * preset_lookup() - the list a preset names ("@docker-default").
 * Returns true and fills @out, or false for no such preset.
 */
bool preset_lookup(const char *name, struct ca_caplist *out);

/**
 * preset_cap_parse() - a capability name, with or without "CAP_", any case
 * ("NET_RAW", "cap_net_raw"), as libcap knows it, or "cap_<n>".
 * Returns the bit, or -1 for a name no capability has.
 */
int preset_cap_parse(const char *name);

#endif
