/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signed snapshots: Ed25519 and ECDSA keys, signatures of a manifest, fingerprints. */
#ifndef CAPAUDIT_SNAPSIGN_H
#define CAPAUDIT_SNAPSIGN_H

#include <stddef.h>

#include "util.h"

/* A key file is small (a P-384 private key in PEM: 306 bytes); more is no key. */
#define CA_KEY_FILE_MAX (64u << 10)
/* "SHA256:" and the SHA-256 of the DER SubjectPublicKeyInfo, in hex: sha256sum's digits. */
#define CA_FINGERPRINT_LEN (7 + 64)
/* The longest signature: ECDSA on P-384, in DER, is 104 bytes; Ed25519's 64. */
#define CA_SIG_MAX 256

/* An Ed25519 key, or an ECDSA key on P-256 or P-384; private or public. */
struct ca_snapkey;

enum ca_key_kind {
	CA_KEY_PRIVATE,			/* --sign: signs */
	CA_KEY_PUBLIC,			/* --key, signer.pub: verifies */
};

/**
 * snapsign_key_read() - read the PEM key file @path ("-": standard input)
 * through userfile_open(), at most CA_KEY_FILE_MAX bytes, and parse it as
 * snapsign_key_parse() does; the bytes read are wiped before they are freed.
 * Loads libcrypto. Returns 0 and *@out (the caller's, for
 * snapsign_key_free()), or a negative errno with @err naming @path.
 */
int snapsign_key_read(const char *path, enum ca_key_kind kind, struct ca_snapkey **out,
		      struct ca_err *err);

/**
 * snapsign_key_parse() - the PEM key of @kind in the @len bytes at @text
 * (named @name in messages): an Ed25519 key or an ECDSA key on P-256 or
 * P-384, never encrypted. Another type, a public key where a private one is
 * wanted or the reverse, is refused with a message saying what it is.
 * Loads libcrypto. Returns 0 and *@out (the caller's, for
 * snapsign_key_free()), or a negative errno with @err.
 */
int snapsign_key_parse(const char *text, size_t len, const char *name, enum ca_key_kind kind,
		       struct ca_snapkey **out, struct ca_err *err);

/**
 * snapsign_key_free() - free @k (NULL is fine).
 */
void snapsign_key_free(struct ca_snapkey *k);

/**
 * snapsign_fingerprint() - "SHA256:" and the SHA-256 of @k's public key as
 * DER SubjectPublicKeyInfo, in lowercase hex (what
 * `openssl pkey -pubin -outform DER | sha256sum` prints). The string is
 * @k's, NUL-terminated, CA_FINGERPRINT_LEN long.
 */
const char *snapsign_fingerprint(const struct ca_snapkey *k);

/**
 * snapsign_public_pem() - @k's public key as a PEM SubjectPublicKeyInfo
 * ("-----BEGIN PUBLIC KEY-----"), *@len bytes at the returned pointer,
 * which is @k's.
 */
const char *snapsign_public_pem(const struct ca_snapkey *k, size_t *len);

/**
 * snapsign_sign() - sign the @len bytes at @data with the private key @k:
 * Ed25519 over the bytes themselves, ECDSA over their SHA-256 (P-256) or
 * SHA-384 (P-384), DER-encoded, as `openssl pkeyutl -rawin` and
 * `openssl dgst -sign` make them. Writes at most CA_SIG_MAX bytes to @sig
 * and their number to *@siglen. Returns 0, or -EIO with @err saying why.
 */
int snapsign_sign(const struct ca_snapkey *k, const void *data, size_t len, unsigned char *sig,
		  size_t *siglen, struct ca_err *err);

/**
 * snapsign_verify() - whether the @siglen bytes at @sig are @k's signature
 * of the @len bytes at @data, made as snapsign_sign() makes one. Returns 1
 * where they are, 0 where they are not (another key, other bytes, a
 * signature cut short or malformed), or -ENOMEM.
 */
int snapsign_verify(const struct ca_snapkey *k, const void *data, size_t len, const unsigned char *sig,
		    size_t siglen);

#endif
