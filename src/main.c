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
#include <unistd.h>

#include "audit.h"
#include "caps.h"
#include "policy.h"
#include "policy_ini.h"
#include "procroot.h"
#include "report.h"
#include "scan.h"
#include "util.h"

#ifndef CAPAUDIT_POLICY_FILE
#define CAPAUDIT_POLICY_FILE "/etc/capaudit/policy.ini"
#endif

/* Exit status: 2 wins over 1, and 1 over 0. */
enum {
	EXIT_PASS = 0,
	EXIT_FINDINGS = 1,
	EXIT_TROUBLE = 2,
};

enum command {
	CMD_SCAN,
	CMD_POLICY_CHECK,
	CMD_POLICY_SHOW,
};

struct options {
	enum command cmd;
	const char *proc_root;		/* NULL: the live /proc */
	const char *policy;		/* NULL: the default file, else the built-in */
	const char *policy_arg;		/* policy check/show FILE */
	bool json;
	bool strict;
	bool threads;
};

static void usage(FILE *out)
{
	fputs("Usage: capaudit [scan] [options]\n"
	      "       capaudit policy check FILE\n"
	      "       capaudit policy show [FILE]\n"
	      "\n"
	      "Audit the Linux capabilities of every container on this host, from /proc.\n"
	      "\n"
	      "Options:\n"
	      "      --proc-root DIR  read DIR instead of the live /proc\n"
	      "  -p, --policy FILE    judge by the policy in FILE (default: " CAPAUDIT_POLICY_FILE ",\n"
	      "                       else the built-in; \"built-in\" names the built-in)\n"
	      "  -J, --json           print one JSON document\n"
	      "      --threads        judge every thread, not only each process\n"
	      "      --strict         exit 2 when any process could not be read\n"
	      "  -h, --help           display this help and exit\n"
	      "  -V, --version        output version information and exit\n"
	      "\n"
	      "Commands:\n"
	      "  scan                 audit (the default)\n"
	      "  policy check FILE    validate a policy: exit 0, or 2 naming file:line\n"
	      "  policy show [FILE]   print the policy in force, presets expanded\n"
	      "\n"
	      "Exit status: 0 no failing finding, 1 failing findings, 2 usage, policy or\n"
	      "I/O error, or (with --strict) an incomplete audit.\n"
	      "\n"
	      "See capaudit(8) and capaudit.ini(5).\n",
	      out);
}

static void version(void)
{
	printf("capaudit (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}

static void vwarn_msg(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void vwarn_msg(const char *fmt, va_list ap)
{
	fputs("capaudit: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_msg(fmt, ap);
	va_end(ap);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_msg(fmt, ap);
	va_end(ap);
	fputs("Try 'capaudit --help' for more information.\n", stderr);
	return EXIT_TROUBLE;
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_PROC_ROOT = 0x100, OPT_STRICT, OPT_THREADS };
	static const struct option longopts[] = {
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'J' },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char optname[3] = "-?";
	int c;

	/* Our own messages, so that they name "capaudit", not argv[0]. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:JhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROC_ROOT:
			o->proc_root = optarg;
			break;
		case 'p':
			o->policy = optarg;
			break;
		case 'J':
			o->json = true;
			break;
		case OPT_THREADS:
			o->threads = true;
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
			return usage_error("option '%s' requires an argument", argv[optind - 1]);
		default:
			if (!optopt)
				return usage_error("unrecognized option '%s'", argv[optind - 1]);
			optname[1] = (char)optopt;
			return usage_error("invalid option '%s'", optname);
		}
	}
	if (optind < argc && strcmp(argv[optind], "scan") == 0) {
		optind++;
	} else if (optind < argc && strcmp(argv[optind], "policy") == 0) {
		optind++;
		if (optind < argc && strcmp(argv[optind], "check") == 0) {
			o->cmd = CMD_POLICY_CHECK;
			if (++optind >= argc)
				return usage_error("%s: which file?", "policy check");
			o->policy_arg = argv[optind++];
		} else if (optind < argc && strcmp(argv[optind], "show") == 0) {
			o->cmd = CMD_POLICY_SHOW;
			if (++optind < argc)
				o->policy_arg = argv[optind++];
		} else {
			return usage_error("policy: %s", optind < argc ? "unknown subcommand (check, show)"
								 : "check or show?");
		}
	}
	if (optind < argc)
		return usage_error("unknown command or argument '%s'", argv[optind]);
	return -1;
}

/*
 * The policy in force: --policy FILE, else the default file where it exists,
 * else the built-in. Returns 0 or prints why not and returns -1.
 */
static int load_policy(const char *path, bool explicit, struct ca_policy **out)
{
	struct ca_err err = { 0 };
	int r;

	/* "built-in" names the built-in policy even where the default file exists. */
	if (strcmp(path, "built-in") == 0 || (!explicit && access(path, F_OK) < 0)) {
		*out = policy_builtin();
		if (!*out) {
			warn_msg("%s", strerror(errno));
			return -1;
		}
		return 0;
	}
	r = policy_load_file(path, out, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		return -1;
	}
	return 0;
}

static int run_policy(const struct options *o)
{
	struct ca_policy *p = NULL;
	const char *path = o->policy_arg ? o->policy_arg : o->policy;
	int status = EXIT_TROUBLE;

	if (load_policy(path ? path : CAPAUDIT_POLICY_FILE, path != NULL, &p) < 0)
		return EXIT_TROUBLE;
	if (o->cmd == CMD_POLICY_SHOW) {
		if (policy_show(stdout, p) == 0)
			status = EXIT_PASS;
	} else {
		status = EXIT_PASS;
	}
	policy_free(p);
	return status;
}

static int run_scan(const struct options *o)
{
	struct ca_procroot root = { .fd = -1 };
	struct ca_scan_opts sopts = { .threads = o->threads };
	struct ca_policy *policy = NULL;
	struct ca_scan scan = { 0 };
	struct ca_summary summary;
	struct ca_capnames names;
	struct ca_err err = { 0 };
	struct ca_report rep;
	int r, status = EXIT_TROUBLE;

	/* A mistake in the policy stops everything before anything is read. */
	if (load_policy(o->policy ? o->policy : CAPAUDIT_POLICY_FILE, o->policy != NULL, &policy) < 0)
		goto out;
	r = procroot_open(&root, o->proc_root ? o->proc_root : "/proc", !o->proc_root);
	if (r == -EMEDIUMTYPE) {
		warn_msg("/proc is not a procfs mount; use --proc-root to read a copy of one");
		goto out;
	} else if (r < 0) {
		warn_msg("cannot open %s: %s", o->proc_root ? o->proc_root : "/proc", strerror(-r));
		goto out;
	}
	r = scan_run(&root, &sopts, &scan, &err);
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
	policy_free(policy);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int status;

	setlocale(LC_ALL, "");
	status = parse_args(argc, argv, &o);
	if (status < 0)
		status = o.cmd == CMD_SCAN ? run_scan(&o) : run_policy(&o);
	/* A report that did not reach its reader is an I/O error (close_stdout). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn_msg("write error: %s", strerror(errno));
		status = EXIT_TROUBLE;
	}
	return status;
}
