/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The files a user names: each path walked a component at a time, every link on it judged. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "privs.h"
#include "userfile.h"

/* As the kernel's MAXSYMLINKS. */
#define LINKS_MAX 40

/* What a path is for, which says how a refusal reads. */
enum use {
	USE_WRITE,
	USE_READ,
	USE_DIR,
};

/* Where a walk ends: the last component, in the directory that holds it. */
struct place {
	int dirfd;
	char *name;			/* "." where the path names a directory itself ("/", "dir/") */
	bool exists;
	struct stat st;			/* what @name is, where it exists: never a link but... */
	bool by_kernel;			/* ...a link in /proc, which only the kernel can follow (/proc/self/fd/1) */
	bool must_be_dir;		/* the path ends with '/' */
};

static int say(struct ca_err *err, int r, enum use use, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int say(struct ca_err *err, int r, enum use use, const char *path, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	switch (use) {
	case USE_WRITE:
		return err_set(err, r, "cannot write %s: %s", path, why);
	case USE_READ:
		break;
	case USE_DIR:
		return err_set(err, r, "cannot open %s: %s", path, why);
	}
	return err_set(err, r, "%s: cannot read: %s", path, why);
}

static const char *kind_of(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a fifo" : S_ISCHR(mode) ? "a character device"
	     : S_ISBLK(mode) ? "a block device" : S_ISSOCK(mode) ? "a socket" : S_ISLNK(mode) ? "a symbolic link"
	     : "a regular file";
}

/*
 * The rule for every symbolic link on a path a user names: followed only
 * where the caller (its filesystem uid) or root owns it, and it has no second
 * name. A link is its maker's, wherever it lies, so no other user can have
 * planted one that passes. The kernel's protected_symlinks cannot be counted
 * on (it is 0 where no systemd sets it, as on these hosts), and even on it
 * follows another user's link outside a sticky world-writable directory:
 * in a service account's own directory, such as node_exporter's textfile
 * directory, where root capaudit writes and that account would plant one.
 * A second name of a root-owned link (a hard link made where
 * protected_hardlinks is 0) would carry root's ownership to where another
 * user put it.
 */
static bool link_followed(const struct stat *st, uid_t fsuid)
{
	return (st->st_uid == fsuid || st->st_uid == 0) && st->st_nlink == 1;
}

/* A fifo the caller or root made: another user's could be held open or left without a reader. */
static bool fifo_trusted(const struct stat *st, uid_t fsuid)
{
	return st->st_uid == fsuid || st->st_uid == 0;
}

/*
 * Whether a user other than the caller and root can make entries in the
 * directory @dirfd: one a group or everyone may write (sticky or not), or
 * another user's. Such a user can give any file of the filesystem a second
 * name there (a hard link, where protected_hardlinks is 0): an input that
 * has one is refused, for it could be root's file under a name of theirs.
 */
static bool others_write(int dirfd, uid_t fsuid)
{
	struct stat st;

	return fstat(dirfd, &st) < 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) ||
	       (st.st_uid != fsuid && st.st_uid != 0);
}

static bool on_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static void place_free(struct place *at)
{
	if (at->dirfd >= 0)
		close(at->dirfd);
	free(at->name);
	at->dirfd = -1;
	at->name = NULL;
}

/*
 * Walk @path as the kernel would, from the working directory or /, but one
 * component at a time, so that every symbolic link on the way, the last
 * one's included, is judged by link_followed() before it is followed.
 * Only a link in /proc is left to the kernel (/proc/self, /dev/stdout's
 * /proc/self/fd/1): its target is no path. Returns 0 and @at, or a negative
 * errno with @err saying why.
 */
