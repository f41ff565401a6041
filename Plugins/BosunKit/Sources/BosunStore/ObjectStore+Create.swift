import BosunKit
import Synchronization
import Foundation

extension ObjectStore {
    /// Creates an object: assigns uid, creationTimestamp, generation and resourceVersion, resolves
    /// `generateName`, runs admission and stores it. 409 AlreadyExists if the name is taken; 404
    /// if its namespace does not exist; 403 if the namespace is terminating.
    @discardableResult
    public func create(
        _ resource: GroupResource, namespace: String? = nil, object input: UnstructuredObject,
        options: WriteOptions = WriteOptions()
    ) async throws(APIError) -> StoredObject {
        let served = try served(resource)
        let descriptor = served.descriptor
        var object = input.object
        try checkTypeMeta(&object, descriptor)
        var meta = object.metadataObject

        let namespace = try resolveNamespace(request: namespace, body: meta["namespace"]?.stringValue, descriptor)
        meta["namespace"] = namespace.isEmpty ? nil : .string(namespace)
        if !namespace.isEmpty { try checkNamespaceAcceptsContent(namespace, resource: resource, name: meta["name"]?.stringValue ?? "") }
        if let rv = meta["resourceVersion"]?.stringValue, !rv.isEmpty {
            throw APIError.badRequest("resourceVersion should not be set on objects to be created")
        }
        meta["uid"] = .string(UID.random())
        meta["creationTimestamp"] = clock.now().jsonValue()
        meta["deletionTimestamp"] = nil
        meta["deletionGracePeriodSeconds"] = nil
        meta["generation"] = served.tracksGeneration ? 1 : nil
        object.metadataObject = meta
        Self.prepareStatusForCreate(&object, served)

        let generateName = meta["generateName"]?.stringValue ?? ""
        let wantsGeneratedName = (meta["name"]?.stringValue ?? "").isEmpty && !generateName.isEmpty
        for attempt in 0..<8 {
            if wantsGeneratedName {
                object.metadataObject["name"] = .string(generateName + NameGenerator.suffix())
            }
            let name = object.metadataObject["name"]?.stringValue ?? ""
            let request = AdmissionRequest(
                operation: .create, resource: resource, kind: descriptor.groupVersionKind, namespace: namespace,
                name: name, object: UnstructuredObject(object), oldObject: nil, dryRun: options.dryRun)
            let admitted = try await admitEncoded(object, old: nil, served: served, request: request, fieldValidation: options.fieldValidation,
                                                 needsTree: options.dryRun)
            let admittedName = admitted.typed.map { $0.metadata.name } ?? admitted.tree?.metadataObject["name"]?.stringValue
            let key = ObjectKey(resource, namespace: namespace, name: admittedName ?? name)
            if options.dryRun, let tree = admitted.tree {
                if state.withLock({ $0.object(key) }) != nil { throw APIError.alreadyExists(resource, key.name) }
                return StoredObject(key: key, object: tree, resourceVersion: 0, kind: descriptor.kind)
            }
            let txn = StorageTransaction.create(key.storageKey, admitted.encoded)
            do throws(APIError) {
                let stored: StoredObject
                if let typed = admitted.typed {
                    // Built-in kinds: the indexed facts come from the value admission decoded.
                    stored = try await commit(txn, key: key, typed: typed, encoded: admitted.encoded, previous: nil,
                                              exact: admitted.exact).0
                } else if let tree = admitted.tree, let object = try await commit(txn, key: key, object: tree, previous: nil, kind: descriptor.kind).0 {
                    stored = object
                } else {
                    throw APIError.internal("create returned no object")
                }
                if resource == CRDRegistration.resource { await establish(stored) }
                return stored
            } catch let error where error.reason == .alreadyExists && wantsGeneratedName && attempt < 7 {
                continue
            }
        }
        throw APIError.internal("could not generate a unique name from \"\(generateName)\"")
    }

