#!/usr/bin/env python3
"""Generates BosunKit's Kubernetes API types from Kubernetes' own API schema.

    python3 Tools/generate-api-types.py [path/to/kubernetes-1.32-definitions.json]

Reads the JSON Schema definitions (default: ../shared/data/kubernetes-1.32-definitions.json) and
writes one Swift file per API group version into Plugins/BosunKit/Sources/BosunKit/Generated/,
plus the strategic-merge-patch metadata. The output is committed; run this again after changing
the generator or the schema, never edit the output by hand.

Mapping rules (documented in docs/api-types.md):
- every object definition becomes a struct; fields the schema marks required are non-optional
  (missing ones decode to their empty value), all others are optional and omitted when nil;
- members the schema does not know survive decoding in `unknownFields` and are written back;
- kinds with one group-version-kind get `apiVersion`/`kind` as static constants, always written;
- a kind's `metadata`, `spec` and `status` are non-optional; `spec`/`status` are omitted when empty;
- structs with many fields, or on a direct reference cycle, keep their fields in a copy-on-write
  box so copies stay cheap and recursion is possible.
"""
import json
import keyword
import os
import re
import sys
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Plugins/BosunKit/Sources/BosunKit/Generated")
DEFAULT_SCHEMA = os.path.join(ROOT, "..", "shared", "data", "kubernetes-1.32-definitions.json")

# Group versions generated, in name-priority order: on a name clash the earlier one keeps the
# plain name and later ones are prefixed (events.k8s.io/v1 Event -> EventsV1Event).
GROUPS = OrderedDict([
    ("io.k8s.api.core.v1.", ("", "v1", "CoreV1")),
    ("io.k8s.apimachinery.pkg.apis.meta.v1.", ("meta", "v1", "MetaV1")),
    ("io.k8s.api.apps.v1.", ("apps", "v1", "AppsV1")),
    ("io.k8s.api.batch.v1.", ("batch", "v1", "BatchV1")),
    ("io.k8s.api.autoscaling.v1.", ("autoscaling", "v1", "AutoscalingV1")),
    ("io.k8s.api.coordination.v1.", ("coordination.k8s.io", "v1", "CoordinationV1")),
    ("io.k8s.api.policy.v1.", ("policy", "v1", "PolicyV1")),
    ("io.k8s.api.events.v1.", ("events.k8s.io", "v1", "EventsV1")),
    ("io.k8s.api.storage.v1.", ("storage.k8s.io", "v1", "StorageV1")),
    ("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.", ("apiextensions.k8s.io", "v1", "ApiextensionsV1")),
])

# Groups of which only some definitions are generated (the local volume provisioner needs
# StorageClass; CSI drivers and volume attachments have no use here).
ONLY = {
    "io.k8s.api.storage.v1.": {"StorageClass", "StorageClassList"},
}

# Definitions that map to hand-written BosunKit types.
SPECIAL = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "JSONValue",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "JSONValue",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": "JSONValue",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "JSONValue",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": "JSONValue",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": "JSONValue",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": "JSONValue",
}

