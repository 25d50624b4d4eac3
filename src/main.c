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
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "caps.h"
#include "debug.h"
#include "esc.h"
#include "policy.h"
#include "policy_ini.h"
#include "privs.h"
#include "procroot.h"
#include "report.h"
#include "runtime.h"
#include "scan.h"
#include "select.h"
#include "snapread.h"
#include "snapshot.h"
#include "userfile.h"
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
	CMD_LIST_COLUMNS,
	CMD_SNAPSHOT,
	CMD_VERIFY,
};

enum format {
	FMT_TEXT,
	FMT_JSON,
	FMT_JSON_LINES,
	FMT_CIS,
	FMT_PROMETHEUS,
};

static const struct {
	const char *name;
	int (*print)(FILE *out, const struct ca_report *r);
} formats[] = {
	[FMT_TEXT] = { "text", report_text_print },
	[FMT_JSON] = { "json", report_json_print },
	[FMT_JSON_LINES] = { "json-lines", report_jsonl_print },
	[FMT_CIS] = { "cis", report_cis_print },
	[FMT_PROMETHEUS] = { "prometheus", report_prom_print },
};

struct options {
	enum command cmd;
	enum format format;
	const char *proc_root;		/* NULL: the live /proc */
	const char *policy;		/* NULL: the default file, else the built-in */
	const char *policy_arg;		/* policy check/show FILE */
	const char *output_file;	/* -O: NULL or "-" for stdout */
	struct ca_select select;
	struct ca_text_opts text;
	const char *color;		/* auto, always, never */
	bool format_given;		/* with snapshot: also print the report */
	bool strict;
	bool threads;
	/* snapshots */
	const char *snapshot;		/* scan --snapshot FILE: replay it */
	const char *archive;		/* snapshot FILE, snapshot --verify FILE */
	const char *compress;
	const char *digest_file;
	bool no_cmdline;
	bool with_environ;
	bool verify;
	char *command_line;
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
	      "      --proc-root DIR    read DIR instead of the live /proc\n"
	      "  -p, --policy FILE      judge by the policy in FILE (default: " CAPAUDIT_POLICY_FILE ",\n"
	      "                         else the built-in; \"built-in\" names the built-in)\n"
	      "      --format FORMAT    text, json, json-lines, cis or prometheus\n"
	      "  -J, --json             the same as --format=json\n"
	      "  -O, --output-file FILE write the report to FILE, atomically\n"
	      "      --container ID     only the container with this id, id prefix or name\n"
	      "      --runtime NAME     only containers of this runtime\n"
	      "      --pid PID          only the process PID, and its container\n"
	      "      --threads          judge every thread, not only each process\n"
	      "      --snapshot FILE    audit a snapshot instead of this host\n"
	      "      --strict           exit 2 when any process could not be read\n"
	      "      --debug WHAT       trace on stderr: attrib (why each process is where it is)\n"
	      "\n"
	      "Text output:\n"
	      "  -o, --output COLS      columns to show (+COLS adds to the default)\n"
	      "      --output-all       every column\n"
	      "  -H, --list-columns     list the columns and exit\n"
	      "  -r, --raw              no alignment\n"
	      "  -n, --noheadings       no header line\n"
	      "      --tree             each container's processes beneath it\n"
	      "      --color[=WHEN]     auto (default), always or never; NO_COLOR is honoured\n"
	      "  -q, --quiet            failures only\n"
	      "\n"
	      "  -h, --help             display this help and exit\n"
	      "  -V, --version          output version information and exit\n"
	      "\n"
	      "Snapshots:\n"
	      "      --compress WHAT    none, gzip, zstd or xz (default: from FILE's name)\n"
	      "      --no-cmdline       leave out containers' command lines (they can hold secrets)\n"
	      "      --with-environ     take every process's environment too\n"
	      "      --digest-file F    write the archive's SHA-256 to F as well\n"
	      "      --verify           check a snapshot against its manifest\n"
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
	enum {
		OPT_PROC_ROOT = 0x100, OPT_STRICT, OPT_THREADS, OPT_FORMAT, OPT_CONTAINER, OPT_RUNTIME,
		OPT_PID, OPT_OUTPUT_ALL, OPT_TREE, OPT_COLOR, OPT_SNAPSHOT, OPT_COMPRESS, OPT_NO_CMDLINE,
		OPT_WITH_ENVIRON, OPT_DIGEST_FILE, OPT_VERIFY, OPT_DEBUG,
	};
	static const struct option longopts[] = {
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "policy", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "json", no_argument, NULL, 'J' },
		{ "output-file", required_argument, NULL, 'O' },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "runtime", required_argument, NULL, OPT_RUNTIME },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "output", required_argument, NULL, 'o' },
		{ "output-all", no_argument, NULL, OPT_OUTPUT_ALL },
		{ "list-columns", no_argument, NULL, 'H' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "quiet", no_argument, NULL, 'q' },
		{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
		{ "compress", required_argument, NULL, OPT_COMPRESS },
		{ "no-cmdline", no_argument, NULL, OPT_NO_CMDLINE },
		{ "with-environ", no_argument, NULL, OPT_WITH_ENVIRON },
		{ "digest-file", required_argument, NULL, OPT_DIGEST_FILE },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "debug", required_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char optname[3] = "-?", *end;
	size_t i;
	long pid;
	int c;

	/* Our own messages, so that they name "capaudit", not argv[0]. */
	opterr = 0;
	o->color = "auto";
	while ((c = getopt_long(argc, argv, ":p:JO:o:HrnqhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROC_ROOT:
			o->proc_root = optarg;
			break;
		case 'p':
			o->policy = optarg;
			break;
		case 'J':
			o->format = FMT_JSON;
			o->format_given = true;
			break;
		case OPT_SNAPSHOT:
			o->snapshot = optarg;
			break;
		case OPT_COMPRESS:
			o->compress = optarg;
			break;
		case OPT_NO_CMDLINE:
			o->no_cmdline = true;
			break;
		case OPT_WITH_ENVIRON:
			o->with_environ = true;
			break;
		case OPT_DIGEST_FILE:
			o->digest_file = optarg;
			break;
		case OPT_VERIFY:
			o->verify = true;
			break;
		case OPT_DEBUG:
			if (debug_set(optarg) < 0)
				return usage_error("--debug: '%s' is not attrib or all", optarg);
			break;
		case OPT_FORMAT:
			for (i = 0; i < ARRAY_SIZE(formats); i++)
				if (strcmp(optarg, formats[i].name) == 0)
					break;
			if (i == ARRAY_SIZE(formats))
				return usage_error("unknown format '%s': text, json, json-lines, cis or prometheus",
						   optarg);
			o->format = (enum format)i;
			o->format_given = true;
			break;
		case 'O':
			o->output_file = optarg;
			break;
		case OPT_CONTAINER:
			if (!optarg[0])
				return usage_error("%s", "--container: an empty id selects everything");
			o->select.container = optarg;
			break;
		case OPT_RUNTIME:
			for (i = CA_RT_DOCKER; i < CA_RT_COUNT; i++)
				if (strcmp(optarg, runtime_name((enum ca_runtime)i)) == 0)
					break;
			if (i == CA_RT_COUNT)
				return usage_error("unknown runtime '%s'", optarg);
			o->select.runtime = (enum ca_runtime)i;
			break;
		case OPT_PID:
			errno = 0;
			pid = strtol(optarg, &end, 10);
			if (errno || *end || pid <= 0 || pid > INT32_MAX)
				return usage_error("bad pid '%s'", optarg);
			o->select.pid = (pid_t)pid;
			break;
		case 'o':
			if (report_text_columns(optarg, &o->text) < 0)
				return usage_error("bad column list '%s' (see --list-columns)", optarg);
			break;
		case OPT_OUTPUT_ALL:
			report_text_all_columns(&o->text);
			break;
		case 'H':
			o->cmd = CMD_LIST_COLUMNS;
			break;
		case 'r':
			o->text.raw = true;
			break;
		case 'n':
			o->text.noheadings = true;
			break;
		case OPT_TREE:
			o->text.tree = true;
			break;
		case OPT_COLOR:
			o->color = optarg ? optarg : "always";
			if (strcmp(o->color, "auto") && strcmp(o->color, "always") && strcmp(o->color, "never"))
				return usage_error("--color: '%s' is not auto, always or never", o->color);
			break;
		case 'q':
			o->text.quiet = true;
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
	} else if (optind < argc && strcmp(argv[optind], "snapshot") == 0) {
		o->cmd = o->verify ? CMD_VERIFY : CMD_SNAPSHOT;
		if (++optind >= argc)
			return usage_error("%s", "snapshot: which file? (- for standard output)");
		o->archive = argv[optind++];
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
	if (o->verify && o->cmd != CMD_VERIFY)
		return usage_error("%s", "--verify goes with snapshot FILE");
	if (o->snapshot && o->proc_root)
		return usage_error("%s", "--snapshot and --proc-root both name what to read");
	return -1;
}

/*
 * Keep only @keep, and what the files still to be renamed or removed need;
 * then read back what is held, for the report. A drop the kernel refuses
 * (capset filtered by a seccomp policy) is said, not fatal: the report shows
 * what the scanner holds either way. Returns @me, or NULL where unreadable.
 */
static const struct ca_privs *drop_privileges(uint64_t keep, struct ca_privs *me)
{
	int r = privs_drop(keep);

	if (r < 0)
		warn_msg("cannot drop privileges: %s", strerror(-r));
	r = privs_read(me);
	if (r < 0) {
		warn_msg("cannot read the scanner's own privileges: %s", strerror(-r));
		return NULL;
	}
	return me;
}

/*
 * What reading @root takes: nothing for a snapshot, which is in memory;
 * nothing for a directory of files where capaudit holds privileges its
 * caller did not give it (file capabilities, setuid), which it keeps for
 * the live /proc alone: the files of a --proc-root are read with the
 * caller's own rights.
 */
static uint64_t reading_needs(const struct ca_procroot *root)
{
	return root->tree || (!root->live && privs_is_elevated()) ? 0 : PRIVS_READ;
}

/* What renaming @out's file into place, or removing it, will take beyond @keep. */
static uint64_t output_needs(const struct ca_output *out, uint64_t keep)
{
	uint64_t need = 0;

	if (out->tmp && privs_dir_needs(out->dirfd, out->name, keep, &need) < 0)
		return 0;
	return need;
}

static bool want_color(const char *when, const char *path)
{
	const char *no = getenv("NO_COLOR");

	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0 || (no && *no) || (path && strcmp(path, "-") != 0))
		return false;
	return isatty(STDOUT_FILENO);
}

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
		if (policy_builtin(out, &err) < 0) {
			warn_msg("%s", err.msg);
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

/*
 * scan --snapshot FILE: read it in place as a proc root, failing where the
 * capture failed, judged by the policy it captured unless --policy says
 * otherwise. One code path judges both.
 */
static int open_replay(const struct options *o, struct ca_procroot *root, struct ca_policy **policy)
{
	_cleanup_close_ int fd = -1;
	struct ca_err err = { 0 };
	int r;

	r = userfile_open(o->snapshot, &fd, &err);
	if (r == 0)
		r = snapshot_replay_open(fd, o->snapshot, root, policy, &err);
	if (r < 0)
		warn_msg("%s", err.msg);
	return r;
}

/*
 * Say exactly what the scan could not read: which processes (the first of
 * them), whose namespace links, what hidepid= hid. Returns true where
 * nothing at all could be read, which no report can make up for.
 */
static bool warn_unread(const struct ca_scan *scan, const char *path)
{
	const struct ca_counts *n = &scan->counts;
	size_t i, shown;

	if (n->unreadable) {
		fprintf(stderr, "capaudit: %zu process%s could not be read:", n->unreadable,
			n->unreadable == 1 ? "" : "es");
		shown = n->unreadable < CA_UNREADABLE_SHOWN ? n->unreadable : CA_UNREADABLE_SHOWN;
		for (i = 0; i < shown; i++)
			fprintf(stderr, "%s %s/%d/%s (%s)", i ? "," : "", path, (int)scan->unreadable[i].pid,
				scan->unreadable[i].file, strerror(-scan->unreadable[i].error));
		if (n->unreadable > shown)
			fprintf(stderr, ", and %zu more", n->unreadable - shown);
		fputc('\n', stderr);
	}
	if (scan->host.ns_denied) {
		warn_msg("the host's namespace links (%s/1/ns, %s/2/ns) could not be read (%s): whether "
			 "%zu container%s share%s the host's network, IPC, UTS and user namespaces was not "
			 "judged (that takes CAP_SYS_PTRACE)", path, path, strerror(EACCES), n->ns_denied,
			 n->ns_denied == 1 ? "" : "s", n->ns_denied == 1 ? "s" : "");
	} else if (n->ns_denied) {
		fprintf(stderr, "capaudit: whether %zu container%s share%s the host's network, IPC, UTS and user "
			"namespaces was not judged, for lack of permission to read their namespace links "
			"(that takes CAP_SYS_PTRACE):", n->ns_denied, n->ns_denied == 1 ? "" : "s",
			n->ns_denied == 1 ? "s" : "");
		for (i = 0, shown = 0; i < scan->ncontainers && shown < CA_UNREADABLE_SHOWN; i++) {
			const struct ca_container *c = &scan->containers[i];
			_cleanup_free_ char *id = NULL;

			if (!c->ns_denied)
				continue;
			id = esc_text(c->id, strlen(c->id));
			fprintf(stderr, "%s %s %s", shown++ ? "," : "", runtime_name(c->runtime),
				id ? id : "?");
		}
		if (n->ns_denied > shown)
			fprintf(stderr, ", and %zu more", n->ns_denied - shown);
		fputc('\n', stderr);
	}
	/* noaccess (1) lists the pids it refuses, counted above; the others hide them. */
	if (scan->host.hidepid_hides)
		warn_msg("%s is mounted with hidepid=%s: the processes of other users are %s uid %u", path,
			 scan->host.hidepid,
			 strcmp(scan->host.hidepid, "noaccess") == 0 || strcmp(scan->host.hidepid, "1") == 0
			 ? "unreadable to" : "hidden, uncounted, from", (unsigned)geteuid());
	if (n->processes > n->unreadable)
		return false;
	warn_msg("nothing could be read: %s", n->processes ? "every process was unreadable" : "no process");
	return true;
}

static int run_verify(const struct options *o)
{
	_cleanup_free_ char *report = NULL;
	_cleanup_close_ int fd = -1;
	struct ca_err err = { 0 };
	int r;

	r = userfile_open(o->archive, &fd, &err);
	if (r == 0)
		r = snapshot_verify(fd, o->archive, &report, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		return EXIT_TROUBLE;
	}
	if (report)
		fputs(report, stdout);
	printf("%s: %s\n", o->archive, r == CA_VERIFY_INTACT ? "intact" : "ALTERED");
	return r == CA_VERIFY_INTACT ? EXIT_PASS : EXIT_FINDINGS;
}

/*
 * snapshot FILE: a scan whose every read is recorded into the archive, then
 * what a responder needs beyond it, a manifest, and the SHA-256 of the whole
 * archive on stderr for the case notes.
 */
static int run_snapshot(const struct options *o)
{
	struct ca_procroot root = { .fd = -1 };
	struct ca_scan_opts sopts = { .threads = o->threads };
	struct ca_snapshot_opts snap = { 0 };
	struct ca_snapshot *s = NULL;
	struct ca_policy *policy = NULL;
	struct ca_scan scan = { 0 };
	struct ca_audit audit = { 0 };
	struct ca_capnames names;
	struct ca_err err = { 0 };
	struct ca_output out = { .dirfd = -1 }, digest = { .dirfd = -1 };
	const struct ca_privs *scanner;
	struct ca_privs me;
	unsigned char sha[CA_SHA256_LEN];
	char sum[2 * CA_SHA256_LEN + 1];
	bool to_stdout = strcmp(o->archive, "-") == 0;
	uint64_t keep;
	double started, wall;
	int r, status = EXIT_TROUBLE;

	if (to_stdout && (o->format_given || (o->digest_file && strcmp(o->digest_file, "-") == 0))) {
		warn_msg("snapshot -: the archive takes standard output; no report or digest can");
		return EXIT_TROUBLE;
	}
	/* Every process's environment, through CAP_SYS_PTRACE: root's to take, not any caller's. */
	if (o->with_environ && privs_is_elevated()) {
		warn_msg("--with-environ reads the secrets of other users' processes: not with privileges "
			 "capaudit's caller does not hold (file capabilities, setuid)");
		return EXIT_TROUBLE;
	}
	if (load_policy(o->policy ? o->policy : CAPAUDIT_POLICY_FILE, o->policy != NULL, &policy) < 0)
		return EXIT_TROUBLE;
	r = procroot_open(&root, o->proc_root, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		goto out;
	}
	r = userfile_output_open(&out, o->archive, &err);
	if (r == 0 && o->digest_file)
		r = userfile_output_open(&digest, o->digest_file, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		goto out;
	}
	snap = (struct ca_snapshot_opts){
		.fd = fileno(out.f), .name = o->archive, .compress = o->compress,
		.no_cmdline = o->no_cmdline, .with_environ = o->with_environ,
		.command_line = o->command_line,
	};
	r = snapshot_open(&s, &snap, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		goto out;
	}
	keep = reading_needs(&root);
	scanner = drop_privileges(keep | output_needs(&out, keep) | output_needs(&digest, keep), &me);
	root.rec = snapshot_recorder(s);
	wall = now(CLOCK_REALTIME);
	started = now(CLOCK_MONOTONIC);
	r = scan_run(&root, &sopts, &scan, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		goto out;
	}
	r = snapshot_close(s, &root, &scan, policy, sha, &err);
	s = NULL;
	root.rec = NULL;
	if (r == 0)
		r = userfile_output_close(&out, true);
	if (r < 0) {
		warn_msg("%s", err.msg[0] ? err.msg : strerror(-r));
		goto out;
	}
	if (warn_unread(&scan, root.path))
		goto out;
	util_hex(sha, sizeof(sha), sum);
	fprintf(stderr, "capaudit: snapshot %s: sha256 %s (%.3f s)\n", o->archive, sum,
		now(CLOCK_MONOTONIC) - started);
	if (o->digest_file) {
		r = fprintf(digest.f, "%s  %s\n", sum, o->archive) < 0 ? -EIO : userfile_output_close(&digest, true);
		if (r < 0) {
			warn_msg("cannot write %s: %s", o->digest_file, strerror(-r));
			goto out;
		}
	}
	status = EXIT_PASS;
	/* The live report of the very moment captured, where asked for. */
	if (o->format_given) {
		r = caps_names_init(&names, scan.host.last_cap);
		if (r == 0)
			r = audit_run(&scan, policy, &audit);
		if (r == 0) {
			struct ca_report rep = {
				.scan = &scan, .audit = &audit, .policy = policy, .names = &names,
				.source = "live", .duration = now(CLOCK_MONOTONIC) - started, .timestamp = wall,
				.text = &o->text, .scanner = scanner,
			};

			r = formats[o->format].print(stdout, &rep);
		}
		status = r < 0 ? EXIT_TROUBLE : audit.summary.failed ? EXIT_FINDINGS : EXIT_PASS;
	}
out:
	snapshot_abort(s);
	userfile_output_close(&out, false);
	userfile_output_close(&digest, false);
	audit_free(&audit);
	scan_free(&scan);
	procroot_close(&root);
	policy_free(policy);
	return status;
}

static int run_scan(const struct options *o)
{
	struct ca_procroot root = { .fd = -1 };
	struct ca_scan_opts sopts = { .threads = o->threads };
	struct ca_policy *policy = NULL;
	struct ca_scan scan = { 0 };
	struct ca_audit audit = { 0 };
	struct ca_capnames names;
	struct ca_err err = { 0 };
	struct ca_output out = { .dirfd = -1 };
	struct ca_report rep;
	const struct ca_privs *scanner;
	struct ca_privs me;
	uint64_t keep;
	double started, wall;
	int r, status = EXIT_TROUBLE;

	/* A mistake in the policy stops everything before anything is read. */
	if ((o->policy || !o->snapshot) &&
	    load_policy(o->policy ? o->policy : CAPAUDIT_POLICY_FILE, o->policy != NULL, &policy) < 0)
		goto out;
	if (o->snapshot) {
		r = open_replay(o, &root, &policy);
		if (r < 0)
			goto out;
	} else {
		r = procroot_open(&root, o->proc_root, &err);
		if (r < 0) {
			warn_msg("%s", err.msg);
			goto out;
		}
	}
	/* The output is opened before the scan, so that it cannot fail after it. */
	r = userfile_output_open(&out, o->output_file, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		goto out;
	}
	/* Everything is open: keep what reading and renaming the report into place take. */
	keep = reading_needs(&root);
	keep |= output_needs(&out, keep);
	scanner = drop_privileges(keep, &me);
	wall = now(CLOCK_REALTIME);
	started = now(CLOCK_MONOTONIC);
	r = scan_run(&root, &sopts, &scan, &err);
	if (r < 0) {
		warn_msg("%s", err.msg);
		goto out;
	}
	select_apply(&scan, &o->select);
	r = caps_names_init(&names, scan.host.last_cap);
	if (r == 0)
		r = audit_run(&scan, policy, &audit);
	if (r < 0) {
		warn_msg("%s", strerror(-r));
		goto out;
	}
	rep = (struct ca_report){
		.scan = &scan,
		.audit = &audit,
		.policy = policy,
		.names = &names,
		.source = o->snapshot ? o->snapshot : o->proc_root ? o->proc_root : "live",
		.duration = now(CLOCK_MONOTONIC) - started,
		.timestamp = wall,
		.text = &o->text,
		.scanner = scanner,
	};
	r = formats[o->format].print(out.f, &rep);
	if (r == 0)
		r = userfile_output_close(&out, true);
	if (r < 0) {
		warn_msg("cannot write the report%s%s: %s", out.path ? " to " : "", out.path ? out.path : "",
			 strerror(-r));
		goto out;
	}
	if (warn_unread(&scan, root.path))
		goto out;
	if (o->strict && !audit.summary.complete) {
		warn_msg("%s", "the audit is incomplete (--strict)");
		goto out;
	}
	status = audit.summary.failed ? EXIT_FINDINGS : EXIT_PASS;
out:
	userfile_output_close(&out, false);
	audit_free(&audit);
	scan_free(&scan);
	procroot_close(&root);
	policy_free(policy);
	return status;
}

/* capaudit's own command line, for a snapshot's metadata. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int status;

	setlocale(LC_ALL, "");
	if (getenv("CAPAUDIT_DEBUG") && debug_set(getenv("CAPAUDIT_DEBUG")) < 0)
		warn_msg("CAPAUDIT_DEBUG: '%s' is not attrib or all: ignored", getenv("CAPAUDIT_DEBUG"));
	o.command_line = join_args(argc, argv);
	status = parse_args(argc, argv, &o);
	if (status < 0 && o.cmd == CMD_LIST_COLUMNS)
		status = report_text_list_columns(stdout) < 0 ? EXIT_TROUBLE : EXIT_PASS;
	if (status < 0) {
		o.text.color = want_color(o.color, o.output_file);
		status = o.cmd == CMD_SCAN ? run_scan(&o) : o.cmd == CMD_SNAPSHOT ? run_snapshot(&o)
		       : o.cmd == CMD_VERIFY ? run_verify(&o) : run_policy(&o);
	}
	free(o.command_line);
	/* A report that did not reach its reader is an I/O error (close_stdout). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn_msg("write error: %s", strerror(errno));
		status = EXIT_TROUBLE;
	}
	return status;
}
