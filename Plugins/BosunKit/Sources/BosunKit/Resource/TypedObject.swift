/// A value with a fixed `apiVersion` and `kind`, written on every encode.
public protocol TypedObject: JSONCodable, Hashable {
    /// `v1` for the core group, `group/version` otherwise.
    static var apiVersion: String { get }
    static var kind: String { get }
}

extension TypedObject {
    /// The group half of `apiVersion` (empty for the core group).
    public static var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// The version half of `apiVersion`.
    public static var version: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return apiVersion }
        return String(apiVersion[apiVersion.index(after: slash)...])
    }
}
