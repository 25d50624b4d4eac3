/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of a snapshot's metadata: what is written reads back; what a host chose is made printable. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "snapmeta.h"

static void round_trip(void **state)
{
	struct ca_snapmeta m = {
		.hostname = "node-7\n\x1b[31m", .kernel_release = "6.18.0", .boot_id = "0f1e2d3c",
		.capture_start = "2026-12-03T07:26:44Z", .capture_end = "2026-12-03T07:26:45Z",
		.capture_window = 0.25, .command_line = "capaudit snapshot x.tar", .policy_source = "built-in",
		.no_cmdline = true, .lsm_labels = true, .case_id = "IR-2026-0042",
		.examiner = "J. M\xc3\xbcller", .note = "taken after the alert\non node-7",
		.signer_fingerprint = "SHA256:592e3868f1f1cc7b5e96c4f13346c28ad2e5b10270057b436e5b693e4d36e074",
	}, back;
	char *text = snapmeta_write(&m);

	(void)state;
	assert_non_null(text);
	assert_int_equal(snapmeta_read(text, strlen(text), &back), 0);
	/* the host's name is escaped; everything else is as given */
	assert_string_equal(back.hostname, "node-7\\x0a\\x1b[31m");
	assert_string_equal(back.kernel_release, "6.18.0");
	assert_string_equal(back.boot_id, "0f1e2d3c");
	assert_string_equal(back.capture_end, "2026-12-03T07:26:45Z");
	assert_string_equal(back.command_line, "capaudit snapshot x.tar");
	assert_string_equal(back.policy_source, "built-in");
	assert_true(back.capture_window > 0.24 && back.capture_window < 0.26);
	assert_true(back.no_cmdline && back.lsm_labels && !back.with_environ);
	/* a case field as typed where it is printable, else escaped as the host's fields are */
	assert_string_equal(back.case_id, "IR-2026-0042");
	assert_string_equal(back.examiner, "J. M\xc3\xbcller");
	assert_string_equal(back.note, "taken after the alert\\x0aon node-7");
	assert_string_equal(back.signer_fingerprint, m.signer_fingerprint);
	snapmeta_free(&back);
	free(text);

	/* none given: null, read back as none */
	m.case_id = m.examiner = m.note = m.signer_fingerprint = NULL;
	text = snapmeta_write(&m);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"case_id\": null"));
	assert_int_equal(snapmeta_read(text, strlen(text), &back), 0);
	assert_null(back.case_id);
	assert_null(back.note);
	assert_null(back.signer_fingerprint);
	snapmeta_free(&back);
	free(text);
}

/* What an archive from anywhere holds: no object, members of other types. */
static void hostile(void **state)
{
	struct ca_snapmeta m;
	static const char odd[] = "{\"policy_source\": 7, \"hostname\": [\"x\"], \"lsm_labels\": \"yes\"}";

	(void)state;
	assert_int_equal(snapmeta_read("[1, 2]", 6, &m), -EINVAL);
	assert_int_equal(snapmeta_read("{\"policy", 9, &m), -EINVAL);
	assert_int_equal(snapmeta_read("", 0, &m), -EINVAL);
	assert_int_equal(snapmeta_read(odd, sizeof(odd) - 1, &m), 0);
	assert_null(m.policy_source);
	assert_null(m.hostname);
	assert_false(m.lsm_labels);
	snapmeta_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(hostile),
	};

	return cmocka_run_group_tests_name("snapmeta", tests, NULL, NULL);
}
