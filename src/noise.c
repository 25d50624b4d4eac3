/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability probes that are not needs, by the kernel call paths that make them. */
#include "config.h"

#include <linux/capability.h>
#include <string.h>

#include "noise.h"
#include "util.h"

#define ANY (-1)

/*
 * Each row: a check whose outcome fails nothing, with the kernel source
 * that shows it (Linux 6.18). Found with the stacktrace trigger on
 * capability:cap_capable under shells, busybox, ps, runc and crun; a row
 * matches where its function is anywhere on the call path (inlined
 * helpers such as cap_vm_enough_memory() never appear), whatever suffix
 * the compiler gave it (".isra.0", ".cold"). The first row that matches wins.
 */
static const struct ca_noise_rule rules[] = {
	{ "vm-accounting", CAP_SYS_ADMIN, "security_vm_enough_memory_mm", NULL, NULL, false,
	  "mm/util.c __vm_enough_memory() via security/commoncap.c cap_vm_enough_memory(), not "
	  "audited: only whether overcommit mode 2 keeps the admin reserve for the caller; made on "
	  "every fork (dup_mmap), execve, brk, mmap and mprotect of accountable memory" },
	{ "task-stat", ANY, "do_task_stat", NULL, NULL, false,
	  "fs/proc/array.c do_task_stat(): ptrace_may_access(PTRACE_MODE_NOAUDIT) only decides "
	  "whether /proc/PID/stat shows another task's wchan and stack fields (ps, top)" },
	{ "ptracer", CAP_SYS_PTRACE, "ptracer_capable", NULL, NULL, false,
	  "kernel/capability.c ptracer_capable(): the tracer's credentials, not the workload's" },
	{ "oom-score-min", CAP_SYS_RESOURCE, "__set_oom_adj", "has_capability_noaudit", NULL, false,
	  "fs/proc/base.c __set_oom_adj(): only whether a write to oom_score_adj also lowers "
	  "oom_score_adj_min; the write succeeds either way" },
	{ "sysctl-mode", ANY, "net_ctl_permissions", NULL, "vfs_write", false,
	  "net/sysctl_net.c net_ctl_permissions(): the mode of a /proc/sys/net file, computed on "
	  "every lookup, open and read; only a write needs the capability" },
	{ "sysctl-mode", ANY, "pid_table_root_permissions", NULL, "vfs_write", false,
	  "kernel/pid.c pid_table_root_permissions(): the mode of /proc/sys/kernel/pid_max; only a "
	  "write needs the capability" },
	{ "sysctl-mode", ANY, "set_permissions", NULL, "vfs_write", false,
	  "kernel/ucount.c set_permissions(): the mode of /proc/sys/user files; only a write needs it" },
	{ "sysctl-mode", ANY, "ipc_permissions", NULL, "vfs_write", false,
	  "ipc/ipc_sysctl.c ipc_permissions(): the mode of /proc/sys/kernel/*_next_id; only a write "
	  "needs it" },
	{ "kernel-addresses", CAP_SYSLOG, "kallsyms_show_value", NULL, NULL, false,
	  "kernel/kallsyms.c kallsyms_show_value(): whether /proc/kallsyms and the like show "
	  "addresses or zeros" },
	{ "kernel-addresses", CAP_SYSLOG, "restricted_pointer", NULL, NULL, false,
	  "lib/vsprintf.c restricted_pointer(): whether %pK prints an address or zeros" },
	{ "trusted-xattrs", CAP_SYS_ADMIN, "simple_xattr_list", NULL, NULL, false,
	  "fs/xattr.c simple_xattr_list(): whether listxattr on tmpfs or kernfs lists trusted.* names" },
	{ "trusted-xattrs", CAP_SYS_ADMIN, "ovl_listxattr", NULL, NULL, false,
	  "fs/overlayfs/xattrs.c ovl_can_list(): whether listxattr lists trusted.* names" },
	{ "overlay-creds", ANY, "ovl_check_metacopy_xattr", NULL, NULL, false,
	  "fs/overlayfs: checked with the credentials of whoever mounted the overlay "
	  "(ovl_override_creds()), not the workload's" },
	{ "bpf-jit-harden", CAP_SYS_ADMIN, "do_jit", NULL, NULL, false,
	  "arch/x86/net/bpf_jit_comp.c do_jit(): whether the JIT adds a branch-history barrier to a "
	  "classic BPF program (every seccomp filter); it loads either way" },
	{ "bpf-jit-harden", CAP_SYS_ADMIN, "bpf_jit_blinding_enabled", NULL, NULL, false,
	  "include/linux/filter.h bpf_jit_blinding_enabled(): whether the JIT blinds a program's "
	  "constants; it loads either way" },
	{ "io-uring-memlock", CAP_IPC_LOCK, "io_uring_setup", NULL, NULL, false,
	  "io_uring/io_uring.c io_uring_create(): only whether the ring's memory is charged to "
	  "RLIMIT_MEMLOCK" },
	{ "vsock-trusted", CAP_NET_ADMIN, "__vsock_create", NULL, NULL, false,
	  "net/vmw_vsock/af_vsock.c __vsock_create(): only marks the socket trusted" },
	{ "exec-dumpable", ANY, "would_dump", NULL, NULL, false,
	  "fs/exec.c would_dump(): an executable the caller cannot read only makes the process "
	  "non-dumpable" },
	{ "path-search", CAP_DAC_READ_SEARCH, "vfs_statx", NULL, NULL, true,
	  "fs/namei.c generic_permission() under stat(): a shell searching $PATH tries directories "
	  "it cannot search and goes on to the next" },
	{ "path-search", CAP_DAC_OVERRIDE, "vfs_statx", NULL, NULL, true,
	  "fs/namei.c generic_permission() under stat(): a shell searching $PATH tries directories "
	  "it cannot search and goes on to the next" },
	{ "touch-fallback", CAP_FOWNER, "vfs_utimes", NULL, NULL, true,
	  "fs/attr.c may_setattr(): touching a file one does not own falls back to write permission" },
	{ "setgid-kept", CAP_FSETID, "setattr_prepare", NULL, NULL, false,
	  "fs/attr.c in_group_or_capable(): only whether chmod keeps the set-group-ID bit, which "
	  "it clears silently otherwise" },
	{ "setgid-kept", CAP_FSETID, "setattr_copy", NULL, NULL, false,
	  "fs/attr.c setattr_copy(): only whether the set-group-ID bit is kept" },
	{ "own-id", CAP_SETUID, "__sys_setuid", NULL, NULL, true,
	  "kernel/sys.c __sys_setuid(): asked first, then the call succeeds anyway for the real or "
	  "saved uid (a program dropping to its own id)" },
	{ "own-id", CAP_SETGID, "__sys_setgid", NULL, NULL, true,
	  "kernel/sys.c __sys_setgid(): asked first, then the call succeeds anyway for the real or "
	  "saved gid" },
	{ "capset-inheritable", CAP_SETPCAP, "cap_capset", NULL, NULL, true,
	  "security/commoncap.c cap_inh_is_capped(): asked on every capset(); denied, the call "
	  "still succeeds unless it raises the inheritable set beyond the permitted one" },
};

