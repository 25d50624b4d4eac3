/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Least privilege: capaudit drops what its reading does not need, and says what it holds. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privs.h"
#include "util.h"

static void cap_t_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}
#define _cleanup_cap_ _cleanup_(cap_t_freep)

/*
 * Whether the running kernel has capability @cap at all. cap_max_bits() is
 * asked once: CAP_IS_SUPPORTED() is a prctl() each time, 500 of them a run.
 */
static bool supported(int cap)
{
	static int max = -1;

	if (max < 0)
		max = (int)cap_max_bits();
	return cap < CA_CAP_MAX && cap < max;
}

static uint64_t flag_mask(cap_t caps, cap_flag_t flag)
{
	cap_flag_value_t v;
	uint64_t mask = 0;
	int cap;

	for (cap = 0; supported(cap); cap++)
		if (cap_get_flag(caps, (cap_value_t)cap, flag, &v) == 0 && v == CAP_SET)
			mask |= CA_BIT(cap);
	return mask;
}

/* Set @flag of @caps to exactly @mask. Returns 0 or a negative errno. */
static int set_flag_mask(cap_t caps, cap_flag_t flag, uint64_t mask)
{
	cap_value_t v;
	int cap;

	if (cap_clear_flag(caps, flag) < 0)
		return -errno;
	for (cap = 0; supported(cap); cap++) {
		v = (cap_value_t)cap;
		if ((mask & CA_BIT(cap)) && cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
			return -errno;
	}
	return 0;
}

int privs_drop(uint64_t keep)
{
	_cleanup_cap_ cap_t caps = NULL;
	uint64_t permitted;
	int cap, r;

	/* Nothing it could ever execute gains what was dropped here (setuid, file caps). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	caps = cap_get_proc();
	if (!caps)
		return -errno;
	permitted = flag_mask(caps, CAP_PERMITTED);
	keep &= permitted;

	/* The bounding set shrinks only under CAP_SETPCAP: first, then, while it is held. */
	if (permitted & CA_BIT(CAP_SETPCAP)) {
		r = set_flag_mask(caps, CAP_EFFECTIVE, permitted);
		if (r < 0)
			return r;
		if (cap_set_proc(caps) < 0)
			return -errno;
		for (cap = 0; supported(cap); cap++)
			if (!(keep & CA_BIT(cap)) && cap_get_bound((cap_value_t)cap) > 0 &&
			    cap_drop_bound((cap_value_t)cap) < 0)
				return -errno;
	}
	/* Before Linux 4.3 there is no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;

	/* Giving up is always allowed: no privilege is needed to shrink one's own sets. */
	if ((r = set_flag_mask(caps, CAP_INHERITABLE, 0)) < 0 ||
	    (r = set_flag_mask(caps, CAP_PERMITTED, keep)) < 0 ||
	    (r = set_flag_mask(caps, CAP_EFFECTIVE, keep)) < 0)
		return r;
	if (cap_set_proc(caps) < 0)
		return -errno;
	return 0;
}

int privs_read(struct ca_privs *p)
{
	_cleanup_cap_ cap_t caps = NULL;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	bool ambient = true;
	int cap, r;

	memset(p, 0, sizeof(*p));
	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		return -errno;
	p->uid[0] = ruid;
	p->uid[1] = euid;
	p->uid[2] = suid;
	/* An id that is no valid one changes nothing and returns the current one. */
	p->uid[3] = (unsigned)setfsuid((uid_t)-1);
	p->gid[0] = rgid;
	p->gid[1] = egid;
	p->gid[2] = sgid;
	p->gid[3] = (unsigned)setfsgid((gid_t)-1);

	caps = cap_get_proc();
	if (!caps)
		return -errno;
	p->caps.mask[CA_SET_EFFECTIVE] = flag_mask(caps, CAP_EFFECTIVE);
	p->caps.mask[CA_SET_PERMITTED] = flag_mask(caps, CAP_PERMITTED);
	p->caps.mask[CA_SET_INHERITABLE] = flag_mask(caps, CAP_INHERITABLE);
	for (cap = 0; supported(cap); cap++) {
		if (cap_get_bound((cap_value_t)cap) > 0)
			p->caps.mask[CA_SET_BOUNDING] |= CA_BIT(cap);
		r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
		if (r < 0)
			ambient = false;
		else if (r > 0)
			p->caps.mask[CA_SET_AMBIENT] |= CA_BIT(cap);
	}
	p->caps.known = (1u << CA_SET_EFFECTIVE) | (1u << CA_SET_PERMITTED) |
			(1u << CA_SET_INHERITABLE) | (1u << CA_SET_BOUNDING) |
			(ambient ? 1u << CA_SET_AMBIENT : 0);
	r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (r < 0)
		return -errno;
	p->no_new_privs = r == 1;
	return 0;
}

bool privs_sticky_denies(const struct stat *dir, const struct stat *entry, uid_t fsuid)
{
	return (dir->st_mode & S_ISVTX) && entry->st_uid != fsuid && dir->st_uid != fsuid;
}

/*
 * Ask the kernel whether the directory @dirfd allows @mode to this process
 * once its effective set is @keep: lower it for the question (permitted
 * stays, so it can be raised again), faccessat() with AT_EACCESS, which
 * judges with the effective set and filesystem ids, ACLs included, then
 * restore it. Returns 0 with *@refusal 0 (allowed) or the refusal as a
 * negative errno; a negative errno where it could not ask.
 */
static int access_with(int dirfd, int mode, uint64_t keep, int *refusal)
{
	_cleanup_cap_ cap_t now = cap_get_proc(), lowered = NULL;
	int r;

	*refusal = 0;
	if (!now)
		return -errno;
	lowered = cap_dup(now);
	if (!lowered)
		return -errno;
	r = set_flag_mask(lowered, CAP_EFFECTIVE, keep & flag_mask(now, CAP_PERMITTED));
	if (r < 0)
		return r;
	if (cap_set_proc(lowered) < 0)
		return -errno;
	if (faccessat(dirfd, ".", mode, AT_EACCESS) < 0)
		*refusal = -errno;
	if (cap_set_proc(now) < 0)
		return -errno;
	return 0;
}

int privs_dir_needs(int dirfd, const char *name, uint64_t keep, uint64_t *need)
{
	struct stat dst, est;
	int r, refusal;

	*need = 0;
	if (fstat(dirfd, &dst) < 0)
		return -errno;
	r = access_with(dirfd, W_OK | X_OK, keep, &refusal);
	if (r < 0)
		return r;
	if (errno_is_denied(refusal) && !(keep & CA_BIT(CAP_DAC_OVERRIDE)))
		*need |= CA_BIT(CAP_DAC_OVERRIDE);
	if (name && fstatat(dirfd, name, &est, AT_SYMLINK_NOFOLLOW) == 0 &&
	    privs_sticky_denies(&dst, &est, (uid_t)setfsuid((uid_t)-1)) && !(keep & CA_BIT(CAP_FOWNER)))
		*need |= CA_BIT(CAP_FOWNER);
	return 0;
}

uint64_t privs_plan(enum ca_reading reading, const struct ca_rename *renames, size_t n)
{
	uint64_t keep = reading == CA_READ_PROCFS || (reading == CA_READ_FILES && !privs_is_elevated())
			? PRIVS_READ : 0, need;
	size_t i;

	for (i = 0; i < n; i++)
		if (renames[i].dirfd >= 0 && privs_dir_needs(renames[i].dirfd, renames[i].name, keep, &need) == 0)
			keep |= need;
	return keep;
}

bool privs_is_elevated(void)
{
	return getauxval(AT_SECURE) != 0;
}

void privs_as_caller(struct ca_privs_saved *saved)
{
	_cleanup_cap_ cap_t caps = NULL;

	*saved = (struct ca_privs_saved){ 0 };
	if (!privs_is_elevated())
		return;
	caps = cap_get_proc();
	if (!caps)
		return;
	saved->effective = flag_mask(caps, CAP_EFFECTIVE);
	if (set_flag_mask(caps, CAP_EFFECTIVE, 0) < 0 || cap_set_proc(caps) < 0)
		return;
	saved->lowered = true;
	/* setuid: the filesystem ids follow the effective ones; the caller's are the real ones */
	setfsuid(getuid());
	setfsgid(getgid());
}

void privs_as_self(const struct ca_privs_saved *saved)
{
	_cleanup_cap_ cap_t caps = NULL;

	if (!saved->lowered)
		return;
	setfsuid(geteuid());
	setfsgid(getegid());
	caps = cap_get_proc();
	if (caps && set_flag_mask(caps, CAP_EFFECTIVE, saved->effective) == 0)
		cap_set_proc(caps);
}
