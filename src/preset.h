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

#endif