static int walk(const char *path, enum use use, struct place *at, struct ca_err *err)
{
	_cleanup_free_ char *buf = strdup(path);
	_cleanup_close_ int dirfd = -1;
	uid_t fsuid = (uid_t)setfsuid((uid_t)-1);
	unsigned links = 0;
	size_t n = strlen(path);
	char *p;

	*at = (struct place){ .dirfd = -1, .must_be_dir = n > 0 && path[n - 1] == '/' };
	if (!buf)
		return say(err, -ENOMEM, use, path, "%s", strerror(ENOMEM));
	if (!*path)
		return say(err, -ENOENT, use, path, "%s", strerror(ENOENT));
	dirfd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return say(err, -errno, use, path, "%s", strerror(errno));
	for (p = buf;;) {
		_cleanup_close_ int fd = -1;
		char target[PATH_MAX], *next;
		const char *comp;
		bool last;
		ssize_t len;

		while (*p == '/')
			p++;
		if (!*p) {
			comp = ".";	/* "/" itself, or where a link leads to it */
			last = true;
		} else {
			comp = p;
			p += strcspn(p, "/");
			if (*p)
				*p++ = '\0';
			last = !p[strspn(p, "/")];
		}
		fd = openat(dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && last) {
			at->name = strdup(comp);	/* a new file */
			break;
		}
		if (fd < 0 || fstat(fd, &at->st) < 0)
			return say(err, -errno, use, path, "%s", strerror(errno));
		if (!S_ISLNK(at->st.st_mode)) {
			if (last) {
				at->name = strdup(comp);
				at->exists = true;
				break;
			}
			if (!S_ISDIR(at->st.st_mode))
				return say(err, -ENOTDIR, use, path, "%s", strerror(ENOTDIR));
			close(dirfd);
			dirfd = steal_fd(&fd);
			continue;
		}
		if (!link_followed(&at->st, fsuid))
			return say(err, -EPERM, use, path, "refusing to follow the symbolic link \"%s\", which uid %u "
				   "owns: only links of the caller and of root are followed (FILES in capaudit(8))",
				   comp, (unsigned)at->st.st_uid);
		if (++links > LINKS_MAX)
			return say(err, -ELOOP, use, path, "%s", strerror(ELOOP));
		if (on_procfs(dirfd)) {
			if (last) {
				at->name = strdup(comp);
				at->by_kernel = at->exists = true;
				break;
			}
			close(fd);
			fd = openat(dirfd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				return say(err, -errno, use, path, "%s", strerror(errno));
			close(dirfd);
			dirfd = steal_fd(&fd);
			continue;
		}
		len = readlinkat(fd, "", target, sizeof(target));
		if (len < 0 || (size_t)len >= sizeof(target))
			return say(err, len < 0 ? -errno : -ENAMETOOLONG, use, path, "%s",
				   strerror(len < 0 ? errno : ENAMETOOLONG));
		/* the rest of the path goes on from where the link leads */
		if (asprintf(&next, "%.*s/%s", (int)len, target, p) < 0)
			return say(err, -ENOMEM, use, path, "%s", strerror(ENOMEM));
		free(buf);
		p = buf = next;
		if (target[0] == '/') {
			close(dirfd);
			dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (dirfd < 0)
				return say(err, -errno, use, path, "%s", strerror(errno));
		}
	}
	if (!at->name)
		return say(err, -ENOMEM, use, path, "%s", strerror(ENOMEM));
	at->dirfd = steal_fd(&dirfd);
	return 0;
}

/*
 * Open what the walk reached, with @flags (O_NOFOLLOW added but through a
 * /proc link), and check it is what the walk saw: a link or a file swapped
 * in meanwhile is refused. Non-blocking, so that no fifo or device can
 * hold the open. Returns the descriptor, or a negative errno with @err.
 */
static int open_place(const struct place *at, int flags, enum use use, const char *path, struct ca_err *err)
{
	_cleanup_close_ int fd = openat(at->dirfd, at->name, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
					(at->by_kernel ? 0 : O_NOFOLLOW));
	struct stat st;

	if (fd < 0 && errno == ENXIO && S_ISFIFO(at->st.st_mode))
		return say(err, -ENXIO, use, path, "a fifo that no process reads");
	if (fd < 0 || fstat(fd, &st) < 0)
		return say(err, -errno, use, path, "%s", strerror(errno));
	if (st.st_dev != at->st.st_dev || st.st_ino != at->st.st_ino)
		return say(err, -EAGAIN, use, path, "replaced while capaudit opened it");
	return steal_fd(&fd);
}

/* What the last component is: for a /proc link, what the kernel finds behind it. */
static int stat_place(struct place *at, enum use use, const char *path, struct ca_err *err)
{
	if (at->by_kernel && fstatat(at->dirfd, at->name, &at->st, 0) < 0)
		return say(err, -errno, use, path, "%s", strerror(errno));
	return 0;
}

/*
 * The temporary files of the outputs open (a snapshot and its digest file
 * at most), removed if SIGINT, SIGTERM or SIGHUP ends capaudit before they
 * are renamed into place, as gzip does: a responder who interrupts a
 * capture is left with no half archive beside the evidence.
 */
static struct {
	volatile int dirfd;
	char *volatile tmp;
} unfinished[2];

static void remove_unfinished(int sig)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unfinished); i++)
		if (unfinished[i].tmp)
			unlinkat(unfinished[i].dirfd, unfinished[i].tmp, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Where @tmp in @dirfd goes (NULL: where it was), and the handlers set at the first. */
static void track_unfinished(int dirfd, char *tmp, char *was)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	static bool installed;
	struct sigaction sa = { .sa_handler = remove_unfinished }, old;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unfinished); i++)
		if (unfinished[i].tmp == was) {
			unfinished[i].tmp = NULL;
			unfinished[i].dirfd = dirfd;
			unfinished[i].tmp = tmp;
			break;
		}
	if (installed || !tmp)
		return;
	installed = true;
	sigemptyset(&sa.sa_mask);
	/* under nohup, or told to ignore them, capaudit keeps ignoring them */
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* "<name>.XXXXXX" with six random letters and digits, as mkstemp(3) makes them. */
static void random_suffix(char *x)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long counter;
	unsigned char r[6];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long v = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^ ++counter;

		for (i = 0; i < sizeof(r); i++, v >>= 5)
			r[i] = (unsigned char)v;
	}
	for (i = 0; i < sizeof(r); i++)
		x[i] = chars[r[i] % (sizeof(chars) - 1)];
}

