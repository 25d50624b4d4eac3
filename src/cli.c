/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line, as util-linux writes one: the options a table, their conflicts another. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "debug.h"
#include "esc.h"
#include "runtime.h"
#include "snapmeta.h"

#ifndef CAPAUDIT_POLICY_FILE
#define CAPAUDIT_POLICY_FILE "/etc/capaudit/policy.ini"
#endif

enum {
	OPT_PROC_ROOT = 0x100, OPT_STRICT, OPT_THREADS, OPT_FORMAT, OPT_CONTAINER, OPT_RUNTIME,
	OPT_PID, OPT_OUTPUT_ALL, OPT_TREE, OPT_COLOR, OPT_SNAPSHOT, OPT_COMPRESS, OPT_NO_CMDLINE,
	OPT_WITH_ENVIRON, OPT_DIGEST_FILE, OPT_VERIFY, OPT_DEBUG, OPT_CASE, OPT_EXAMINER, OPT_NOTE,
	OPT_SIGN, OPT_KEY, OPT_HOST_ROOT, OPT_DURATION, OPT_NOISE, OPT_POLICY_OUT, OPT_BUFFER_SIZE,
};

/* The commands an option goes with; any other given it is a usage error. */
#define FOR_ANY (~0u)
#define FOR_SCAN (1u << CA_CMD_SCAN)
#define FOR_CAPTURE (1u << CA_CMD_SNAPSHOT)
#define FOR_VERIFY (1u << CA_CMD_VERIFY)
#define FOR_DIFF (1u << CA_CMD_DIFF)
#define FOR_LEARN (1u << CA_CMD_LEARN)
/* a diff's sides are its arguments, its report its own; learn watches the live host */
#define FOR_READING (~(FOR_DIFF | FOR_LEARN))

static const struct opt {
	const char *name;
	int has_arg;
	int id;
	unsigned goes_with;
	const char *where;		/* what it goes with, for the message */
} opts[] = {
	{ "proc-root", required_argument, OPT_PROC_ROOT, FOR_READING, "scan and snapshot" },
	{ "host-root", required_argument, OPT_HOST_ROOT, FOR_READING | FOR_LEARN, "scan, snapshot and learn" },
	{ "policy", required_argument, 'p', FOR_ANY, NULL },
	{ "format", required_argument, OPT_FORMAT, FOR_ANY, NULL },
	{ "json", no_argument, 'J', FOR_ANY, NULL },
	{ "output-file", required_argument, 'O', FOR_ANY, NULL },
	{ "container", required_argument, OPT_CONTAINER, FOR_ANY, NULL },
	{ "runtime", required_argument, OPT_RUNTIME, FOR_ANY, NULL },
	{ "pid", required_argument, OPT_PID, FOR_READING, "scan and snapshot" },
	{ "threads", no_argument, OPT_THREADS, FOR_READING, "scan and snapshot" },
	{ "strict", no_argument, OPT_STRICT, FOR_READING | FOR_LEARN, "scan, snapshot and learn" },
	{ "output", required_argument, 'o', FOR_READING, "scan and snapshot" },
	{ "output-all", no_argument, OPT_OUTPUT_ALL, FOR_READING, "scan and snapshot" },
	{ "list-columns", no_argument, 'H', FOR_ANY, NULL },
	{ "raw", no_argument, 'r', FOR_READING, "scan and snapshot" },
	{ "noheadings", no_argument, 'n', FOR_READING, "scan and snapshot" },
	{ "tree", no_argument, OPT_TREE, FOR_READING, "scan and snapshot" },
	{ "color", optional_argument, OPT_COLOR, FOR_ANY, NULL },
	{ "quiet", no_argument, 'q', FOR_READING, "scan and snapshot" },
	{ "snapshot", required_argument, OPT_SNAPSHOT, FOR_SCAN, "scan" },
	{ "compress", required_argument, OPT_COMPRESS, FOR_CAPTURE, "snapshot FILE" },
	{ "no-cmdline", no_argument, OPT_NO_CMDLINE, FOR_CAPTURE, "snapshot FILE" },
	{ "with-environ", no_argument, OPT_WITH_ENVIRON, FOR_CAPTURE, "snapshot FILE" },
	{ "digest-file", required_argument, OPT_DIGEST_FILE, FOR_CAPTURE, "snapshot FILE" },
	{ "sign", required_argument, OPT_SIGN, FOR_CAPTURE, "snapshot FILE" },
	{ "case", required_argument, OPT_CASE, FOR_CAPTURE, "snapshot FILE" },
	{ "examiner", required_argument, OPT_EXAMINER, FOR_CAPTURE, "snapshot FILE" },
	{ "note", required_argument, OPT_NOTE, FOR_CAPTURE, "snapshot FILE" },
	{ "verify", no_argument, OPT_VERIFY, FOR_VERIFY, "snapshot FILE" },
	{ "key", required_argument, OPT_KEY, FOR_VERIFY, "snapshot --verify FILE" },
	{ "duration", required_argument, OPT_DURATION, FOR_LEARN, "learn" },
	{ "noise", no_argument, OPT_NOISE, FOR_LEARN, "learn" },
	{ "policy-out", required_argument, OPT_POLICY_OUT, FOR_LEARN, "learn" },
	{ "buffer-size", required_argument, OPT_BUFFER_SIZE, FOR_LEARN, "learn" },
	{ "debug", required_argument, OPT_DEBUG, FOR_ANY, NULL },
	{ "help", no_argument, 'h', FOR_ANY, NULL },
	{ "version", no_argument, 'V', FOR_ANY, NULL },
};

