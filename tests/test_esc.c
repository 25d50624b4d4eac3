/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the escaping of hostile text. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "esc.h"

static void expect(const char *in, size_t len, const char *want)
{
	char *got = esc_text(in, len);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void plain_text_passes(void **state)
{
	expect("nginx", 5, "nginx");
	expect("", 0, "");
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
	/* a lone backslash is harmless; one that would read as an escape is not */
	expect("a\\b", 3, "a\\b");
	expect("a\\x41", 5, "a\\x5cx41");
}

static void controls_are_escaped(void **state)
{
	expect("a\nb", 3, "a\\x0ab");
	expect("\r\t\033[31m", 7, "\\x0d\\x09\\x1b[31m");
	expect("\x7f", 1, "\\x7f");
	/* NUL inside a counted string */
	expect("a\0b", 3, "a\\x00b");
	/* C1 control U+009B (CSI) in UTF-8 */
	expect("\xc2\x9b" "2J", 4, "\\xc2\\x9b2J");
}

static void invalid_utf8_is_escaped(void **state)
{
	expect("\xff", 1, "\\xff");
	expect("\xc3", 1, "\\xc3");			/* cut short */
	expect("\xc0\xaf", 2, "\\xc0\\xaf");		/* overlong '/' */
	expect("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");	/* surrogate */
	expect("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
	expect("\xe2\x82", 2, "\\xe2\\x82");
}

static void words(void **state)
{
	char *got = esc_word("web: all clear", 14);

	assert_string_equal(got, "web:\\x20all\\x20clear");
	free(got);
	got = esc_word("a\\ b", 4);
	assert_string_equal(got, "a\\\\x20b");
	free(got);
}

static void utf8_len(void **state)
{
	assert_int_equal(esc_utf8_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(esc_utf8_len((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(esc_utf8_len((const unsigned char *)"\xe0\x80\x80", 3), 0);
	assert_int_equal(esc_utf8_len((const unsigned char *)"\xf0\x9f\x90\xb3", 4), 4);
	assert_int_equal(esc_utf8_len((const unsigned char *)"", 0), 0);
}

static void printable(void **state)
{
	static const char name[] = "J. M\xc3\xbcller, \xe2\x82\xac \\x41";

	(void)state;
	assert_true(esc_is_printable("IR-2026-0042", 12));
	assert_true(esc_is_printable("", 0));
	assert_true(esc_is_printable(name, sizeof(name) - 1));
	assert_false(esc_is_printable("a\nb", 3));
	assert_false(esc_is_printable("a\tb", 3));
	assert_false(esc_is_printable("a\0b", 3));
	assert_false(esc_is_printable("\x7f", 1));
	assert_false(esc_is_printable("\xc2\x9b" "2J", 4));
	assert_false(esc_is_printable("caf\xe9", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_passes),
		cmocka_unit_test(controls_are_escaped),
		cmocka_unit_test(invalid_utf8_is_escaped),
		cmocka_unit_test(utf8_len),
		cmocka_unit_test(words),
		cmocka_unit_test(printable),
	};

	return cmocka_run_group_tests_name("esc", tests, NULL, NULL);
}
