// Object metadata, labels, annotations, owner references, finalizers and label selectors
// (upstream apimachinery api/validation/objectmeta.go and apis/meta/v1/validation).

extension Validation {
    /// Largest total size of an object's annotation keys and values.
    public static let totalAnnotationSizeLimit = 256 * 1024

    static let standardFinalizers: Set<String> = ["kubernetes", "orphan", "foregroundDeletion"]

    /// Validates `metadata` on create. Name generation must already have happened: a missing
    /// `name` is an error. `namespaced` is the kind's scope; `kubeFinalizers` adds the core
    /// rule that an unqualified finalizer must be a standard one (built-in kinds only).
    public static func validateObjectMeta(
        _ meta: ObjectMeta, namespaced: Bool, name nameValidator: NameValidator = nameIsDNSSubdomain,
        kubeFinalizers: Bool = true, path: FieldPath = "metadata"
    ) -> FieldErrorList {
        var errors: FieldErrorList = []
        if let generateName = meta.generateName, !generateName.isEmpty {
            for message in nameValidator(generateName, true) {
                errors.append(.invalid(path.child("generateName"), generateName, message))
            }
        }
        let name = meta.name ?? ""
        if name.isEmpty {
            errors.append(.required(path.child("name"), "name or generateName is required"))
        } else {
            for message in nameValidator(name, false) {
                errors.append(.invalid(path.child("name"), name, message))
            }
        }
        let namespace = meta.namespace ?? ""
        if namespaced {
            if namespace.isEmpty {
                errors.append(.required(path.child("namespace")))
            } else {
                for message in isDNS1123Label(namespace) {
                    errors.append(.invalid(path.child("namespace"), namespace, message))
                }
            }
        } else if !namespace.isEmpty {
            errors.append(.forbidden(path.child("namespace"), "not allowed on this type"))
        }
        errors += commonMeta(meta, path: path)
        if kubeFinalizers { errors += kubeFinalizerNames(meta.finalizers, path: path.child("finalizers")) }
        return errors
    }

    /// Validates `metadata` on update: identity fields are immutable, `resourceVersion` must be
    /// set (the store fills it for unconditional updates before validating), `generation` may
    /// not go down, and no finalizer may be added once deletion has begun.
    public static func validateObjectMetaUpdate(
        _ new: ObjectMeta, old: ObjectMeta, kubeFinalizers: Bool = true, path: FieldPath = "metadata"
    ) -> FieldErrorList {
        var errors: FieldErrorList = []
        if old.deletionTimestamp != nil {
            let added = Set(new.finalizers ?? []).subtracting(old.finalizers ?? [])
            if !added.isEmpty {
                errors.append(.forbidden(path.child("finalizers"),
                    "no new finalizers can be added if the object is being deleted, found new finalizers "
                        + GoSyntax.stringSlice(added.sorted(by: GoSyntax.bytewise))))
            }
        }
        if (new.resourceVersion ?? "").isEmpty {
            errors.append(.invalid(path.child("resourceVersion"), "", "must be specified for an update"))
        }
        if (new.generation ?? 0) < (old.generation ?? 0) {
            errors.append(.invalid(path.child("generation"), new.generation ?? 0, "must not be decremented"))
        }
        func immutable(_ a: String?, _ b: String?, _ field: String) {
            if (a ?? "") != (b ?? "") { errors.append(.immutable(path.child(field), rendered: GoSyntax.quote(a ?? ""))) }
        }
        immutable(new.name, old.name, "name")
        immutable(new.namespace, old.namespace, "namespace")
        immutable(new.uid, old.uid, "uid")
        if new.creationTimestamp != old.creationTimestamp {
            errors.append(.immutable(path.child("creationTimestamp"), rendered: render(new.creationTimestamp)))
        }
        if new.deletionTimestamp != old.deletionTimestamp {
            errors.append(.immutable(path.child("deletionTimestamp"), rendered: render(new.deletionTimestamp)))
        }
        if new.deletionGracePeriodSeconds != old.deletionGracePeriodSeconds {
            errors.append(.immutable(path.child("deletionGracePeriodSeconds"),
                                     rendered: GoSyntax.optionalInt(new.deletionGracePeriodSeconds)))
        }
        errors += validateLabels(new.labels, path: path.child("labels"))
        errors += validateAnnotations(new.annotations, path: path.child("annotations"))
        errors += validateOwnerReferences(new.ownerReferences, path: path.child("ownerReferences"))
        errors += validateFinalizers(new.finalizers, path: path.child("finalizers"))
        if kubeFinalizers { errors += kubeFinalizerNames(new.finalizers, path: path.child("finalizers")) }
        return errors
    }