/* Options that must not meet: both name what a scan reads. */
static const struct {
	int a, b;
	const char *why;
} exclusive[] = {
	{ OPT_SNAPSHOT, OPT_PROC_ROOT, "--snapshot and --proc-root both name what to read" },
	{ OPT_SNAPSHOT, OPT_HOST_ROOT, "--snapshot and --host-root both name what to read" },
};

void cli_usage(FILE *out)
{
	fputs("Usage: capaudit [scan] [options]\n"
	      "       capaudit snapshot FILE [options]\n"
	      "       capaudit snapshot --verify FILE [--key PUB]\n"
	      "       capaudit policy check FILE\n"
	      "       capaudit policy show [FILE]\n"
	      "       capaudit diff OLD NEW [options]\n"
	      "       capaudit learn [--duration TIME] [options]\n"
	      "\n"
	      "Audit the Linux capabilities of every container on this host, from /proc.\n"
	      "\n"
	      "Options:\n"
	      "      --proc-root DIR    read DIR instead of the live /proc\n"
	      "      --host-root DIR    read the host whose root is mounted at DIR: DIR/proc\n"
	      "                         and the runtimes' state files under DIR\n"
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
	      "      --debug WHAT       trace on stderr: attrib (why each process is where it is),\n"
	      "                         learn (why a check is a need, a probe or the runtime's)\n"
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
	      "      --sign KEY         sign it with the Ed25519 or ECDSA private key in KEY\n"
	      "      --case ID          the case the capture is for, into its metadata\n"
	      "      --examiner NAME    who takes it\n"
	      "      --note TEXT        a line of the responder's own\n"
	      "      --verify           check a snapshot against its manifest\n"
	      "      --key PUB          and that the public key in PUB signed it\n"
	      "\n"
	      "Learning:\n"
	      "      --duration TIME    watch for TIME (60s; also 90, 5m, 1h); Ctrl-C ends early\n"
	      "      --noise            show the probes and the runtime's own checks too\n"
	      "      --policy-out FILE  write a policy holding each container to its least set\n"
	      "      --buffer-size KIB  ring buffer per CPU (default 8192)\n"
	      "\n"
	      "Commands:\n"
	      "  scan                 audit (the default)\n"
	      "  snapshot FILE        capture every file a scan reads, for a replay later\n"
	      "  policy check FILE    validate a policy: exit 0, or 2 naming file:line\n"
	      "  policy show [FILE]   print the policy in force, presets expanded\n"
	      "  diff OLD NEW         what changed between two snapshots (or a directory, or\n"
	      "                       live for this host): exit 1 for a new failing finding\n"
	      "  learn                watch the kernel's capability checks and print each\n"
	      "                       container's least set, in its runtime's own terms\n"
	      "\n"
	      "Exit status: 0 no failing finding, 1 failing findings, 2 usage, policy or\n"
	      "I/O error, or (with --strict) an incomplete audit. snapshot --verify: 0\n"
	      "intact, 1 altered, 3 intact but not signed by the key of --key.\n"
	      "\n"
	      "See capaudit(8) and capaudit.ini(5).\n",
	      out);
}

