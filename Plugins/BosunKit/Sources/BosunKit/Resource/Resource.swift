/// A kind served as a REST resource: the built-in kinds, and custom resources written in Swift.
///
/// Conformers are value types. Everything a store, an API server or a controller needs to handle
/// the kind generically is here: its REST facts (``resource``) and its metadata.
public protocol Resource: TypedObject {
    /// Plural, scope, short names and subresources.
    static var resource: ResourceDescriptor { get }
    var metadata: ObjectMeta { get set }
}

extension Resource {
    public var name: String { metadata.name ?? "" }
    public var namespace: String? { metadata.namespace }

    /// `namespace/name`, or `name` for cluster-scoped objects: the key controllers queue.
    public var key: String {
        if let ns = metadata.namespace, !ns.isEmpty { return ns + "/" + (metadata.name ?? "") }
        return metadata.name ?? ""
    }
}

/// The list kind of a resource (`PodList` for `Pod`).
public protocol ResourceList: TypedObject {
    associatedtype Item: Resource
    var metadata: ListMeta { get set }
    var items: [Item] { get set }
}

/// A namespace for generated catalogues of the built-in kinds.
public enum BuiltinResources {}
