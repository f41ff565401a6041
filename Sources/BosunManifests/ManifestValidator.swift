import BosunKit

/// Defaults and validates manifest documents as kube-apiserver does on create, without a server.
///
/// Built-in kinds get Kubernetes' defaulting and validation. Objects of a custom kind whose
/// CustomResourceDefinition was among the inputs get object-metadata validation; their schema
/// is checked by the store's admission (it needs the served CRD). Other kinds are reported as
/// unknown, as kubectl does.
public struct ManifestValidator {
    public enum Outcome: Sendable {
        /// The defaulted object and how to name it (`deployment.apps/nginx`).
        case valid(JSONValue, label: String)
        /// Every problem, located in the source.
        case invalid(String)
    }

    private var customKinds: [GroupVersionKind: Bool] = [:]
    private let registry: KindRegistry

    public init(registry: KindRegistry = .shared) { self.registry = registry }

    /// Records the kinds that CustomResourceDefinitions among `documents` define.
    public mutating func learnCustomKinds(from documents: [ManifestDocument]) {
        for document in documents where document.kind == CustomResourceDefinition.kind {
            guard let crd = try? CustomResourceDefinition(json: document.value) else { continue }
            for version in crd.spec.versions {
                let gvk = GroupVersionKind(group: crd.spec.group, version: version.name, kind: crd.spec.names.kind)
                customKinds[gvk] = crd.spec.scope == "Namespaced"
            }
        }
    }

    public func check(_ document: ManifestDocument) -> Outcome {
        let decoded: ManifestObject
        do { decoded = try document.decode(using: registry) } catch { return .invalid(error.description) }
        switch decoded {
        case .typed(let resource):
            return check(resource, document: document)
        case .unstructured(let object):
            guard let namespaced = customKinds[object.groupVersionKind] else {
                return .invalid(locate(document, nil,
                    "no matches for kind \"\(object.kind)\" in version \"\(object.apiVersion)\""))
            }
            var meta = object.metadata
            if namespaced && (meta.namespace ?? "").isEmpty { meta.namespace = "default" }
            let errors = Validation.validateObjectMeta(meta, namespaced: namespaced)
            let label = "\(object.kind.lowercased()).\(object.groupVersionKind.group)/\(decoded.name)"
            return errors.isEmpty ? .valid(.object(object.object), label: label)
                : .invalid(report(errors, kind: object.kind, name: decoded.name, document: document))
        }
    }

    private func check<R: Resource>(_ original: R, document: ManifestDocument) -> Outcome {
        var object = original
        // What the API server does before admission on create: the request's namespace and a uid.
        if R.resource.namespaced && (object.metadata.namespace ?? "").isEmpty { object.metadata.namespace = "default" }
        if object.metadata.uid == nil { object.metadata.uid = UID.random() }
        BuiltinAdmission.applyDefaults(&object)
        let errors = BuiltinAdmission.validate(object)
        let descriptor = R.resource
        let name = object.metadata.name ?? object.metadata.generateName ?? ""
        if errors.isEmpty {
            let group = descriptor.group.isEmpty ? "" : "." + descriptor.group
            return .valid(object.jsonValue(), label: "\(descriptor.singular)\(group)/\(name)")
        }
        return .invalid(report(errors, kind: descriptor.kind, name: name, document: document))
    }

    /// kubectl's form, one located line per problem:
    /// `The Deployment "x" is invalid:` then `* line 9: spec.replicas: Invalid value: ...`.
    private func report(_ errors: FieldErrorList, kind: String, name: String, document: ManifestDocument) -> String {
        var lines = [locate(document, nil, "The \(kind) \"\(name)\" is invalid:")]
        for error in errors {
            let line = document.line(of: error.field).map { "line \($0): " } ?? ""
            lines.append("* \(line)\(error.description)")
        }
        return lines.joined(separator: "\n")
    }

    private func locate(_ document: ManifestDocument, _ line: Int?, _ message: String) -> String {
        let source = document.source == "-" ? "<stdin>" : document.source
        var place = "\(source): \(document.label)"
        if let line { place += ", line \(line)" }
        return "\(place): \(message)"
    }
}
