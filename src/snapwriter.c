/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A snapshot's archive: members checksummed and written on a thread of their own. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "privs.h"
#include "snaplibs.h"
#include "snapsign.h"
#include "snapwriter.h"

/*
 * Reading /proc is the kernel's work; checksums, tar headers and
 * compression are user space's, about 2.5 µs a member. Done by the scan
 * itself they made a capture of 10k processes 1.4 times as long as merely
 * reading its members, and the capture window (the moment frozen) as long
 * as the whole. So the scan copies each member into a batch and goes on
 * reading; a thread of its own writes the batches: 1.2 times, on two CPUs.
 * On one, nothing is lost but a copy. Batches in flight are bounded, and
 * small enough to stay in cache: memory stays a few MiB, however large the
 * host.
 */
#define BATCH_SIZE (64u << 10)
#define BATCHES_MAX 32
/* The manifest gathers here and goes on to a memfd a buffer at a time. */
#define MANIFEST_BUF (64u << 10)

/*
 * A member in a batch: this header (copied in and out with memcpy(), so
 * that no record need be aligned), then its name and its data, each
 * NUL-terminated.
 */
struct rec {
	uint32_t nlen, len;
	char type;
};

struct batch {
	struct batch *next;
	size_t cap, len;
	char data[];			/* records, one after another */
};

static size_t rec_size(size_t nlen, size_t len)
{
	return sizeof(struct rec) + nlen + 1 + len + 1;
}

struct ca_snapwriter {
	/* The scan's side. */
	struct batch *cur;
	bool started, threaded;
	pthread_t thread;

	/* Between the two, under @lock. */
	pthread_mutex_t lock;
	pthread_cond_t work, room;	/* a batch for the writer; room for the scan */
	struct batch *queue, **tail;	/* full batches, oldest first */
	struct batch *spare;		/* empty ones of BATCH_SIZE */
	unsigned inflight;		/* batches allocated, the current one included */
	bool closing, cancel;
	atomic_int err;			/* the writer's first failure; set by it alone */

	/* The writer's. */
	char msg[sizeof(((struct ca_err *)0)->msg)];
	int fd, filter;
	const char *name;
	time_t mtime;
	const struct ca_snapkey *key;	/* signs the manifest; NULL: unsigned */
	struct archive *a;
	struct archive_entry *entry;	/* reused for every member */
	const EVP_MD *sha256;		/* snaplibs_sha256(): EVP_sha256() is looked up at every init */
	EVP_MD_CTX *member, *whole;	/* a member's checksum; the whole file's */
	/*
	 * The manifest, "<sha256>  <type> <name>\n" lines: the latest in
	 * @manifest, the rest in @manifest_fd (a memfd, made at the first
	 * flush). Kept whole in memory, its ~100 bytes a member took 11 MB at
	 * 10k processes, faulted in a page at a time: more than half of a
	 * capture's page faults, each costly in a virtual machine.
	 */
	char *manifest;
	size_t manifest_len;
	int manifest_fd;
	off_t manifest_spilled;
	unsigned char digest[CA_SHA256_LEN];
};

/* The first failure stands; @msg is read by the scan only once the writer has stopped. */
static void fail_with(struct ca_snapwriter *w, int err, const char *text)
{
	if (w->err)
		return;
	snprintf(w->msg, sizeof(w->msg), "%s", text);
	atomic_store(&w->err, err);
}

static void fail(struct ca_snapwriter *w, int err, const char *what)
{
	char text[sizeof(w->msg)];

	snprintf(text, sizeof(text), "%s: %s", what, strerror(-err));
	fail_with(w, err, text);
}

/* A libarchive call failed: its own words say why. */
static void fail_archive(struct ca_snapwriter *w, const char *what)
{
	char text[sizeof(w->msg)];
	const char *why = w->a ? archive_error_string(w->a) : NULL;

	snprintf(text, sizeof(text), "%s: %s", what, why ? why : strerror(EIO));
	fail_with(w, -EIO, text);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A failure is kept, not told to libarchive: 3.6 goes FATAL on a failed
 * write and then never closes its client, whose 64 KiB block leaks. Once
 * failed, what libarchive still writes (its closing blocks) goes nowhere.
 */
static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct ca_snapwriter *w = ctx;
	int r;

	(void)a;
	if (w->err)
		return (la_ssize_t)len;
	if (EVP_DigestUpdate(w->whole, buf, len) != 1) {
		fail_with(w, -EIO, "SHA-256 failed");
		return (la_ssize_t)len;
	}
	r = write_all(w->fd, buf, len);
	if (r < 0)
		fail(w, r, "cannot write");
	return (la_ssize_t)len;
}

