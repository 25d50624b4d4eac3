/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtimes' state files, as a table: where each keeps a container's name, image, labels, capabilities. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "caps.h"
#include "workload.h"

/* No state file nests deeper than this; a deeper one is not what it claims to be. */
#define JSON_DEPTH 32
/* Podman's storage drivers, each keeping its containers under "<driver>-containers". */
static const char *const podman_drivers[] = { "overlay", "vfs", "btrfs", "zfs" };

/* A file every container of a runtime shares, read once: podman's containers.json. */
struct shared {
	char *rel;
	struct json_object *json;	/* NULL where it could not be read */
	int error;			/* then why: -errno, or -EBADMSG for no JSON */
};

struct ca_wl_reader {
	const struct ca_procroot *host;
	struct ca_buf buf;
	struct shared *shared;
	size_t nshared, shared_cap;
	bool passwd_read;
	char *passwd;			/* the host's /etc/passwd, or NULL */
	bool states_read;
	struct ca_wl_state *states;	/* of runc and crun, sorted by pid */
	size_t nstates, states_cap;
};

struct ca_wl_reader *workload_reader_new(const struct ca_procroot *host)
{
	struct ca_wl_reader *r = calloc(1, sizeof(*r));

	if (r)
		r->host = host;
	return r;
}

void workload_reader_free(struct ca_wl_reader *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nshared; i++) {
		free(r->shared[i].rel);
		json_object_put(r->shared[i].json);
	}
	free(r->shared);
	free(r->passwd);
	for (i = 0; i < r->nstates; i++)
		free(r->states[i].id);
	free(r->states);
	buf_free(&r->buf);
	free(r);
}

void workload_free(struct ca_workload *w)
{
	size_t i;

	free(w->note);
	free(w->name);
	free(w->image);
	free(w->k8s_namespace);
	free(w->k8s_pod);
	free(w->k8s_container);
	for (i = 0; i < w->nlabels; i++) {
		free(w->labels[i].key);
		free(w->labels[i].value);
	}
	free(w->labels);
	memset(w, 0, sizeof(*w));
}

const char *workload_label(const struct ca_workload *w, const char *key)
{
	size_t i;

	for (i = 0; i < w->nlabels; i++)
		if (strcmp(w->labels[i].key, key) == 0)
			return w->labels[i].value;
	return NULL;
}

/* Why a state file could not be read, in the words of a note. */
static const char *why(int e)
{
	switch (e) {
	case -EBADMSG:
		return "not JSON";
	case -EFBIG:
		return "too large";
	case -ELOOP:
		return "a symbolic link on the way";
	case -EXDEV:
		return "outside the host root";
	case -EMLINK:
		return "a file with a second name (hard link)";
	case -EINVAL:
		return "not a regular file";
	case -ESTALE:
		return "changed during the scan";
	default:
		return strerror(-e);
	}
}

/* The first note stands: it names the file that failed first. */
static int note(struct ca_workload *w, const char *rel, int e)
{
	if (w->note)
		return 0;
	w->status = CA_WL_UNREADABLE;
	return asprintf(&w->note, "%s: %s", rel, why(e)) < 0 ? -ENOMEM : 0;
}