/*
 * A field of the case record (--case, --examiner, --note): kept as typed,
 * or refused, never rewritten: evidence that differs from what the
 * responder wrote, by an escape, would be theirs no longer.
 */
static int case_field(const char *opt, const char *arg, size_t max, const char **out, struct ca_err *err)
{
	size_t n = strlen(arg);

	if (n == 0)
		return err_set(err, -EINVAL, "--%s: empty", opt);
	if (n > max)
		return err_set(err, -EINVAL, "--%s: longer than %zu bytes", opt, max);
	if (!esc_is_printable(arg, n))
		return err_set(err, -EINVAL, "--%s: a control character or invalid UTF-8: one line of text, "
			       "as it is to be recorded", opt);
	*out = arg;
	return 0;
}

/* "60", "60s", "1.5m", "2h": seconds, more than none and at most a day. */
static int duration_parse(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || !(v > 0))
		return -EINVAL;
	if (*end == 'm')
		v *= 60, end++;
	else if (*end == 'h')
		v *= 3600, end++;
	else if (*end == 's')
		end++;
	if (*end || v > 86400)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The value of one option; 0, or -EINVAL with @err. */
static int take(struct ca_cli *o, int c, const char *arg, struct ca_err *err)
{
	char *end;
	long pid;
	int i;

	switch (c) {
	case OPT_PROC_ROOT:
		o->proc_root = arg;
		break;
	case OPT_HOST_ROOT:
		o->host_root = arg;
		break;
	case 'p':
		o->policy = arg;
		break;
	case 'J':
		o->format = CA_FMT_JSON;
		o->format_given = true;
		break;
	case OPT_FORMAT:
		i = report_format_parse(arg);
		if (i < 0)
			return err_set(err, -EINVAL, "unknown format '%s': text, json, json-lines, cis or prometheus",
				       arg);
		o->format = (enum ca_format)i;
		o->format_given = true;
		break;
	case 'O':
		o->output_file = arg;
		break;
	case OPT_CONTAINER:
		if (!arg[0])
			return err_set(err, -EINVAL, "--container: an empty id selects everything");
		o->select.container = arg;
		break;
	case OPT_RUNTIME:
		for (i = CA_RT_DOCKER; i < CA_RT_COUNT; i++)
			if (strcmp(arg, runtime_name((enum ca_runtime)i)) == 0)
				break;
		if (i == CA_RT_COUNT)
			return err_set(err, -EINVAL, "unknown runtime '%s'", arg);
		o->select.runtime = (enum ca_runtime)i;
		break;
	case OPT_PID:
		errno = 0;
		pid = strtol(arg, &end, 10);
		if (errno || *end || pid <= 0 || pid > INT32_MAX)
			return err_set(err, -EINVAL, "bad pid '%s'", arg);
		o->select.pid = (pid_t)pid;
		break;
	case 'o':
		if (report_text_columns(arg, &o->text) < 0)
			return err_set(err, -EINVAL, "bad column list '%s' (see --list-columns)", arg);
		break;
	case OPT_OUTPUT_ALL:
		report_text_all_columns(&o->text);
		break;
	case 'H':
		o->cmd = CA_CMD_LIST_COLUMNS;
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
		o->color = arg ? arg : "always";
		if (strcmp(o->color, "auto") && strcmp(o->color, "always") && strcmp(o->color, "never"))
			return err_set(err, -EINVAL, "--color: '%s' is not auto, always or never", o->color);
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
	case OPT_SNAPSHOT:
		o->snapshot = arg;
		break;
	case OPT_COMPRESS:
		o->compress = arg;
		break;
	case OPT_NO_CMDLINE:
		o->no_cmdline = true;
		break;
	case OPT_WITH_ENVIRON:
		o->with_environ = true;
		break;
	case OPT_DIGEST_FILE:
		o->digest_file = arg;
		break;
	case OPT_SIGN:
		o->sign = arg;
		break;
	case OPT_KEY:
		o->key = arg;
		break;
	case OPT_CASE:
		return case_field("case", arg, CA_META_FIELD_MAX, &o->case_id, err);
	case OPT_EXAMINER:
		return case_field("examiner", arg, CA_META_FIELD_MAX, &o->examiner, err);
	case OPT_NOTE:
		return case_field("note", arg, CA_META_NOTE_MAX, &o->note, err);
	case OPT_VERIFY:
		break;		/* it makes snapshot FILE a verify */
	case OPT_DURATION:
		if (duration_parse(arg, &o->duration) < 0)
			return err_set(err, -EINVAL, "--duration: '%s' is not a time of more than 0 and at most "
				       "a day (60, 60s, 5m, 1h)", arg);
		break;
	case OPT_NOISE:
		o->noise = true;
		break;
	case OPT_POLICY_OUT:
		o->policy_out = arg;
		break;
	case OPT_BUFFER_SIZE:
		errno = 0;
		pid = strtol(arg, &end, 10);
		if (errno || *end || pid < 64 || pid > 1048576)
			return err_set(err, -EINVAL, "--buffer-size: '%s' is not a size in KiB from 64 to 1048576", arg);
		o->buffer_kb = (unsigned)pid;
		break;
	case OPT_DEBUG:
		if (debug_set(arg) < 0)
			return err_set(err, -EINVAL, "--debug: '%s' is not attrib, learn or all", arg);
		break;
	default:
		return err_set(err, -EINVAL, "internal error: option %d", c);
	}
	return 0;
}