/* Load the libraries and start the archive: the writer's first work. */
static void archive_start(struct ca_snapwriter *w)
{
	struct ca_err err = { 0 };
	int r = snaplibs_load(&err);

	if (r < 0) {
		fail_with(w, r, err.msg);
		return;
	}
	w->sha256 = snaplibs_sha256();
	w->whole = EVP_MD_CTX_new();
	w->member = EVP_MD_CTX_new();
	w->entry = archive_entry_new();
	w->a = archive_write_new();
	if (!w->sha256 || !w->whole || !w->member || !w->entry || !w->a ||
	    EVP_DigestInit_ex(w->whole, w->sha256, NULL) != 1 ||
	    archive_write_set_format_ustar(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter(w->a, w->filter) != ARCHIVE_OK ||
	    /* A capture is a moment: zstd's fastest level packs 96 MB of tar into 1.3 MB */
	    (w->filter == ARCHIVE_FILTER_ZSTD &&
	     archive_write_set_filter_option(w->a, "zstd", "compression-level", "1") != ARCHIVE_OK) ||
	    /* 64 KiB a write(2), not tar's 10 KiB: a 10k-process tar is ~100 MiB */
	    archive_write_set_bytes_per_block(w->a, 64 * 1024) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(w->a, w, NULL, write_cb, NULL, NULL) != ARCHIVE_OK)
		fail_archive(w, "cannot start the archive");
}

/* Move the manifest's buffer on to its memfd. */
static int manifest_flush(struct ca_snapwriter *w)
{
	int r = 0;

	if (w->manifest_fd < 0) {
		w->manifest_fd = memfd_create("capaudit-manifest", MFD_CLOEXEC);
		if (w->manifest_fd < 0)
			r = -errno;
	}
	if (!r)
		r = write_all(w->manifest_fd, w->manifest, w->manifest_len);
	if (r < 0) {
		fail(w, r, CA_MANIFEST);
		return r;
	}
	w->manifest_spilled += (off_t)w->manifest_len;
	w->manifest_len = 0;
	return 0;
}

/* One member into the archive, its checksum into the manifest. */
static void member_write(struct ca_snapwriter *w, char type, const char *name, size_t nlen,
			 const char *data, size_t len)
{
	struct archive_entry *e = w->entry;
	unsigned char d[CA_SHA256_LEN];
	unsigned int n = 0;
	char *line;
	size_t at;

	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, w->mtime, 0);
	archive_entry_set_symlink(e, NULL);
	archive_entry_set_size(e, 0);
	if (type == 'd') {
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
	} else if (type == 'l') {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, data);
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
	}
	/* One context for every member: EVP_Digest() would make and free one each time. */
	if (type != 'd' && (EVP_DigestInit_ex(w->member, w->sha256, NULL) != 1 ||
			    EVP_DigestUpdate(w->member, data, len) != 1 ||
			    EVP_DigestFinal_ex(w->member, d, &n) != 1)) {
		fail_with(w, -EIO, "SHA-256 failed");
		return;
	}
	if (archive_write_header(w->a, e) != ARCHIVE_OK ||
	    (type == 'f' && len && archive_write_data(w->a, data, len) != (la_ssize_t)len)) {
		fail_archive(w, name);
		return;
	}
	/* "<sha256|->  <type> <name>\n"; snapwriter_add() kept @nlen below PATH_MAX */
	if (w->manifest_len + 2 * CA_SHA256_LEN + 5 + nlen > MANIFEST_BUF && manifest_flush(w) < 0)
		return;
	line = w->manifest + w->manifest_len;
	if (type == 'd') {
		line[0] = '-';
		at = 1;
	} else {
		util_hex(d, sizeof(d), line);	/* its NUL goes under the space after */
		at = 2 * CA_SHA256_LEN;
	}
	line[at++] = ' ';
	line[at++] = ' ';
	line[at++] = type;
	line[at++] = ' ';
	memcpy(line + at, name, nlen);
	at += nlen;
	line[at++] = '\n';
	w->manifest_len += at;
}

static void batch_write(struct ca_snapwriter *w, const struct batch *b)
{
	size_t at = 0;

	while (at < b->len && !w->err) {
		const char *name = b->data + at + sizeof(struct rec);
		struct rec r;

		memcpy(&r, b->data + at, sizeof(r));
		member_write(w, r.type, name, r.nlen, name + r.nlen + 1, r.len);
		at += rec_size(r.nlen, r.len);
	}
}

