/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diff in text: a line per container, process and finding that changed, marked as diff(1) does. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "esc.h"
#include "report.h"
#include "runtime.h"

static const char mark[] = { [CA_CHANGE_APPEARED] = '+', [CA_CHANGE_GONE] = '-', [CA_CHANGE_CHANGED] = '~' };

/* "--- OLD snap1.tar: host node1, boot 6f1e..., 2026-12-03T10:00:00Z, policy built-in" */
static int print_side(FILE *out, const char *head, const struct ca_diff_side *s)
{
	_cleanup_free_ char *src = esc_text(s->source, strlen(s->source));
	_cleanup_free_ char *host = esc_text(s->ident->hostname, strlen(s->ident->hostname));
	_cleanup_free_ char *boot = esc_text(s->ident->boot_id, strlen(s->ident->boot_id));
	_cleanup_free_ char *pol = esc_text(s->policy->source, strlen(s->policy->source));

	if (!src || !host || !boot || !pol)
		return -ENOMEM;
	fprintf(out, "%s %s: host %s, boot %s, %s, policy %s\n", head, src, host[0] ? host : "?",
		boot[0] ? boot : "?", s->when[0] ? s->when : "time unknown", pol);
	return 0;
}

/* "+NET_ADMIN,SYS_ADMIN -NET_RAW", or "ALL" for a set that became privileged. */
static int print_caps_change(FILE *out, const struct ca_capnames *names, uint64_t grew, uint64_t lost)
{
	_cleanup_free_ char *g = caps_join(names, grew, ",");
	_cleanup_free_ char *l = caps_join(names, lost, ",");

	if (!g || !l)
		return -ENOMEM;
	fprintf(out, "%s%s%s%s%s", grew ? "+" : "", g, grew && lost ? " " : "", lost ? "-" : "", l);
	return 0;
}

static int print_set(FILE *out, const struct ca_capnames *names, const struct ca_diff_side *s,
		     const struct ca_capsets *sets, enum ca_capset set)
{
	_cleanup_free_ char *list = NULL;

	if (!caps_set_is_known(sets, set)) {
		fputs("?", out);
		return 0;
	}
	if (caps_is_privileged(sets->mask[set], s->scan->host.bounding)) {
		fputs("ALL", out);
		return 0;
	}
	list = caps_join(names, sets->mask[set], ",");
	if (!list)
		return -ENOMEM;
	fputs(list[0] ? list : "-", out);
	return 0;
}

/* "  ~ 14850 nginx: effective +NET_ADMIN; NoNewPrivs 1 -> 0" */
static int print_proc(FILE *out, const struct ca_diff_report *rep, const struct ca_proc_change *pc)
{
	const struct ca_proc *p = pc->new ? pc->new : pc->old;
	const struct ca_diff_side *side = pc->new ? rep->new : rep->old;
	_cleanup_free_ char *name = status_has(&p->st, STATUS_NAME) ? esc_word(p->st.name, strlen(p->st.name))
								    : strdup("?");
	const char *sep = "";
	int set, r = 0;

	if (!name)
		return -ENOMEM;
	fprintf(out, "    %c %d %s: %s", mark[pc->kind], (int)p->pid, name,
		pc->kind == CA_CHANGE_CHANGED ? "" : diff_change_name(pc->kind));
	if (pc->kind == CA_CHANGE_APPEARED) {
		fputs(", effective ", out);
		r = print_set(out, rep->names, side, &p->st.caps, CA_SET_EFFECTIVE);
		fputs(", bounding ", out);
		if (r == 0)
			r = print_set(out, rep->names, side, &p->st.caps, CA_SET_BOUNDING);
	}
	if (pc->kind != CA_CHANGE_CHANGED) {
		fputc('\n', out);
		return r;
	}
	for (set = 0; r == 0 && set < CA_SET_COUNT; set++) {
		uint64_t a = pc->old->st.caps.mask[set], b = pc->new->st.caps.mask[set];

		if (!(pc->what & (1u << set)))
			continue;
		fprintf(out, "%s%s ", sep, caps_set_name(set));
		r = print_caps_change(out, rep->names, b & ~a, a & ~b);
		sep = "; ";
	}
	if (pc->what & DIFF_NO_NEW_PRIVS)
		fprintf(out, "%sNoNewPrivs %d -> %d", sep, pc->old->st.no_new_privs, pc->new->st.no_new_privs), sep = "; ";
	if (pc->what & DIFF_SECCOMP)
		fprintf(out, "%sseccomp %s -> %s", sep, report_seccomp_name(pc->old->st.seccomp),
			report_seccomp_name(pc->new->st.seccomp)), sep = "; ";
	if (pc->what & DIFF_USERNS)
		fprintf(out, "%suser namespace %" PRIu64 " -> %" PRIu64, sep, pc->old->userns, pc->new->userns);
	fputc('\n', out);
	return r;
}

/* "docker 021516bb282a (web)", each escaped as a word: names are whoever started it's own choice. */
static char *container_word(const struct ca_container *c)
{
	char buf[16];
	const char *id = report_short_id(c, buf, sizeof(buf));
	_cleanup_free_ char *e = report_id_word(id, c->workload.name);
	char *s = NULL;

	if (!e || asprintf(&s, "%s %s", runtime_name(c->runtime), e) < 0)
		return NULL;
	return s;
}

