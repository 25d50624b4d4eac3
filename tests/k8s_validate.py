#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate capaudit's DaemonSet manifest against the Kubernetes API's models.

k8s_validate.py MANIFEST: every YAML document is checked field by field
against python3-kubernetes's models (openapi_types, attribute_map): a key a
model does not know, or a value of the wrong type, is an error, as the API
server's strict field validation would make it. ApiClient().deserialize
alone ignores unknown keys, so the walk here is what makes it strict; the
documents are then deserialized into the models all the same, and the
DaemonSet's security properties (README.md, "Across a cluster") asserted
on the parsed objects. Prints each error; exits 0 where there is none,
1 where there is one, 2 where the manifest cannot be read.
"""
import json
import re
import sys

import yaml
from kubernetes import client

KINDS = {("v1", "Namespace"): "V1Namespace", ("apps/v1", "DaemonSet"): "V1DaemonSet"}
CAPS = ["DAC_READ_SEARCH", "SYS_PTRACE"]
errors = []


def error(msg):
    errors.append(msg)


def walk(value, typ, path):
    """Check @value against the model type name @typ (as openapi_types spell it)."""
    if value is None:
        return
    m = re.fullmatch(r"list\[(.+)\]", typ)
    if m:
        if not isinstance(value, list):
            return error("%s: a list was expected, not %s" % (path, type(value).__name__))
        for i, v in enumerate(value):
            walk(v, m.group(1), "%s[%d]" % (path, i))
        return
    m = re.fullmatch(r"dict\((\w+), (.+)\)", typ)
    if m:
        if not isinstance(value, dict):
            return error("%s: a map was expected, not %s" % (path, type(value).__name__))
        for k, v in value.items():
            walk(k, m.group(1), "%s key %r" % (path, k))
            walk(v, m.group(2), "%s.%s" % (path, k))
        return
    scalar = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}
    if typ in scalar:
        # YAML's true is no int, 1 no string: the API server refuses both.
        if not isinstance(value, scalar[typ]) or (typ != "bool" and isinstance(value, bool)):
            error("%s: %s was expected, not %s %r" % (path, typ, type(value).__name__, value))
        return
    if typ in ("object", "datetime", "date"):
        return
    model = getattr(client.models, typ, None)
    if model is None:
        return error("%s: no model %s" % (path, typ))
    if not isinstance(value, dict):
        return error("%s: a %s object was expected, not %s" % (path, typ, type(value).__name__))
    fields = {json_key: attr for attr, json_key in model.attribute_map.items()}
    for k, v in value.items():
        if k not in fields:
            error("%s: unknown field %r (%s has %s)" % (path, k, typ, ", ".join(sorted(fields))))
        else:
            walk(v, model.openapi_types[fields[k]], "%s.%s" % (path, k))


class Response:
    """What ApiClient.deserialize reads: a body in .data."""

    def __init__(self, doc):
        self.data = json.dumps(doc)


def expect(cond, msg):
    if not cond:
        error(msg)


def check_daemonset(ds):
    """The security properties of capaudit's DaemonSet, on the parsed V1DaemonSet."""
    pod = ds.spec.template.spec
    expect(pod.host_pid is True, "hostPID must be true: capaudit audits the node's processes")
    expect(not pod.host_network, "hostNetwork must not be set: capaudit needs no network")
    expect(pod.automount_service_account_token is False, "automountServiceAccountToken must be false")
    expect(any(t.operator == "Exists" and not t.key and not t.effect for t in pod.tolerations or []),
           "a toleration of every taint (operator: Exists) must run it on every node")
    expect((pod.termination_grace_period_seconds or 30) <= 10, "terminationGracePeriodSeconds must be small")
    expect(len(pod.containers) == 1, "one container")
    c = pod.containers[0]
    expect(c.image == "capaudit:0.1.0" and c.image_pull_policy == "IfNotPresent",
           "image capaudit:0.1.0, imagePullPolicy IfNotPresent")
    vols = {v.name: v for v in pod.volumes or []}
    root = [v.name for v in vols.values() if v.host_path and v.host_path.path == "/"]
    expect(len(root) == 1, "one hostPath volume of the host's root")
    mounts = {m.name: m for m in c.volume_mounts or []}
    host = mounts.get(root[0]) if root else None
    expect(host is not None, "the host's root must be mounted")
    if host is not None:
        expect(host.read_only is True, "the host's root must be mounted readOnly")
        expect(host.mount_propagation == "HostToContainer", "the host's root: mountPropagation HostToContainer")
        script = " ".join((c.command or []) + (c.args or []))
        runs = re.findall(r"capaudit\b[^\n;&|]*", script)
        expect(runs, "the container must run capaudit")
        for r in runs:
            expect(re.search(r"--host-root[ =]%s(\s|$)" % re.escape(host.mount_path), r),
                   "%r must read the host through --host-root %s" % (r, host.mount_path))
        for name, m in mounts.items():
            if name != root[0]:
                expect(not (m.mount_path + "/").startswith(host.mount_path + "/"),
                       "%s must not be under the read-only %s" % (m.mount_path, host.mount_path))
                v = vols.get(name)
                expect(v is not None and (v.host_path is None or v.host_path.path != "/"),
                       "%s: only one mount of the host's root" % name)
    sc = c.security_context
    expect(sc is not None, "the container needs a securityContext")
    if sc is not None:
        expect(sc.run_as_user == 0, "runAsUser 0: other users' /proc files are read as root")
        expect(sc.privileged is not True, "privileged must not be set")
        expect(sc.allow_privilege_escalation is False, "allowPrivilegeEscalation must be false")
        expect(sc.read_only_root_filesystem is True, "readOnlyRootFilesystem must be true")
        caps = sc.capabilities
        expect(caps is not None and caps.drop == ["ALL"], "capabilities.drop must be exactly [ALL]")
        expect(caps is not None and sorted(caps.add or []) == CAPS,
               "capabilities.add must be exactly %s, not %s" % (CAPS, caps.add if caps else None))
    seccomp = (sc.seccomp_profile if sc and sc.seccomp_profile else None) or \
        (pod.security_context.seccomp_profile if pod.security_context else None)
    expect(seccomp is not None and seccomp.type == "RuntimeDefault", "seccompProfile RuntimeDefault")
    res = c.resources
    for kind in ("requests", "limits"):
        got = getattr(res, kind, None) or {}
        expect("cpu" in got and "memory" in got, "resources.%s must set cpu and memory" % kind)


