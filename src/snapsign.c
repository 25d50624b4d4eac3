/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signed snapshots with libcrypto: the one place a key is read, a manifest signed or verified. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snaplibs.h"
#include "snapsign.h"
#include "userfile.h"

struct ca_snapkey {
	EVP_PKEY *pkey;
	const char *md;			/* the digest ECDSA signs; NULL: Ed25519 signs the bytes themselves */
	char fingerprint[CA_FINGERPRINT_LEN + 1];
	char *pem;			/* the public key, PEM SubjectPublicKeyInfo */
	size_t pem_len;
};

/*
 * The kinds of key capaudit signs with, and what each signs: an ECDSA curve
 * with the digest of its strength (FIPS 186-5, SP 800-57), as TLS 1.3 pairs
 * them (ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384). RSA is left out: a
 * signature 8 to 16 times the size, padding to choose, keys slow to make.
 */
static const struct {
	const char *curve;		/* as OpenSSL names the group */
	const char *md;
} curves[] = {
	{ "prime256v1", "SHA256" },
	{ "secp384r1", "SHA384" },
};

/* A PEM decoder asking for a passphrase means an encrypted key; capaudit never prompts. */
static int no_passphrase(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)asked = true;
	return -1;
}

/* libcrypto's own reason for the last failure, for a message; the queue is emptied. */
static const char *crypto_reason(void)
{
	const char *why = ERR_reason_error_string(ERR_peek_last_error());

	ERR_clear_error();
	return why ? why : "unknown reason";
}

static bool has(const char *text, size_t len, const char *what)
{
	return memmem(text, len, what, strlen(what)) != NULL;
}

/* Which digest @pkey signs with (NULL: Ed25519), or -EINVAL with @err saying what the key is. */
static int kind_of(EVP_PKEY *pkey, const char *name, const char **md, struct ca_err *err)
{
	char group[64] = "";
	size_t n = 0, i;
	const char *type;

	*md = NULL;
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return 0;
	if (EVP_PKEY_is_a(pkey, "EC")) {
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &n) != 1)
			snprintf(group, sizeof(group), "%s", "an unnamed curve");
		for (i = 0; i < ARRAY_SIZE(curves); i++)
			if (strcmp(group, curves[i].curve) == 0) {
				*md = curves[i].md;
				return 0;
			}
		return err_set(err, -EINVAL, "%s: an ECDSA key on %s: capaudit signs with Ed25519, or ECDSA on "
			       "P-256 or P-384", name, group);
	}
	type = EVP_PKEY_get0_type_name(pkey);
	return err_set(err, -EINVAL, "%s: a key of type %s: capaudit signs with Ed25519, or ECDSA on P-256 "
		       "or P-384", name, type ? type : "unknown");
}

/* The fingerprint and the PEM of @k's public key, made once. */
static int describe(struct ca_snapkey *k)
{
	unsigned char der[1024], d[32], *p = der;
	unsigned int dn = 0;
	int n = i2d_PUBKEY(k->pkey, NULL);
	BIO *b;
	char *pem = NULL;
	long len;
	int r = -EIO;

	/* Ed25519's SubjectPublicKeyInfo is 44 bytes, P-384's 120 */
	if (n <= 0 || (size_t)n > sizeof(der) || i2d_PUBKEY(k->pkey, &p) != n ||
	    EVP_Digest(der, (size_t)n, d, &dn, EVP_sha256(), NULL) != 1)
		return -EIO;
	memcpy(k->fingerprint, "SHA256:", 7);
	util_hex(d, sizeof(d), k->fingerprint + 7);
	b = BIO_new(BIO_s_mem());
	if (b && PEM_write_bio_PUBKEY(b, k->pkey) == 1 && (len = BIO_get_mem_data(b, &pem)) > 0) {
		k->pem = malloc((size_t)len);
		if (k->pem) {
			memcpy(k->pem, pem, (size_t)len);
			k->pem_len = (size_t)len;
			r = 0;
		} else {
			r = -ENOMEM;
		}
	}
	if (b)
		BIO_free(b);
	return r;
}

/*
 * A public key: its PEM armour taken off with PEM_read_bio() and its DER
 * read with d2i_PUBKEY(), whose fingerprint is that DER's SHA-256 (what
 * openssl pkey -pubout writes, and a capture's signer.pub holds); its PEM
 * is the text given. PEM_read_bio_PUBKEY() and i2d_PUBKEY() ask every
 * decoder and encoder of OpenSSL 3: 470 of the 480 us this takes with them,
 * at each --verify of a signed capture, and most of what fuzzing one costs.
 * Returns 0, -EINVAL for anything else, or -ENOMEM.
 */
