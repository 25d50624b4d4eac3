/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host reference, read from the proc root. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "status.h"

static int read_namespaces(const struct ca_procroot *root, pid_t pid, struct ca_host *host)
{
	enum ca_ns ns;
	int r;

	/* The pid link decides whether this process can serve at all. */
	r = ns_read(root, pid, CA_NS_PID, &host->ns[CA_NS_PID]);
	if (r < 0)
		return r;
	host->ns_known = 1u << CA_NS_PID;
	for (ns = 0; ns < CA_NS_COUNT; ns++)
		if (ns != CA_NS_PID && ns_read(root, pid, ns, &host->ns[ns]) == 0)
			host->ns_known |= 1u << ns;
	host->ns_pid = pid;
	return 0;
}

int host_read(const struct ca_procroot *root, struct ca_buf *buf, struct ca_host *host,
	      struct ca_err *err)
{
	struct ca_status st;
	ssize_t n;
	int r, r2;

	memset(host, 0, sizeof(*host));
	/*
	 * hidepid= hides other users' processes without an error to count;
	 * only root, which passes the kernel's ptrace check, sees them all.
	 */
	host->hidepid = procroot_hidepid(root);
	host->hidepid_hides = host->hidepid && geteuid() != 0;

	n = procroot_read(root, "sys/kernel/cap_last_cap", buf);
	if (n < 0)
		return err_set(err, (int)n, "cannot read %s/sys/kernel/cap_last_cap: %s",
			       root->path, strerror((int)-n));
	r = caps_last_cap_parse(buf->data, buf->len, &host->last_cap);
	if (r < 0)
		return err_set(err, r, "%s/sys/kernel/cap_last_cap: not a capability number",
			       root->path);

	n = procroot_read(root, "1/status", buf);
	if (n < 0 && host->hidepid_hides)
		return err_set(err, (int)n, "cannot read %s/1/status, the host reference: %s "
			       "(mounted with hidepid=%s, which hides it from this user)",
			       root->path, strerror((int)-n), host->hidepid);
	if (n < 0)
		return err_set(err, (int)n, "cannot read %s/1/status, the host reference: %s",
			       root->path, strerror((int)-n));
	status_parse(buf->data, buf->len, &st);
	if (!caps_set_is_known(&st.caps, CA_SET_BOUNDING))
		return err_set(err, -EINVAL, "%s/1/status: no CapBnd line, no host bounding set",
			       root->path);
	host->bounding_pid = 1;
	host->bounding = st.caps.mask[CA_SET_BOUNDING];

	/*
	 * Both links are the host's; an unprivileged reader may read neither
	 * (ptrace access), and then no container's namespaces can be judged.
	 */
	r = read_namespaces(root, 1, host);
	if (r < 0) {
		r2 = read_namespaces(root, 2, host);
		host->ns_denied = r2 < 0 && (errno_is_denied(r) || errno_is_denied(r2));
	}

	return 0;
}

static void first_line(const struct ca_procroot *root, const char *rel, struct ca_buf *buf, char *out,
		       size_t size)
{
	out[0] = '\0';
	if (procroot_read(root, rel, buf) > 0)
		snprintf(out, size, "%.*s", (int)strcspn(buf->data, "\n"), buf->data);
}

void host_ident_read(const struct ca_procroot *root, struct ca_buf *buf, struct ca_host_ident *id)
{
	first_line(root, "sys/kernel/hostname", buf, id->hostname, sizeof(id->hostname));
	first_line(root, "sys/kernel/osrelease", buf, id->release, sizeof(id->release));
	first_line(root, "sys/kernel/random/boot_id", buf, id->boot_id, sizeof(id->boot_id));
}

void host_free(struct ca_host *host)
{
	free(host->hidepid);
	host->hidepid = NULL;
}
