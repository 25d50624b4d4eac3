/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading snapshots with libarchive: verified against the manifest, or held in memory as a proc root. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "memtree.h"
#include "policy_ini.h"
#include "snaplibs.h"
#include "snapmeta.h"
#include "snapread.h"
#include "snapsign.h"
#include "snapwriter.h"

static void archive_read_freep_(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

static void memtree_freep_(struct ca_memtree **t)
{
	if (*t) {
		memtree_free(*t);
		free(*t);
	}
}

static int open_reader(int fd, const char *path, struct archive **out, struct ca_err *err)
{
	struct archive *a;
	int r = snaplibs_load(err);

	if (r < 0)
		return r;
	a = archive_read_new();
	if (!a)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	/*
	 * The compressions capaudit writes, and no other: "all" would also bid
	 * lrzip, lzop, grzip and the like, which libarchive runs as external
	 * programs on the archive's bytes, and made opening an archive a
	 * quarter of what replaying a small one costs.
	 */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	/*
	 * 16 KiB reads: a capture is read from the page cache, where a bigger
	 * block saves nothing; a small archive (a fuzz input) no longer pays for
	 * a 64 KiB buffer it never fills.
	 */
	if (archive_read_open_fd(a, fd, 16384) != ARCHIVE_OK) {
		err_set(err, -EIO, "%s: cannot read: %s", path, archive_error_string(a));
		archive_read_free(a);
		return -EIO;
	}
	*out = a;
	return 0;
}

static size_t size_max(const char *name)
{
	if (!strcmp(name, CA_SNAP_SIGNATURE))
		return CA_SIG_MAX;
	if (!strcmp(name, CA_SNAP_SIGNER))
		return CA_KEY_FILE_MAX;
	return !strcmp(name, CA_MANIFEST) || !strcmp(name, CA_SNAP_ERRORS) ? CA_SNAP_LIST_MAX
									  : CA_SNAP_MEMBER_MAX;
}

/*
 * Read a member whole into @t's memory, with a NUL after it. Its room
 * grows with what arrives, not with what the header claims: a 512-byte
 * archive must not make us allocate a gigabyte. Returns 0, -EFBIG, -EIO
 * or -ENOMEM.
 */
static int read_member(struct archive *a, struct archive_entry *e, struct ca_memtree *t, const char **data,
		       size_t *len)
{
	la_int64_t size = archive_entry_size(e);
	size_t got = 0;
	la_ssize_t n = 0;
	char *room;

	if (size < 0 || (uint64_t)size > size_max(archive_entry_pathname(e)))
		return -EFBIG;
	do {
		size_t want = (size_t)size - got < 65536 ? (size_t)size - got : 65536;

		room = memtree_room(t, got, want + 1);
		if (!room)
			return -ENOMEM;
		n = want ? archive_read_data(a, room + got, want) : 0;
		if (n > 0)
			got += (size_t)n;
	} while (n > 0 && got < (size_t)size);
	if (got != (size_t)size)
		return -EIO;
	*data = memtree_keep(t, got);
	*len = got;
	return 0;
}

/*
 * A member's name as the manifest spells it (tar keeps a directory's with a
 * '/' after it), kept in @t; NULL where memory is short.
 */
static const char *member_name(struct archive_entry *e, struct ca_memtree *t)
{
	const char *name = archive_entry_pathname(e);
	size_t n = name ? strlen(name) : 0;

	if (n > 1 && name[n - 1] == '/')
		n--;
	return memtree_copy(t, name ? name : "", n);
}

/*
 * SHA-256 for every member of a verification: the digest fetched once and
 * one context, reused (EVP_Digest() makes and frees a context and looks the
 * digest up again at every call: a third of a 120,000-member verify), and
 * one buffer that a member's data streams through, never held whole.
 */
struct hasher {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
	char buf[16384];		/* not cleared: only ever written before it is read */
};

static void hasher_freep(struct hasher **hp)
{
	struct hasher *h = *hp;

	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

static struct hasher *hasher_new(void)
{
	struct hasher *h = malloc(sizeof(*h));

	if (!h)
		return NULL;
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (!h->md || !h->ctx || EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1) {
		hasher_freep(&h);
		return NULL;
	}
	return h;
}

static int hash_start(struct hasher *h)
{
	return EVP_DigestInit_ex(h->ctx, h->md, NULL) == 1 ? 0 : -EIO;
}

static int hash_end(struct hasher *h, char out[2 * CA_SHA256_LEN + 1])
{
	unsigned char d[CA_SHA256_LEN];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, d, &n) != 1 || n != CA_SHA256_LEN)
		return -EIO;
	util_hex(d, sizeof(d), out);
	return 0;
}

