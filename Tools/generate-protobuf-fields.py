#!/usr/bin/env python3
"""Generates the protobuf field table the API server decodes Kubernetes protobuf bodies with.

    python3 Tools/generate-protobuf-fields.py path/to/kubectl-v1.32

kube-apiserver's clients send `application/vnd.kubernetes.protobuf` bodies for the built-in kinds
(client-go's typed clients, so kubectl's `create deployment|job|configmap|secret|namespace`, `drain`),
and client-go never falls back to JSON for them. Reading those bodies needs each message's field
numbers, which no schema in JSON carries. Every Go binary built with k8s.io/api 1.32 (kubectl
v1.32 is one) holds the gzipped FileDescriptorProtos of k8s.io/api's and apimachinery's
`generated.proto`, gogoproto options included: this script finds them in the binary, keeps the
packages Bosun serves and the apimachinery ones they use, and writes
Sources/BosunAPIServer/Negotiation/Generated/ProtobufFields+Generated.swift, one line per message:

    <message>|<number>:<name>:<type>[:flags];...

`type` is a scalar (`string`, `bytes`, `int32`, `int64`, `uint32`, `uint64`, `bool`, `double`,
`float`), a message name, or `map<key,value>`; flags: `r` repeated, `v` a Go value rather than a
pointer (gogoproto `nullable=false`): a value message is in Go's JSON whatever it holds, a value
scalar only when it is not zero (`omitempty`), while a pointer's zero is kept (`replicas: 0`). The output is
committed; run this again with a newer kubectl after the API changes, never edit it by hand.
"""
import os
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources/BosunAPIServer/Negotiation/Generated/ProtobufFields+Generated.swift")
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
FILES = [
    "k8s.io/api/core/v1/generated.proto",
    "k8s.io/api/apps/v1/generated.proto",
    "k8s.io/api/batch/v1/generated.proto",
    "k8s.io/api/autoscaling/v1/generated.proto",
    "k8s.io/api/coordination/v1/generated.proto",
    "k8s.io/api/policy/v1/generated.proto",
    "k8s.io/api/events/v1/generated.proto",
    "k8s.io/api/storage/v1/generated.proto",
    "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto",
    "k8s.io/apimachinery/pkg/runtime/generated.proto",
    "k8s.io/apimachinery/pkg/runtime/schema/generated.proto",
    "k8s.io/apimachinery/pkg/util/intstr/generated.proto",
    "k8s.io/apimachinery/pkg/api/resource/generated.proto",
]
# FieldDescriptorProto.Type numbers.
SCALARS = {1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 8: "bool", 9: "string", 12: "bytes",
           13: "uint32", 14: "enum", 17: "sint32", 18: "sint64"}
TYPE_MESSAGE = 11
GOGO_NULLABLE = 65001


def varint(b, i):
    result, shift = 0, 0
    while True:
        x = b[i]
        i += 1
        result |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return result, i


def fields(b):
    """(field number, value) pairs of one protobuf message."""
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            value, i = b[i:i + n], i + n
        elif wire == 1:
            value, i = b[i:i + 8], i + 8
        elif wire == 5:
            value, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        out.append((number, value))
    return out


def first(pairs, number, default=None):
    return next((v for n, v in pairs if n == number), default)


def descriptors(binary):
    found = {}
    i = 0
    while True:
        i = binary.find(GZIP_HEADER, i)
        if i < 0:
            return found
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(binary[i:i + 4_000_000])
            name = first(fields(data), 1)
            if isinstance(name, bytes) and name.endswith(b".proto"):
                found[name.decode()] = data
        except (zlib.error, ValueError, IndexError):
            pass
        i += 1


def messages(package, descriptor_messages, prefix):
    """Flattened (full name, fields, is map entry) of messages and their nested types."""
    for raw in descriptor_messages:
        pairs = fields(raw)
        name = prefix + first(pairs, 1).decode()
        options = first(pairs, 7)
        is_map = options is not None and first(fields(options), 7) == 1
        yield name, [fields(f) for n, f in pairs if n == 2], is_map
        yield from messages(package, [f for n, f in pairs if n == 3], name + ".")


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with open(sys.argv[1], "rb") as f:
        found = descriptors(f.read())
    table, maps = {}, {}
    for path in FILES:
        if path not in found:
            raise SystemExit(f"{path} is not in {sys.argv[1]}")
        pairs = fields(found[path])
        package = first(pairs, 2).decode()
        for name, field_list, is_map in messages(package, [v for n, v in pairs if n == 4], package + "."):
            (maps if is_map else table)[name] = field_list
    lines = []
    for name in sorted(table):
        out = []
        for f in table[name]:
            fname, number, label, ftype = first(f, 1).decode(), first(f, 3), first(f, 4), first(f, 5)
            options = first(f, 8)
            value_type = options is not None and first(fields(options), GOGO_NULLABLE) == 0
            if ftype == TYPE_MESSAGE:
                ref = first(f, 6).decode().lstrip(".")
                if ref in maps:
                    key, val = (entry for entry in maps[ref])
                    def kind(e):
                        t = first(e, 5)
                        return first(e, 6).decode().lstrip(".") if t == TYPE_MESSAGE else SCALARS[t]
                    typ, flags = f"map<{kind(key)},{kind(val)}>", ""
                else:
                    typ, flags = ref, ("r" if label == 3 else "") + ("v" if value_type else "")
            else:
                typ, flags = SCALARS[ftype], ("r" if label == 3 else "") + ("v" if value_type else "")
            out.append(f"{number}:{fname}:{typ}" + (":" + flags if flags else ""))
        lines.append(name + "|" + ";".join(out))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("// Generated by Tools/generate-protobuf-fields.py from the protobuf descriptors of Kubernetes 1.32. Do not edit.\n\n")
        f.write("extension ProtobufFields {\n")
        f.write("    /// One message a line: `name|number:field:type[:flags];...` (see the generator).\n")
        f.write("    static let table = #\"\"\"\n")
        f.write("\n".join(lines))
        f.write("\n\"\"\"#\n}\n")
    print(f"{len(lines)} messages, {os.path.getsize(OUT)} bytes -> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
