/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading snapshots with libarchive, once: every member summed as it
 * passes and checked against the manifest, held in memory as a proc root,
 * or both from the one reading.
 */
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

/* The files of a snapshot's own, beside its proc/ and host/ trees. */
enum own {
	OWN_NONE,
	OWN_MANIFEST,
	OWN_SIGNATURE,
	OWN_SIGNER,
	OWN_METADATA,
	OWN_POLICY,
	OWN_ERRORS,
};

static const char *const own_names[] = {
	[OWN_MANIFEST] = CA_MANIFEST, [OWN_SIGNATURE] = CA_SNAP_SIGNATURE, [OWN_SIGNER] = CA_SNAP_SIGNER,
	[OWN_METADATA] = CA_SNAP_METADATA, [OWN_POLICY] = CA_SNAP_POLICY, [OWN_ERRORS] = CA_SNAP_ERRORS,
};

/*
 * Which of them the @n bytes at @name are. Every test of a member's name
 * asks this once: the dozen strcmp() each member went through were, in
 * fuzz_snapshot, a twentieth of an execution (libFuzzer traces each).
 */
static enum own own_of(const char *name, size_t n)
{
	size_t i;

	if (memchr(name, '/', n))
		return OWN_NONE;	/* proc/..., host/...: most members */
	for (i = 1; i < ARRAY_SIZE(own_names); i++)
		if (strlen(own_names[i]) == n && memcmp(name, own_names[i], n) == 0)
			return (enum own)i;
	return OWN_NONE;
}

static size_t size_max(enum own own)
{
	switch (own) {
	case OWN_SIGNATURE:
		return CA_SIG_MAX;
	case OWN_SIGNER:
		return CA_KEY_FILE_MAX;
	case OWN_MANIFEST:
	case OWN_ERRORS:
		return CA_SNAP_LIST_MAX;
	case OWN_NONE:
	case OWN_METADATA:
	case OWN_POLICY:
		break;
	}
	return CA_SNAP_MEMBER_MAX;
}

/* A member as its header gives it. */
struct member {
	struct archive_entry *e;
	const char *raw;		/* its name as the tar spells it, or NULL */
	size_t n;			/* the length of its name as the manifest spells it */
	enum own own;			/* which file of a snapshot's own that name is */
	enum own raw_own;		/* and the tar's: none for one that ends in '/' */
	int type;
	const char *link;
};

/* One reader of the archive: still read for, or failed, with what it says. */
struct side {
	bool on;
	int r;				/* 0, or its failure as a negative errno */
	struct ca_err err;
};

static bool side_fail(struct side *sd, int r)
{
	sd->on = false;
	sd->r = r;
	return false;
}

struct verify_report {
	char *text;
	size_t len, cap;
	bool altered;
};

/*
 * One reading of an archive, for a verification, a replay or both. The
 * verification's share: every member as the manifest would give it (@got:
 * its type and sum, no sum where it cannot be compared), what was noted
 * while reading, and the manifest, its signature and the signer's key,
 * kept in @got's memory. The replay's: @tree. Both: the metadata.
 */
struct ca_snapread {
	char *path;			/* for messages */
	unsigned what;			/* CA_SNAP_READ_VERIFY, CA_SNAP_READ_REPLAY */
	struct side verify, replay;

	const EVP_MD *md;		/* SHA-256, for every member */
	EVP_MD_CTX *ctx;
	struct ca_memtree got;
	struct verify_report w;
	const char *manifest, *sig, *pub;	/* the first of each name read, in @got's memory */
	size_t mlen, siglen, publen;

	struct ca_memtree *tree;	/* every member a replay reads; handed to its proc root */
	size_t count;

	/* The first metadata.json read whole, parsed once for both. */
	bool meta_read;
	int meta_r;			/* what snapmeta_read() returned */
	struct ca_snapmeta meta;
	char *policy_source;		/* the replay's copy of meta.policy_source */
};

