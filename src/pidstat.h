/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one field capaudit needs from /proc/<pid>/stat: when the process started, parsed from a buffer. */
#ifndef CAPAUDIT_PIDSTAT_H
#define CAPAUDIT_PIDSTAT_H

#include <stddef.h>
#include <stdint.h>

/**
 * pidstat_parse_start() - the start time of a process (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) from the @len bytes at @buf,
 * which need not be NUL-terminated. The command name in parentheses is the
 * process's own choice and may hold spaces and ')': the fields are counted
 * from the last ')'. Returns 0 and *@start, or -EINVAL where the text is
 * not that of a stat file (cut off, a field not a number).
 */
int pidstat_parse_start(const char *buf, size_t len, uint64_t *start);

#endif