/* The command after the options: scan, snapshot FILE, policy check FILE, policy show [FILE], diff OLD NEW. */
static int command(int argc, char **argv, bool verify, struct ca_cli *o, struct ca_err *err)
{
	if (optind < argc && strcmp(argv[optind], "scan") == 0) {
		optind++;
	} else if (optind < argc && strcmp(argv[optind], "snapshot") == 0) {
		o->cmd = verify ? CA_CMD_VERIFY : CA_CMD_SNAPSHOT;
		if (++optind >= argc)
			return err_set(err, -EINVAL, "snapshot: which file? (- for standard output)");
		o->archive = argv[optind++];
	} else if (optind < argc && strcmp(argv[optind], "diff") == 0) {
		o->cmd = CA_CMD_DIFF;
		if (argc - ++optind < 2)
			return err_set(err, -EINVAL, "diff: OLD and NEW? (snapshots, directories, or live)");
		o->diff[0] = argv[optind++];
		o->diff[1] = argv[optind++];
		if (o->format != CA_FMT_TEXT && o->format != CA_FMT_JSON)
			return err_set(err, -EINVAL, "diff: --format text or json");
	} else if (optind < argc && strcmp(argv[optind], "learn") == 0) {
		optind++;
		o->cmd = CA_CMD_LEARN;
		if (o->format != CA_FMT_TEXT && o->format != CA_FMT_JSON)
			return err_set(err, -EINVAL, "learn: --format text or json");
		if (o->duration == 0)
			o->duration = 60;
	} else if (optind < argc && strcmp(argv[optind], "policy") == 0) {
		optind++;
		if (optind < argc && strcmp(argv[optind], "check") == 0) {
			o->cmd = CA_CMD_POLICY_CHECK;
			if (++optind >= argc)
				return err_set(err, -EINVAL, "policy check: which file?");
			o->policy_arg = argv[optind++];
		} else if (optind < argc && strcmp(argv[optind], "show") == 0) {
			o->cmd = CA_CMD_POLICY_SHOW;
			if (++optind < argc)
				o->policy_arg = argv[optind++];
		} else {
			return err_set(err, -EINVAL, "policy: %s",
				       optind < argc ? "unknown subcommand (check, show)" : "check or show?");
		}
	}
	if (optind < argc)
		return err_set(err, -EINVAL, "unknown command or argument '%s'", argv[optind]);
	return 0;
}