/* A JSON document, whole and nothing after it but white space; NULL where it is not one. */
static struct json_object *parse(const char *s, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
	struct json_object *o;
	size_t end;

	if (!tok || len > CA_WL_FILE_MAX) {
		json_tokener_free(tok);
		return NULL;
	}
	o = json_tokener_parse_ex(tok, s, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o && (json_tokener_get_error(tok) != json_tokener_success || strspn(s + end, " \t\r\n") != len - end)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* Read @rel and parse it: the document, or NULL with *@e why. */
static struct json_object *read_json(struct ca_wl_reader *r, const char *rel, int *e)
{
	ssize_t n = procroot_read_max(r->host, rel, &r->buf, CA_WL_FILE_MAX);
	struct json_object *o;

	if (n < 0) {
		*e = (int)n;
		return NULL;
	}
	o = parse(r->buf.data, (size_t)n);
	*e = o ? 0 : -EBADMSG;
	return o;
}

/* @rel's document, or NULL with a note; -ENOMEM in *@e stops everything. */
static struct json_object *read_noted(struct ca_wl_reader *r, const char *rel, struct ca_workload *w, int *e)
{
	struct json_object *o = read_json(r, rel, e);

	if (!o && *e != -ENOMEM)
		*e = note(w, rel, *e);
	return o;
}

/* The member @key of object @o, of @type; NULL where there is none such. */
static struct json_object *get(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* @s of @len bytes, cut to @max, into *@out; a second value does not replace the first. */
static int take_n(char **out, const char *s, size_t len, size_t max)
{
	if (*out || !s || len == 0)
		return 0;
	*out = strndup(s, len < max ? len : max);
	return *out ? 0 : -ENOMEM;
}

static int take(char **out, const char *s)
{
	return take_n(out, s, s ? strlen(s) : 0, CA_WL_TEXT_MAX);
}


static int take_json(char **out, struct json_object *s)
{
	if (!s || !json_object_is_type(s, json_type_string))
		return 0;
	return take_n(out, json_object_get_string(s), (size_t)json_object_get_string_len(s), CA_WL_TEXT_MAX);
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ca_label *)a)->key, ((const struct ca_label *)b)->key);
}

/* One label; beyond the bound, counted. */
static int add_label(struct ca_workload *w, const char *key, size_t klen, const char *value, size_t vlen)
{
	struct ca_label *l;

	if (w->nlabels == CA_WL_LABELS_MAX) {
		w->labels_omitted++;
		return 0;
	}
	if (!w->labels && !(w->labels = calloc(CA_WL_LABELS_MAX, sizeof(*w->labels))))
		return -ENOMEM;
	l = &w->labels[w->nlabels];
	l->key = strndup(key, klen < CA_WL_LABEL_KEY_MAX ? klen : CA_WL_LABEL_KEY_MAX);
	l->value = strndup(value, vlen < CA_WL_TEXT_MAX ? vlen : CA_WL_TEXT_MAX);
	if (!l->key || !l->value) {
		free(l->key);
		free(l->value);
		return -ENOMEM;
	}
	w->nlabels++;
	return 0;
}

/* The string members of object @o as labels, sorted; others are not labels. */
static int take_labels(struct ca_workload *w, struct json_object *o)
{
	struct json_object_iterator it, end;
	int r;

	if (!o || !json_object_is_type(o, json_type_object) || w->nlabels || w->labels_omitted)
		return 0;
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);
		struct json_object *v = json_object_iter_peek_value(&it);

		if (!json_object_is_type(v, json_type_string))
			continue;
		r = add_label(w, k, strlen(k), json_object_get_string(v), (size_t)json_object_get_string_len(v));
		if (r < 0)
			return r;
	}
	if (w->nlabels)
		qsort(w->labels, w->nlabels, sizeof(*w->labels), label_cmp);
	return 0;
}

/* Capability names ("CAP_NET_RAW", docker's "NET_RAW", "ALL") as a mask; *@all for "ALL". */
static uint64_t cap_list(struct json_object *a, bool *all)
{
	uint64_t mask = 0;
	size_t i, n;

	if (all)
		*all = false;
	if (!a || !json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		const char *name = json_object_is_type(s, json_type_string) ? json_object_get_string(s) : "";
		int bit;

		if (strcasecmp(name, "ALL") == 0 || strcasecmp(name, "CAP_ALL") == 0) {
			if (all)
				*all = true;
			continue;
		}
		bit = caps_parse_name(name);
		if (bit >= 0 && bit < 64)
			mask |= UINT64_C(1) << bit;
	}
	return mask;
}

/*
 * An OCI runtime spec (config.json): the bounding set its process was to
 * get. The spec is what the runtime handed runc, and so what the kernel
 * should hold.
 */
static void oci_caps(struct json_object *spec, struct ca_workload *w)
{
	struct json_object *caps = get(get(spec, "process", json_type_object), "capabilities", json_type_object);
	struct json_object *bnd = get(caps, "bounding", json_type_array);

	if (!bnd)
		return;
	w->configured.known = true;
	w->configured.bounding = cap_list(bnd, NULL);
}

static const char *annotation(struct json_object *spec, const char *key)
{
	struct json_object *s = get(get(spec, "annotations", json_type_object), key, json_type_string);

	return s ? json_object_get_string(s) : NULL;
}

