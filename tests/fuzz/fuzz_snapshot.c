/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the snapshot reader, as `snapshot --verify` and `scan
 * --snapshot` run it on an archive from anywhere. The input is written to a
 * file in a private directory on tmpfs (the reader takes a path), verified,
 * unpacked there, and an archive that unpacks is replayed: scanned,
 * audited and reported, as main.c does. Whatever the bytes, nothing may be
 * left behind but the input itself.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "fuzz.h"
#include "policy_ini.h"
#include "report.h"
#include "snapshot.h"

static char workdir[PATH_MAX];
static char input[PATH_MAX + 8];
static FILE *devnull;

static void cleanup(void)
{
	unlink(input);
	rmdir(workdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("TMPDIR");
	struct stat st;

	(void)argc;
	(void)argv;
	/*
	 * An execution writes a file and unpacks a tree: on tmpfs, so as not
	 * to wear a disk. run.sh gives a $TMPDIR there that it removes even
	 * after a crash, which skips cleanup().
	 */
	if (!t || !*t)
		t = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
	snprintf(workdir, sizeof(workdir), "%s/capaudit-fuzz.XXXXXX", t);
	FUZZ_ASSERT(mkdtemp(workdir) != NULL);
	snprintf(input, sizeof(input), "%s/input", workdir);
	/* snapshot_unpack() makes its directory in $TMPDIR. */
	FUZZ_ASSERT(setenv("TMPDIR", workdir, 1) == 0);
	devnull = fopen("/dev/null", "we");
	FUZZ_ASSERT(devnull != NULL);
	atexit(cleanup);
	return 0;
}

/* The private directory holds the input and nothing else. */
static void check_nothing_left(void)
{
	DIR *d = opendir(workdir);
	struct dirent *e;

	FUZZ_ASSERT(d != NULL);
	while ((e = readdir(d)))
		FUZZ_ASSERT(!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
			    !strcmp(e->d_name, "input"));
	closedir(d);
}

static void write_input(const uint8_t *data, size_t size)
{
	int fd = open(input, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	FUZZ_ASSERT(close(fd) == 0);
}

static void verify(void)
{
	struct ca_err err = { 0 };
	char *report = NULL;
	int r = snapshot_verify(input, &report, &err);

	if (r < 0) {
		FUZZ_ASSERT(report == NULL);
		FUZZ_TERMINATED(err.msg);
		FUZZ_ASSERT(err.msg[0] != '\0');
		return;
	}
	FUZZ_ASSERT(r == CA_VERIFY_INTACT || r == CA_VERIFY_ALTERED);
	/* ALTERED always says what; INTACT has nothing to say. */
	FUZZ_ASSERT((r == CA_VERIFY_ALTERED) == (report && report[0]));
	free(report);
}

/* main.c's replay: the proc root, the failures to give again, the captured policy. */
static void replay(const char *dir)
{
	struct ca_procroot root;
	struct ca_scan scan = { 0 };
	struct ca_scan_opts sopts = { .threads = true };
	struct ca_policy *policy = NULL;
	struct ca_summary summary;
	struct ca_capnames names;
	struct ca_err err = { 0 };
	struct ca_report rep;
	char path[256], *errors = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc", dir);
	if (procroot_open(&root, path, false) < 0)
		return;
	snprintf(path, sizeof(path), "%s/errors", dir);
	f = fopen(path, "re");
	if (f) {
		n = getdelim(&errors, &cap, '\0', f);
		fclose(f);
		if (n > 0 && procroot_set_errors(&root, errors, (size_t)n) < 0)
			goto out;
	}
	snprintf(path, sizeof(path), "%s/policy.ini", dir);
	if (policy_load_file(path, &policy, &err) < 0) {
		FUZZ_ASSERT(policy == NULL);
		goto out;
	}
	if (scan_run(&root, &sopts, &scan, &err) < 0)
		goto out;
	FUZZ_ASSERT(caps_names_init(&names, scan.host.last_cap) == 0);
	FUZZ_ASSERT(audit_run(&scan, policy, &summary) == 0);
	FUZZ_ASSERT(summary.containers == scan.ncontainers);
	FUZZ_ASSERT(summary.passed + summary.failed + summary.unknown == summary.containers);
	rep = (struct ca_report){
		.scan = &scan, .summary = &summary, .policy = policy, .names = &names,
		.source = "fuzz.tar", .duration = 0.5, .timestamp = 1700000000.0,
	};
	FUZZ_ASSERT(report_json_print(devnull, &rep) == 0);
	FUZZ_ASSERT(report_text_print(devnull, &rep) == 0);
	FUZZ_ASSERT(report_cis_print(devnull, &rep) == 0);
	FUZZ_ASSERT(report_prom_print(devnull, &rep) == 0);
out:
	free(errors);
	scan_free(&scan);
	policy_free(policy);
	procroot_close(&root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_err err = { 0 };
	char *dir = NULL;
	int r;

	write_input(data, size);
	verify();

	r = snapshot_unpack(input, &dir, &err);
	if (r < 0) {
		FUZZ_ASSERT(dir == NULL);
		FUZZ_ASSERT(err.msg[0] != '\0');
	} else {
		FUZZ_ASSERT(dir != NULL && strncmp(dir, workdir, strlen(workdir)) == 0);
		replay(dir);
		snapshot_remove(dir);
		free(dir);
	}
	check_nothing_left();
	return 0;
}
