/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libarchive and libcrypto, loaded by the commands that take or read a
 * snapshot only: linked into every run they cost a scan about 16 ms of CPU
 * and twenty libraries (libxml2, ICU...) it never uses.
 */
#ifndef CAPAUDIT_SNAPLIBS_H
#define CAPAUDIT_SNAPLIBS_H

#include <archive.h>
#include <archive_entry.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util.h"

/* Every function the snapshot code calls, by library. */
#define SNAPLIBS_ARCHIVE(X) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_hardlink) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_size) \
	X(archive_entry_set_symlink) \
	X(archive_entry_size) \
	X(archive_entry_symlink) \
	X(archive_error_string) \
	X(archive_read_data) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_open_fd) \
	X(archive_read_next_header) \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_xz) \
	X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_tar) \
	X(archive_write_add_filter) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open2) \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_bytes_per_block) \
	X(archive_write_set_format_ustar) \
	X(archive_write_set_filter_option)

#define SNAPLIBS_CRYPTO(X) \
	X(BIO_ctrl) \
	X(BIO_free) \
	X(BIO_new) \
	X(BIO_new_mem_buf) \
	X(BIO_s_mem) \
	X(ERR_clear_error) \
	X(ERR_peek_last_error) \
	X(ERR_reason_error_string) \
	X(EVP_Digest) \
	X(EVP_DigestFinal_ex) \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestSign) \
	X(EVP_DigestSignInit_ex) \
	X(EVP_DigestUpdate) \
	X(EVP_DigestVerify) \
	X(EVP_DigestVerifyInit_ex) \
	X(EVP_MD_CTX_free) \
	X(EVP_MD_CTX_new) \
	X(EVP_MD_fetch) \
	X(EVP_MD_free) \
	X(EVP_PKEY_free) \
	X(EVP_PKEY_get0_type_name) \
	X(EVP_PKEY_get_group_name) \
	X(EVP_PKEY_is_a) \
	X(EVP_sha256) \
	X(PEM_read_bio) \
	X(PEM_read_bio_PUBKEY) \
	X(PEM_read_bio_PrivateKey) \
	X(PEM_write_bio_PUBKEY) \
	X(CRYPTO_free) \
	X(d2i_PUBKEY) \
	X(i2d_PUBKEY)

#define SNAPLIBS_FIELD(f) __typeof__(f) *f;
struct ca_snaplibs {
	SNAPLIBS_ARCHIVE(SNAPLIBS_FIELD)
	SNAPLIBS_CRYPTO(SNAPLIBS_FIELD)
};
#undef SNAPLIBS_FIELD

extern struct ca_snaplibs ca_snaplibs;

/**
 * snaplibs_load() - dlopen() libarchive and libcrypto and find every
 * function of theirs that the snapshot code calls; once, later calls return at
 * once. Returns 0, or -ELIBACC with @err saying which library or symbol.
 */
int snaplibs_load(struct ca_err *err);

/**
 * snaplibs_sha256() - libcrypto's SHA-256, fetched at the first call and
 * kept for the process's life, as libcrypto is; NULL where it cannot be
 * fetched. After snaplibs_load(), and like it by one thread at a time (a
 * capture's writer, or a reader). The digest is libcrypto's: never freed.
 */
const EVP_MD *snaplibs_sha256(void);