/* Pieces of a path that a container's own id or name may be: no '/', no "." or "..". */
static bool component_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && strlen(s) < 256;
}

/*
 * runc and crun run by hand keep a directory a container under their state
 * root, named by its id, with a file that names its init by pid and start
 * time: nothing else names such a container (its cgroup is any path), and
 * the pid alone may since be another process's, for a container killed
 * without "runc delete" leaves its state behind. A state without a start
 * time is no claim.
 */
static const struct state_dir {
	enum ca_runtime runtime;
	const char *dir;		/* the default --root, under the host root */
	const char *file;
	const char *pid;		/* the init's pid, in the host's pid namespace */
	const char *start;		/* its start time, as /proc/<pid>/stat's field 22 */
} state_dirs[] = {
	/* libcontainer's State: the start a number in runc 1.1, a decimal string in older ones */
	{ CA_RT_RUNC, "run/runc", "state.json", "init_process_pid", "init_process_start" },
	/* crun's libcrun/status.c */
	{ CA_RT_CRUN, "run/crun", "status", "pid", "process-start-time" },
};

/* A member of @o that counts: a whole number, or one written as a decimal string. */
static bool get_count(struct json_object *o, const char *key, uint64_t *v)
{
	struct json_object *m;
	const char *s;
	char *end;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &m))
		return false;
	if (json_object_is_type(m, json_type_int)) {
		int64_t i = json_object_get_int64(m);

		*v = (uint64_t)i;
		return i >= 0;
	}
	if (!json_object_is_type(m, json_type_string))
		return false;
	s = json_object_get_string(m);
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* The init a state @j names, by the members of @sd: false where it names none. */
static bool state_init(const struct state_dir *sd, struct json_object *j, pid_t *pid, uint64_t *start)
{
	uint64_t p;

	if (!get_count(j, sd->pid, &p) || p == 0 || p > INT_MAX || !get_count(j, sd->start, start))
		return false;
	*pid = (pid_t)p;
	return true;
}

