#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A kubelet's few calls to a CRI runtime (k8s.io/cri-api, runtime.v1), for
tests/live/cri.sh: Debian 12 has no crictl and no generated CRI stubs.

    cri.py SOCKET METHOD [JSON]

calls RuntimeService/METHOD or ImageService/METHOD on the unix socket with
the request JSON (an object named by the proto's field names; {} where
omitted) and prints the response as JSON on one line. The messages are
encoded and decoded here, by hand, from the field numbers of the proto
(cri-api v0.25, what containerd 1.6 serves), for only the messages and
fields the test uses; python3-grpcio carries the bytes
(unary_unary without serializers). A gRPC error is printed on stderr as
"METHOD: CODE: details" with exit status 1; a usage error gives 2.
Map fields take and give objects; the "info" maps of the verbose status
calls are JSON whose values are decoded too ("info": {"info": {...}}).
"""
import json
import struct
import sys

import grpc

# Field types: a str names a scalar, a dict a message, ("map",) a
# map<string, string>; a list around one of them makes it repeated.
STR, UINT, INT64, BOOL = "string", "uint", "int64", "bool"
MAP = ("map",)

NAMESPACE_MODES = {"POD": 0, "CONTAINER": 1, "NODE": 2, "TARGET": 3}

NAMESPACE_OPTION = {1: ("network", UINT), 2: ("pid", UINT), 3: ("ipc", UINT),
                    4: ("target_id", STR)}
POD_METADATA = {1: ("name", STR), 2: ("uid", STR), 3: ("namespace", STR),
                4: ("attempt", UINT)}
POD_CONFIG = {
    1: ("metadata", POD_METADATA),
    2: ("hostname", STR),
    3: ("log_directory", STR),
    6: ("labels", MAP),
    7: ("annotations", MAP),
    8: ("linux", {
        1: ("cgroup_parent", STR),
        2: ("security_context", {1: ("namespace_options", NAMESPACE_OPTION),
                                 6: ("privileged", BOOL)}),
    }),
}
IMAGE_SPEC = {1: ("image", STR), 2: ("annotations", MAP)}
CONTAINER_METADATA = {1: ("name", STR), 2: ("attempt", UINT)}
CONTAINER_CONFIG = {
    1: ("metadata", CONTAINER_METADATA),
    2: ("image", IMAGE_SPEC),
    3: ("command", [STR]),
    4: ("args", [STR]),
    9: ("labels", MAP),
    10: ("annotations", MAP),
    11: ("log_path", STR),
    15: ("linux", {2: ("security_context", {
        1: ("capabilities", {1: ("add_capabilities", [STR]),
                             2: ("drop_capabilities", [STR])}),
        2: ("privileged", BOOL),
        3: ("namespace_options", NAMESPACE_OPTION),
        11: ("no_new_privs", BOOL),
    })}),
}
POD_SANDBOX_STATUS = {
    1: ("id", STR), 2: ("metadata", POD_METADATA), 3: ("state", UINT),
    4: ("created_at", INT64), 5: ("network", {1: ("ip", STR)}),
    6: ("linux", {1: ("namespaces", {2: ("options", NAMESPACE_OPTION)})}),
    7: ("labels", MAP), 8: ("annotations", MAP), 9: ("runtime_handler", STR),
}
CONTAINER_STATUS = {
    1: ("id", STR), 2: ("metadata", CONTAINER_METADATA), 3: ("state", UINT),
    4: ("created_at", INT64), 5: ("started_at", INT64),
    6: ("finished_at", INT64), 7: ("exit_code", UINT),
    8: ("image", IMAGE_SPEC), 9: ("image_ref", STR), 10: ("reason", STR),
    11: ("message", STR), 12: ("labels", MAP), 13: ("annotations", MAP),
}
CONTAINER = {
    1: ("id", STR), 2: ("pod_sandbox_id", STR), 3: ("metadata", CONTAINER_METADATA),
    4: ("image", IMAGE_SPEC), 5: ("image_ref", STR), 6: ("state", UINT),
    8: ("labels", MAP), 9: ("annotations", MAP),
}
POD_SANDBOX = {1: ("id", STR), 2: ("metadata", POD_METADATA), 3: ("state", UINT),
               5: ("labels", MAP), 6: ("annotations", MAP)}
IMAGE = {1: ("id", STR), 2: ("repo_tags", [STR]), 3: ("repo_digests", [STR]),
         4: ("size", UINT)}
CONTAINER_ID = {1: ("container_id", STR)}
POD_ID = {1: ("pod_sandbox_id", STR)}
EMPTY = {}

# method: (service, request, response)
METHODS = {
    "Version": ("RuntimeService", {1: ("version", STR)},
                {1: ("version", STR), 2: ("runtime_name", STR),
                 3: ("runtime_version", STR), 4: ("runtime_api_version", STR)}),
    "Status": ("RuntimeService", {1: ("verbose", BOOL)},
               {1: ("status", {1: ("conditions", [{
                   1: ("type", STR), 2: ("status", BOOL), 3: ("reason", STR),
                   4: ("message", STR)}])}),
                2: ("info", MAP)}),
    "RunPodSandbox": ("RuntimeService",
                      {1: ("config", POD_CONFIG), 2: ("runtime_handler", STR)}, POD_ID),
    "StopPodSandbox": ("RuntimeService", POD_ID, EMPTY),
    "RemovePodSandbox": ("RuntimeService", POD_ID, EMPTY),
    "PodSandboxStatus": ("RuntimeService", {1: ("pod_sandbox_id", STR), 2: ("verbose", BOOL)},
                         {1: ("status", POD_SANDBOX_STATUS), 2: ("info", MAP)}),
    "ListPodSandbox": ("RuntimeService", {1: ("filter", {1: ("id", STR)})},
                       {1: ("items", [POD_SANDBOX])}),
    "CreateContainer": ("RuntimeService",
                        {1: ("pod_sandbox_id", STR), 2: ("config", CONTAINER_CONFIG),
                         3: ("sandbox_config", POD_CONFIG)}, CONTAINER_ID),
    "StartContainer": ("RuntimeService", CONTAINER_ID, EMPTY),
    "StopContainer": ("RuntimeService", {1: ("container_id", STR), 2: ("timeout", INT64)}, EMPTY),
    "RemoveContainer": ("RuntimeService", CONTAINER_ID, EMPTY),
    "ContainerStatus": ("RuntimeService", {1: ("container_id", STR), 2: ("verbose", BOOL)},
                        {1: ("status", CONTAINER_STATUS), 2: ("info", MAP)}),
    "ListContainers": ("RuntimeService",
                       {1: ("filter", {1: ("id", STR), 3: ("pod_sandbox_id", STR)})},
                       {1: ("containers", [CONTAINER])}),
    "ImageStatus": ("ImageService", {1: ("image", IMAGE_SPEC), 2: ("verbose", BOOL)},
                    {1: ("image", IMAGE), 2: ("info", MAP)}),
    "RemoveImage": ("ImageService", {1: ("image", IMAGE_SPEC)}, EMPTY),
}


# --- encoding -------------------------------------------------------------

def varint(n):
    if n < 0:
        n += 1 << 64            # int64: two's complement, ten bytes
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(num, wire):
    return varint(num << 3 | wire)


def delimited(num, data):
    return key(num, 2) + varint(len(data)) + data


def encode_value(num, typ, value):
    if isinstance(typ, dict):
        return delimited(num, encode(typ, value))
    if typ == MAP:
        return b"".join(delimited(num, delimited(1, k.encode()) + delimited(2, str(v).encode()))
                        for k, v in sorted(value.items()))
    if typ == STR:
        return delimited(num, value.encode())
    if typ == BOOL:
        return key(num, 0) + varint(1 if value else 0)
    if typ == UINT and isinstance(value, str):      # an enum by its name
        value = NAMESPACE_MODES[value]
    return key(num, 0) + varint(int(value))


def encode(schema, obj):
    """The message @obj (a dict by field name) in proto3 wire format."""
    names = {name: (num, typ) for num, (name, typ) in schema.items()}
    out = b""
    for name, value in obj.items():
        if name not in names:
            raise ValueError("no field %r here (fields: %s)" % (name, ", ".join(sorted(names))))
        num, typ = names[name]
        if isinstance(typ, list):
            out += b"".join(encode_value(num, typ[0], v) for v in value)
        else:
            out += encode_value(num, typ, value)
    return out


# --- decoding -------------------------------------------------------------

def read_varint(data, pos):
    n = shift = 0
    while True:
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, pos


def fields(data):
    """(number, wire type, value) of each field of a message, in order."""
    pos = 0
    while pos < len(data):
        k, pos = read_varint(data, pos)
        num, wire = k >> 3, k & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 2:
            n, pos = read_varint(data, pos)
            value, pos = data[pos:pos + n], pos + n
        elif wire == 1:
            value, pos = struct.unpack_from("<Q", data, pos)[0], pos + 8
        elif wire == 5:
            value, pos = struct.unpack_from("<I", data, pos)[0], pos + 4
        else:
            raise ValueError("wire type %d at byte %d" % (wire, pos))
        yield num, wire, value


def decode_value(typ, value):
    if isinstance(typ, dict):
        return decode(typ, value)
    if typ == STR:
        return value.decode("utf-8", "replace")
    if typ == BOOL:
        return bool(value)
    if typ == INT64 and value >= 1 << 63:
        return value - (1 << 64)
    return value


def decode(schema, data):
    """A message as a dict by field name; fields not in @schema are skipped."""
    obj = {}
    for num, _, value in fields(data):
        if num not in schema:
            continue
        name, typ = schema[num]
        if typ == MAP:
            entry = {n: v.decode("utf-8", "replace") for n, _, v in fields(value)}
            obj.setdefault(name, {})[entry.get(1, "")] = entry.get(2, "")
        elif isinstance(typ, list):
            obj.setdefault(name, []).append(decode_value(typ[0], value))
        else:
            obj[name] = decode_value(typ, value)
    return obj


def json_values(m):
    """The verbose calls' info maps hold JSON documents: decode those that are."""
    out = {}
    for k, v in m.items():
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


def main(argv):
    if len(argv) not in (3, 4) or argv[2] not in METHODS:
        sys.stderr.write("usage: cri.py SOCKET METHOD [JSON]\nmethods: %s\n" % " ".join(sorted(METHODS)))
        return 2
    sock, method = argv[1], argv[2]
    service, req_schema, resp_schema = METHODS[method]
    request = encode(req_schema, json.loads(argv[3]) if len(argv) == 4 else {})
    with grpc.insecure_channel("unix://" + sock) as channel:
        call = channel.unary_unary("/runtime.v1.%s/%s" % (service, method),
                                   request_serializer=None, response_deserializer=None)
        try:
            reply = call(request, timeout=120)
        except grpc.RpcError as e:
            sys.stderr.write("%s: %s: %s\n" % (method, e.code().name, e.details()))
            return 1
    out = decode(resp_schema, reply)
    if "info" in out:
        out["info"] = json_values(out["info"])
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
