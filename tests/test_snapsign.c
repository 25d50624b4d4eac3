/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of signed snapshots: which keys are taken, signatures openssl(1) makes and checks alike. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "snapsign.h"

/* Made with openssl genpkey (-algorithm ed25519; EC, P-384 and P-521; RSA, 1024 bits; -aes-128-cbc). */
static const char ed_priv[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIKqyUlS6FvIJ2i04F4YA/JGViG3AhN63qXypNxVuDvJa\n"
	"-----END PRIVATE KEY-----\n";
static const char ed_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEAPEwiGyEkAthbF5xFQDkaa4HVFNVUhPY1B5TI0ly6Z9Q=\n"
	"-----END PUBLIC KEY-----\n";
static const char p384_priv[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDXN75+keyiJ0iiC5iX\n"
	"YKsSUaEQUiXAk4lIHuaH8J+I1LjEFUA7GpIK6kgEzOqcwiGhZANiAATVNP3M7X7w\n"
	"uPP73ZXp96rGV00QdgYC9DINa4yFqyXRa8L2JrJKBUZJDPln/YFi/HRn+CG6HR80\n"
	"+Wrt4cKV2R/GeLfRwg3O111Iln8VfCOi+zkLzuJsN+p6ATNOrpYeZCY=\n"
	"-----END PRIVATE KEY-----\n";
static const char p521_priv[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIBusCIejNVTpZcOj1G\n"
	"Wa/pdaHJZPXjiS41VymoZHKrR1QbJlLGoIIxpBanyfSViYTDqTANhG8Es18Xr8UT\n"
	"nNXvEyehgYkDgYYABAAlyV0pGwhgUUpq6VnD0JsH2aGOLaUt7YqZfW3+20HLc1K0\n"
	"Mh7VC/fQ4UtYdS9qCGopM8bYehM+SR0njCUpigt7DgHWe6E/r+hM620DH/P80+2D\n"
	"8/uEoZZWboqUAu6cwUZN0ryuvfq/n+5usYe5Zr6pdRacHy+c1ZhZdNjVPXGZWqtI\n"
	"eQ==\n"
	"-----END PRIVATE KEY-----\n";
static const char rsa_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDs+Vx1zCJQxf0ss0AXlACeYRsV\n"
	"S73wjZTa3syPLCiVq7NG+CXcJv3Znt2dy858lxzhQ+nSt4MFBFyC/NxTSx3k9eJN\n"
	"vQuNjZTcwM3Fc87ie1yxCWyikMiMSKUOSOquo4POi0VBmxxV/ZR5wh2LF945mxxS\n"
	"s/k92EA1dXqW37qDgwIDAQAB\n"
	"-----END PUBLIC KEY-----\n";
static const char ed_encrypted[] =
	"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
	"MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiuQFu0JEIwDAICCAAw\n"
	"DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEENR3AvJFw5M71GBupFhpbJUEQKBc\n"
	"pJFFDrS6bVtsBaBii+nEkxKWebvNNT+5FV9rmmATuEno4IYUFAudaBVpJkUlEG1/\n"
	"md3BnTZ7HNOtCScZj3E=\n"
	"-----END ENCRYPTED PRIVATE KEY-----\n";

/* openssl pkey -pubin -in ed.pub -outform DER | sha256sum */
static const char ed_fingerprint[] = "SHA256:592e3868f1f1cc7b5e96c4f13346c28ad2e5b10270057b436e5b693e4d36e074";
/* openssl pkey -in p384.pem -pubout -outform DER | sha256sum */
static const char p384_fingerprint[] = "SHA256:a7c6280496278cdf893a5c849311679dc1a4616a9bff77cafc2da15128780b91";

static const char message[] = "abc  f proc/1/status\n";
/* openssl pkeyutl -sign -inkey ed.pem -rawin -in message: Ed25519 is deterministic */
static const unsigned char ed_signature[64] = {
	0x42, 0x74, 0x62, 0x03, 0xe9, 0x88, 0x7b, 0x32, 0x72, 0x40, 0x1f, 0x38,
	0x0c, 0x02, 0xf0, 0x4b, 0x7a, 0xe0, 0x9d, 0xc2, 0x9b, 0xf4, 0x15, 0xf8,
	0x2a, 0x1a, 0xae, 0x51, 0x5f, 0x62, 0xa2, 0xbf, 0xfd, 0xc9, 0x61, 0xb3,
	0x4a, 0x19, 0x02, 0xac, 0x6f, 0x72, 0xbc, 0x7d, 0xac, 0x16, 0xec, 0x07,
	0x82, 0x10, 0xdf, 0x31, 0x10, 0xbb, 0x26, 0xad, 0xea, 0xc7, 0x7c, 0xd1,
	0x12, 0xd3, 0x21, 0x04,
};

static struct ca_snapkey *parse(const char *pem, enum ca_key_kind kind)
{
	struct ca_snapkey *k = NULL;
	struct ca_err err = { 0 };

	assert_int_equal(snapsign_key_parse(pem, strlen(pem), "k.pem", kind, &k, &err), 0);
	assert_non_null(k);
	return k;
}

/* Parse @pem as @kind, which must fail with a message that begins with @msg. */
static void refused(const char *pem, enum ca_key_kind kind, const char *msg)
{
	struct ca_snapkey *k = NULL;
	struct ca_err err = { 0 };

	assert_true(snapsign_key_parse(pem, strlen(pem), "k.pem", kind, &k, &err) < 0);
	assert_null(k);
	assert_memory_equal(err.msg, msg, strlen(msg));
}

static void keys(void **state)
{
	struct ca_snapkey *priv, *pub;
	size_t len = 0;
	const char *pem;

	(void)state;
	priv = parse(ed_priv, CA_KEY_PRIVATE);
	pub = parse(ed_pub, CA_KEY_PUBLIC);
	/* the private key's fingerprint is its public half's, which openssl agrees on */
	assert_string_equal(snapsign_fingerprint(priv), ed_fingerprint);
	assert_string_equal(snapsign_fingerprint(pub), ed_fingerprint);
	pem = snapsign_public_pem(priv, &len);
	assert_int_equal(len, strlen(ed_pub));
	assert_memory_equal(pem, ed_pub, len);
	snapsign_key_free(priv);
	snapsign_key_free(pub);
	priv = parse(p384_priv, CA_KEY_PRIVATE);
	assert_string_equal(snapsign_fingerprint(priv), p384_fingerprint);
	snapsign_key_free(priv);
	snapsign_key_free(NULL);
}

static void refusals(void **state)
{
	(void)state;
	refused(rsa_pub, CA_KEY_PUBLIC, "k.pem: a key of type RSA: capaudit signs with Ed25519, or ECDSA");
	refused(p521_priv, CA_KEY_PRIVATE, "k.pem: an ECDSA key on secp521r1: capaudit signs with Ed25519");
	refused(ed_encrypted, CA_KEY_PRIVATE, "k.pem: an encrypted key");
	refused(ed_pub, CA_KEY_PRIVATE, "k.pem: a public key: --sign takes the private key");
	refused(ed_priv, CA_KEY_PUBLIC, "k.pem: a private key: --key takes the public key");
	refused("", CA_KEY_PUBLIC, "k.pem: not a PEM public key");
	refused("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n", CA_KEY_PUBLIC,
		"k.pem: not a PEM public key");
}

static void signatures(void **state)
{
	struct ca_snapkey *priv = parse(ed_priv, CA_KEY_PRIVATE), *pub = parse(ed_pub, CA_KEY_PUBLIC);
	struct ca_snapkey *other = parse(p384_priv, CA_KEY_PRIVATE);
	unsigned char sig[CA_SIG_MAX], bad[CA_SIG_MAX];
	struct ca_err err = { 0 };
	size_t n = 0, m = 0;

	(void)state;
	/* Ed25519: openssl pkeyutl -rawin's very bytes */
	assert_int_equal(snapsign_sign(priv, message, strlen(message), sig, &n, &err), 0);
	assert_int_equal(n, sizeof(ed_signature));
	assert_memory_equal(sig, ed_signature, n);
	assert_int_equal(snapsign_verify(pub, message, strlen(message), sig, n), 1);
	assert_int_equal(snapsign_verify(pub, message, strlen(message) - 1, sig, n), 0);
	assert_int_equal(snapsign_verify(pub, message, strlen(message), sig, n - 1), 0);
	memcpy(bad, sig, n);
	bad[10] ^= 1;
	assert_int_equal(snapsign_verify(pub, message, strlen(message), bad, n), 0);
	assert_int_equal(snapsign_verify(other, message, strlen(message), sig, n), 0);
	/* ECDSA on P-384, with SHA-384: DER, of a length of its own */
	assert_int_equal(snapsign_sign(other, message, strlen(message), sig, &m, &err), 0);
	assert_true(m > 64 && m <= 104);
	assert_int_equal(snapsign_verify(other, message, strlen(message), sig, m), 1);
	assert_int_equal(snapsign_verify(other, message, strlen(message), sig, m - 1), 0);
	assert_int_equal(snapsign_verify(pub, message, strlen(message), sig, m), 0);
	assert_int_equal(snapsign_verify(other, "", 0, sig, m), 0);
	snapsign_key_free(priv);
	snapsign_key_free(pub);
	snapsign_key_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys),
		cmocka_unit_test(refusals),
		cmocka_unit_test(signatures),
	};

	return cmocka_run_group_tests_name("snapsign", tests, NULL, NULL);
}
