// CustomResourceDefinition validation (upstream apiextensions-apiserver
// pkg/apis/apiextensions/validation): names, group, scope, versions. Schema structure
// (structural-schema rules, CEL) is not checked here.

extension Validation {
    /// Validates a CRD on create.
    public static func validateCustomResourceDefinition(_ crd: CustomResourceDefinition) -> FieldErrorList {
        var errors = validateObjectMeta(crd.metadata, namespaced: false, kubeFinalizers: false)
        let spec = crd.spec
        if (crd.metadata.name ?? "") != spec.names.plural + "." + spec.group {
            errors.append(.invalid("metadata.name", crd.metadata.name ?? "", "must be spec.names.plural+\".\"+spec.group"))
        }
        let path: FieldPath = "spec"
        if spec.group.isEmpty {
            errors.append(.required(path.child("group")))
        } else if !isDNS1123Subdomain(spec.group).isEmpty {
            errors.append(.invalid(path.child("group"), spec.group, isDNS1123Subdomain(spec.group).joined(separator: ",")))
        } else if spec.group.split(separator: ".", omittingEmptySubsequences: false).count < 2 {
            errors.append(.invalid(path.child("group"), spec.group, "should be a domain with at least one dot"))
        }
        if spec.scope.isEmpty {
            errors.append(.required(path.child("scope")))
        } else if spec.scope != "Namespaced" && spec.scope != "Cluster" {
            errors.append(.invalid(path.child("scope"), spec.scope, "must be either Namespaced or Cluster"))
        }
        var storage = 0
        var seen = Set<String>()
        for (i, version) in spec.versions.enumerated() {
            let vPath = path.child("versions").index(i)
            if version.storage { storage += 1 }
            if !seen.insert(version.name).inserted {
                errors.append(.invalid(vPath.child("name"), version.name, "must be unique"))
            }
            let messages = isDNS1035Label(version.name)
            if !messages.isEmpty { errors.append(.invalid(vPath.child("name"), version.name, messages.joined(separator: ","))) }
        }
        if storage != 1 {
            errors.append(.invalid(path.child("versions"), rendered: "[]apiextensions.CustomResourceDefinitionVersion{...}",
                                   "must have exactly one version marked as storage version"))
        }
        let names = spec.names, nPath = path.child("names")
        func dns1035(_ value: String?, _ field: FieldPath, mixedCase: Bool) {
            guard let value, !value.isEmpty else { return }
            let messages = isDNS1035Label(mixedCase ? value.lowercased() : value)
            if !messages.isEmpty {
                errors.append(.invalid(field, value, (mixedCase ? "may have mixed case, but should otherwise match: " : "")
                                        + messages.joined(separator: ",")))
            }
        }
        dns1035(names.plural, nPath.child("plural"), mixedCase: false)
        dns1035(names.singular, nPath.child("singular"), mixedCase: false)
        dns1035(names.kind, nPath.child("kind"), mixedCase: true)
        dns1035(names.listKind, nPath.child("listKind"), mixedCase: true)
        for (i, shortName) in (names.shortNames ?? []).enumerated() {
            dns1035(shortName, nPath.child("shortNames").index(i), mixedCase: false)
        }
        if !names.kind.isEmpty && names.kind == names.listKind {
            errors.append(.invalid(nPath.child("listKind"), names.listKind ?? "", "kind and listKind may not be the same"))
        }
        for (i, category) in (names.categories ?? []).enumerated() {
            dns1035(category, nPath.child("categories").index(i), mixedCase: false)
        }
        if names.plural.isEmpty { errors.append(.required(nPath.child("plural"))) }
        if (names.singular ?? "").isEmpty { errors.append(.required(nPath.child("singular"))) }
        if names.kind.isEmpty { errors.append(.required(nPath.child("kind"))) }
        if (names.listKind ?? "").isEmpty { errors.append(.required(nPath.child("listKind"))) }
        if let conversion = spec.conversion, conversion.strategy != "None" && conversion.strategy != "Webhook" {
            errors.append(.notSupported(path.child("conversion.strategy"), conversion.strategy, supported: ["None", "Webhook"]))
        }
        return errors
    }

    /// CRD updates: group and plural are immutable; scope and kind too once the CRD is
    /// Established; no stored version may be removed from `spec.versions`.
    public static func validateCustomResourceDefinitionUpdate(_ crd: CustomResourceDefinition,
                                                              old: CustomResourceDefinition) -> FieldErrorList {
        var errors = validateObjectMetaUpdate(crd.metadata, old: old.metadata, kubeFinalizers: false)
        errors += validateCustomResourceDefinition(crd).filter { $0.field.description.hasPrefix("spec") }
        let established = old.status.conditions?.contains { $0.type == "Established" && $0.status == "True" } == true
        if established {
            if crd.spec.scope != old.spec.scope { errors.append(.immutable("spec.scope", rendered: GoSyntax.quote(crd.spec.scope))) }
            if crd.spec.names.kind != old.spec.names.kind {
                errors.append(.immutable("spec.names.kind", rendered: GoSyntax.quote(crd.spec.names.kind)))
            }
        }
        if crd.spec.group != old.spec.group { errors.append(.immutable("spec.group", rendered: GoSyntax.quote(crd.spec.group))) }
        if crd.spec.names.plural != old.spec.names.plural {
            errors.append(.immutable("spec.names.plural", rendered: GoSyntax.quote(crd.spec.names.plural)))
        }
        let versions = Set(crd.spec.versions.map(\.name))
        for (i, stored) in (crd.status.storedVersions ?? []).enumerated() where !versions.contains(stored) {
            errors.append(.invalid(FieldPath(stringLiteral: "status.storedVersions").index(i), stored,
                                   "must appear in spec.versions"))
        }
        return errors
    }
}
