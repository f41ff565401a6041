/// A built-in kind with a top-level `status`, which the object store treats as a subresource:
/// it carries status over from the stored object, takes only status, or starts it empty,
/// without going through JSON. The generator declares the conformances.
package protocol StatusBearing: Resource {
    associatedtype Status: Hashable & Sendable
    var status: Status { get set }
    /// What an omitted `status` decodes to.
    static var emptyStatus: Status { get }
}

extension Resource {
    /// This object with `other`'s status, for kinds that have one; unchanged for the others.
    package func withStatus(of other: Self) -> Self {
        guard let bearing = self as? any StatusBearing else { return self }
        return bearing.replacingStatus(with: other) as! Self
    }

    /// This object with an empty status, for kinds that have one; unchanged for the others.
    package func withEmptyStatus() -> Self {
        guard let bearing = self as? any StatusBearing else { return self }
        return bearing.clearingStatus() as! Self
    }
}

extension StatusBearing {
    fileprivate func replacingStatus(with other: Any) -> Self {
        var copy = self
        copy.status = (other as! Self).status
        return copy
    }

    fileprivate func clearingStatus() -> Self {
        var copy = self
        copy.status = Self.emptyStatus
        return copy
    }
}
