import Synchronization

/// The kinds this process can decode into typed values, by group, version and kind.
///
/// One registry is shared by the host and every plugin in the process (``shared``): a plugin that
/// registers its custom resource type makes it decodable by the host's manifest reader, store
/// and API server. This works because BosunKit is one dynamic library — see docs/architecture.md.
public final class KindRegistry: Sendable {
    /// The process-wide registry, holding the built-in kinds from the start.
    public static let shared = KindRegistry(builtins: true)

    private let entries: Mutex<[GroupVersionKind: any Resource.Type]>

    public init(builtins: Bool = false) {
        var initial: [GroupVersionKind: any Resource.Type] = [:]
        if builtins {
            for type in BuiltinResources.all { initial[type.resource.groupVersionKind] = type }
        }
        entries = Mutex(initial)
    }

    /// Registers a kind. Registering a different type for a kind already taken is refused.
    public func register<R: Resource>(_ type: R.Type) throws(KindRegistryError) {
        let gvk = R.resource.groupVersionKind
        try entries.withLock { (map: inout [GroupVersionKind: any Resource.Type]) throws(KindRegistryError) in
            if let existing = map[gvk], existing != type {
                throw KindRegistryError(message: "kind \(gvk) is already registered by \(String(reflecting: existing))")
            }
            map[gvk] = type
        }
    }

    /// Removes a kind (a plugin unloading).
    public func unregister(_ gvk: GroupVersionKind) {
        _ = entries.withLock { $0.removeValue(forKey: gvk) }
    }

    public func type(for gvk: GroupVersionKind) -> (any Resource.Type)? {
        entries.withLock { $0[gvk] }
    }

    /// The registered kind whose plural, singular, kind or short name matches, as kubectl resolves
    /// `kubectl get deploy`.
    public func type(forResourceName name: String) -> (any Resource.Type)? {
        let lower = name.lowercased()
        return entries.withLock { map in
            map.values.first { t in
                let r = t.resource
                return r.plural == lower || r.singular == lower || r.kind.lowercased() == lower
                    || r.shortNames.contains(lower)
            }
        }
    }

    public var registeredKinds: [GroupVersionKind] {
        entries.withLock { Array($0.keys) }.sorted { $0.description < $1.description }
    }

    /// Decodes an unstructured object into its registered typed value, or returns `nil` when the
    /// kind is not registered here (it stays unstructured).
    public func decodeTyped(_ object: UnstructuredObject) throws(JSONDecodingError) -> (any Resource)? {
        guard let type = type(for: object.groupVersionKind) else { return nil }
        return try type.init(json: .object(object.object))
    }
}

public struct KindRegistryError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