static int state_cmp(const void *a, const void *b)
{
	const struct ca_wl_state *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The state of @id in @sd's directory, kept where it names an init; else nothing. */
static int state_add(struct ca_wl_reader *r, const struct state_dir *sd, const char *id)
{
	char rel[512];
	struct ca_wl_state st = { .runtime = sd->runtime };
	struct json_object *j;
	bool named;
	int e;

	if (!component_ok(id))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s/%s", sd->dir, id, sd->file);
	j = read_json(r, rel, &e);
	if (!j)
		return e == -ENOMEM ? e : 0;
	named = state_init(sd, j, &st.pid, &st.start);
	json_object_put(j);
	if (!named)
		return 0;
	if (util_grow(&r->states, &r->states_cap, r->nstates + 1, sizeof(*r->states)) < 0 || !(st.id = strdup(id)))
		return -ENOMEM;
	r->states[r->nstates++] = st;
	return 0;
}

/* Every state directory, listed and read once: what no listing gives (none there, refused) names nothing. */
static int states_read(struct ca_wl_reader *r)
{
	size_t i, n;
	int e = 0;

	if (r->states_read)
		return 0;
	r->states_read = true;
	for (i = 0; e != -ENOMEM && i < ARRAY_SIZE(state_dirs); i++) {
		struct ca_piditer it = { 0 };
		const char *id;

		e = procroot_subdirs_open(r->host, state_dirs[i].dir, &it);
		for (n = 0; e == 0 && n < CA_WL_STATES_MAX && (e = procroot_subdirs_next(&it, &id)) == 0; n++)
			e = state_add(r, &state_dirs[i], id);
		procroot_pids_close(&it);
	}
	if (e == -ENOMEM)
		return e;
	if (r->nstates)
		qsort(r->states, r->nstates, sizeof(*r->states), state_cmp);
	return 0;
}

int workload_claim(struct ca_wl_reader *r, pid_t pid, uint64_t start, const struct ca_wl_state **out)
{
	size_t lo = 0, hi, i;
	int e;

	*out = NULL;
	if (!r || !r->host)
		return 0;
	e = states_read(r);
	if (e < 0)
		return e;
	for (hi = r->nstates; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->states[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < r->nstates && r->states[i].pid == pid; i++) {
		if (r->states[i].start != start)
			continue;
		/* two that name one process: one of them lies, and neither is believed */
		if (*out) {
			*out = NULL;
			return 0;
		}
		*out = &r->states[i];
	}
	return *out ? 1 : 0;
}

/*
 * A container run by hand, named by its id, whose state is read again for
 * its workload, in *@j: it must still name the init it was claimed by, or it
 * is another container's now (deleted, and run again under the same id).
 * Returns 0 with *@j (status READ), or with a note and *@j NULL; or -ENOMEM.
 */
static int state_reread(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w,
			struct json_object **j)
{
	const struct state_dir *sd = NULL;
	const struct ca_wl_state *st = NULL;
	char rel[512];
	uint64_t start;
	pid_t pid;
	size_t i;
	int e;

	*j = NULL;
	e = take(&w->name, key->id);
	if (e < 0)
		return e;
	for (i = 0; i < ARRAY_SIZE(state_dirs); i++)
		if (state_dirs[i].runtime == key->runtime)
			sd = &state_dirs[i];
	for (i = 0; !st && i < r->nstates; i++)
		if (r->states[i].runtime == key->runtime && strcmp(r->states[i].id, key->id) == 0)
			st = &r->states[i];
	if (!sd)
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s/%s", sd->dir, key->id, sd->file);
	if (!st)
		return note(w, rel, -ENOENT);
	*j = read_noted(r, rel, w, &e);
	if (!*j)
		return e;
	if (state_init(sd, *j, &pid, &start) && pid == st->pid && start == st->start) {
		w->status = CA_WL_READ;
		return 0;
	}
	json_object_put(*j);
	*j = NULL;
	return note(w, rel, -ESTALE);
}

/*
 * An OCI spec's annotations as labels, where no label was taken yet: what
 * ctr run --label, runc's and crun's users put there.
 */
static int take_annotations(struct ca_workload *w, struct json_object *spec)
{
	return take_labels(w, get(spec, "annotations", json_type_object));
}

static const struct shared *shared_get(struct ca_wl_reader *r, const char *rel);

/*
 * dockerd's data root, relative to the host root: "data-root" of
 * /etc/docker/daemon.json (dockerd's default configuration file; "graph"
 * before docker 17.05), else /var/lib/docker. A file dockerd could not start
 * with (not JSON, a relative path) counts as none. A --data-root on dockerd's
 * command line is not seen.
 */
static const char *docker_root(struct ca_wl_reader *r)
{
	const struct shared *cfg = shared_get(r, "etc/docker/daemon.json");
	struct json_object *root;
	const char *s;

	if (!cfg)
		return NULL;
	root = get(cfg->json, "data-root", json_type_string);
	if (!root)
		root = get(cfg->json, "graph", json_type_string);
	s = root ? json_object_get_string(root) : NULL;
	if (!s || *s != '/' || strlen(s) > 256)
		return "var/lib/docker";
	s += strspn(s, "/");
	return *s ? s : "var/lib/docker";
}

/*
 * docker: <data-root>/containers/<id>/, dockerd's own (root's, 0710).
 * config.v2.json names it ("/web"), its image as asked for and its labels;
 * hostconfig.json holds --cap-add, --cap-drop and --privileged.
 */
static int read_docker(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	const char *root = docker_root(r);
	char rel[768];
	struct json_object *j, *cfg;
	uint64_t defaults = 0;
	bool add_all;
	const char *name;
	int e;

	if (!root)
		return -ENOMEM;
	snprintf(rel, sizeof(rel), "%s/containers/%s/config.v2.json", root, key->id);
	j = read_noted(r, rel, w, &e);
	if (j) {
		w->status = CA_WL_READ;
		cfg = get(j, "Config", json_type_object);
		name = json_object_get_string(get(j, "Name", json_type_string));
		if (name && *name == '/')
			name++;
		e = take(&w->name, name);
		if (e == 0)
			e = take_json(&w->image, get(cfg, "Image", json_type_string));
		if (e == 0)
			e = take_labels(w, get(cfg, "Labels", json_type_object));
		json_object_put(j);
	}
	if (e < 0)
		return e;
	snprintf(rel, sizeof(rel), "%s/containers/%s/hostconfig.json", root, key->id);
	j = read_noted(r, rel, w, &e);
	if (!j)
		return e;
	runtime_default_caps(CA_RT_DOCKER, &defaults);
	w->configured.known = true;
	w->configured.privileged = json_object_get_boolean(get(j, "Privileged", json_type_boolean));
	w->configured.add = cap_list(get(j, "CapAdd", json_type_array), &add_all);
	w->configured.drop = cap_list(get(j, "CapDrop", json_type_array), &w->configured.drop_all);
	/* as dockerd's TweakCapabilities: --cap-add=ALL is every capability but those dropped */
	if (w->configured.privileged)
		w->configured.bounding = UINT64_MAX;
	else if (add_all)
		w->configured.bounding = UINT64_MAX & ~w->configured.drop;
	else
		w->configured.bounding = (w->configured.drop_all ? 0 : defaults & ~w->configured.drop) |
					 w->configured.add;
	json_object_put(j);
	return 0;
}

/*
 * containerd: each task's bundle, /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/,
 * holds the OCI spec it runs. The CRI plugin's annotations give the Kubernetes
 * names and the image; ctr names a container by its id, and keeps its image
 * only in its database.
 */
static int read_containerd(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	const char *ns = key->ns && *key->ns ? key->ns : key->pod ? "k8s.io" : "default";
	const char *type, *cname;
	struct json_object *spec;
	char rel[768];
	int e;

	if (!component_ok(ns))
		return note(w, "run/containerd", -EINVAL);
	snprintf(rel, sizeof(rel), "run/containerd/io.containerd.runtime.v2.task/%s/%s/config.json", ns, key->id);
	spec = read_noted(r, rel, w, &e);
	if (!spec)
		return e;
	w->status = CA_WL_READ;
	oci_caps(spec, w);
	type = annotation(spec, "io.kubernetes.cri.container-type");
	cname = annotation(spec, "io.kubernetes.cri.container-name");
	e = 0;
	if (type) {
		/* a pod's sandbox is named as its pod is */
		w->k8s_sandbox = strcmp(type, "sandbox") == 0;
		e = take(&w->k8s_namespace, annotation(spec, "io.kubernetes.cri.sandbox-namespace"));
		if (e == 0)
			e = take(&w->k8s_pod, annotation(spec, "io.kubernetes.cri.sandbox-name"));
		if (e == 0)
			e = take(&w->k8s_container, cname);
		if (e == 0)
			e = take(&w->image, annotation(spec, "io.kubernetes.cri.image-name"));
		if (e == 0)
			e = strcmp(type, "sandbox") == 0 ? take(&w->name, w->k8s_pod) : take(&w->name, cname);
	}
	/* ctr run --label puts its labels among the spec's annotations */
	if (e == 0 && !type)
		e = take_annotations(w, spec);
	if (e == 0)
		e = take(&w->name, annotation(spec, "nerdctl/name"));
	if (e == 0)
		e = take(&w->name, key->id);
	json_object_put(spec);
	return e;
}

/* An OCI spec's CRI-O annotations (CRI-O's own containers, never podman's). */
static int crio_annotations(struct json_object *spec, struct ca_workload *w)
{
	const char *type = annotation(spec, "io.kubernetes.cri-o.ContainerType");
	const char *labels = annotation(spec, "io.kubernetes.cri-o.Labels");
	struct json_object *l;
	int e;

	e = take(&w->k8s_namespace, annotation(spec, "io.kubernetes.pod.namespace"));
	if (e == 0)
		e = take(&w->k8s_pod, annotation(spec, "io.kubernetes.pod.name"));
	if (e == 0)
		e = take(&w->k8s_container, annotation(spec, "io.kubernetes.container.name"));
	if (e == 0)
		e = take(&w->image, annotation(spec, "io.kubernetes.cri-o.ImageName"));
	w->k8s_sandbox = type && strcmp(type, "sandbox") == 0;
	if (e == 0)
		e = take(&w->name, w->k8s_sandbox ? w->k8s_pod : w->k8s_container);
	if (e == 0 && labels && (l = parse(labels, strlen(labels)))) {
		e = take_labels(w, l);
		json_object_put(l);
	}
	return e;
}

/*
 * CRI-O: its containers' specs in the run root,
 * /run/containers/storage/overlay-containers/<id>/userdata/config.json,
 * and under /var/lib/containers/storage for the ones that outlive a boot.
 */
static int read_crio(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	static const char *const roots[] = { "run/containers/storage", "var/lib/containers/storage" };
	struct json_object *spec = NULL;
	char rel[512];
	size_t i;
	int e = 0;

	for (i = 0; !spec && i < ARRAY_SIZE(roots); i++) {
		snprintf(rel, sizeof(rel), "%s/overlay-containers/%s/userdata/config.json", roots[i], key->id);
		spec = read_json(r, rel, &e);
		if (!spec && e == -ENOMEM)
			return e;
		if (!spec && e != -ENOENT)
			break;
	}
	if (!spec)
		return note(w, rel, e);
	w->status = CA_WL_READ;
	oci_caps(spec, w);
	e = crio_annotations(spec, w);
	json_object_put(spec);
	return e;
}

/* A shared file, read and parsed once for every container. */
static const struct shared *shared_get(struct ca_wl_reader *r, const char *rel)
{
	struct shared *s;
	size_t i;

	for (i = 0; i < r->nshared; i++)
		if (strcmp(r->shared[i].rel, rel) == 0)
			return &r->shared[i];
	if (util_grow(&r->shared, &r->shared_cap, r->nshared + 1, sizeof(*r->shared)) < 0)
		return NULL;
	s = &r->shared[r->nshared];
	s->rel = strdup(rel);
	if (!s->rel)
		return NULL;
	s->json = read_json(r, rel, &s->error);
	if (!s->json && s->error == -ENOMEM) {
		free(s->rel);
		return NULL;
	}
	r->nshared++;
	return s;
}

/* The home directory of @uid in the host's /etc/passwd, relative to the host root; NULL where none. */
static char *home_of(struct ca_wl_reader *r, uint32_t uid)
{
	const char *p;

	if (!r->passwd_read) {
		ssize_t n = procroot_read_max(r->host, "etc/passwd", &r->buf, CA_WL_FILE_MAX);

		r->passwd_read = true;
		r->passwd = n >= 0 ? strndup(r->buf.data, (size_t)n) : NULL;
	}
	/* "name:x:uid:gid:gecos:home:shell" */
	for (p = r->passwd; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *f = p;
		char *end;
		int i;

		for (i = 0; i < 2 && f; i++)
			f = strchr(f, ':') ? strchr(f, ':') + 1 : NULL;
		if (!f || strtoul(f, &end, 10) != uid || *end != ':')
			continue;
		for (i = 0; i < 3 && f; i++)
			f = strchr(f, ':') ? strchr(f, ':') + 1 : NULL;
		if (!f || *f != '/')
			return NULL;
		f++;
		return strndup(f, strcspn(f, ":\n"));
	}
	return NULL;
}

/* Podman's entry for @id in a containers.json (an array of {id, names, metadata}). */
static struct json_object *podman_entry(struct json_object *all, const char *id)
{
	size_t i, n = json_object_is_type(all, json_type_array) ? json_object_array_length(all) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(all, i);
		const char *cid = json_object_get_string(get(c, "id", json_type_string));

		if (cid && strcmp(cid, id) == 0)
			return c;
	}
	return NULL;
}

/*
 * podman: containers/storage's containers.json (its names, and the image
 * asked for in its metadata) and the spec of each, <driver>-containers/<id>/userdata/config.json;
 * under /var/lib/containers/storage, or for a rootless container under its
 * owner's home (~/.local/share/containers/storage). A member of a pod
 * carries io.kubernetes.cri-o.* annotations too: podman's, not CRI-O's.
 */
static int read_podman(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	_cleanup_free_ char *home = NULL, *storage = NULL;
	const struct shared *all = NULL;
	struct json_object *entry = NULL, *spec, *meta;
	const char *driver = NULL;
	char rel[1024];
	size_t i;
	int e = 0;

	if (key->rootless) {
		w->user_written = true;
		home = home_of(r, key->owner);
		if (!home)
			return note(w, "etc/passwd", -ENOENT);
		if (asprintf(&storage, "%s/.local/share/containers/storage", home) < 0)
			return -ENOMEM;
	} else if (!(storage = strdup("var/lib/containers/storage"))) {
		return -ENOMEM;
	}
	for (i = 0; !entry && i < ARRAY_SIZE(podman_drivers); i++) {
		snprintf(rel, sizeof(rel), "%s/%s-containers/containers.json", storage, podman_drivers[i]);
		all = shared_get(r, rel);
		if (!all)
			return -ENOMEM;
		entry = podman_entry(all->json, key->id);
		driver = podman_drivers[i];
	}
	if (!entry) {
		snprintf(rel, sizeof(rel), "%s/overlay-containers/containers.json", storage);
		return note(w, rel, -ENOENT);
	}
	w->status = CA_WL_READ;
	e = take_json(&w->name, json_object_array_get_idx(get(entry, "names", json_type_array), 0));
	meta = get(entry, "metadata", json_type_string);
	if (e == 0 && meta) {
		struct json_object *m = parse(json_object_get_string(meta), (size_t)json_object_get_string_len(meta));

		e = take_json(&w->image, get(m, "image-name", json_type_string));
		if (e == 0)
			e = take_json(&w->name, get(m, "name", json_type_string));
		json_object_put(m);
	}
	if (e < 0)
		return e;
	snprintf(rel, sizeof(rel), "%s/%s-containers/%s/userdata/config.json", storage, driver, key->id);
	spec = read_noted(r, rel, w, &e);
	if (!spec)
		return e;
	oci_caps(spec, w);
	w->configured.privileged = annotation(spec, "io.podman.annotations.privileged") &&
				   strcmp(annotation(spec, "io.podman.annotations.privileged"), "TRUE") == 0;
	json_object_put(spec);
	return 0;
}

/*
 * LXC: /var/lib/lxc/<name>/config, "key = value" lines; the container is
 * named as its directory is. lxc.cap.drop takes from the host's bounding
 * set, lxc.cap.keep keeps only what it names (LXC starts no container that
 * has both), read as LXC's confile.c reads them, in order: an empty value
 * clears what the lines before it gave (lxc.container.conf(5)), and keep's
 * "none" clears the keeps before it but is a keep still, of nothing.
 */
static int read_lxc(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	char rel[512];
	uint64_t drop = 0, keep = 0;
	bool kept = false;
	const char *p;
	ssize_t n;
	int e = take(&w->name, key->id);

	if (e < 0)
		return e;
	snprintf(rel, sizeof(rel), "var/lib/lxc/%s/config", key->id);
	n = procroot_read_max(r->host, rel, &r->buf, CA_WL_FILE_MAX);
	if (n < 0)
		return n == -ENOMEM ? -ENOMEM : note(w, rel, (int)n);
	w->status = CA_WL_READ;
	for (p = r->buf.data; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		size_t len = strcspn(p, "\n");
		char line[1024], *eq, *k, *v, *tok, *save;
		bool is_keep;

		if (len >= sizeof(line))
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		k = line + strspn(line, " \t");
		k[strcspn(k, " \t")] = '\0';
		v = eq + 1;
		if (strcmp(k, "lxc.cap.drop") != 0 && strcmp(k, "lxc.cap.keep") != 0)
			continue;
		is_keep = k[8] == 'k';
		if (v[strspn(v, " \t\r")] == '\0') {
			*(is_keep ? &keep : &drop) = 0;
			kept &= !is_keep;
			continue;
		}
		kept |= is_keep;
		for (tok = strtok_r(v, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
			int bit = caps_parse_name(tok);

			if (is_keep && strcmp(tok, "none") == 0)
				keep = 0;
			else if (bit >= 0 && bit < 64)
				*(is_keep ? &keep : &drop) |= UINT64_C(1) << bit;
		}
	}
	w->configured.known = true;
	w->configured.drop = kept ? 0 : drop;
	w->configured.bounding = kept ? keep : ~drop;
	return 0;
}

/*
 * runc: run/runc/<id>/state.json, libcontainer's State. Its config is what
 * runc made of the bundle's config.json: capabilities.Bounding, and labels,
 * "key=value" strings, the spec's annotations followed by runc's own
 * "bundle=<path>".
 */
static int read_runc(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	struct json_object *j, *cfg, *bnd, *labels;
	size_t i, n, own = SIZE_MAX;
	int e = state_reread(r, key, w, &j);

	if (!j)
		return e;
	cfg = get(j, "config", json_type_object);
	bnd = get(get(cfg, "capabilities", json_type_object), "Bounding", json_type_array);
	if (bnd) {
		w->configured.known = true;
		w->configured.bounding = cap_list(bnd, NULL);
	}
	labels = get(cfg, "labels", json_type_array);
	n = labels ? json_object_array_length(labels) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(labels, i);

		if (json_object_is_type(s, json_type_string) && strncmp(json_object_get_string(s), "bundle=", 7) == 0)
			own = i;	/* the last: runc appends it to the annotations */
	}
	for (i = 0; e == 0 && i < n; i++) {
		struct json_object *s = json_object_array_get_idx(labels, i);
		const char *l = json_object_get_string(s), *eq;

		if (i == own || !json_object_is_type(s, json_type_string) || !(eq = strchr(l, '=')) || eq == l)
			continue;
		e = add_label(w, l, (size_t)(eq - l), eq + 1, strlen(eq + 1));
	}
	if (e == 0 && w->nlabels)
		qsort(w->labels, w->nlabels, sizeof(*w->labels), label_cmp);
	json_object_put(j);
	return e;
}

/*
 * crun: run/crun/<id>/status names its init and its bundle, and crun keeps
 * the spec it ran beside it as config.json (crun reads that copy back
 * itself, for exec and delete; the bundle's may have been edited since):
 * that copy, or where there is none, the bundle's config.json, under the
 * host root too.
 */
static int read_crun(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	_cleanup_free_ char *bundle = NULL;
	struct json_object *j, *spec;
	const char *b;
	char rel[1024];
	int e = state_reread(r, key, w, &j);

	if (!j)
		return e;
	b = json_object_get_string(get(j, "bundle", json_type_string));
	if (b && *b == '/' && strlen(b) < 512 && !(bundle = strdup(b + strspn(b, "/")))) {
		json_object_put(j);
		return -ENOMEM;
	}
	json_object_put(j);
	snprintf(rel, sizeof(rel), "run/crun/%s/config.json", key->id);
	spec = read_json(r, rel, &e);
	if (!spec && e == -ENOENT && bundle && *bundle) {
		/* a bundle is wherever whoever ran crun put it, maybe where a user writes */
		w->user_written = true;
		snprintf(rel, sizeof(rel), "%s/config.json", bundle);
		spec = read_json(r, rel, &e);
	}
	if (!spec)
		return e == -ENOMEM ? e : note(w, rel, e);
	oci_caps(spec, w);
	e = take_annotations(w, spec);
	json_object_put(spec);
	return e;
}

/*
 * systemd-nspawn: the machine's name is its id, from the cgroup machined (or
 * whoever started it) made, which only root can; nspawn keeps no state file.
 */
static int read_nspawn(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	(void)r;
	w->status = CA_WL_READ;
	return take(&w->name, key->id);
}

/*
 * Each runtime's reader. The files are the runtime's own, written by root;
 * the exception is a rootless podman's storage, which its user writes:
 * everything is read by the rules of a directory of files (no link
 * followed, no second name, nothing but a regular file, nothing larger
 * than CA_WL_FILE_MAX) and every string escaped, so that none of them can
 * make capaudit read another file or forge a line.
 */
static const struct {
	enum ca_runtime runtime;
	int (*read)(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w);
} readers[] = {
	{ CA_RT_DOCKER, read_docker },
	{ CA_RT_PODMAN, read_podman },
	{ CA_RT_CONTAINERD, read_containerd },
	{ CA_RT_CRIO, read_crio },
	{ CA_RT_LXC, read_lxc },
	{ CA_RT_NSPAWN, read_nspawn },
	{ CA_RT_RUNC, read_runc },
	{ CA_RT_CRUN, read_crun },
};

int workload_read(struct ca_wl_reader *r, const struct ca_wl_key *key, struct ca_workload *w)
{
	size_t i;
	int e;

	memset(w, 0, sizeof(*w));
	if (!r || !r->host || !component_ok(key->id))
		return 0;
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		if (readers[i].runtime == key->runtime)
			break;
	if (i == ARRAY_SIZE(readers))
		return 0;
	e = readers[i].read(r, key, w);
	if (e < 0)
		workload_free(w);
	return e;
}