/* learn.c keeps the rows that matched a capability as bits of a 64-bit mask. */
_Static_assert(ARRAY_SIZE(rules) <= 64, "a row of the table is a bit of struct ca_capuse.rules");

const struct ca_noise_rule *noise_rules(size_t *n)
{
	*n = ARRAY_SIZE(rules);
	return rules;
}

uint64_t noise_names(uint64_t rows)
{
	uint64_t named = 0;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		if (!(rows & (UINT64_C(1) << i)))
			continue;
		for (j = 0; j < i; j++)
			if ((named & (UINT64_C(1) << j)) && strcmp(rules[j].name, rules[i].name) == 0)
				break;
		if (j == i)
			named |= UINT64_C(1) << i;
	}
	return named;
}

/* Whether the symbol @sym is function @fn, whatever suffix the compiler added (".isra.0", ".cold"). */
static bool is_fn(const char *sym, const char *fn)
{
	size_t n = strlen(fn);

	return strncmp(sym, fn, n) == 0 && (sym[n] == '\0' || sym[n] == '.');
}

static bool on_path(const struct ca_stack *stack, const char *fn)
{
	unsigned i;

	for (i = 0; i < stack->n; i++)
		if (stack->fn[i] && is_fn(stack->fn[i], fn))
			return true;
	return false;
}

int noise_classify(const struct ca_stack *stack, int cap, bool granted)
{
	size_t i;

	if (!stack)
		return -1;
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct ca_noise_rule *r = &rules[i];

		if ((r->cap != ANY && r->cap != cap) || (r->denied_only && granted) || !on_path(stack, r->fn))
			continue;
		if ((!r->also || on_path(stack, r->also)) && (!r->unless || !on_path(stack, r->unless)))
			return (int)i;
	}
	return -1;
}