int cli_parse(int argc, char **argv, struct ca_cli *o, struct ca_err *err)
{
	struct option longopts[ARRAY_SIZE(opts) + 1];
	uint64_t seen = 0;		/* bit (id - OPT_PROC_ROOT) of the long-only options given */
	char shortopts[64] = ":", optname[3] = "-?";
	bool given[256] = { false };	/* the short ones */
	size_t i, n = 1;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->color = "auto";
	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		longopts[i] = (struct option){ opts[i].name, opts[i].has_arg, NULL, opts[i].id };
		if (opts[i].id < 0x100 && n + 3 < sizeof(shortopts)) {
			shortopts[n++] = (char)opts[i].id;
			if (opts[i].has_arg == required_argument)
				shortopts[n++] = ':';
		}
	}
	/* Our own messages, so that they name "capaudit", not argv[0]. */
	opterr = 0;
	optind = 0;	/* glibc: start afresh, a cluster of short options left half read included */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h' || c == 'V') {
			o->cmd = c == 'h' ? CA_CMD_HELP : CA_CMD_VERSION;
			return 0;
		}
		if (c == ':')
			return err_set(err, -EINVAL, "option '%s' requires an argument", argv[optind - 1]);
		if (c == '?' && !optopt)
			return err_set(err, -EINVAL, "unrecognized option '%s'", argv[optind - 1]);
		if (c == '?') {
			optname[1] = (char)optopt;
			return err_set(err, -EINVAL, "invalid option '%s'", optname);
		}
		r = take(o, c, optarg, err);
		if (r < 0)
			return r;
		if (c >= OPT_PROC_ROOT)
			seen |= UINT64_C(1) << (c - OPT_PROC_ROOT);
		else
			given[c & 0xff] = true;
	}
	r = command(argc, argv, seen & (UINT64_C(1) << (OPT_VERIFY - OPT_PROC_ROOT)), o, err);
	if (r < 0)
		return r;
	for (i = 0; i < ARRAY_SIZE(exclusive); i++)
		if ((seen & (UINT64_C(1) << (exclusive[i].a - OPT_PROC_ROOT))) &&
		    (seen & (UINT64_C(1) << (exclusive[i].b - OPT_PROC_ROOT))))
			return err_set(err, -EINVAL, "%s", exclusive[i].why);
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		bool was = opts[i].id >= OPT_PROC_ROOT ? !!(seen & (UINT64_C(1) << (opts[i].id - OPT_PROC_ROOT)))
						      : given[opts[i].id & 0xff];

		if (was && !(opts[i].goes_with & (1u << o->cmd)) && o->cmd < CA_CMD_HELP)
			return err_set(err, -EINVAL, "--%s goes with %s", opts[i].name, opts[i].where);
	}
	return 0;
}

char *cli_command_line(int argc, char **argv)
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