def main():
    try:
        with open(sys.argv[1]) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except (OSError, yaml.YAMLError) as e:
        print("%s: %s" % (sys.argv[1], e))
        return 2
    api = client.ApiClient()
    seen = []
    for i, doc in enumerate(docs):
        where = "document %d" % (i + 1)
        if not isinstance(doc, dict):
            error("%s: not a mapping" % where)
            continue
        model = KINDS.get((doc.get("apiVersion"), doc.get("kind")))
        if model is None:
            error("%s: %s %s is none of %s" % (where, doc.get("apiVersion"), doc.get("kind"), sorted(KINDS)))
            continue
        where = "%s (%s %s)" % (where, doc["kind"], (doc.get("metadata") or {}).get("name"))
        before = len(errors)
        walk(doc, model, where)
        if len(errors) > before:
            continue
        try:
            obj = api.deserialize(Response(doc), model)
        except (ValueError, TypeError) as e:
            error("%s: %s" % (where, e))
            continue
        seen.append(doc["kind"])
        if doc["kind"] == "DaemonSet":
            check_daemonset(obj)
    expect("DaemonSet" in seen, "no valid DaemonSet")
    for e in errors:
        print(e)
    if not errors:
        print("%s: %s valid" % (sys.argv[1], ", ".join(seen)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
