/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line: options as data, which command each goes with, and which exclude each other. */
#ifndef CAPAUDIT_CLI_H
#define CAPAUDIT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"
#include "select.h"
#include "util.h"

enum ca_command {
	CA_CMD_SCAN,
	CA_CMD_POLICY_CHECK,
	CA_CMD_POLICY_SHOW,
	CA_CMD_LIST_COLUMNS,
	CA_CMD_SNAPSHOT,
	CA_CMD_VERIFY,
	CA_CMD_DIFF,
	CA_CMD_LEARN,
	CA_CMD_HELP,
	CA_CMD_VERSION,
};

/* What the command line asks for. The strings are argv's. */
struct ca_cli {
	enum ca_command cmd;
	enum ca_format format;
	bool format_given;		/* with snapshot: also print the report */
	const char *proc_root;		/* NULL: the live /proc */
	const char *host_root;		/* NULL: the live host's /, or none with proc_root */
	const char *policy;		/* NULL: the default file, else the built-in */
	const char *policy_arg;		/* policy check/show FILE */
	const char *output_file;	/* -O: NULL or "-" for stdout */
	struct ca_select select;
	struct ca_text_opts text;
	const char *color;		/* auto, always, never */
	bool strict;
	bool threads;
	const char *snapshot;		/* scan --snapshot FILE: replay it */
	const char *archive;		/* snapshot FILE, snapshot --verify FILE */
	const char *diff[2];		/* diff OLD NEW */
	const char *compress;
	const char *digest_file;
	bool no_cmdline;
	bool with_environ;
	const char *sign;		/* snapshot FILE --sign KEY */
	const char *key;		/* snapshot --verify FILE --key PUB */
	const char *case_id;		/* the case record: printable UTF-8, bounded */
	const char *examiner;
	const char *note;
	double duration;		/* learn: seconds */
	bool noise;			/* learn: show the probes and the runtime's checks too */
	const char *policy_out;		/* learn: write the learned policy here */
	unsigned buffer_kb;		/* learn: ring buffer per CPU, 0 for the default */
};

/**
 * cli_parse() - read @argv into @o. Returns 0, or -EINVAL with @err saying
 * what is wrong in the words a usage error prints ("unknown format 'xml':
 * ..."); --help and --version are commands of their own.
 */
int cli_parse(int argc, char **argv, struct ca_cli *o, struct ca_err *err);

/**
 * cli_command_line() - @argv joined by spaces, as a snapshot's metadata
 * records capaudit's own command line. Returns a string the caller frees,
 * or NULL.
 */
char *cli_command_line(int argc, char **argv);

/**
 * cli_usage() - the --help text, to @out.
 */
void cli_usage(FILE *out);

#endif