/* A member of capaudit's own that the manifest does not name: the manifest, its signature. */
static void own_write(struct ca_snapwriter *w, const char *name, const char *data, size_t len)
{
	struct archive_entry *e = w->entry;
	size_t at = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, w->mtime, 0);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_symlink(e, NULL);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(w->a, e) != ARCHIVE_OK) {
		fail_archive(w, name);
		return;
	}
	while (at < len) {
		size_t n = len - at < MANIFEST_BUF ? len - at : MANIFEST_BUF;

		if (archive_write_data(w->a, data + at, n) != (la_ssize_t)n) {
			fail_archive(w, name);
			return;
		}
		at += n;
	}
}

/* The signature of the manifest's @len bytes at @text, after it. */
static void signature_write(struct ca_snapwriter *w, const char *text, size_t len)
{
	unsigned char sig[CA_SIG_MAX];
	struct ca_err err = { 0 };
	size_t n = 0;

	if (snapsign_sign(w->key, text, len, sig, &n, &err) < 0)
		fail_with(w, -EIO, err.msg);
	else
		own_write(w, CA_SNAP_SIGNATURE, (const char *)sig, n);
}

/*
 * The manifest names every member but itself; it goes last, then its
 * signature. What spilled to the memfd is mapped whole, not read back a
 * buffer at a time: Ed25519 signs a message whole (there is no
 * EVP_DigestSignUpdate() for it), and the bytes signed are the very bytes
 * archived.
 */
static void manifest_write(struct ca_snapwriter *w)
{
	const char *text = w->manifest;
	size_t len = w->manifest_len;
	void *map = NULL;

	if (w->manifest_fd >= 0) {
		if (manifest_flush(w) < 0)
			return;
		len = (size_t)w->manifest_spilled;
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, w->manifest_fd, 0);
		if (map == MAP_FAILED) {
			fail(w, -errno, CA_MANIFEST);
			return;
		}
		text = map;
	}
	own_write(w, CA_MANIFEST, text, len);
	if (!w->err && w->key)
		signature_write(w, text, len);
	if (map)
		munmap(map, len);
}

static void archive_finish(struct ca_snapwriter *w)
{
	unsigned int n = 0;

	if (!w->err)
		manifest_write(w);
	if (!w->err && archive_write_close(w->a) != ARCHIVE_OK)
		fail_archive(w, "cannot finish the archive");
	if (!w->err && EVP_DigestFinal_ex(w->whole, w->digest, &n) != 1)
		fail_with(w, -EIO, "SHA-256 failed");
}

/* Back to the spares, or freed; under @lock. */
static void batch_done(struct ca_snapwriter *w, struct batch *b)
{
	if (b->cap == BATCH_SIZE) {
		b->len = 0;
		b->next = w->spare;
		w->spare = b;
	} else {
		free(b);
	}
	w->inflight--;
	pthread_cond_signal(&w->room);
}

static void *writer_main(void *arg)
{
	struct ca_snapwriter *w = arg;
	struct batch *b;
	int r;

	/*
	 * Capabilities are a thread's own. The scan keeps what reading /proc
	 * takes; the writer reads nothing and writes to an open descriptor.
	 */
	r = privs_drop(0);
	if (r < 0)
		fail_with(w, r, "cannot drop the writer thread's capabilities");
	else
		archive_start(w);
	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->queue && !w->closing && !w->cancel)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->cancel || !w->queue) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		b = w->queue;
		w->queue = b->next;
		if (!w->queue)
			w->tail = &w->queue;
		pthread_mutex_unlock(&w->lock);

		/* after a failure batches still come back: the scan must never wait in vain */
		batch_write(w, b);
		pthread_mutex_lock(&w->lock);
		batch_done(w, b);
		pthread_mutex_unlock(&w->lock);
	}
	if (!w->cancel && !w->err)
		archive_finish(w);
	return NULL;
}

/* Start the writer; without a thread (none left on this host?) the scan writes itself. */
static void start(struct ca_snapwriter *w)
{
	sigset_t ending, old;

	/*
	 * The signals that end capaudit are the scan's thread's to take: its
	 * handler (main.c) removes unfinished outputs that thread may be
	 * renaming or freeing meanwhile.
	 */
	sigemptyset(&ending);
	sigaddset(&ending, SIGINT);
	sigaddset(&ending, SIGTERM);
	sigaddset(&ending, SIGHUP);
	w->started = true;
	pthread_sigmask(SIG_BLOCK, &ending, &old);
	w->threaded = pthread_create(&w->thread, NULL, writer_main, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->threaded)
		archive_start(w);
}