/* The snapshot code calls them by their own names, through the table. */
#ifndef SNAPLIBS_NO_REDIRECT
#define BIO_ctrl (*ca_snaplibs.BIO_ctrl)
#define BIO_free (*ca_snaplibs.BIO_free)
#define BIO_new (*ca_snaplibs.BIO_new)
#define BIO_new_mem_buf (*ca_snaplibs.BIO_new_mem_buf)
#define BIO_s_mem (*ca_snaplibs.BIO_s_mem)
#define ERR_clear_error (*ca_snaplibs.ERR_clear_error)
#define ERR_peek_last_error (*ca_snaplibs.ERR_peek_last_error)
#define ERR_reason_error_string (*ca_snaplibs.ERR_reason_error_string)
#define EVP_Digest (*ca_snaplibs.EVP_Digest)
#define EVP_DigestFinal_ex (*ca_snaplibs.EVP_DigestFinal_ex)
#define EVP_DigestInit_ex (*ca_snaplibs.EVP_DigestInit_ex)
#define EVP_DigestSign (*ca_snaplibs.EVP_DigestSign)
#define EVP_DigestSignInit_ex (*ca_snaplibs.EVP_DigestSignInit_ex)
#define EVP_DigestUpdate (*ca_snaplibs.EVP_DigestUpdate)
#define EVP_DigestVerify (*ca_snaplibs.EVP_DigestVerify)
#define EVP_DigestVerifyInit_ex (*ca_snaplibs.EVP_DigestVerifyInit_ex)
#define EVP_MD_CTX_free (*ca_snaplibs.EVP_MD_CTX_free)
#define EVP_MD_CTX_new (*ca_snaplibs.EVP_MD_CTX_new)
#define EVP_MD_fetch (*ca_snaplibs.EVP_MD_fetch)
#define EVP_MD_free (*ca_snaplibs.EVP_MD_free)
#define EVP_PKEY_free (*ca_snaplibs.EVP_PKEY_free)
#define EVP_PKEY_get0_type_name (*ca_snaplibs.EVP_PKEY_get0_type_name)
#define EVP_PKEY_get_group_name (*ca_snaplibs.EVP_PKEY_get_group_name)
#define EVP_PKEY_is_a (*ca_snaplibs.EVP_PKEY_is_a)
#define EVP_sha256 (*ca_snaplibs.EVP_sha256)
#define PEM_read_bio (*ca_snaplibs.PEM_read_bio)
#define PEM_read_bio_PUBKEY (*ca_snaplibs.PEM_read_bio_PUBKEY)
#define CRYPTO_free (*ca_snaplibs.CRYPTO_free)
#define d2i_PUBKEY (*ca_snaplibs.d2i_PUBKEY)
#define PEM_read_bio_PrivateKey (*ca_snaplibs.PEM_read_bio_PrivateKey)
#define PEM_write_bio_PUBKEY (*ca_snaplibs.PEM_write_bio_PUBKEY)
#define i2d_PUBKEY (*ca_snaplibs.i2d_PUBKEY)
#define archive_entry_filetype (*ca_snaplibs.archive_entry_filetype)
#define archive_entry_free (*ca_snaplibs.archive_entry_free)
#define archive_entry_hardlink (*ca_snaplibs.archive_entry_hardlink)
#define archive_entry_new (*ca_snaplibs.archive_entry_new)
#define archive_entry_pathname (*ca_snaplibs.archive_entry_pathname)
#define archive_entry_set_filetype (*ca_snaplibs.archive_entry_set_filetype)
#define archive_entry_set_mtime (*ca_snaplibs.archive_entry_set_mtime)
#define archive_entry_set_pathname (*ca_snaplibs.archive_entry_set_pathname)
#define archive_entry_set_perm (*ca_snaplibs.archive_entry_set_perm)
#define archive_entry_set_size (*ca_snaplibs.archive_entry_set_size)
#define archive_entry_set_symlink (*ca_snaplibs.archive_entry_set_symlink)
#define archive_entry_size (*ca_snaplibs.archive_entry_size)
#define archive_entry_symlink (*ca_snaplibs.archive_entry_symlink)
#define archive_error_string (*ca_snaplibs.archive_error_string)
#define archive_read_data (*ca_snaplibs.archive_read_data)
#define archive_read_free (*ca_snaplibs.archive_read_free)
#define archive_read_new (*ca_snaplibs.archive_read_new)
#define archive_read_open_fd (*ca_snaplibs.archive_read_open_fd)
#define archive_read_next_header (*ca_snaplibs.archive_read_next_header)
#define archive_read_support_filter_gzip (*ca_snaplibs.archive_read_support_filter_gzip)
#define archive_read_support_filter_xz (*ca_snaplibs.archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (*ca_snaplibs.archive_read_support_filter_zstd)
#define archive_read_support_format_tar (*ca_snaplibs.archive_read_support_format_tar)
#define archive_write_add_filter (*ca_snaplibs.archive_write_add_filter)
#define archive_write_close (*ca_snaplibs.archive_write_close)
#define archive_write_data (*ca_snaplibs.archive_write_data)
#define archive_write_free (*ca_snaplibs.archive_write_free)
#define archive_write_header (*ca_snaplibs.archive_write_header)
#define archive_write_new (*ca_snaplibs.archive_write_new)
#define archive_write_open2 (*ca_snaplibs.archive_write_open2)
#define archive_write_set_bytes_in_last_block (*ca_snaplibs.archive_write_set_bytes_in_last_block)
#define archive_write_set_bytes_per_block (*ca_snaplibs.archive_write_set_bytes_per_block)
#define archive_write_set_format_ustar (*ca_snaplibs.archive_write_set_format_ustar)
#define archive_write_set_filter_option (*ca_snaplibs.archive_write_set_filter_option)
#endif

#endif