# REST facts the schema does not carry: plural, scope, short names, categories, subresources.
# Checked against `kubectl api-resources` of Kubernetes 1.32.
RESOURCES = {
    # kind: (plural, namespaced, shortNames, categories, subresources)
    ("", "Pod"): ("pods", True, ["po"], ["all"], ["status", "binding", "eviction", "log", "ephemeralcontainers", "resize"]),
    ("", "Node"): ("nodes", False, ["no"], [], ["status"]),
    ("", "Namespace"): ("namespaces", False, ["ns"], [], ["status", "finalize"]),
    ("", "Event"): ("events", True, ["ev"], [], []),
    ("", "ConfigMap"): ("configmaps", True, ["cm"], [], []),
    ("", "Secret"): ("secrets", True, [], [], []),
    ("", "Service"): ("services", True, ["svc"], ["all"], ["status"]),
    ("", "ServiceAccount"): ("serviceaccounts", True, ["sa"], [], ["token"]),
    ("", "Endpoints"): ("endpoints", True, ["ep"], [], []),
    ("", "PersistentVolumeClaim"): ("persistentvolumeclaims", True, ["pvc"], [], ["status"]),
    ("", "PersistentVolume"): ("persistentvolumes", False, ["pv"], [], ["status"]),
    ("", "ReplicationController"): ("replicationcontrollers", True, ["rc"], ["all"], ["status", "scale"]),
    ("", "PodTemplate"): ("podtemplates", True, [], [], []),
    ("", "LimitRange"): ("limitranges", True, ["limits"], [], []),
    ("", "ResourceQuota"): ("resourcequotas", True, ["quota"], [], ["status"]),
    ("", "ComponentStatus"): ("componentstatuses", False, ["cs"], [], []),
    ("apps", "Deployment"): ("deployments", True, ["deploy"], ["all"], ["status", "scale"]),
    ("apps", "ReplicaSet"): ("replicasets", True, ["rs"], ["all"], ["status", "scale"]),
    ("apps", "StatefulSet"): ("statefulsets", True, ["sts"], ["all"], ["status", "scale"]),
    ("apps", "DaemonSet"): ("daemonsets", True, ["ds"], ["all"], ["status"]),
    ("apps", "ControllerRevision"): ("controllerrevisions", True, [], [], []),
    ("batch", "Job"): ("jobs", True, [], ["all"], ["status"]),
    ("batch", "CronJob"): ("cronjobs", True, ["cj"], ["all"], ["status"]),
    ("autoscaling", "HorizontalPodAutoscaler"): ("horizontalpodautoscalers", True, ["hpa"], ["all"], ["status"]),
    ("coordination.k8s.io", "Lease"): ("leases", True, [], [], []),
    ("policy", "PodDisruptionBudget"): ("poddisruptionbudgets", True, ["pdb"], [], ["status"]),
    ("events.k8s.io", "Event"): ("events", True, ["ev"], [], []),
    ("storage.k8s.io", "StorageClass"): ("storageclasses", False, ["sc"], [], []),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): ("customresourcedefinitions", False, ["crd", "crds"], ["api-extensions"], ["status"]),
}

SWIFT_RESERVED_TYPES = {"Type", "Protocol", "Self", "Any", "Error", "Result", "Never", "Set", "Array", "Dictionary",
                        "String", "Int", "Bool", "Double", "Optional", "Selector"}
SWIFT_KEYWORDS = set(keyword.kwlist) | {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
    "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
    "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default",
    "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
    "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true",
    "try", "Type", "Protocol",
}
BOX_THRESHOLD = 8

# Types whose `encode(to:)` is written by hand around the generated `encodeMembers(to:)`: a pod
# spec's JSON is remembered for specs sharing storage (BosunKit's PodSpec+Encoding.swift).
HANDWRITTEN_ENCODE = {"PodSpec"}


def ref_name(ref):
    return ref.split("/")[-1]