/* Queue the current batch, or write it here where no thread runs. */
static void submit(struct ca_snapwriter *w)
{
	struct batch *b = steal_pointer(&w->cur);

	if (!b)
		return;
	if (!w->threaded)
		batch_write(w, b);
	pthread_mutex_lock(&w->lock);
	if (w->threaded) {
		b->next = NULL;
		*w->tail = b;
		w->tail = &b->next;
		pthread_cond_signal(&w->work);
	} else {
		batch_done(w, b);
	}
	pthread_mutex_unlock(&w->lock);
}

/* A batch with room for @need bytes, waiting while BATCHES_MAX are in flight. */
static struct batch *batch_get(struct ca_snapwriter *w, size_t need)
{
	struct batch *b = NULL;
	size_t cap = need > BATCH_SIZE ? need : BATCH_SIZE;

	pthread_mutex_lock(&w->lock);
	while (w->threaded && w->inflight >= BATCHES_MAX && !w->err)
		pthread_cond_wait(&w->room, &w->lock);
	if (!w->err) {
		if (cap == BATCH_SIZE && w->spare) {
			b = w->spare;
			w->spare = b->next;
		} else {
			b = malloc(sizeof(*b) + cap);
		}
		if (b) {
			b->cap = cap;
			b->len = 0;
			w->inflight++;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return b;
}

int snapwriter_new(struct ca_snapwriter **out, int fd, int filter, const char *name, time_t mtime,
		   const struct ca_snapkey *key)
{
	struct ca_snapwriter *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->manifest = malloc(MANIFEST_BUF);
	if (!w->manifest) {
		free(w);
		return -ENOMEM;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->room, NULL);
	w->tail = &w->queue;
	w->fd = fd;
	w->filter = filter;
	w->name = name;
	w->mtime = mtime;
	w->key = key;
	w->manifest_fd = -1;
	*out = w;
	return 0;
}

int snapwriter_add(struct ca_snapwriter *w, char type, const char *name, size_t nlen,
		   const char *data, size_t len)
{
	struct rec r = { .nlen = (uint32_t)nlen, .len = (uint32_t)len, .type = type };
	size_t need;
	char *p;
	int err;

	if (!w->started)
		start(w);
	err = w->err;
	if (err)
		return err;
	if (nlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (len > UINT32_MAX - PATH_MAX)
		return -EFBIG;
	need = rec_size(nlen, len);
	if (w->cur && w->cur->len + need > w->cur->cap)
		submit(w);
	if (!w->cur) {
		w->cur = batch_get(w, need);
		if (!w->cur) {
			err = w->err;
			return err < 0 ? err : -ENOMEM;
		}
	}
	p = w->cur->data + w->cur->len;
	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	memcpy(p, name, nlen);
	p[nlen] = '\0';
	if (len)
		memcpy(p + nlen + 1, data, len);
	p[nlen + 1 + len] = '\0';
	w->cur->len += need;
	return 0;
}

static void stop(struct ca_snapwriter *w, bool cancel)
{
	if (!w->started)
		start(w);
	submit(w);
	if (w->threaded) {
		pthread_mutex_lock(&w->lock);
		w->closing = true;
		w->cancel = cancel;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		w->threaded = false;
	} else if (!cancel && !w->err) {
		archive_finish(w);
	}
}

int snapwriter_close(struct ca_snapwriter *w, unsigned char digest[CA_SHA256_LEN],
		     struct ca_err *err)
{
	int r;

	stop(w, false);
	r = w->err;
	if (r)
		err_set(err, r, "%s: %s", w->name, w->msg);
	else
		memcpy(digest, w->digest, CA_SHA256_LEN);
	snapwriter_free(w);
	return r;
}

void snapwriter_free(struct ca_snapwriter *w)
{
	struct batch *b;

	if (!w)
		return;
	if (w->threaded)
		stop(w, true);
	free(w->cur);
	while ((b = w->queue)) {
		w->queue = b->next;
		free(b);
	}
	while ((b = w->spare)) {
		w->spare = b->next;
		free(b);
	}
	if (w->a)
		archive_write_free(w->a);
	if (w->entry)
		archive_entry_free(w->entry);
	if (w->whole)
		EVP_MD_CTX_free(w->whole);
	if (w->member)
		EVP_MD_CTX_free(w->member);
	if (w->manifest_fd >= 0)
		close(w->manifest_fd);
	free(w->manifest);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->room);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
