/// A path to a field, printed as Kubernetes prints it: `spec.template.spec.containers[0].image`,
/// `metadata.labels[app]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Component: Sendable, Hashable {
        case field(String)
        case index(Int)
        /// A map key, printed in brackets.
        case key(String)
    }

    public private(set) var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    /// A path from dotted field names, e.g. `FieldPath("spec.replicas")`.
    public init(stringLiteral value: String) {
        components = value.split(separator: ".").map { .field(String($0)) }
    }

    public static let root = FieldPath()

    public func child(_ name: String) -> FieldPath {
        var c = self
        // Validators call this for every field they visit; most names have no dot.
        if !name.utf8.contains(UInt8(ascii: ".")) {
            c.components.append(.field(name))
            return c
        }
        for part in name.split(separator: ".") { c.components.append(.field(String(part))) }
        return c
    }

    public func index(_ i: Int) -> FieldPath {
        var c = self
        c.components.append(.index(i))
        return c
    }

    public func key(_ k: String) -> FieldPath {
        var c = self
        c.components.append(.key(k))
        return c
    }

    public var description: String {
        var out = ""
        for c in components {
            switch c {
            case .field(let f):
                if !out.isEmpty { out += "." }
                out += f
            case .index(let i): out += "[\(i)]"
            case .key(let k): out += "[\(k)]"
            }
        }
        return out
    }
}
