/// How one field of a built-in type merges under strategic merge patch and server-side apply,
/// as the Kubernetes schema declares (`x-kubernetes-patch-strategy`, `-merge-key`, `-list-type`).
public struct FieldPatchInfo: Sendable, Hashable {
    /// `merge`, `replace`, `retainKeys` or `merge,retainKeys`.
    public var strategy: String?
    /// For lists of objects merged by a key (`name` for containers).
    public var mergeKey: String?
    /// `atomic`, `set` or `map`.
    public var listType: String?
    public var listMapKeys: [String]?
    /// The generated Swift type of the field (or its elements), so a patcher can descend.
    public var elementType: String?

    public init(strategy: String? = nil, mergeKey: String? = nil, listType: String? = nil,
                listMapKeys: [String]? = nil, elementType: String? = nil) {
        self.strategy = strategy
        self.mergeKey = mergeKey
        self.listType = listType
        self.listMapKeys = listMapKeys
        self.elementType = elementType
    }
}
