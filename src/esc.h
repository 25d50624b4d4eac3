/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Escaping of hostile text: whatever a process chose for itself. */
#ifndef CAPAUDIT_ESC_H
#define CAPAUDIT_ESC_H

#include <stdbool.h>
#include <stddef.h>

/**
 * esc_text() - @s made safe to print: control bytes (C0, DEL, C1) and bytes
 * that are not valid UTF-8 become "\xHH", as libsmartcols writes them, and
 * so does a backslash that would otherwise read as such an escape. The
 * result is always valid UTF-8 without control characters.
 * Returns a string the caller frees, or NULL with errno set.
 */
char *esc_text(const char *s, size_t len);

/**
 * esc_word() - as esc_text(), and a space becomes "\x20" too: for a field of
 * a line that other fields follow (an id in a finding or CIS line), so that
 * a name holding ": " cannot move where the field ends.
 * Returns a string the caller frees, or NULL with errno set.
 */
char *esc_word(const char *s, size_t len);

/**
 * esc_utf8_len() - the length of the valid UTF-8 sequence at @s (1 to 4),
 * or 0 where the bytes there are not one. Overlong forms, surrogates and
 * code points above U+10FFFF are invalid.
 */
size_t esc_utf8_len(const unsigned char *s, size_t len);

/**
 * esc_is_printable() - whether the @len bytes at @s are valid UTF-8 without
 * a control character (C0, DEL, C1): text esc_text() leaves as it is but
 * for a backslash before an 'x'.
 */
bool esc_is_printable(const char *s, size_t len);

#endif
