/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the command line: commands, values, options that go with others or exclude them. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

/* Parse the words of @line (no quoting); the error's text in @msg. */
static int parse(const char *line, struct ca_cli *o, char msg[512])
{
	static char buf[512], name[] = "capaudit";
	char *argv[32] = { name }, *tok, *save = NULL;
	struct ca_err err = { 0 };
	int argc = 1, r;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	r = cli_parse(argc, argv, o, &err);
	snprintf(msg, 512, "%s", err.msg);
	return r;
}

static void commands(void **state)
{
	struct ca_cli o;
	char msg[512];

	(void)state;
	assert_int_equal(parse("", &o, msg), 0);
	assert_int_equal(o.cmd, CA_CMD_SCAN);
	assert_string_equal(o.color, "auto");
	assert_int_equal(parse("scan --json -p built-in --proc-root t", &o, msg), 0);
	assert_true(o.format == CA_FMT_JSON && o.format_given);
	assert_string_equal(o.policy, "built-in");
	assert_string_equal(o.proc_root, "t");
	assert_int_equal(parse("snapshot x.tar.zst --compress zstd --digest-file d", &o, msg), 0);
	assert_int_equal(o.cmd, CA_CMD_SNAPSHOT);
	assert_string_equal(o.archive, "x.tar.zst");
	assert_string_equal(o.digest_file, "d");
	assert_int_equal(parse("snapshot x.tar --case IR-7 --examiner jd --note after", &o, msg), 0);
	assert_string_equal(o.case_id, "IR-7");
	assert_string_equal(o.examiner, "jd");
	assert_string_equal(o.note, "after");
	assert_int_equal(parse("snapshot --verify x.tar", &o, msg), 0);
	assert_int_equal(o.cmd, CA_CMD_VERIFY);
	assert_int_equal(parse("snapshot --verify x.tar --key k.pub", &o, msg), 0);
	assert_string_equal(o.key, "k.pub");
	assert_int_equal(parse("snapshot x.tar --sign k.pem", &o, msg), 0);
	assert_string_equal(o.sign, "k.pem");
	assert_int_equal(parse("policy show", &o, msg), 0);
	assert_true(o.cmd == CA_CMD_POLICY_SHOW && !o.policy_arg);
	assert_int_equal(parse("policy check p.ini", &o, msg), 0);
	assert_string_equal(o.policy_arg, "p.ini");
	/* --help wins where it stands, before what follows is even read */
	assert_int_equal(parse("--help --bogus", &o, msg), 0);
	assert_int_equal(o.cmd, CA_CMD_HELP);
	assert_int_equal(parse("-V", &o, msg), 0);
	assert_int_equal(o.cmd, CA_CMD_VERSION);
	assert_int_equal(parse("--format cis --runtime podman --pid 12 --container c3ce", &o, msg), 0);
	assert_true(o.format == CA_FMT_CIS && o.select.runtime == CA_RT_PODMAN && o.select.pid == 12);
	assert_int_equal(parse("diff old.tar live --json -p built-in --runtime docker -O d.json", &o, msg), 0);
	assert_int_equal(o.cmd, CA_CMD_DIFF);
	assert_string_equal(o.diff[0], "old.tar");
	assert_string_equal(o.diff[1], "live");
	assert_true(o.format == CA_FMT_JSON && o.select.runtime == CA_RT_DOCKER);
}

static void mistakes(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "--bogus", "unrecognized option '--bogus'" },
		{ "-Z", "invalid option '-Z'" },
		{ "--policy", "option '--policy' requires an argument" },
		{ "--format=xml", "unknown format 'xml': text, json, json-lines, cis or prometheus" },
		{ "--pid 12x", "bad pid '12x'" },
		{ "--pid 0", "bad pid '0'" },
		{ "--runtime rkt", "unknown runtime 'rkt'" },
		{ "--color=rainbow", "--color: 'rainbow' is not auto, always or never" },
		{ "--debug=everything", "--debug: 'everything' is not attrib, learn or all" },
		{ "scan extra", "unknown command or argument 'extra'" },
		{ "snapshot", "snapshot: which file? (- for standard output)" },
		{ "policy", "policy: check or show?" },
		{ "policy edit", "policy: unknown subcommand (check, show)" },
		/* options as data: what goes with which command, what excludes what */
		{ "--snapshot s.tar --proc-root t", "--snapshot and --proc-root both name what to read" },
		{ "--verify", "--verify goes with snapshot FILE" },
		{ "--compress zstd", "--compress goes with snapshot FILE" },
		{ "--digest-file d", "--digest-file goes with snapshot FILE" },
		{ "policy check p.ini --no-cmdline", "--no-cmdline goes with snapshot FILE" },
		{ "snapshot x.tar --snapshot y.tar", "--snapshot goes with scan" },
		{ "diff old.tar", "diff: OLD and NEW? (snapshots, directories, or live)" },
		{ "diff a b c", "unknown command or argument 'c'" },
		{ "diff a b --format=prometheus", "diff: --format text or json" },
		{ "diff a b --tree", "--tree goes with scan and snapshot" },
		{ "diff a b --proc-root t", "--proc-root goes with scan and snapshot" },
		{ "diff a b --snapshot s.tar", "--snapshot goes with scan" },
		{ "--case IR-7", "--case goes with snapshot FILE" },
		{ "snapshot --verify x.tar --sign k.pem", "--sign goes with snapshot FILE" },
		{ "snapshot x.tar --key k.pub", "--key goes with snapshot --verify FILE" },
		{ "snapshot --verify x.tar --note n", "--note goes with snapshot FILE" },
		{ "snapshot x.tar --examiner=", "--examiner: empty" },
		{ "snapshot x.tar --note=\x1b[2J", "--note: a control character or invalid UTF-8: one line of text, "
		  "as it is to be recorded" },
	};
	struct ca_cli o;
	char msg[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].line, &o, msg), -EINVAL);
		assert_string_equal(msg, bad[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commands),
		cmocka_unit_test(mistakes),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