    private static func render(_ time: Time?) -> String {
        guard let time else { return "null" }
        return String(describing: time)
    }

    private static func commonMeta(_ meta: ObjectMeta, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        if let generation = meta.generation, generation < 0 {
            errors.append(.invalid(path.child("generation"), generation, "must be greater than or equal to 0"))
        }
        errors += validateLabels(meta.labels, path: path.child("labels"))
        errors += validateAnnotations(meta.annotations, path: path.child("annotations"))
        errors += validateOwnerReferences(meta.ownerReferences, path: path.child("ownerReferences"))
        errors += validateFinalizers(meta.finalizers, path: path.child("finalizers"))
        return errors
    }

    /// Label keys must be qualified names and values valid label values. Errors name the map,
    /// not the key, as upstream does.
    public static func validateLabels(_ labels: [String: String]?, path: FieldPath) -> FieldErrorList {
        guard let labels, !labels.isEmpty else { return [] }
        // Valid labels are the rule: check them before sorting keys and wording messages.
        if labels.allSatisfy({ isValidQualifiedName($0.key) && isValidLabelValue($0.value).isEmpty }) { return [] }
        var errors: FieldErrorList = []
        for key in labels.keys.sorted(by: GoSyntax.bytewise) {
            errors += validateLabelName(key, path: path)
            for message in isValidLabelValue(labels[key]!) {
                errors.append(.invalid(path, labels[key]!, message))
            }
        }
        return errors
    }

    /// A label key (or anything with its syntax: taint keys, topology keys).
    public static func validateLabelName(_ name: String, path: FieldPath) -> FieldErrorList {
        isQualifiedName(name).map { .invalid(path, name, $0) }
    }

    /// Annotation keys are qualified names (case-insensitive); all keys and values together
    /// may hold at most 256 KiB.
    public static func validateAnnotations(_ annotations: [String: String]?, path: FieldPath) -> FieldErrorList {
        guard let annotations, !annotations.isEmpty else { return [] }
        if annotationsAreValid(annotations) { return [] }
        var errors: FieldErrorList = []
        var total = 0
        for key in annotations.keys.sorted(by: GoSyntax.bytewise) {
            for message in isQualifiedName(key.lowercased()) {
                errors.append(.invalid(path, key, message))
            }
            total += key.utf8.count + annotations[key]!.utf8.count
        }
        if total > totalAnnotationSizeLimit {
            errors.append(.tooLong(path, maxLength: totalAnnotationSizeLimit))
        }
        return errors
    }

    /// Whether ``validateAnnotations(_:path:)`` finds nothing wrong, for keys it need not
    /// lowercase (no upper-case or non-ASCII bytes), without building messages.
    private static func annotationsAreValid(_ annotations: [String: String]) -> Bool {
        var total = 0
        for (key, value) in annotations {
            let plain = key.utf8.allSatisfy { $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }
            guard plain, isValidQualifiedName(key) else { return false }
            total += key.utf8.count + value.utf8.count
        }
        return total <= totalAnnotationSizeLimit
    }

    /// Each reference names its owner fully, and at most one is the controller.
    public static func validateOwnerReferences(_ references: [OwnerReference]?, path: FieldPath) -> FieldErrorList {
        guard let references, !references.isEmpty else { return [] }
        if ownerReferencesAreValid(references) { return [] }
        var errors: FieldErrorList = []
        var firstController: String?
        for ref in references {
            let gvk = GroupVersionKind(apiVersion: ref.apiVersion, kind: ref.kind)
            let validVersion = ref.apiVersion.split(separator: "/", omittingEmptySubsequences: false).count <= 2
            if gvk.version.isEmpty || !validVersion {
                errors.append(.invalid(path.child("apiVersion"), ref.apiVersion, "version must not be empty"))
            }
            if ref.kind.isEmpty { errors.append(.invalid(path.child("kind"), ref.kind, "must not be empty")) }
            if ref.name.isEmpty { errors.append(.invalid(path.child("name"), ref.name, "must not be empty")) }
            if ref.uid.isEmpty { errors.append(.invalid(path.child("uid"), ref.uid, "must not be empty")) }
            if gvk.group.isEmpty && gvk.version == "v1" && gvk.kind == "Event" {
                errors.append(.invalid(path, rendered: renderOwnerReference(ref),
                                       "/v1, Kind=Event is disallowed from being an owner"))
            }
            if ref.controller == true {
                let current = ref.kind + "/" + ref.name
                if let first = firstController {
                    errors.append(.invalid(path,
                        rendered: "[]v1.OwnerReference{" + references.map(renderOwnerReference).joined(separator: ", ") + "}",
                        "Only one reference can have Controller set to true. Found \"true\" in references for \(first) and \(current)"))
                } else {
                    firstController = current
                }
            }
        }
        return errors
    }

