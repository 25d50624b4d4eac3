/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The built-in policy, as the INI text capaudit.ini(5) describes: data, not code. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "policy_ini.h"

/*
 * `capaudit policy show` prints it with presets expanded; that output is
 * the shipped $(sysconfdir)/capaudit/policy.ini.
 */
static const char builtin[] =
	"# capaudit's built-in policy: CIS Docker Benchmark 1.6.0, checks 5.4 and 5.5,\n"
	"# failing at medium; the other checks /proc can prove are on at low, below\n"
	"# fail-on, for a team to raise what it cares about.\n"
	"[default]\n"
	"fail-on = medium\n"
	"\n"
	"# 5.5: privileged - the bounding set holds all the host holds below CAP_PERFMON\n"
	"privileged = critical\n"
	"\n"
	"# 5.4: NET_RAW must be dropped unless a container is explicitly allowed it\n"
	"net-raw = high\n"
	"net-raw.cis = 5.4\n"
	"net-raw.deny = NET_RAW\n"
	"net-raw.set = bounding\n"
	"\n"
	"# 5.4: nothing added beyond docker's defaults without NET_RAW\n"
	"cap-added = medium\n"
	"cap-added.cis = 5.4\n"
	"cap-added.allow = @k8s-baseline\n"
	"cap-added.set = bounding\n"
	"\n"
	"# 5.16, 5.10, 5.17, 5.21, 5.31: namespaces shared with the host\n"
	"host-pid = low\n"
	"host-net = low\n"
	"host-ipc = low\n"
	"host-uts = low\n"
	"host-user = low\n"
	"\n"
	"# 5.22, 5.26, 4.1, 5.2, 5.3\n"
	"seccomp = low\n"
	"no-new-privs = low\n"
	"root = low\n"
	"apparmor = low\n"
	"selinux = low\n"
	"\n"
	"# no CIS check: ambient capabilities, effective ones on a non-root process,\n"
	"# and (with --threads) a thread whose sets differ from its process's\n"
	"ambient = low\n"
	"nonroot-effective = low\n"
	"threads = low\n"
	"\n"
	"# no CIS check: a process holding capabilities its runtime was not told to grant\n"
	"# (docker exec --privileged, nsenter from the host), where --host-root reads what it was told\n"
	"beyond-configured = high\n";

int policy_builtin(struct ca_policy **out, struct ca_err *err)
{
	struct ca_err perr = { 0 };
	int r;

	/* The text is ours and tested: only memory can fail here. */
	*out = NULL;
	r = policy_load_text(builtin, "built-in", out, &perr);
	return r < 0 ? err_set(err, r, "the built-in policy: %s", strerror(-r)) : 0;
}
