/// The REST facts of a kind, as discovery reports them: `kubectl api-resources` prints these.
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String
    /// Lower-case plural used in URLs (`deployments`).
    public var plural: String
    public var singular: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// Subresources served under the object path (`status`, `scale`, ...).
    public var subresources: [String]

    public init(
        group: String, version: String, kind: String, plural: String, singular: String? = nil,
        namespaced: Bool, shortNames: [String] = [], categories: [String] = [], subresources: [String] = []
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular ?? kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
    }

    public var apiVersion: String { group.isEmpty ? version : group + "/" + version }
    public var groupVersionKind: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    public var groupResource: String { group.isEmpty ? plural : plural + "." + group }

    public var hasStatus: Bool { subresources.contains("status") }
    public var hasScale: Bool { subresources.contains("scale") }

    public var description: String { "\(groupResource) (\(apiVersion), Kind=\(kind))" }
}

/// A group, version and kind.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// Splits an `apiVersion` such as `apps/v1` or `v1`.
    public init(apiVersion: String, kind: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
        self.kind = kind
    }

    public var apiVersion: String { group.isEmpty ? version : group + "/" + version }
    public var description: String { "\(apiVersion), Kind=\(kind)" }
}