static int sha256_hex(struct hasher *h, const void *data, size_t len, char out[2 * CA_SHA256_LEN + 1])
{
	if (hash_start(h) < 0 || EVP_DigestUpdate(h->ctx, data, len) != 1)
		return -EIO;
	return hash_end(h, out);
}

/*
 * The SHA-256 of a member's data, streamed; -EFBIG past its limit, -EIO
 * where the archive gives less than its header says or the digest fails.
 */
static int hash_member(struct archive *a, struct archive_entry *e, struct hasher *h,
		       char out[2 * CA_SHA256_LEN + 1])
{
	la_int64_t size = archive_entry_size(e);
	uint64_t got = 0;
	la_ssize_t n;

	if (size < 0 || (uint64_t)size > size_max(archive_entry_pathname(e)))
		return -EFBIG;
	if (hash_start(h) < 0)
		return -EIO;
	while ((n = archive_read_data(a, h->buf, sizeof(h->buf))) > 0) {
		got += (uint64_t)n;
		if (got > (uint64_t)size || EVP_DigestUpdate(h->ctx, h->buf, (size_t)n) != 1)
			return -EIO;
	}
	if (n < 0 || got != (uint64_t)size)
		return -EIO;
	return hash_end(h, out);
}

struct verify_report {
	char *text;
	size_t len, cap;
	bool altered;
};

static void note(struct verify_report *w, const char *what, const char *name)
{
	size_t n = strlen(what) + 2 + strlen(name) + 1;

	if (util_grow(&w->text, &w->cap, w->len + n + 1, 1) == 0)
		w->len += (size_t)snprintf(w->text + w->len, n + 1, "%s: %s\n", what, name);
	w->altered = true;
}

/* The manifest's "<sha256|->  <type> <name>" lines as a tree: a name's data is its sum. */
/*
 * The manifest into @t, in its own order (the archive's, as capaudit writes
 * both); -EINVAL for a line that is not "<sum>  <type> <name>" or a name
 * given twice, which no capture writes.
 */
static int parse_manifest(const char *text, size_t len, struct ca_memtree *t)
{
	_cleanup_(keymap_free) struct ca_keymap names = { 0 };
	const char *p = text, *end = text + len;
	int r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *sp = nl ? memchr(p, ' ', (size_t)(nl - p)) : NULL;
		const char *name, *sum;

		if (!nl || !sp || (size_t)(sp - p) > 2 * CA_SHA256_LEN || sp + 4 >= nl || sp[1] != ' ' ||
		    sp[3] != ' ' || !strchr("fld", sp[2]))
			return -EINVAL;
		r = keymap_put(&names, sp + 4, (size_t)(nl - sp - 4), 0);
		if (r <= 0)
			return r < 0 ? r : -EINVAL;
		name = memtree_copy(t, sp + 4, (size_t)(nl - sp - 4));
		sum = memtree_copy(t, p, (size_t)(sp - p));
		if (!sum || memtree_add(t, (enum ca_node_type)sp[2], name, sum, strlen(sum)) < 0)
			return -ENOMEM;
		p = nl + 1;
	}
	return 0;
}

/* The members a verification reads beyond their sums, each the first of its name. */
struct held {
	const char *manifest, *meta, *sig, *pub;	/* in the memory of the sums' tree */
	size_t mlen, metalen, siglen, publen;
};

/*
 * Each member of the archive, as the manifest would give it (its type and
 * sum), into @got; what cannot be compared (another type of file, a member
 * that cannot be read) is noted at once and kept without a sum. The
 * manifest and its signature, which it does not name, and the text of the
 * metadata and the signer's key, in @h.
 */
static int read_sums(struct archive *a, const char *path, struct ca_memtree *got, struct held *h,
		     struct verify_report *w, struct ca_err *err)
{
	_cleanup_(hasher_freep) struct hasher *hs = hasher_new();
	struct archive_entry *e;
	int rr;