static const char *userns_word(const struct ca_userns *u)
{
	return !u->known ? "unknown" : !u->child ? "the host's" : u->root_mapped && u->root_host_uid == 0
		? "a child's, root is root" : "a child's";
}

static int print_container(FILE *out, const struct ca_diff_report *rep, const struct ca_container_change *cc)
{
	const struct ca_diff_side *side = cc->kind == CA_CHANGE_GONE ? rep->old : rep->new;
	size_t at = cc->kind == CA_CHANGE_GONE ? cc->old : cc->new;
	const struct ca_container *c = &side->scan->containers[at];
	const struct ca_judgement *j = &side->audit->containers[at];
	_cleanup_free_ char *who = container_word(c);
	const char *sep = "";
	size_t k;
	int r = 0;

	if (!who)
		return -ENOMEM;
	fprintf(out, "%c %s: ", mark[cc->kind], who);
	if (cc->kind != CA_CHANGE_CHANGED) {
		fprintf(out, "%s, %zu process%s, bounding ", diff_change_name(cc->kind), c->nprocs,
			c->nprocs == 1 ? "" : "es");
		r = print_set(out, rep->names, side, &j->caps, CA_SET_BOUNDING);
		fprintf(out, ", %s%s\n", cc->kind == CA_CHANGE_GONE ? "was " : "", report_verdict_upper(j->verdict));
		return r;
	}
	if (cc->what & DIFF_BOUNDING) {
		fputs("bounding ", out);
		r = print_caps_change(out, rep->names, cc->bound_grew, cc->bound_lost);
		sep = "; ";
	}
	if (cc->what & DIFF_VERDICT)
		fprintf(out, "%sverdict %s -> %s", sep, report_verdict_upper(rep->old->audit->containers[cc->old].verdict),
			report_verdict_upper(j->verdict)), sep = "; ";
	if (cc->what & DIFF_CONTAINER_USERNS)
		fprintf(out, "%suser namespace %s -> %s", sep,
			userns_word(&rep->old->scan->containers[cc->old].userns), userns_word(&c->userns)), sep = "; ";
	if (cc->what == DIFF_PROCESSES)
		fputs("processes", out);
	fputc('\n', out);
	for (k = 0; r == 0 && k < cc->nprocs; k++)
		r = print_proc(out, rep, &cc->procs[k]);
	return r;
}

/* "+ [FAIL] 5.4 critical docker 3a3d46a02486: ... (privileged)", as the scan's text report words it. */
static int print_finding(FILE *out, const struct ca_diff_report *rep, const struct ca_finding_change *fc)
{
	const struct ca_diff_side *side = fc->resolved ? rep->old : rep->new;
	const struct ca_policy *p = side->policy;
	const struct ca_rule *rule = &p->rules[fc->f->rule];
	_cleanup_free_ char *who = container_word(&side->scan->containers[fc->container]);
	_cleanup_free_ char *msg = policy_message(p, fc->f->rule, fc->f->set, fc->caps, fc->f->denied & fc->caps,
						   fc->f->pids, fc->f->npids, rep->names);

	if (!who || !msg)
		return -ENOMEM;
	fprintf(out, "%c %s[%s]%s %s %s %s: %s (%s)\n", fc->resolved ? '-' : '+',
		rep->color ? (fc->resolved ? "\033[32m" : fc->failing ? "\033[31m" : "\033[33m") : "",
		fc->failing ? "FAIL" : "WARN", rep->color ? "\033[0m" : "", rule->cis[0] ? rule->cis : "-",
		policy_severity_name(fc->f->severity), who, msg, rule->name);
	return 0;
}

static void print_summary(FILE *out, const struct ca_diff_summary *s)
{
	fprintf(out, "%zu container%s appeared, %zu gone, %zu changed; %zu process%s appeared, %zu gone, "
		"%zu changed; %zu finding%s new (%zu failing), %zu resolved", s->appeared,
		s->appeared == 1 ? "" : "s", s->gone, s->changed, s->procs_appeared,
		s->procs_appeared == 1 ? "" : "es", s->procs_gone, s->procs_changed, s->findings_new,
		s->findings_new == 1 ? "" : "s", s->new_failing, s->findings_resolved);
	if (s->unmatched)
		fprintf(out, "; %zu process%s not compared (no start time on one side)", s->unmatched,
			s->unmatched == 1 ? "" : "es");
	fputc('\n', out);
}

int report_diff_text_print(FILE *out, const struct ca_diff_report *rep)
{
	const struct ca_diff *d = rep->diff;
	size_t i;
	int r;

	r = print_side(out, "---", rep->old);
	if (r == 0)
		r = print_side(out, "+++", rep->new);
	if (r == 0 && d->ncontainers)
		fputc('\n', out);
	for (i = 0; r == 0 && i < d->ncontainers; i++)
		r = print_container(out, rep, &d->containers[i]);
	if (r == 0 && d->nfindings)
		fputc('\n', out);
	for (i = 0; r == 0 && i < d->nfindings; i++)
		r = print_finding(out, rep, &d->findings[i]);
	if (r == 0) {
		fputc('\n', out);
		print_summary(out, &d->summary);
	}
	if (r == 0 && ferror(out))
		r = -EIO;
	return r;
}
