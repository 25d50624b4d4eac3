/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One escaping rule for every byte a process chose: \xHH for what is unsafe. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "esc.h"

size_t esc_utf8_len(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n, i;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* C1 controls, U+0080..U+009F, are two bytes: 0xc2 0x80..0x9f. */
static bool is_c1(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

/* Whether the character of @n bytes at @s (0: no valid UTF-8) is a control (C0, DEL, C1) or invalid. */
static bool is_control(const unsigned char *s, size_t n)
{
	return n == 0 || is_c1(s, n) || (n == 1 && (s[0] < 0x20 || s[0] == 0x7f));
}

static char *escape(const char *str, size_t len, bool spaces)
{
	const unsigned char *s = (const unsigned char *)str;
	static const char hex[] = "0123456789abcdef";
	char *out, *o;
	size_t i = 0;

	if (len > (SIZE_MAX - 1) / 4) {
		errno = EOVERFLOW;
		return NULL;
	}
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	o = out;
	while (i < len) {
		size_t n = esc_utf8_len(s + i, len - i);
		bool unsafe = is_control(s + i, n) || (spaces && s[i] == ' ') ||
			      (s[i] == '\\' && i + 1 < len && s[i + 1] == 'x');

		if (unsafe) {
			size_t k, cnt = n ? n : 1;

			for (k = 0; k < cnt; k++) {
				*o++ = '\\';
				*o++ = 'x';
				*o++ = hex[s[i + k] >> 4];
				*o++ = hex[s[i + k] & 0xf];
			}
			i += cnt;
		} else {
			while (n--)
				*o++ = (char)s[i++];
		}
	}
	*o = '\0';
	return out;
}

char *esc_text(const char *s, size_t len)
{
	return escape(s, len, false);
}

char *esc_word(const char *s, size_t len)
{
	return escape(s, len, true);
}

bool esc_is_printable(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	while (i < len) {
		n = esc_utf8_len(s + i, len - i);
		if (is_control(s + i, n))
			return false;
		i += n;
	}
	return true;
}