    /// Whether ``validateOwnerReferences(_:path:)`` finds nothing wrong, without splitting
    /// API versions or building paths.
    private static func ownerReferencesAreValid(_ references: [OwnerReference]) -> Bool {
        var controllers = 0
        for ref in references {
            guard !ref.kind.isEmpty, !ref.name.isEmpty, !ref.uid.isEmpty else { return false }
            // A version after at most one slash; not the core group's Event.
            let valid = withUTF8(ref.apiVersion) { bytes -> Bool in
                var slashes = 0
                var versionStart = 0
                for i in 0..<bytes.count where bytes[i] == 0x2F {
                    slashes += 1
                    if slashes == 1 { versionStart = i + 1 }
                }
                guard slashes <= 1, versionStart < bytes.count else { return false }
                let coreV1 = (slashes == 0 || versionStart == 1) && bytes.count - versionStart == 2
                    && bytes[versionStart] == UInt8(ascii: "v") && bytes[versionStart + 1] == UInt8(ascii: "1")
                return !(coreV1 && ref.kind == "Event")
            }
            guard valid else { return false }
            if ref.controller == true { controllers += 1 }
        }
        return controllers <= 1
    }

    static func renderOwnerReference(_ ref: OwnerReference) -> String {
        func flag(_ b: Bool?) -> String { b.map { "(*bool)(\($0))" } ?? "(*bool)(nil)" }
        return "v1.OwnerReference{APIVersion:" + GoSyntax.quote(ref.apiVersion) + ", Kind:" + GoSyntax.quote(ref.kind)
            + ", Name:" + GoSyntax.quote(ref.name) + ", UID:" + GoSyntax.quote(ref.uid)
            + ", Controller:" + flag(ref.controller) + ", BlockOwnerDeletion:" + flag(ref.blockOwnerDeletion) + "}"
    }

    /// Finalizers are qualified names; `orphan` and `foregroundDeletion` exclude each other.
    public static func validateFinalizers(_ finalizers: [String]?, path: FieldPath) -> FieldErrorList {
        guard let finalizers, !finalizers.isEmpty else { return [] }
        var errors: FieldErrorList = []
        for finalizer in finalizers {
            for message in isQualifiedName(finalizer) { errors.append(.invalid(path, finalizer, message)) }
        }
        if finalizers.contains("orphan") && finalizers.contains("foregroundDeletion") {
            errors.append(.invalid(path, rendered: GoSyntax.stringSlice(finalizers),
                                   "finalizer orphan and foregroundDeletion cannot be both set"))
        }
        return errors
    }

    static func kubeFinalizerNames(_ finalizers: [String]?, path: FieldPath) -> FieldErrorList {
        guard let finalizers else { return [] }
        var errors: FieldErrorList = []
        for (i, finalizer) in finalizers.enumerated()
        where !finalizer.contains("/") && !standardFinalizers.contains(finalizer) {
            errors.append(.invalid(path.index(i), finalizer,
                                   "name is neither a standard finalizer name nor is it fully qualified"))
        }
        return errors
    }

    /// A label selector's syntax: `matchLabels` as labels, each expression's operator, key and values.
    public static func validateLabelSelector(_ selector: LabelSelector?, path: FieldPath) -> FieldErrorList {
        guard let selector else { return [] }
        var errors = validateLabels(selector.matchLabels, path: path.child("matchLabels"))
        for (i, requirement) in (selector.matchExpressions ?? []).enumerated() {
            let rPath = path.child("matchExpressions").index(i)
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In", "NotIn":
                if values.isEmpty {
                    errors.append(.required(rPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errors.append(.forbidden(rPath.child("values"),
                                             "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            default:
                errors.append(.invalid(rPath.child("operator"), requirement.operator, "not a valid selector operator"))
            }
            errors += validateLabelName(requirement.key, path: rPath.child("key"))
            for (j, value) in values.enumerated() {
                for message in isValidLabelValue(value) {
                    errors.append(.invalid(rPath.child("values").index(j), value, message))
                }
            }
        }
        return errors
    }

    /// `Invalid value: -1: must be greater than or equal to 0`.
    public static func validateNonnegative<T: BinaryInteger & FieldErrorValue>(_ value: T?, path: FieldPath) -> FieldErrorList {
        guard let value, value < 0 else { return [] }
        return [.invalid(path, value, "must be greater than or equal to 0")]
    }
}