static int public_key(const char *text, size_t len, struct ca_snapkey *k)
{
	unsigned char *der = NULL, d[32];
	char *pem_name = NULL, *header = NULL;
	const unsigned char *p;
	unsigned int dn = 0;
	long derlen = 0;
	BIO *b = BIO_new_mem_buf(text, (int)len);
	int r = -EINVAL;

	if (!b)
		return -ENOMEM;
	if (PEM_read_bio(b, &pem_name, &header, &der, &derlen) == 1 && strcmp(pem_name, "PUBLIC KEY") == 0 &&
	    !header[0] && derlen > 0) {
		p = der;
		k->pkey = d2i_PUBKEY(NULL, &p, derlen);
		if (k->pkey && p == der + derlen &&
		    EVP_Digest(der, (size_t)derlen, d, &dn, EVP_sha256(), NULL) == 1 && dn == sizeof(d)) {
			memcpy(k->fingerprint, "SHA256:", 7);
			util_hex(d, sizeof(d), k->fingerprint + 7);
			r = 0;
		}
	}
	if (r == 0 && !(k->pem = malloc(len))) {
		r = -ENOMEM;
	} else if (r == 0) {
		memcpy(k->pem, text, len);
		k->pem_len = len;
	}
	if (r < 0 && k->pkey) {
		EVP_PKEY_free(k->pkey);
		k->pkey = NULL;
	}
	OPENSSL_free(pem_name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(b);
	return r;
}

int snapsign_key_parse(const char *text, size_t len, const char *name, enum ca_key_kind kind,
		       struct ca_snapkey **out, struct ca_err *err)
{
	struct ca_snapkey *k;
	bool asked = false;
	BIO *b;
	int r = snaplibs_load(err);

	*out = NULL;
	if (r < 0)
		return r;
	if (len > CA_KEY_FILE_MAX)
		return err_set(err, -EFBIG, "%s: larger than %u bytes: not a key", name, CA_KEY_FILE_MAX);
	k = calloc(1, sizeof(*k));
	b = k ? BIO_new_mem_buf(text, (int)len) : NULL;
	if (!b) {
		free(k);
		return err_set(err, -ENOMEM, "%s: out of memory", name);
	}
	if (kind == CA_KEY_PRIVATE)
		k->pkey = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, &asked);
	else if ((r = public_key(text, len, k)) == -ENOMEM)
		ERR_clear_error();
	BIO_free(b);
	if (r == -ENOMEM) {
		free(k);
		return err_set(err, -ENOMEM, "%s: out of memory", name);
	}
	if (!k->pkey) {
		/* libcrypto's reason ("unsupported", of every decoder tried) says less than what we see */
		ERR_clear_error();
		if (asked)
			r = err_set(err, -EINVAL, "%s: an encrypted key: capaudit takes the key unencrypted, "
				    "from removable media or standard input (-)", name);
		else if (kind == CA_KEY_PRIVATE && has(text, len, "PUBLIC KEY-----"))
			r = err_set(err, -EINVAL, "%s: a public key: --sign takes the private key", name);
		else if (kind == CA_KEY_PUBLIC && has(text, len, "PRIVATE KEY-----"))
			r = err_set(err, -EINVAL, "%s: a private key: --key takes the public key "
				    "(openssl pkey -in KEY -pubout), and the private key stays off this machine",
				    name);
		else if (kind == CA_KEY_PRIVATE)
			r = err_set(err, -EINVAL, "%s: not a PEM private key (as openssl genpkey writes one)", name);
		else
			r = err_set(err, -EINVAL, "%s: not a PEM public key (as openssl pkey -pubout writes one)",
				    name);
	} else {
		r = kind_of(k->pkey, name, &k->md, err);
		if (r == 0 && kind == CA_KEY_PRIVATE && (r = describe(k)) < 0)
			err_set(err, r, "%s: cannot encode its public key: %s", name,
				r == -ENOMEM ? strerror(ENOMEM) : crypto_reason());
	}
	if (r < 0) {
		snapsign_key_free(k);
		return r;
	}
	*out = k;
	return 0;
}

int snapsign_key_read(const char *path, enum ca_key_kind kind, struct ca_snapkey **out,
		      struct ca_err *err)
{
	_cleanup_close_ int fd = -1;
	/* one buffer, never grown: realloc() would leave copies of a private key behind, unwiped */
	char *buf;
	size_t got = 0;
	int r;

	*out = NULL;
	r = userfile_open(path, &fd, err);
	if (r < 0)
		return r;
	buf = malloc(CA_KEY_FILE_MAX + 1);
	if (!buf)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	while (got <= CA_KEY_FILE_MAX) {
		ssize_t n = read(fd, buf + got, CA_KEY_FILE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = err_set(err, -errno, "%s: cannot read: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (r == 0)
		r = snapsign_key_parse(buf, got, path, kind, out, err);
	explicit_bzero(buf, got);
	free(buf);
	return r;
}

void snapsign_key_free(struct ca_snapkey *k)
{
	if (!k)
		return;
	if (k->pkey)
		EVP_PKEY_free(k->pkey);
	free(k->pem);
	free(k);
}

const char *snapsign_fingerprint(const struct ca_snapkey *k)
{
	return k->fingerprint;
}

const char *snapsign_public_pem(const struct ca_snapkey *k, size_t *len)
{
	*len = k->pem_len;
	return k->pem;
}

int snapsign_sign(const struct ca_snapkey *k, const void *data, size_t len, unsigned char *sig,
		  size_t *siglen, struct ca_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t max = 0;
	int r = -EIO;

	/* Ed25519 signs a message whole (no EVP_DigestSignUpdate): one call for both kinds. */
	if (ctx && EVP_DigestSignInit_ex(ctx, NULL, k->md, NULL, NULL, k->pkey, NULL) == 1 &&
	    EVP_DigestSign(ctx, NULL, &max, data, len) == 1 && max <= CA_SIG_MAX) {
		*siglen = max;
		if (EVP_DigestSign(ctx, sig, siglen, data, len) == 1)
			r = 0;
	}
	if (r < 0)
		err_set(err, r, "cannot sign: %s", ctx ? crypto_reason() : strerror(ENOMEM));
	if (ctx)
		EVP_MD_CTX_free(ctx);
	return r;
}

int snapsign_verify(const struct ca_snapkey *k, const void *data, size_t len, const unsigned char *sig,
		    size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r;

	if (!ctx)
		return -ENOMEM;
	r = EVP_DigestVerifyInit_ex(ctx, NULL, k->md, NULL, NULL, k->pkey, NULL) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	/* a signature that is not one leaves libcrypto's reasons queued: none is a failure of ours */
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return r;
}