	if (!hs)
		return err_set(err, -ENOMEM, "%s: cannot start SHA-256 (libcrypto)", path);
	while ((rr = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = member_name(e, got), *kept = NULL;
		const char *data = NULL;
		char sum[2 * CA_SHA256_LEN + 1] = "-";
		enum ca_node_type type = CA_NODE_FILE;
		size_t len = 0;
		bool comparable = true;

		if (!name)
			return err_set(err, -ENOMEM, "%s: out of memory", path);
		if (strcmp(name, CA_MANIFEST) == 0) {
			if (h->manifest) {
				note(w, "duplicate", name);
				continue;
			}
			if (read_member(a, e, got, &h->manifest, &h->mlen) < 0)
				return err_set(err, -EIO, "%s: cannot read its manifest", path);
			continue;
		}
		if (strcmp(name, CA_SNAP_SIGNATURE) == 0) {
			if (h->sig)
				note(w, "duplicate", name);
			else if (archive_entry_filetype(e) != AE_IFREG || read_member(a, e, got, &h->sig, &h->siglen) < 0)
				note(w, "unreadable", name);
			continue;
		}
		switch (archive_entry_filetype(e)) {
		case AE_IFDIR:
			type = CA_NODE_DIR;
			break;
		case AE_IFLNK:
			type = CA_NODE_LINK;
			/* a link header with no target at all: no capture writes one */
			if (!archive_entry_symlink(e)) {
				note(w, "unreadable", name);
				comparable = false;
			} else if (sha256_hex(hs, archive_entry_symlink(e), strlen(archive_entry_symlink(e)), sum) < 0) {
				return err_set(err, -EIO, "%s: cannot compute a checksum", path);
			}
			break;
		case AE_IFREG:
			/* The metadata and the signer's key are read whole, for their text; the rest streams. */
			if ((!h->meta && strcmp(name, CA_SNAP_METADATA) == 0) ||
			    (!h->pub && strcmp(name, CA_SNAP_SIGNER) == 0)) {
				if (read_member(a, e, got, &data, &len) < 0) {
					note(w, "unreadable", name);
					comparable = false;
				} else if (sha256_hex(hs, data, len, sum) < 0) {
					return err_set(err, -EIO, "%s: cannot compute a checksum", path);
				} else if (strcmp(name, CA_SNAP_METADATA) == 0) {
					h->meta = data;
					h->metalen = len;
				} else {
					h->pub = data;
					h->publen = len;
				}
			} else if (hash_member(a, e, hs, sum) < 0) {
				note(w, "unreadable", name);
				comparable = false;
			}
			break;
		default:
			note(w, "added", name);
			comparable = false;
			break;
		}
		if ((comparable && !(kept = memtree_copy(got, sum, strlen(sum)))) ||
		    memtree_add(got, type, name, kept, strlen(sum)) < 0)
			return err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	if (rr != ARCHIVE_EOF)
		return err_set(err, -EIO, "%s: %s", path, archive_error_string(a));
	return 0;
}

/* Each member read (@got) against the manifest (@want): what is missing, added, altered, given twice. */
static int compare(struct ca_memtree *got, struct ca_memtree *want, struct verify_report *w)
{
	_cleanup_free_ bool *seen = NULL;
	const char *dup;
	size_t i;

	/*
	 * capaudit writes the manifest in the archive's order: where each name
	 * is where the manifest says (and the manifest names none twice), one
	 * pass compares them, without sorting 120,000 names twice.
	 */
	for (i = 0; got->n == want->n && i < got->n; i++)
		if (strcmp(got->nodes[i].name, want->nodes[i].name) != 0)
			break;
	if (i == want->n && got->n == want->n) {
		for (i = 0; i < got->n; i++) {
			const struct ca_memnode *g = &got->nodes[i], *m = &want->nodes[i];

			if (g->data && (m->type != g->type || strcmp(m->data, g->data) != 0))
				note(w, "altered", g->name);
		}
		return 0;
	}
	seen = calloc(want->n + 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	memtree_seal(want, &dup);	/* parse_manifest() let no name in twice */
	memtree_seal(got, &dup);	/* every name given twice is noted below */
	for (i = 0; i < got->n; i++) {
		const struct ca_memnode *g = &got->nodes[i], *m;

		if (i > 0 && strcmp(got->nodes[i - 1].name, g->name) == 0) {
			note(w, "duplicate", g->name);
			continue;
		}
		if (!g->data)
			continue;	/* noted as it was read */
		m = memtree_find(want, g->name);
		if (!m) {
			note(w, "added", g->name);
			continue;
		}
		seen[m - want->nodes] = true;
		if (m->type != g->type || strcmp(m->data, g->data) != 0)
			note(w, "altered", g->name);
	}
	for (i = 0; i < want->n; i++)
		if (!seen[i])
			note(w, "missing", want->nodes[i].name);
	return 0;
}

/*
 * The signature: signer.pub's (which the manifest covers, and the metadata
 * names by its fingerprint) over the manifest's very bytes, or the archive
 * was altered. Whose key signer.pub is, only a key the caller holds can say.
 */
static int check_signature(const struct held *h, struct ca_verified *v, struct verify_report *w)
{
	struct ca_snapkey *signer = NULL;
	struct ca_err kerr = { 0 };
	const char *named = v->meta.signer_fingerprint;
	int r;

	if (!h->sig && !h->pub) {
		if (named)
			note(w, "missing", CA_SNAP_SIGNATURE " (" CA_SNAP_METADATA " names a signer)");
		return 0;
	}
	if (!h->sig || !h->pub) {
		note(w, "missing", h->sig ? CA_SNAP_SIGNER : CA_SNAP_SIGNATURE);
		return 0;
	}
	r = snapsign_key_parse(h->pub, h->publen, CA_SNAP_SIGNER, CA_KEY_PUBLIC, &signer, &kerr);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		note(w, "unreadable", CA_SNAP_SIGNER " (no Ed25519, P-256 or P-384 public key)");
		return 0;
	}
	r = snapsign_verify(signer, h->manifest, h->mlen, (const unsigned char *)h->sig, h->siglen);
	if (r == 0) {
		note(w, "altered", CA_SNAP_SIGNATURE " or " CA_MANIFEST " (the signature does not verify)");
	} else if (r > 0) {
		snprintf(v->signer, sizeof(v->signer), "%s", snapsign_fingerprint(signer));
		if (!named || strcmp(named, v->signer) != 0)
			note(w, "altered", CA_SNAP_METADATA " (its signer_fingerprint is not " CA_SNAP_SIGNER "'s)");
	}
	snapsign_key_free(signer);
	return r < 0 ? r : 0;
}

int snapshot_verify(int fd, const char *path, const struct ca_snapkey *key, struct ca_verified *v,
		    struct ca_err *err)
{
	_cleanup_(archive_read_freep_) struct archive *a = NULL;
	struct ca_memtree got = { 0 }, want = { 0 };
	struct verify_report w = { 0 };
	struct held h = { 0 };
	int r;

	memset(v, 0, sizeof(*v));
	r = open_reader(fd, path, &a, err);
	if (r == 0)
		r = read_sums(a, path, &got, &h, &w, err);
	if (r == 0 && !h.manifest)
		r = err_set(err, -EINVAL, "%s: no %s member: not a capaudit snapshot", path, CA_MANIFEST);
	if (r == 0) {
		/*
		 * capaudit writes no manifest it cannot read back: one that is
		 * malformed was altered, and there is nothing to compare with.
		 */
		r = parse_manifest(h.manifest, h.mlen, &want);
		if (r == -EINVAL) {
			note(&w, "altered", CA_MANIFEST " (malformed)");
			r = 0;
		} else if (r == 0) {
			r = compare(&got, &want, &w);
		}
		if (r < 0)
			err_set(err, r, "%s: out of memory", path);
	}
	if (r < 0)
		goto out;
	/* Metadata that is no JSON object says nothing; its sum says whether it was altered. */
	if ((h.meta && snapmeta_read(h.meta, h.metalen, &v->meta) == -ENOMEM) ||
	    check_signature(&h, v, &w) < 0) {
		r = err_set(err, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	v->report = steal_pointer(&w.text);
	if (w.altered)
		r = CA_VERIFY_ALTERED;
	else if (key && strcmp(v->signer, snapsign_fingerprint(key)) != 0)
		r = CA_VERIFY_NOT_BY_KEY;
	else
		r = CA_VERIFY_INTACT;
out:
	free(w.text);
	memtree_free(&got);
	memtree_free(&want);
	return r;
}

void snapshot_verified_free(struct ca_verified *v)
{
	free(v->report);
	snapmeta_free(&v->meta);
	memset(v, 0, sizeof(*v));
}

/*
 * A member a snapshot may hold: "proc/" and digits, files and directories
 * under a pid, namespace links as the kernel spells them; the runtimes'
 * state files under "host/", files and directories only; and the four
 * files of its own, the signer's key and the signature. Nothing absolute,
 * no "..", no empty component.
 */
static bool member_ok(const char *name, int type, const char *link)
{
	const char *p;
	size_t n = strlen(name);

	if (n == 0 || n >= 256 || name[0] == '/' || strstr(name, "//") ||
	    (name[n - 1] == '/' && type != AE_IFDIR))
		return false;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			return false;
	for (p = name; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return false;
	if (type == AE_IFREG && (!strcmp(name, CA_SNAP_ERRORS) || !strcmp(name, CA_SNAP_METADATA) ||
				 !strcmp(name, CA_SNAP_POLICY) || !strcmp(name, CA_MANIFEST) ||
				 !strcmp(name, CA_SNAP_SIGNER) || !strcmp(name, CA_SNAP_SIGNATURE)))
		return true;
	if (strncmp(name, "host/", 5) == 0 && n > 5)
		return type == AE_IFREG || type == AE_IFDIR;
	if (strncmp(name, "proc/", 5) != 0)
		return false;
	if (type == AE_IFLNK) {
		/* only ns links, whose targets are no paths: "pid:[4026531836]" */
		const char *colon = strchr(link, ':');

		return strstr(name, "/ns/") && colon && colon > link && colon[1] == '[' &&
		       strspn(link, "abcdefghijklmnopqrstuvwxyz_") == (size_t)(colon - link) &&
		       strspn(colon + 2, "0123456789") > 0 &&
		       strcmp(colon + 2 + strspn(colon + 2, "0123456789"), "]") == 0;
	}
	return type == AE_IFREG || type == AE_IFDIR;
}

/* Every member of the archive into @t, refusing what a snapshot does not hold. */
static int read_tree(struct archive *a, const char *path, struct ca_memtree *t, struct ca_err *err)
{
	struct archive_entry *e;
	const char *dup;
	size_t count = 0;
	int rr, r;

	while ((rr = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		const char *link = archive_entry_symlink(e);
		int type = archive_entry_filetype(e);
		const char *copy, *data = NULL;
		size_t len = 0;

		/* A hard link is a header of type file, with no data of its own. */
		if (!name || archive_entry_hardlink(e) || !member_ok(name, type, link ? link : ""))
			return err_set(err, -EINVAL, "%s: refusing member \"%s\": not what a snapshot holds", path,
				       name ? name : "");
		if (type == AE_IFREG && (uint64_t)archive_entry_size(e) > size_max(name))
			return err_set(err, -EFBIG, "%s: refusing member \"%s\": larger than %zu bytes", path,
				       name, size_max(name));
		if (++count > CA_SNAP_MEMBERS_MAX)
			return err_set(err, -EFBIG, "%s: more than %u members", path, CA_SNAP_MEMBERS_MAX);
		/* A replay checks nothing against the manifest or its signature: snapshot --verify does. */
		if (strcmp(name, CA_MANIFEST) == 0 || strcmp(name, CA_SNAP_SIGNATURE) == 0 ||
		    strcmp(name, CA_SNAP_SIGNER) == 0)
			continue;
		copy = member_name(e, t);
		if (!copy)
			return err_set(err, -ENOMEM, "%s: out of memory", path);
		if (type == AE_IFREG) {
			r = read_member(a, e, t, &data, &len);
			if (r < 0)
				return err_set(err, r, "%s: cannot read member \"%s\": %s", path, copy,
					       r == -EIO ? archive_error_string(a) : strerror(-r));
		} else if (type == AE_IFLNK) {
			len = strlen(link);
			data = memtree_copy(t, link, len);
			if (!data)
				return err_set(err, -ENOMEM, "%s: out of memory", path);
		}
		if (memtree_add(t, type == AE_IFREG ? CA_NODE_FILE : type == AE_IFLNK ? CA_NODE_LINK : CA_NODE_DIR,
				copy, data, len) < 0)
			return err_set(err, -ENOMEM, "%s: out of memory", path);
		if (t->bytes > CA_SNAP_TREE_MAX)
			return err_set(err, -EFBIG, "%s: its members take more than %zu MiB", path,
				       CA_SNAP_TREE_MAX >> 20);
	}
	if (rr != ARCHIVE_EOF)
		return err_set(err, -EIO, "%s: %s", path, archive_error_string(a));
	if (memtree_seal(t, &dup) < 0)
		return err_set(err, -EINVAL, "%s: member \"%s\" given twice", path, dup);
	return 0;
}

/* The policy's name at capture, from the metadata; NULL where it says none. */
static char *captured_source(const struct ca_memnode *meta)
{
	struct ca_snapmeta m;
	char *src;

	if (!meta || meta->type != CA_NODE_FILE || snapmeta_read(meta->data, meta->len, &m) < 0)
		return NULL;
	src = (char *)m.policy_source;
	m.policy_source = NULL;
	snapmeta_free(&m);
	return src;
}

static int load_policy(const struct ca_memtree *t, const char *path, struct ca_policy **policy,
		       struct ca_err *err)
{
	const struct ca_memnode *pol = memtree_find(t, CA_SNAP_POLICY);
	_cleanup_free_ char *name = NULL;
	struct ca_err perr = { 0 };
	char *src;
	int r;

	if (!pol)
		return err_set(err, -EINVAL, "%s: no %s member: not a capaudit snapshot", path, CA_SNAP_POLICY);
	if (asprintf(&name, "%s:%s", path, CA_SNAP_POLICY) < 0)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	r = policy_load_buf(pol->data, pol->len, name, policy, &perr);
	if (r < 0)
		return err_set(err, r, "%s: the policy it holds: %s", path, perr.msg);
	/* Reported by the name it had at capture. */
	src = captured_source(memtree_find(t, CA_SNAP_METADATA));
	if (src) {
		free((*policy)->source);
		(*policy)->source = src;
	}
	return 0;
}

int snapshot_replay_open(int fd, const char *path, struct ca_procroot *root, struct ca_policy **policy,
			 struct ca_err *err)
{
	_cleanup_(archive_read_freep_) struct archive *a = NULL;
	_cleanup_(memtree_freep_) struct ca_memtree *t = calloc(1, sizeof(*t));
	_cleanup_free_ char *name = NULL;
	struct ca_policy *captured = NULL;
	const struct ca_memnode *errors;
	int r;

	*root = (struct ca_procroot){ .fd = -1 };
	if (!t || asprintf(&name, "%s:proc", path) < 0)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	r = open_reader(fd, path, &a, err);
	if (r == 0)
		r = read_tree(a, path, t, err);
	if (r == 0 && !*policy)
		r = load_policy(t, path, &captured, err);
	if (r < 0)
		return r;
	errors = memtree_find(t, CA_SNAP_ERRORS);
	/* From here on the root holds the tree, and @errors in it. */
	r = procroot_open_tree(root, steal_pointer(&t), name);
	if (r == -ENOENT)
		err_set(err, r, "%s: not a capaudit snapshot (no proc/)", path);
	else if (r < 0)
		err_set(err, r, "%s: out of memory", path);
	else if (errors && (r = procroot_set_errors(root, errors->data, errors->len)) < 0)
		err_set(err, r, r == -EINVAL ? "%s: its errors member is malformed" : "%s: out of memory", path);
	if (r < 0) {
		procroot_close(root);
		policy_free(captured);
		return r;
	}
	if (captured)
		*policy = captured;
	return 0;
}

/* Whether a capture read a host root: a member under host/, or a read of one that failed. */
static bool holds_host(const struct ca_memtree *t, const struct ca_memnode *errors)
{
	size_t i = t ? memtree_lower(t, "host/") : 0;

	if (t && i < t->n && strncmp(t->nodes[i].name, "host/", 5) == 0)
		return true;
	return errors && errors->type == CA_NODE_FILE && memmem(errors->data, errors->len, " host/", 6);
}

int snapshot_replay_host(const struct ca_procroot *root, const char *path, struct ca_procroot *host,
			 struct ca_err *err)
{
	_cleanup_free_ char *name = NULL;
	const struct ca_memnode *errors = root->tree ? memtree_find(root->tree, CA_SNAP_ERRORS) : NULL;
	int r;

	*host = (struct ca_procroot){ .fd = -1 };
	if (!holds_host(root->tree, errors))
		return 0;	/* taken without a host root, or before capaudit kept state files */
	if (asprintf(&name, "%s:host", path) < 0)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	r = procroot_open_host_tree(host, root, name);
	/* snapshot_replay_open() read the same errors member whole */
	if (r == 0 && errors)
		r = procroot_set_errors(host, errors->data, errors->len);
	if (r < 0) {
		procroot_close(host);
		return err_set(err, r, "%s: out of memory", path);
	}
	return 0;
}

void snapshot_replay_when(const struct ca_procroot *root, char *out, size_t size)
{
	const struct ca_memnode *meta = root->tree ? memtree_find(root->tree, CA_SNAP_METADATA) : NULL;
	struct ca_snapmeta m;

	out[0] = '\0';
	if (!meta || meta->type != CA_NODE_FILE || snapmeta_read(meta->data, meta->len, &m) < 0)
		return;
	if (m.capture_start)
		snprintf(out, size, "%s", m.capture_start);
	snapmeta_free(&m);
}
