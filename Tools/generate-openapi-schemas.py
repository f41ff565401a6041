#!/usr/bin/env python3
"""Generates the schemas of the API server's OpenAPI v3 documents from Kubernetes' own API schema.

    python3 Tools/generate-openapi-schemas.py [path/to/kubernetes-1.32-definitions.json]

Reads the JSON Schema definitions (default: ../shared/data/kubernetes-1.32-definitions.json), keeps
the kinds Bosun serves (generate-api-types.py's RESOURCES, their lists, the subresource kinds and
the meta kinds every group version's operations name) with every definition they reach, turns them
back into OpenAPI v3 component schemas as kube-apiserver serves them, and writes
Sources/BosunAPIServer/Discovery/Generated/OpenAPISchemas+Generated.swift: one JSON object, name to schema,
in a string literal (so the binary carries it and `swift build` needs nothing else). The output is
committed; run this again after changing the generator or the schema, never edit it by hand.

The conversion undoes what the JSON Schema form added and restores upstream's OpenAPI v3 shape:
- `"type": ["string", "null"]` becomes `"type": "string"` (optionality is `required`'s business);
- `$ref`s point at `#/components/schemas/...`; a reference with siblings (a description, an
  extension) is wrapped in `allOf`, as kube-openapi's v3 builder writes it, because OpenAPI 3.0
  ignores the siblings of a bare `$ref`;
- the `enum` the JSON Schema form puts on `apiVersion` and `kind` is dropped;
- `IntOrString` regains `format: int-or-string`, and the descriptions its conversion lost;
- every `x-kubernetes-*` extension (group-version-kind, patch merge key and strategy, list type
  and map keys, map type, unions, int-or-string, preserve-unknown-fields) is kept as it is.
Descriptions are upstream's API documentation (Apache-2.0), served as kube-apiserver serves them,
because `kubectl explain` prints them.
"""
import importlib.util
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources/BosunAPIServer/Discovery/Generated/OpenAPISchemas+Generated.swift")
DEFAULT_SCHEMA = os.path.join(ROOT, "..", "shared", "data", "kubernetes-1.32-definitions.json")
REF_PREFIX = "#/$defs/"
V3_PREFIX = "#/components/schemas/"

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
# Kinds every group version's operations name (deletes, errors, watches, discovery), and the
# subresources' kinds.
ALWAYS = [META + n for n in ("DeleteOptions", "Status", "WatchEvent", "APIResourceList", "Patch")] + [
    "io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.policy.v1.Eviction", "io.k8s.api.core.v1.Binding",
]

# Definitions whose JSON Schema form lost what upstream's OpenAPI v3 document has.
RESTORED = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "description": "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML "
                       "marshalling and unmarshalling, it produces or consumes the inner type.  This allows you "
                       "to have, for example, a JSON field that can accept a name or number.",
        "format": "int-or-string",
        "oneOf": [{"type": "integer"}, {"type": "string"}],
    },
}


def load_api_types():
    spec = importlib.util.spec_from_file_location("api_types", os.path.join(ROOT, "Tools", "generate-api-types.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def served_kinds(defs, api_types):
    """Definition names of the served kinds and their lists, in the group versions served."""
    out = []
    for name, schema in defs.items():
        if not any(name.startswith(prefix) for prefix in api_types.GROUPS):
            continue
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            kind = gvk["kind"]
            if (gvk["group"], kind) in api_types.RESOURCES or \
                    kind.endswith("List") and (gvk["group"], kind[:-4]) in api_types.RESOURCES:
                out.append(name)
    return out


def convert(schema, key=None):
    """One schema (or sub-schema) in OpenAPI v3 form."""
    if isinstance(schema, list):
        return [convert(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "type" and isinstance(v, list):
            kept = [t for t in v if t != "null"]
            out[k] = kept[0] if len(kept) == 1 else kept
        elif k == "$ref" and isinstance(v, str) and v.startswith(REF_PREFIX):
            out[k] = V3_PREFIX + v[len(REF_PREFIX):]
        elif k == "properties":
            out[k] = {name: convert(p, name) for name, p in v.items()}
        elif k == "enum" and key in ("apiVersion", "kind"):
            continue
        else:
            out[k] = convert(v)
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


def references(schema, found):
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(REF_PREFIX):
                found.add(v[len(REF_PREFIX):])
            else:
                references(v, found)
    elif isinstance(schema, list):
        for v in schema:
            references(v, found)


def closure(defs, roots):
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found = set()
        references(defs[name], found)
        todo.extend(found - seen)
    return sorted(seen)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SCHEMA
    with open(path) as f:
        defs = json.load(f)["$defs"]
    names = closure(defs, served_kinds(defs, load_api_types()) + ALWAYS)
    schemas = {}
    for name in names:
        schemas[name] = RESTORED.get(name) or convert(defs[name])
    # One schema per line keeps the diffs of a regeneration readable.
    lines = [json.dumps(name) + ":" + json.dumps(schemas[name], separators=(",", ":"), sort_keys=True)
             for name in names]
    body = "{\n" + ",\n".join(lines) + "\n}"
    if '"""#' in body:
        raise SystemExit("schema text would end the raw string literal")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("// Generated by Tools/generate-openapi-schemas.py from Kubernetes 1.32's API schema. Do not edit.\n")
        f.write("// Descriptions: the Kubernetes API documentation, Apache-2.0, (c) The Kubernetes Authors.\n\n")
        f.write("extension OpenAPISchemas {\n")
        f.write("    /// The component schemas of the built-in kinds, by definition name, as JSON.\n")
        f.write("    static let builtinJSON = #\"\"\"\n")
        f.write(body)
        f.write("\n\"\"\"#\n}\n")
    print(f"{len(names)} schemas, {os.path.getsize(OUT)} bytes -> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