    /// The request's apiVersion and kind must be the resource's.
    func checkTypeMeta(_ object: inout JSONObject, _ descriptor: ResourceDescriptor) throws(APIError) {
        if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != descriptor.apiVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(descriptor.apiVersion))")
        }
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != descriptor.kind {
            throw APIError.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(descriptor.kind))")
        }
        object["apiVersion"] = .string(descriptor.apiVersion)
        object["kind"] = .string(descriptor.kind)
    }

    /// The namespace a write applies to: the request's, else the body's; they must agree. Empty
    /// for cluster-scoped kinds. A create must name one.
    func resolveNamespace(request: String?, body: String?, _ descriptor: ResourceDescriptor, creating: Bool = true) throws(APIError) -> String {
        guard descriptor.namespaced else { return "" }
        let fromRequest = request ?? ""
        let fromBody = body ?? ""
        if !fromRequest.isEmpty, !fromBody.isEmpty, fromRequest != fromBody {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let namespace = fromRequest.isEmpty ? fromBody : fromRequest
        if creating && namespace.isEmpty { throw APIError.badRequest("an empty namespace may not be set during creation") }
        return namespace
    }

    func checkNamespaceAcceptsContent(_ namespace: String, resource: GroupResource, name: String) throws(APIError) {
        guard let ns = namespaceMirror.object(namespace) else { throw APIError.notFound(NamespaceMirror.resource, namespace) }
        if ns.isDeleting {
            // The cause lets controllers tell this refusal from others, as the NamespaceLifecycle
            // admission plugin's does: a ReplicaSet stops retrying creates nobody wants.
            var error = APIError.forbidden(resource, name, "unable to create new content in namespace \(namespace) because it is being terminated")
            error.status.details?.causes = [StatusCause(
                field: "metadata.namespace", message: "namespace \(namespace) is being terminated",
                reason: APIError.namespaceTerminatingCause)]
            throw error
        }
    }

    /// What kube-apiserver's strategies do to status on create: a new Pod is Pending, a new
    /// Namespace Active, a new PVC Pending; other kinds with a status subresource start empty.
    /// Nodes keep what the kubelet sends.
    static func prepareStatusForCreate(_ object: inout JSONObject, _ served: ServedResource) {
        guard served.hasStatus else { return }
        switch (served.descriptor.group, served.descriptor.plural) {
        case ("", "nodes"):
            return
        case ("", "pods"):
            object["status"] = ["phase": "Pending", "qosClass": .string(QOSClass.of(object))]
        case ("", "namespaces"):
            object["status"] = ["phase": "Active"]
            addKubernetesFinalizer(&object)
        case ("", "persistentvolumeclaims"), ("", "persistentvolumes"):
            object["status"] = ["phase": "Pending"]
        default:
            object["status"] = nil
        }
    }
}

/// Random name suffixes for `generateName`, from Kubernetes' alphabet (no vowels, no
/// look-alike characters), five characters long.
enum NameGenerator {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func suffix() -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
    }
}

/// A pod's quality-of-service class, as the API server computes it on create.
enum QOSClass {
    private static let qualifyingResources = ["cpu", "memory"]

    static func of(_ pod: JSONObject) -> String {
        let spec = pod["spec"]?.objectValue ?? JSONObject()
        let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = true
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? JSONObject()
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? JSONObject()
            for name in ["cpu", "memory"] {
                let request = requests[name]?.stringValue.flatMap { try? Quantity(parsing: $0) }
                let limit = limits[name]?.stringValue.flatMap { try? Quantity(parsing: $0) }
                if request != nil || limit != nil { anySet = true }
                guard let limit, !limit.isZero else { guaranteed = false; continue }
                if let request, request != limit { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    /// ``of(_:)`` for a typed pod; a function of its spec alone, so remembered for the specs
    /// pods from one template share (``PodSpecMemo``).
    static func of(_ pod: Pod) -> String {
        classes.value(for: pod.spec) { of(pod.spec) }
    }

    private static let classes = PodSpecMemo<String>()

    private static func of(_ spec: PodSpec) -> String {
        var anySet = false
        var guaranteed = true
        func add(_ containers: [Container]) {
            for container in containers {
                let requests = container.resources?.requests ?? [:]
                let limits = container.resources?.limits ?? [:]
                for name in qualifyingResources {
                    let request = requests[name]
                    let limit = limits[name]
                    if request != nil || limit != nil { anySet = true }
                    guard let limit, !limit.isZero else { guaranteed = false; continue }
                    if let request, request != limit { guaranteed = false }
                }
            }
        }
        add(spec.containers)
        add(spec.initContainers ?? [])
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
