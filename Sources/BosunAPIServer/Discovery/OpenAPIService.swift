import BosunKit
import BosunStore
import Synchronization

/// Serves the OpenAPI v3 documents from what the store serves at the time of the request, and
/// keeps each rendered document (JSON and hash) until what it is made of changes: the group
/// version's resources, and for custom ones their CRD's resourceVersion. A new CRD, or a change
/// to one, thus changes its document's hash in the index, which is how clients know to fetch it
/// again.
final class OpenAPIService: Sendable {
    /// A document as served: its JSON and its hash (ETag).
    struct Rendered: Sendable {
        var bytes: [UInt8]
        var hash: String
    }

    private struct Inputs: Hashable, Sendable {
        var resources: [ResourceDescriptor]
        var definitionVersions: [Int64]
    }

    private struct Entry: Sendable {
        var inputs: Inputs
        var rendered: Rendered
    }

    private let store: ObjectStore
    private let cache = Mutex<[String: Entry]>([:])

    init(store: ObjectStore) {
        self.store = store
    }

    /// The index: every served group version's document URL with its current hash.
    func index() -> Rendered {
        let groups = ServedGroups(store.servedResources)
        var hashes: [(path: String, hash: String)] = []
        for group in [groups.core].compactMap({ $0 }) + groups.groups {
            for version in group.versions {
                let rendered = document(version, group: group.name)
                hashes.append((OpenAPIDocuments.documentPath(group: group.name, version: version.version), rendered.hash))
            }
        }
        let bytes = JSONWriter.encode(OpenAPIDocuments.index(hashes))
        return Rendered(bytes: bytes, hash: OpenAPIDocuments.hash(bytes))
    }

    /// One group version's document, or `nil` when nothing is served there.
    func document(group: String, version: String) -> Rendered? {
        guard let served = ServedGroups(store.servedResources).version(group: group, version: version) else { return nil }
        return document(served, group: group)
    }

    private func document(_ served: ServedGroups.Version, group: String) -> Rendered {
        let path = OpenAPIDocuments.documentPath(group: group, version: served.version)
        let custom = served.resources.filter { OpenAPISchemas.builtinByKind[$0.groupVersionKind] == nil }
        let definitions = custom.map(definition)
        let inputs = Inputs(resources: served.resources, definitionVersions: definitions.map { $0?.resourceVersion ?? 0 })
        if let entry = cache.withLock({ $0[path] }), entry.inputs == inputs { return entry.rendered }

        var customSchemas: [String: JSONValue] = [:]
        for (descriptor, crd) in zip(custom, definitions) {
            guard let crd, let value = try? JSONParser.parse(crd.bytes) else { continue }
            customSchemas.merge(OpenAPISchemas.customResource(descriptor, crd: value)) { _, new in new }
        }
        let bytes = JSONWriter.encode(OpenAPIDocuments.document(served, group: group, customSchemas: customSchemas))
        let rendered = Rendered(bytes: bytes, hash: OpenAPIDocuments.hash(bytes))
        cache.withLock { $0[path] = Entry(inputs: inputs, rendered: rendered) }
        return rendered
    }

    /// The CRD that serves a custom resource (`<plural>.<group>`), if it is still there.
    private func definition(_ descriptor: ResourceDescriptor) -> StoredObject? {
        let crds = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")
        return try? store.get(crds, name: descriptor.plural + "." + descriptor.group)
    }
}