static void note(struct verify_report *w, const char *what, const char *name)
{
	size_t n = strlen(what) + 2 + strlen(name) + 1;

	if (util_grow(&w->text, &w->cap, w->len + n + 1, 1) == 0)
		w->len += (size_t)snprintf(w->text + w->len, n + 1, "%s: %s\n", what, name);
	w->altered = true;
}

/*
 * The SHA-256 of a member, computed as its bytes pass: with one context,
 * reused (EVP_Digest() makes and frees a context and looks the digest up
 * again at every call: a third of a 120,000-member verify).
 */
static int hash_start(struct ca_snapread *s)
{
	return EVP_DigestInit_ex(s->ctx, s->md, NULL) == 1 ? 0 : -EIO;
}

static int hash_end(struct ca_snapread *s, char out[2 * CA_SHA256_LEN + 1])
{
	unsigned char d[CA_SHA256_LEN];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(s->ctx, d, &n) != 1 || n != CA_SHA256_LEN)
		return -EIO;
	util_hex(d, sizeof(d), out);
	return 0;
}

static int sha256_hex(struct ca_snapread *s, const void *data, size_t len, char out[2 * CA_SHA256_LEN + 1])
{
	if (hash_start(s) < 0 || EVP_DigestUpdate(s->ctx, data, len) != 1)
		return -EIO;
	return hash_end(s, out);
}

/* A read of the archive: this much of a member at a time. */
#define READ_CHUNK 65536u

/*
 * The data of member @e, read once: hashed into @sum where @hash, and kept
 * whole in @into (*@data, NUL after it), or with @into NULL only passed
 * through the free end of the verification's memory, never held. Its
 * memory grows with what arrives, not with what the header claims: a
 * 512-byte archive must not make us allocate a gigabyte. Returns 0, -EFBIG
 * past the bound of its name, -EIO where the archive gives less than its
 * header says or the digest fails, or -ENOMEM.
 */
static int read_data(struct archive *a, const struct member *m, struct ca_snapread *s, struct ca_memtree *into,
		     bool hash, const char **data, size_t *len, char sum[2 * CA_SHA256_LEN + 1])
{
	la_int64_t size = archive_entry_size(m->e);
	struct ca_memtree *t = into ? into : &s->got;
	size_t got = 0;
	la_ssize_t n = 0;

	if (size < 0 || (uint64_t)size > size_max(m->raw_own))
		return -EFBIG;
	if (hash && hash_start(s) < 0)
		return -EIO;
	while (got < (size_t)size) {
		size_t want = (size_t)size - got < READ_CHUNK ? (size_t)size - got : READ_CHUNK;
		char *room = memtree_room(t, into ? got : 0, want + 1), *at;

		if (!room)
			return -ENOMEM;
		at = into ? room + got : room;
		n = archive_read_data(a, at, want);
		if (n <= 0)
			break;
		if (hash && EVP_DigestUpdate(s->ctx, at, (size_t)n) != 1)
			return -EIO;
		got += (size_t)n;
	}
	if (got != (size_t)size || (hash && hash_end(s, sum) < 0))
		return -EIO;
	*len = got;
	if (into) {
		/* an empty member has had no room yet */
		if (!size && !memtree_room(t, 0, 1))
			return -ENOMEM;
		*data = memtree_keep(t, got);
	}
	return 0;
}

/* What no member's name holds: a control character or a backslash. */
static const char name_refused[] = "\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020"
				   "\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\\";

/*
 * A member a snapshot may hold: "proc/" and digits, files and directories
 * under a pid, namespace links as the kernel spells them; the runtimes'
 * state files under "host/", files and directories only; and the four
 * files of its own, the signer's key and the signature. Nothing absolute,
 * no "..", no empty component.
 */