class Generator:
    def __init__(self, defs):
        self.defs = defs
        self.selected = [k for k in defs if any(k.startswith(g) for g in GROUPS) and k not in SPECIAL
                         and all(not k.startswith(g) or k[len(g):] in names for g, names in ONLY.items())]
        self.names = {}
        self.group_of = {}
        taken = set()
        for prefix, (group, version, tag) in GROUPS.items():
            for k in self.selected:
                if not k.startswith(prefix):
                    continue
                short = k[len(prefix):]
                name = short if short not in taken and short not in SWIFT_RESERVED_TYPES else tag + short
                taken.add(name)
                self.names[k] = name
                self.group_of[k] = prefix
        self.boxed = self.compute_boxed()
        # Types of a kind's spec or status, which encoding omits when empty.
        by_name = {n: k for k, n in self.names.items()}
        self.top_types = {by_name[f["type"]] for k in self.selected if self.gvk(k)
                          for f in self.fields(k) if f["top"] and f["type"] in by_name}

    # -- types ---------------------------------------------------------------------------------
    def swift_type(self, schema):
        """Swift type for a property schema (without optionality)."""
        if "$ref" in schema and isinstance(schema["$ref"], str):
            r = ref_name(schema["$ref"])
            if r in SPECIAL:
                return SPECIAL[r]
            if r not in self.names:
                raise SystemExit(f"unselected reference {r}")
            return self.names[r]
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.swift_type(schema["allOf"][0])
        t = schema.get("type")
        if isinstance(t, list):
            t = [x for x in t if x != "null"]
            t = t[0] if len(t) == 1 else None
        fmt = schema.get("format")
        if t == "string":
            return "String"
        if t == "boolean":
            return "Bool"
        if t == "integer":
            return "Int32" if fmt == "int32" else "Int64"
        if t == "number":
            return "Double"
        if t == "array":
            return "[" + self.swift_type(schema["items"]) + "]"
        if t == "object" and "additionalProperties" in schema:
            ap = schema["additionalProperties"]
            if isinstance(ap, dict) and ap:
                return "[String: " + self.swift_type(ap) + "]"
            return "JSONObject"
        return "JSONValue"

    def direct_refs(self, key):
        out = set()
        for p in (self.defs[key].get("properties") or {}).values():
            if "$ref" in p and isinstance(p["$ref"], str):
                r = ref_name(p["$ref"])
                if r in self.names:
                    out.add(r)
            if "allOf" in p:
                for a in p["allOf"]:
                    if "$ref" in a:
                        out.add(ref_name(a["$ref"]))
        return out

    def compute_boxed(self):
        boxed = {k for k in self.selected if len(self.defs[k].get("properties") or {}) > BOX_THRESHOLD}
        # Any struct on a cycle of direct (inline) references must be boxed, or it has infinite size.
        changed = True
        while changed:
            changed = False
            for k in self.selected:
                if k in boxed:
                    continue
                if self.reaches_inline(k, k, set(), boxed):
                    boxed.add(k)
                    changed = True
        return boxed

    def reaches_inline(self, start, node, seen, boxed):
        for r in self.direct_refs(node):
            if r == start:
                return True
            if r in seen or r in boxed:
                continue
            seen.add(r)
            if self.reaches_inline(start, r, seen, boxed):
                return True
        return False

    # -- per-definition model ------------------------------------------------------------------
    def gvk(self, key):
        g = self.defs[key].get("x-kubernetes-group-version-kind")
        if g and len(g) == 1:
            return g[0]
        return None

    def fields(self, key):
        d = self.defs[key]
        props = d.get("properties") or {}
        required = set(d.get("required") or [])
        gvk = self.gvk(key)
        out = []
        for json_name, p in props.items():
            if gvk and json_name in ("apiVersion", "kind"):
                continue
            swift_name = self.swift_name(json_name)
            st = self.swift_type(p)
            top = gvk is not None and json_name in ("metadata", "spec", "status") and "$ref" in p
            req = json_name in required or top
            out.append(dict(json=json_name, swift=swift_name, type=st, required=req, top=top and json_name != "metadata"))
        # Required first so member-wise initialisers read naturally: Container(name:image:).
        order = {"metadata": 0, "spec": 1, "status": 2}
        out.sort(key=lambda f: (order.get(f["json"], 3) if gvk else 3, not f["required"], f["json"]))
        return out

    @staticmethod
    def swift_name(json_name):
        n = json_name.lstrip("$")
        parts = re.split(r"[-_.]", n)
        n = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
        if n in SWIFT_KEYWORDS:
            return f"`{n}`"
        return n

    @staticmethod
    def default_value(t):
        if t.startswith("["):
            return "[:]" if ": " in t else "[]"
        return {
            "String": '""', "Bool": "false", "Int32": "0", "Int64": "0", "Double": "0",
            "JSONValue": ".null", "JSONObject": "JSONObject()", "Quantity": "Quantity()",
            "IntOrString": ".int(0)", "Time": "Time()", "MicroTime": "MicroTime()",
        }.get(t, t + "()")

    # -- emission --------------------------------------------------------------------------------
    def emit_struct(self, key):
        d = self.defs[key]
        name = self.names[key]
        fields = self.fields(key)
        gvk = self.gvk(key)
        boxed = key in self.boxed
        L = []
        summary = self.summary(d, name)
        L.append(f"/// {summary}")
        L.append(f"///")
        L.append(f"/// Generated from `{key}`.")
        L.append(f"public struct {name}: Sendable, Hashable {{")
        if gvk:
            api_version = gvk["version"] if gvk["group"] == "" else f"{gvk['group']}/{gvk['version']}"
            L.append(f'    public static let apiVersion = "{api_version}"')
            L.append(f'    public static let kind = "{gvk["kind"]}"')
            L.append("")
        if key in self.top_types:
            # What an omitted spec or status decodes to; encoding compares against it rather than
            # building an empty value for every object written.
            L.append(f"    static let _empty = {name}()")
            L.append("")
        decl = lambda f: f"{f['swift']}: {f['type']}" + ("" if f["required"] else "?")
        if boxed:
            L.append("    final class _Storage: @unchecked Sendable {")
            for f in fields:
                init = f" = {self.default_value(f['type'])}" if f["required"] else ""
                L.append(f"        var {decl(f)}{init}")
            L.append("        var unknownFields: JSONObject?")
            L.append("        init() {}")
            L.append("        func copy() -> _Storage {")
            L.append("            let c = _Storage()")
            for f in fields:
                L.append(f"            c.{f['swift']} = {f['swift']}")
            L.append("            c.unknownFields = unknownFields")
            L.append("            return c")
            L.append("        }")
            L.append("    }")
            L.append("")
            L.append("    var _storage: _Storage")
            L.append("")
            L.append("    mutating func _unique() -> _Storage {")
            L.append("        if !isKnownUniquelyReferenced(&_storage) { _storage = _storage.copy() }")
            L.append("        return _storage")
            L.append("    }")
            L.append("")
            for f in fields:
                L.append(f"    public var {decl(f)} {{")
                L.append(f"        get {{ _storage.{f['swift']} }}")
                L.append(f"        set {{ _unique().{f['swift']} = newValue }}")
                L.append("    }")
            L.append("    /// Members the schema does not know, kept so a round trip loses nothing.")
            L.append("    public var unknownFields: JSONObject? {")
            L.append("        get { _storage.unknownFields }")
            L.append("        set { _unique().unknownFields = newValue }")
            L.append("    }")
        else:
            for f in fields:
                init = f" = {self.default_value(f['type'])}" if f["required"] else ""
                L.append(f"    public var {decl(f)}{init}")
            L.append("    /// Members the schema does not know, kept so a round trip loses nothing.")
            L.append("    public var unknownFields: JSONObject?")
        L.append("")
        # Member-wise initialiser.
        params = []
        for f in fields:
            dv = self.default_value(f["type"]) if f["required"] else "nil"
            params.append(f"{f['swift']}: {f['type']}{'' if f['required'] else '?'} = {dv}")
        params.append("unknownFields: JSONObject? = nil")
        L.append("    public init(")
        L.append(",\n".join("        " + p for p in params))
        L.append("    ) {")
        if boxed:
            L.append("        let s = _Storage()")
            for f in fields:
                L.append(f"        s.{f['swift']} = {f['swift']}")
            L.append("        s.unknownFields = unknownFields")
            L.append("        _storage = s")
        else:
            for f in fields:
                L.append(f"        self.{f['swift']} = {f['swift']}")
            L.append("        self.unknownFields = unknownFields")
        L.append("    }")
        if boxed:
            L.append("")
            L.append(f"    public static func == (lhs: {name}, rhs: {name}) -> Bool {{")
            L.append("        if lhs._storage === rhs._storage { return true }")
            L.append("        let a = lhs._storage, b = rhs._storage")
            conds = [f"a.{f['swift']} == b.{f['swift']}" for f in fields] + ["a.unknownFields == b.unknownFields"]
            L.append("        return " + "\n            && ".join(conds))
            L.append("    }")
            L.append("")
            L.append("    public func hash(into hasher: inout Hasher) {")
            L.append("        let s = _storage")
            for f in fields:
                L.append(f"        hasher.combine(s.{f['swift']})")
            L.append("        hasher.combine(s.unknownFields)")
            L.append("    }")
        L.append("}")
        L.append("")
        # JSON conformance.
        L.append(f"extension {name}: JSONCodable {{")
        L.append("    public init(json: JSONValue) throws(JSONDecodingError) {")
        L.append("        let object = try JSONField.object(json)")
        target = "s" if boxed else "self"
        if boxed:
            L.append("        let s = _Storage()")
        else:
            L.append("        self.init()")
        # Keys are bucketed by UTF-8 length first (O(1) for native strings), so each member costs
        # one or two short string comparisons instead of a scan over every field name.
        cases = []
        if gvk:
            cases.append(("apiVersion", 'try JSONField.expect(member.value, Self.apiVersion, key: "apiVersion")'))
            cases.append(("kind", 'try JSONField.expect(member.value, Self.kind, key: "kind")'))
        for f in fields:
            fn = "decode" if f["required"] else "decodeOptional"
            cases.append((f["json"], f'{target}.{f["swift"]} = try JSONField.{fn}({f["type"]}.self, member.value, key: "{f["json"]}")'))
        unknown = f"{target}.unknownFields = JSONField.appending(member, to: {target}.unknownFields)"
        L.append("        for member in object.members {")
        if not cases:
            L.append(f"            {unknown}")
        else:
            buckets = OrderedDict()
            for key_name, stmt in sorted(cases, key=lambda c: len(c[0].encode())):
                buckets.setdefault(len(key_name.encode()), []).append((key_name, stmt))
            L.append("            switch member.key.utf8.count {")
            for length, entries in buckets.items():
                L.append(f"            case {length}:")
                L.append("                switch member.key {")
                for key_name, stmt in entries:
                    L.append(f'                case "{key_name}": {stmt}')
                L.append(f"                default: {unknown}")
                L.append("                }")
            L.append(f"            default: {unknown}")
            L.append("            }")
        L.append("        }")
        if boxed:
            L.append("        self.init(_storage: s)")
        L.append("    }")
        L.append("")
        if name in HANDWRITTEN_ENCODE:
            L.append("    /// The JSON of this value; `encode(to:)` is written by hand around it.")
            L.append("    func encodeMembers(to writer: inout JSONWriter) {")
        else:
            L.append("    public func encode(to writer: inout JSONWriter) {")
        if boxed:
            L.append("        let s = _storage")
        src = "s" if boxed else "self"
        L.append("        writer.objectStart()")
        if gvk:
            api_version = gvk["version"] if gvk["group"] == "" else f"{gvk['group']}/{gvk['version']}"
            # Constant members written as one literal.
            L.append(f'        writer.rawMembers("\\"apiVersion\\":\\"{api_version}\\",\\"kind\\":\\"{gvk["kind"]}\\"")')
        for f in fields:
            key = f'"\\"{f["json"]}\\":"'
            if f["top"]:
                L.append(f'        if {src}.{f["swift"]} != {f["type"]}._empty {{ writer.member({key}, {src}.{f["swift"]}) }}')
            else:
                L.append(f'        writer.member({key}, {src}.{f["swift"]})')
        L.append(f"        writer.extraFields({src}.unknownFields)")
        L.append("        writer.objectEnd()")
        L.append("    }")
        L.append("}")
        if boxed:
            L.append("")
            L.append(f"extension {name} {{")
            L.append("    init(_storage: _Storage) { self._storage = _storage }")
            L.append("}")
        L.append("")
        return "\n".join(L)

    @staticmethod
    def summary(d, name):
        # Our own one-line summary; upstream's prose stays upstream.
        if d.get("x-kubernetes-group-version-kind"):
            return f"The `{name}` API object."
        return f"A `{name}` value of the Kubernetes API."

    def emit_resources(self):
        L = ["// Generated by Tools/generate-api-types.py. Do not edit.", "",
             "// REST facts for the built-in kinds: plural, scope, short names, categories, subresources.", ""]
        kinds = []
        lists = []
        for key in self.selected:
            gvk = self.gvk(key)
            if not gvk:
                continue
            name = self.names[key]
            rk = (gvk["group"], gvk["kind"])
            if rk in RESOURCES:
                plural, ns, short, cats, subs = RESOURCES[rk]
                kinds.append(name)
                L.append(f"extension {name}: Resource {{")
                L.append("    public static let resource = ResourceDescriptor(")
                L.append(f'        group: "{gvk["group"]}", version: "{gvk["version"]}", kind: "{gvk["kind"]}",')
                L.append(f'        plural: "{plural}", singular: "{gvk["kind"].lower()}", namespaced: {"true" if ns else "false"},')
                L.append(f"        shortNames: {json.dumps(short)}, categories: {json.dumps(cats)},")
                L.append(f"        subresources: {json.dumps(subs)}")
                L.append("    )")
                L.append("}")
                L.append("")
                status = next((f for f in self.fields(key) if f["json"] == "status" and f["top"]), None)
                if status:
                    L.append(f"extension {name}: StatusBearing {{")
                    L.append(f"    package static var emptyStatus: {status['type']} {{ ._empty }}")
                    L.append("}")
                    L.append("")
            elif gvk["kind"].endswith("List") and (gvk["group"], gvk["kind"][:-4]) in RESOURCES:
                item_key = key[: -len("List")]
                lists.append((name, self.names[item_key]))
        for name, item in lists:
            L.append(f"extension {name}: ResourceList {{")
            L.append(f"    public typealias Item = {item}")
            L.append("}")
            L.append("")
        L.append("extension BuiltinResources {")
        L.append("    /// Every built-in kind BosunKit knows, with its list kind.")
        L.append("    public static let all: [any Resource.Type] = [")
        for k in kinds:
            L.append(f"        {k}.self,")
        L.append("    ]")
        L.append("}")
        L.append("")
        # Kinds with one GVK that are not resources still need TypedObject (Scale, Binding, Eviction...).
        for key in self.selected:
            gvk = self.gvk(key)
            if not gvk:
                continue
            rk = (gvk["group"], gvk["kind"])
            is_list = gvk["kind"].endswith("List") and (gvk["group"], gvk["kind"][:-4]) in RESOURCES
            if rk not in RESOURCES and not is_list:
                L.append(f"extension {self.names[key]}: TypedObject {{}}")
        L.append("")
        return "\n".join(L)

    def emit_patch_metadata(self):
        """Strategic-merge-patch keys: for each struct, which list fields merge and by what key."""
        L = ["// Generated by Tools/generate-api-types.py. Do not edit.", "",
             "/// Strategic merge patch and list-type metadata from the Kubernetes schema, per generated type.",
             "/// Keys are Swift type names; values map JSON field names to their patch strategy.",
             "public enum PatchMetadata {",
             "    public static let fields: [String: [String: FieldPatchInfo]] = ["]
        for key in self.selected:
            props = self.defs[key].get("properties") or {}
            entries = []
            for json_name, p in props.items():
                strat = p.get("x-kubernetes-patch-strategy")
                mk = p.get("x-kubernetes-patch-merge-key")
                lt = p.get("x-kubernetes-list-type")
                lmk = p.get("x-kubernetes-list-map-keys")
                elem = None
                t = None
                try:
                    t = self.swift_type(p)
                except SystemExit:
                    t = None
                if t:
                    base = t.strip("[]")
                    if ": " in base:
                        base = base.split(": ")[1]
                    if base in self.names.values():
                        elem = base
                if not (strat or mk or lt or lmk or elem):
                    continue
                args = []
                if strat:
                    args.append(f'strategy: "{strat}"')
                if mk:
                    args.append(f'mergeKey: "{mk}"')
                if lt:
                    args.append(f'listType: "{lt}"')
                if lmk:
                    args.append(f"listMapKeys: {json.dumps(lmk)}")
                if elem:
                    args.append(f'elementType: "{elem}"')
                entries.append(f'"{json_name}": FieldPatchInfo({", ".join(args)})')
            if entries:
                L.append(f'        "{self.names[key]}": [')
                for e in entries:
                    L.append(f"            {e},")
                L.append("        ],")
        L.append("    ]")
        L.append("}")
        L.append("")
        return "\n".join(L)

    def emit_codable(self):
        # In a file apart from the structs, so Swift uses BosunKit's JSON-tree bridge instead of
        # synthesising a member-wise Codable that would lose Kubernetes' encoding rules.
        L = ["// Generated by Tools/generate-api-types.py. Do not edit.", "",
             "// Codable through the JSON tree (see JSONValue+Codable.swift), so custom resources written",
             "// with Codable can embed built-in types such as PodTemplateSpec.", ""]
        for key in self.selected:
            L.append(f"extension {self.names[key]}: Codable, JSONNativeCodable {{}}")
        L.append("")
        return "\n".join(L)

    def run(self):
        os.makedirs(OUT, exist_ok=True)
        for f in os.listdir(OUT):
            if f.endswith(".swift"):
                os.remove(os.path.join(OUT, f))
        by_group = OrderedDict()
        for key in self.selected:
            by_group.setdefault(self.group_of[key], []).append(key)
        for prefix, keys in by_group.items():
            tag = GROUPS[prefix][2]
            body = ["// Generated by Tools/generate-api-types.py from the Kubernetes 1.32 API schema. Do not edit.", ""]
            for key in keys:
                body.append(self.emit_struct(key))
            with open(os.path.join(OUT, f"{tag}.swift"), "w") as fh:
                fh.write("\n".join(body))
        with open(os.path.join(OUT, "BuiltinResources.swift"), "w") as fh:
            fh.write(self.emit_resources())
        with open(os.path.join(OUT, "PatchMetadata.swift"), "w") as fh:
            fh.write(self.emit_patch_metadata())
        with open(os.path.join(OUT, "Codable.swift"), "w") as fh:
            fh.write(self.emit_codable())
        print(f"generated {len(self.selected)} types ({len(self.boxed)} boxed) into {os.path.relpath(OUT, ROOT)}")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SCHEMA
    with open(path) as fh:
        defs = json.load(fh)["$defs"]
    Generator(defs).run()


if __name__ == "__main__":
    main()
