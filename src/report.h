/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reports of an audit: a text table for people, JSON for machines. Never touch /proc. */
#ifndef CAPAUDIT_REPORT_H
#define CAPAUDIT_REPORT_H

#include <stdio.h>

#include "audit.h"
#include "caps.h"
#include "policy.h"
#include "scan.h"

struct ca_report {
	const struct ca_scan *scan;
	const struct ca_summary *summary;
	const struct ca_policy *policy;
	const struct ca_capnames *names;
	const char *source;		/* "live", or the proc root read */
};

/**
 * report_text_print() - the table, one line per finding, a summary line.
 * Returns 0, or a negative errno (-EIO where @out failed).
 */
int report_text_print(FILE *out, const struct ca_report *r);

/**
 * report_json_print() - one JSON document (schema_version 1, capaudit(8)).
 * Returns 0, or a negative errno.
 */
int report_json_print(FILE *out, const struct ca_report *r);

#endif