static bool member_ok(const struct member *m)
{
	const char *p, *name = m->raw, *link = m->link ? m->link : "";
	size_t n = strlen(name);
	int type = m->type;

	if (n == 0 || n >= 256 || name[0] == '/' || strstr(name, "//") ||
	    (name[n - 1] == '/' && type != AE_IFDIR) || name[strcspn(name, name_refused)])
		return false;
	for (p = strstr(name, "..") ? name : NULL; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return false;
	if (type == AE_IFREG && m->raw_own != OWN_NONE)
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

/*
 * Whether the replay keeps member @e (named @name, not NULL where a tar
 * gives none): false where it refuses it (and fails) or skips it.
 */
static bool replay_admits(struct ca_snapread *s, const struct member *m)
{
	struct side *r = &s->replay;

	/* A hard link is a header of type file, with no data of its own. */
	if (!m->raw || archive_entry_hardlink(m->e) || !member_ok(m))
		return side_fail(r, err_set(&r->err, -EINVAL, "%s: refusing member \"%s\": not what a snapshot holds",
					    s->path, m->raw ? m->raw : ""));
	if (m->type == AE_IFREG && (uint64_t)archive_entry_size(m->e) > size_max(m->raw_own))
		return side_fail(r, err_set(&r->err, -EFBIG, "%s: refusing member \"%s\": larger than %zu bytes",
					    s->path, m->raw, size_max(m->raw_own)));
	if (++s->count > CA_SNAP_MEMBERS_MAX)
		return side_fail(r, err_set(&r->err, -EFBIG, "%s: more than %u members", s->path,
					    CA_SNAP_MEMBERS_MAX));
	/* A replay checks nothing against the manifest or its signature: snapshot --verify does. */
	return m->raw_own != OWN_MANIFEST && m->raw_own != OWN_SIGNATURE && m->raw_own != OWN_SIGNER;
}

/* What the verification does with a member. */
enum plan {
	V_SKIP,				/* nothing more: a manifest or signature noted as it came */
	V_RECORD,			/* its sum, from its header: a directory, a link, another type */
	V_HASH,				/* its sum, its data streamed */
	V_MANIFEST,			/* its data kept, for the comparison and the signature */
	V_SIG,
	V_META,				/* its data kept, and its sum */
	V_PUB,
};

/*
 * The manifest and its signature, which the manifest does not name, are
 * kept; the metadata and the signer's key are kept and summed; every other
 * file streams. A second manifest or signature is noted at once, and so is
 * a signature that is no file.
 */
static enum plan verify_plan(struct ca_snapread *s, const struct member *m, const char *name)
{
	if (m->own == OWN_MANIFEST) {
		if (!s->manifest)
			return V_MANIFEST;
		note(&s->w, "duplicate", name);
		return V_SKIP;
	}
	if (m->own == OWN_SIGNATURE) {
		if (!s->sig && m->type == AE_IFREG)
			return V_SIG;
		note(&s->w, s->sig ? "duplicate" : "unreadable", name);
		return V_SKIP;
	}
	if (m->type != AE_IFREG)
		return V_RECORD;
	if (!s->meta_read && m->own == OWN_METADATA)
		return V_META;
	if (!s->pub && m->own == OWN_SIGNER)
		return V_PUB;
	return V_HASH;
}

static int out_of_memory(struct ca_snapread *s)
{
	if (s->verify.on)
		side_fail(&s->verify, err_set(&s->verify.err, -ENOMEM, "%s: out of memory", s->path));
	if (s->replay.on)
		side_fail(&s->replay, err_set(&s->replay.err, -ENOMEM, "%s: out of memory", s->path));
	return -ENOMEM;
}

/* The first metadata.json read whole, parsed for both readers. */
static int meta_parse(struct ca_snapread *s, const char *data, size_t len)
{
	s->meta_read = true;
	s->meta_r = snapmeta_read(data, len, &s->meta);
	if (s->meta_r == 0 && (s->what & CA_SNAP_READ_REPLAY) && s->meta.policy_source) {
		s->policy_source = strdup(s->meta.policy_source);
		if (!s->policy_source)
			return -ENOMEM;
	}
	return s->meta_r == -ENOMEM ? -ENOMEM : 0;
}

/*
 * The verification's record of member @name: its sum (a link's of its
 * target, "-" for a directory), or none where it could not be compared,
 * which was noted. Returns 0, or -ENOMEM.
 */
static int verify_record(struct ca_snapread *s, const char *name, int type, const char *link, int r,
			 char sum[2 * CA_SHA256_LEN + 1])
{
	enum ca_node_type t = CA_NODE_FILE;
	const char *kept = NULL;
	bool comparable = true;

	switch (type) {
	case AE_IFDIR:
		t = CA_NODE_DIR;
		break;
	case AE_IFLNK:
		t = CA_NODE_LINK;
		/* a link header with no target at all: no capture writes one */
		if (!link) {
			note(&s->w, "unreadable", name);
			comparable = false;
		} else if (sha256_hex(s, link, strlen(link), sum) < 0) {
			side_fail(&s->verify, err_set(&s->verify.err, -EIO, "%s: cannot compute a checksum", s->path));
			return 0;
		}
		break;
	case AE_IFREG:
		if (r < 0) {
			note(&s->w, "unreadable", name);
			comparable = false;
		}
		break;
	default:
		note(&s->w, "added", name);
		comparable = false;
		break;
	}
	if (comparable && !(kept = memtree_copy(&s->got, sum, strlen(sum))))
		return -ENOMEM;
	return memtree_add(&s->got, t, name, kept, strlen(sum));
}

/*
 * One member, for each reader still reading: its data read once, into the
 * replay's tree where the replay keeps it, hashed as it passes where the
 * verification sums it. Returns 0, or -ENOMEM (both readers failed).
 */
static int read_one(struct archive *a, struct archive_entry *e, struct ca_snapread *s)
{
	struct member m = {
		.e = e, .raw = archive_entry_pathname(e), .type = archive_entry_filetype(e),
		.link = archive_entry_symlink(e),
	};
	const char *vname = NULL, *rname = NULL, *data = NULL, *link = m.link;
	char sum[2 * CA_SHA256_LEN + 1] = "-";
	enum plan plan = V_SKIP;
	int r = 0, type = m.type;
	size_t len = 0;
	bool take, keep;

	/* Its name as the manifest spells it: tar keeps a directory's with a '/' after it. */
	m.n = m.raw ? strlen(m.raw) : 0;
	if (m.n > 1 && m.raw[m.n - 1] == '/')
		m.n--;
	m.own = m.raw ? own_of(m.raw, m.n) : OWN_NONE;
	m.raw_own = m.raw && !m.raw[m.n] ? m.own : OWN_NONE;
	take = s->replay.on && replay_admits(s, &m);
	keep = take && type == AE_IFREG;
	if (s->verify.on) {
		vname = memtree_copy(&s->got, m.raw ? m.raw : "", m.n);
		if (!vname)
			return out_of_memory(s);
		plan = verify_plan(s, &m, vname);
	}
	if (take && !(rname = memtree_copy(s->tree, m.raw, m.n)))
		return out_of_memory(s);
	/*
	 * The data once, wherever it is wanted. replay_admits() skips the
	 * manifest, its signature and the signer's key, which the verification
	 * keeps: the two never keep the same member.
	 */
	if (keep || plan >= V_HASH) {
		struct ca_memtree *into = keep ? s->tree : plan == V_HASH ? NULL : &s->got;

		r = read_data(a, &m, s, into, plan == V_HASH || plan == V_META || plan == V_PUB, &data, &len, sum);
		if (r == -ENOMEM)
			return out_of_memory(s);
		if (r == 0 && !s->meta_read && type == AE_IFREG && m.own == OWN_METADATA && meta_parse(s, data, len) < 0)
			return out_of_memory(s);
	}
	if (keep && r < 0)
		side_fail(&s->replay, err_set(&s->replay.err, r, "%s: cannot read member \"%s\": %s", s->path, rname,
					      r == -EIO ? archive_error_string(a) : strerror(-r)));
	switch (plan) {
	case V_SKIP:
		break;
	case V_MANIFEST:
		if (r < 0)
			side_fail(&s->verify, err_set(&s->verify.err, -EIO, "%s: cannot read its manifest", s->path));
		s->manifest = data;
		s->mlen = len;
		break;
	case V_SIG:
		if (r < 0)
			note(&s->w, "unreadable", vname);
		s->sig = data;
		s->siglen = len;
		break;
	case V_RECORD:
	case V_HASH:
	case V_META:
	case V_PUB:
		if (plan == V_PUB) {
			s->pub = data;
			s->publen = len;
		}
		if (verify_record(s, vname, type, link, r, sum) < 0)
			return out_of_memory(s);
		break;
	}
	if (take && s->replay.on) {
		enum ca_node_type t = type == AE_IFREG ? CA_NODE_FILE : type == AE_IFLNK ? CA_NODE_LINK : CA_NODE_DIR;

		if (t == CA_NODE_LINK && !(data = memtree_copy(s->tree, link, (len = strlen(link)))))
			return out_of_memory(s);
		if (memtree_add(s->tree, t, rname, data, len) < 0)
			return out_of_memory(s);
		if (s->tree->bytes > CA_SNAP_TREE_MAX)
			side_fail(&s->replay, err_set(&s->replay.err, -EFBIG, "%s: its members take more than %zu MiB",
						      s->path, CA_SNAP_TREE_MAX >> 20));
	}
	return 0;
}

void snapshot_read_free(struct ca_snapread *s)
{
	if (!s)
		return;
	free(s->path);
	EVP_MD_CTX_free(s->ctx);
	memtree_free(&s->got);
	free(s->w.text);
	if (s->tree) {
		memtree_free(s->tree);
		free(s->tree);
	}
	snapmeta_free(&s->meta);
	free(s->policy_source);
	free(s);
}

static void snapshot_read_freep(struct ca_snapread **s)
{
	snapshot_read_free(*s);
}

/* Start reading for @what: a reader that cannot start has failed before the first member. */
static struct ca_snapread *read_new(const char *path, unsigned what)
{
	_cleanup_(snapshot_read_freep) struct ca_snapread *s = calloc(1, sizeof(*s));

	if (!s || !(s->path = strdup(path)))
		return NULL;
	s->what = what;
	if (what & CA_SNAP_READ_VERIFY) {
		s->verify.on = true;
		s->md = snaplibs_sha256();
		s->ctx = EVP_MD_CTX_new();
		if (!s->md || !s->ctx)
			side_fail(&s->verify, err_set(&s->verify.err, -ENOMEM, "%s: cannot start SHA-256 (libcrypto)",
						      path));
	}
	if (what & CA_SNAP_READ_REPLAY) {
		s->replay.on = true;
		s->tree = calloc(1, sizeof(*s->tree));
		if (!s->tree)
			return NULL;
	}
	return steal_pointer(&s);
}

int snapshot_read(int fd, const char *path, unsigned what, struct ca_snapread **out, struct ca_err *err)
{
	_cleanup_(archive_read_freep_) struct archive *a = NULL;
	_cleanup_(snapshot_read_freep) struct ca_snapread *s = NULL;
	struct archive_entry *e;
	const char *dup;
	int rr = ARCHIVE_OK, r;

	*out = NULL;
	r = open_reader(fd, path, &a, err);
	if (r < 0)
		return r;
	s = read_new(path, what);
	if (!s)
		return err_set(err, -ENOMEM, "%s: out of memory", path);
	while ((s->verify.on || s->replay.on) && (rr = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		if (read_one(a, e, s) < 0)
			break;
	if (rr != ARCHIVE_OK && rr != ARCHIVE_EOF) {
		if (s->verify.on)
			side_fail(&s->verify, err_set(&s->verify.err, -EIO, "%s: %s", path, archive_error_string(a)));
		if (s->replay.on)
			side_fail(&s->replay, err_set(&s->replay.err, -EIO, "%s: %s", path, archive_error_string(a)));
	}
	if (s->replay.on && memtree_seal(s->tree, &dup) < 0)
		side_fail(&s->replay, err_set(&s->replay.err, -EINVAL, "%s: member \"%s\" given twice", path, dup));
	/* A replay that failed holds nothing any more. */
	if (s->tree && s->replay.r < 0) {
		memtree_free(s->tree);
		free(steal_pointer(&s->tree));
	}
	*out = steal_pointer(&s);
	return 0;
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
static int check_signature(struct ca_snapread *s, struct ca_verified *v)
{
	struct ca_snapkey *signer = NULL;
	struct ca_err kerr = { 0 };
	const char *named = v->meta.signer_fingerprint;
	int r;

	if (!s->sig && !s->pub) {
		if (named)
			note(&s->w, "missing", CA_SNAP_SIGNATURE " (" CA_SNAP_METADATA " names a signer)");
		return 0;
	}
	if (!s->sig || !s->pub) {
		note(&s->w, "missing", s->sig ? CA_SNAP_SIGNER : CA_SNAP_SIGNATURE);
		return 0;
	}
	r = snapsign_key_parse(s->pub, s->publen, CA_SNAP_SIGNER, CA_KEY_PUBLIC, &signer, &kerr);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		note(&s->w, "unreadable", CA_SNAP_SIGNER " (no Ed25519, P-256 or P-384 public key)");
		return 0;
	}
	r = snapsign_verify(signer, s->manifest, s->mlen, (const unsigned char *)s->sig, s->siglen);
	if (r == 0) {
		note(&s->w, "altered", CA_SNAP_SIGNATURE " or " CA_MANIFEST " (the signature does not verify)");
	} else if (r > 0) {
		snprintf(v->signer, sizeof(v->signer), "%s", snapsign_fingerprint(signer));
		if (!named || strcmp(named, v->signer) != 0)
			note(&s->w, "altered", CA_SNAP_METADATA " (its signer_fingerprint is not " CA_SNAP_SIGNER "'s)");
	}
	snapsign_key_free(signer);
	return r < 0 ? r : 0;
}

/* A reader's failure while the archive was read, said again. */
static int failed(const struct side *sd, struct ca_err *err)
{
	if (err)
		*err = sd->err;
	return sd->r;
}

int snapshot_read_verify(struct ca_snapread *s, const struct ca_snapkey *key, struct ca_verified *v,
			 struct ca_err *err)
{
	struct ca_memtree want = { 0 };
	int r;

	memset(v, 0, sizeof(*v));
	if (!(s->what & CA_SNAP_READ_VERIFY) || !s->verify.on)
		return s->verify.r < 0 ? failed(&s->verify, err)
				       : err_set(err, -EINVAL, "%s: not read for a verification", s->path);
	s->verify.on = false;		/* once: what follows takes the notes and the metadata */
	if (!s->manifest)
		return err_set(err, -EINVAL, "%s: no %s member: not a capaudit snapshot", s->path, CA_MANIFEST);
	/*
	 * capaudit writes no manifest it cannot read back: one that is
	 * malformed was altered, and there is nothing to compare with.
	 */
	r = parse_manifest(s->manifest, s->mlen, &want);
	if (r == -EINVAL) {
		note(&s->w, "altered", CA_MANIFEST " (malformed)");
		r = 0;
	} else if (r == 0) {
		r = compare(&s->got, &want, &s->w);
	}
	memtree_free(&want);
	if (r < 0)
		return err_set(err, r, "%s: out of memory", s->path);
	/* Metadata that is no JSON object says nothing; its sum says whether it was altered. */
	v->meta = s->meta;
	memset(&s->meta, 0, sizeof(s->meta));
	if (s->meta_r == -ENOMEM || check_signature(s, v) < 0)
		return err_set(err, -ENOMEM, "%s: out of memory", s->path);
	v->report = steal_pointer(&s->w.text);
	if (s->w.altered)
		return CA_VERIFY_ALTERED;
	if (key && strcmp(v->signer, snapsign_fingerprint(key)) != 0)
		return CA_VERIFY_NOT_BY_KEY;
	return CA_VERIFY_INTACT;
}

int snapshot_verify(int fd, const char *path, const struct ca_snapkey *key, struct ca_verified *v,
		    struct ca_err *err)
{
	_cleanup_(snapshot_read_freep) struct ca_snapread *s = NULL;
	int r;

	memset(v, 0, sizeof(*v));
	r = snapshot_read(fd, path, CA_SNAP_READ_VERIFY, &s, err);
	return r < 0 ? r : snapshot_read_verify(s, key, v, err);
}

void snapshot_verified_free(struct ca_verified *v)
{
	free(v->report);
	snapmeta_free(&v->meta);
	memset(v, 0, sizeof(*v));
}

static int load_policy(struct ca_snapread *s, struct ca_policy **policy, struct ca_err *err)
{
	const struct ca_memnode *pol = memtree_find(s->tree, CA_SNAP_POLICY);
	_cleanup_free_ char *name = NULL;
	struct ca_err perr = { 0 };
	int r;

	if (!pol)
		return err_set(err, -EINVAL, "%s: no %s member: not a capaudit snapshot", s->path, CA_SNAP_POLICY);
	if (asprintf(&name, "%s:%s", s->path, CA_SNAP_POLICY) < 0)
		return err_set(err, -ENOMEM, "%s: out of memory", s->path);
	r = policy_load_buf(pol->data, pol->len, name, policy, &perr);
	if (r < 0)
		return err_set(err, r, "%s: the policy it holds: %s", s->path, perr.msg);
	/* Reported by the name it had at capture. */
	if (s->policy_source) {
		free((*policy)->source);
		(*policy)->source = steal_pointer(&s->policy_source);
	}
	return 0;
}

int snapshot_read_replay(struct ca_snapread *s, struct ca_procroot *root, struct ca_policy **policy,
			 struct ca_err *err)
{
	_cleanup_free_ char *name = NULL;
	struct ca_policy *captured = NULL;
	const struct ca_memnode *errors;
	int r;

	*root = (struct ca_procroot){ .fd = -1 };
	if (!s->tree)
		return s->replay.r < 0 ? failed(&s->replay, err)
				       : err_set(err, -EINVAL, "%s: not read for a replay", s->path);
	if (asprintf(&name, "%s:proc", s->path) < 0)
		return err_set(err, -ENOMEM, "%s: out of memory", s->path);
	if (!*policy && (r = load_policy(s, &captured, err)) < 0)
		return r;
	errors = memtree_find(s->tree, CA_SNAP_ERRORS);
	/* From here on the root holds the tree, and @errors in it. */
	r = procroot_open_tree(root, steal_pointer(&s->tree), name);
	if (r == -ENOENT)
		err_set(err, r, "%s: not a capaudit snapshot (no proc/)", s->path);
	else if (r < 0)
		err_set(err, r, "%s: out of memory", s->path);
	else if (errors && (r = procroot_set_errors(root, errors->data, errors->len)) < 0)
		err_set(err, r, r == -EINVAL ? "%s: its errors member is malformed" : "%s: out of memory", s->path);
	if (r < 0) {
		procroot_close(root);
		policy_free(captured);
		return r;
	}
	if (captured)
		*policy = captured;
	return 0;
}

int snapshot_replay_open(int fd, const char *path, struct ca_procroot *root, struct ca_policy **policy,
			 struct ca_err *err)
{
	_cleanup_(snapshot_read_freep) struct ca_snapread *s = NULL;
	int r;

	*root = (struct ca_procroot){ .fd = -1 };
	r = snapshot_read(fd, path, CA_SNAP_READ_REPLAY, &s, err);
	return r < 0 ? r : snapshot_read_replay(s, root, policy, err);
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
