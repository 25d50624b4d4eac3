/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capaudit: the command line. The only place that prints errors or picks the exit status. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "caps.h"
#include "policy.h"
#include "procroot.h"
#include "report.h"
#include "scan.h"
#include "util.h"

/* Exit status: 2 wins over 1, and 1 over 0. */
enum {
	EXIT_PASS = 0,
	EXIT_FINDINGS = 1,
	EXIT_TROUBLE = 2,
};

struct options {
	const char *proc_root;		/* NULL: the live /proc */
	bool json;
	bool strict;
};

static void usage(FILE *out)
{
	fputs("Usage: capaudit [scan] [options]\n"
	      "\n"
	      "Audit the Linux capabilities of every container on this host, from /proc.\n"
	      "\n"
	      "Options:\n"
	      "      --proc-root DIR  read DIR instead of the live /proc\n"
	      "  -J, --json           print one JSON document\n"
	      "      --strict         exit 2 when any process could not be read\n"
	      "  -h, --help           display this help and exit\n"
	      "  -V, --version        output version information and exit\n"
	      "\n"
	      "Exit status: 0 no failing finding, 1 failing findings, 2 usage, policy or\n"
	      "I/O error, or (with --strict) an incomplete audit.\n"
	      "\n"
	      "See capaudit(8).\n",
	      out);
}

static void version(void)
{
	printf("capaudit (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}

static void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("capaudit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_PROC_ROOT = 0x100, OPT_STRICT };
	static const struct option longopts[] = {
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "json", no_argument, NULL, 'J' },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* Our own messages, so that they name "capaudit", not argv[0]. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":JhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROC_ROOT:
			o->proc_root = optarg;
			break;
		case 'J':
			o->json = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_PASS;
		case 'V':
			version();
			return EXIT_PASS;
		case ':':
			warn_msg("option '%s' requires an argument", argv[optind - 1]);
			fputs("Try 'capaudit --help' for more information.\n", stderr);
			return EXIT_TROUBLE;
		default:
			if (optopt)
				warn_msg("invalid option -- '%c'", optopt);
			else
				warn_msg("unrecognized option '%s'", argv[optind - 1]);
			fputs("Try 'capaudit --help' for more information.\n", stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind < argc && strcmp(argv[optind], "scan") == 0)
		optind++;
	if (optind < argc) {
		warn_msg("unknown command or argument '%s'", argv[optind]);
		fputs("Try 'capaudit --help' for more information.\n", stderr);
		return EXIT_TROUBLE;
	}
	return -1;
}

static int run_scan(const struct options *o)
{
	const struct ca_policy *policy = &policy_builtin;
	struct ca_procroot root = { .fd = -1 };
	struct ca_scan scan = { 0 };
	struct ca_summary summary;
	struct ca_capnames names;
	struct ca_err err = { 0 };
	struct ca_report rep;
	int r, status = EXIT_TROUBLE;

	r = procroot_open(&root, o->proc_root ? o->proc_root : "/proc", !o->proc_root);
	if (r == -EMEDIUMTYPE) {
		warn_msg("/proc is not a procfs mount; use --proc-root to read a copy of one");
		goto out;
	} else if (r < 0) {
		warn_msg("cannot open %s: %s", o->proc_root ? o->proc_root : "/proc", strerror(-r));
		goto out;
	}
	r = scan_run(&root, &scan, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		goto out;
	}
	r = caps_names_init(&names, scan.host.last_cap);
	if (r == 0)
		r = audit_run(&scan, policy, &summary);
	if (r < 0) {
		warn_msg("%s", strerror(-r));
		goto out;
	}
	rep = (struct ca_report){
		.scan = &scan,
		.summary = &summary,
		.policy = policy,
		.names = &names,
		.source = o->proc_root ? o->proc_root : "live",
	};
	r = o->json ? report_json_print(stdout, &rep) : report_text_print(stdout, &rep);
	if (r < 0) {
		warn_msg("cannot write the report: %s", strerror(-r));
		goto out;
	}
	if (o->strict && !summary.complete) {
		warn_msg("the audit is incomplete: %zu process%s could not be read%s",
		       scan.counts.unreadable, scan.counts.unreadable == 1 ? "" : "es",
		       scan.host.hidepid_hides ? ", and hidepid= hides others" : "");
		goto out;
	}
	status = summary.failed ? EXIT_FINDINGS : EXIT_PASS;
out:
	scan_free(&scan);
	procroot_close(&root);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int status;

	setlocale(LC_ALL, "");
	status = parse_args(argc, argv, &o);
	if (status < 0)
		status = run_scan(&o);
	/* A report that did not reach its reader is an I/O error (close_stdout). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn_msg("write error: %s", strerror(errno));
		status = EXIT_TROUBLE;
	}
	return status;
}