/* A new file beside @at's, to be renamed over it when whole. */
static int open_replacement(struct ca_output *out, struct place *at, struct ca_err *err)
{
	size_t n = strlen(at->name);
	_cleanup_free_ char *tmp = malloc(n + 8);
	int fd = -1, tries;

	if (!tmp)
		return say(err, -ENOMEM, USE_WRITE, out->path, "%s", strerror(ENOMEM));
	if (n + 7 > NAME_MAX)
		return say(err, -ENAMETOOLONG, USE_WRITE, out->path, "%s", strerror(ENAMETOOLONG));
	memcpy(tmp, at->name, n);
	tmp[n] = '.';
	tmp[n + 7] = '\0';
	for (tries = 0; tries < 100 && fd < 0; tries++) {
		random_suffix(tmp + n + 1);
		fd = openat(at->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return say(err, -errno, USE_WRITE, out->path, "%s", strerror(errno));
	/* A textfile collector runs as another user: the report is for reading. */
	fchmod(fd, 0644);
	out->f = fdopen(fd, "w");
	if (!out->f) {
		int e = errno;

		close(fd);
		unlinkat(at->dirfd, tmp, 0);
		return say(err, -e, USE_WRITE, out->path, "%s", strerror(e));
	}
	out->dirfd = steal_fd(&at->dirfd);
	out->name = steal_pointer(&at->name);
	out->tmp = steal_pointer(&tmp);
	track_unfinished(out->dirfd, out->tmp, NULL);
	return 0;
}

/*
 * What is written through: a character device (/dev/null, a terminal), a
 * fifo a process reads, or whatever a /proc link leads to (/dev/stdout),
 * which is the caller's own descriptor, appended to as a shell's >> would,
 * so that a report after other output in the same file overwrites none of it.
 */
static int open_through(struct ca_output *out, struct place *at, struct ca_err *err)
{
	int fd, flags;

	fd = open_place(at, O_WRONLY | (at->by_kernel ? O_APPEND : 0), USE_WRITE, out->path, err);
	if (fd < 0)
		return fd;
	/* The open does not wait; the writes may, as they would to standard output. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 || !(out->f = fdopen(fd, "w"))) {
		int e = errno;

		close(fd);
		return say(err, -e, USE_WRITE, out->path, "%s", strerror(e));
	}
	return 0;
}

int userfile_output_open(struct ca_output *out, const char *path, struct ca_err *err)
{
	struct place at;
	struct ca_privs_saved saved;
	mode_t mode;
	int r;

	*out = (struct ca_output){ .f = stdout, .dirfd = -1 };
	if (!path || strcmp(path, "-") == 0)
		return 0;
	out->path = path;
	privs_as_caller(&saved);
	r = walk(path, USE_WRITE, &at, err);
	if (r == 0)
		r = stat_place(&at, USE_WRITE, path, err);
	mode = at.st.st_mode;
	if (r < 0)
		;
	else if (at.must_be_dir || (at.exists && S_ISDIR(mode)))
		r = say(err, -EISDIR, USE_WRITE, path, "%s", strerror(EISDIR));
	else if (!at.exists || (S_ISREG(mode) && !at.by_kernel))
		r = open_replacement(out, &at, err);
	else if (S_ISFIFO(mode) && !at.by_kernel && !fifo_trusted(&at.st, (uid_t)setfsuid((uid_t)-1)))
		r = say(err, -EPERM, USE_WRITE, path, "refusing a fifo that uid %u made: only the caller's and "
			"root's are written to (FILES in capaudit(8))", (unsigned)at.st.st_uid);
	else if (S_ISCHR(mode) || S_ISFIFO(mode) || S_ISREG(mode))
		r = open_through(out, &at, err);
	else
		r = say(err, -EINVAL, USE_WRITE, path, "it is %s", kind_of(mode));
	privs_as_self(&saved);
	place_free(&at);
	if (r < 0)
		*out = (struct ca_output){ .dirfd = -1 };
	return r;
}

int userfile_output_close(struct ca_output *out, bool commit)
{
	struct stat st;
	int r = 0;

	if (!out->f || out->f == stdout)
		return 0;
	if (commit && fflush(out->f) != 0)
		r = -errno;
	/* a regular file is synced; a device or a fifo has nothing to */
	if (commit && r == 0 && fstat(fileno(out->f), &st) == 0 && S_ISREG(st.st_mode) &&
	    fsync(fileno(out->f)) != 0)
		r = -errno;
	if (fclose(out->f) != 0 && r == 0)
		r = -errno;
	out->f = NULL;
	if (out->tmp) {
		if (commit && r == 0 && renameat(out->dirfd, out->tmp, out->dirfd, out->name) != 0)
			r = -errno;
		if (!commit || r < 0)
			unlinkat(out->dirfd, out->tmp, 0);
		track_unfinished(-1, NULL, out->tmp);
	}
	if (out->dirfd >= 0)
		close(out->dirfd);
	free(out->tmp);
	free(out->name);
	*out = (struct ca_output){ .dirfd = -1 };
	return r;
}

/* Open @path, a regular file (or, with @dir, a directory), for reading. */
static int open_input(const char *path, bool dir, int *fd, struct ca_err *err)
{
	enum use use = dir ? USE_DIR : USE_READ;
	struct ca_privs_saved saved;
	struct place at;
	int r;

	*fd = -1;
	privs_as_caller(&saved);
	r = walk(path, use, &at, err);
	if (r == 0)
		r = stat_place(&at, use, path, err);
	if (r < 0)
		;
	else if (!at.exists)
		r = say(err, -ENOENT, use, path, "%s", strerror(ENOENT));
	else if (S_ISDIR(at.st.st_mode) != dir)
		r = say(err, dir ? -ENOTDIR : -EISDIR, use, path, "%s", strerror(dir ? ENOTDIR : EISDIR));
	else if (!dir && at.must_be_dir)
		r = say(err, -ENOTDIR, use, path, "%s", strerror(ENOTDIR));
	else if (!dir && !S_ISREG(at.st.st_mode))
		r = say(err, -EINVAL, use, path, "it is %s, not a regular file", kind_of(at.st.st_mode));
	else if (!dir && at.st.st_nlink > 1 && !at.by_kernel && others_write(at.dirfd, (uid_t)setfsuid((uid_t)-1)))
		r = say(err, -EMLINK, use, path, "refusing a file with a second name (a hard link) in a "
			"directory other users can write: it could be any file (FILES in capaudit(8))");
	else
		r = open_place(&at, dir ? O_PATH | O_DIRECTORY : O_RDONLY, use, path, err);
	privs_as_self(&saved);
	place_free(&at);
	if (r < 0)
		return r;
	*fd = r;
	return 0;
}

int userfile_open(const char *path, int *fd, struct ca_err *err)
{
	if (strcmp(path, "-") == 0) {
		*fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		return *fd < 0 ? say(err, -errno, USE_READ, path, "%s", strerror(errno)) : 0;
	}
	return open_input(path, false, fd, err);
}

int userfile_open_dir(const char *path, int *fd, struct ca_err *err)
{
	return open_input(path, true, fd, err);
}

int userfile_read(const char *path, size_t max, char **data, size_t *len, struct ca_err *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t got = 0, cap = 0;
	int r;

	*data = NULL;
	*len = 0;
	r = open_input(path, false, &fd, err);
	if (r < 0)
		return r;
	for (;;) {
		ssize_t n;

		if (util_grow(&buf, &cap, got + 65536 + 1, 1) < 0)
			return say(err, -ENOMEM, USE_READ, path, "%s", strerror(ENOMEM));
		n = read(fd, buf + got, cap - got - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return say(err, -errno, USE_READ, path, "%s", strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max)
			return say(err, -EFBIG, USE_READ, path, "larger than %zu bytes", max);
	}
	buf[got] = '\0';
	*data = steal_pointer(&buf);
	*len = got;
	return 0;
}
