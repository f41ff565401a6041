/// A path to a field, printed as Kubernetes prints it: `spec.template.spec.containers[0].image`,
/// `metadata.labels[app]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Component: Sendable, Hashable {
        case field(String)
        case index(Int)
        /// A map key, printed in brackets.
        case key(String)
    }

    /// The last component and a link to the path before it. Validators derive a path for every
    /// field they visit and almost never print one, so extending a path must be cheap: a chain
    /// shares its prefix, where an array of components would be copied at every step.
    private final class Link: Sendable {
        let parent: Link?
        let component: Component
        let count: Int

        init(_ parent: Link?, _ component: Component) {
            self.parent = parent
            self.component = component
            count = (parent?.count ?? 0) + 1
        }
    }

    private let last: Link?

    private init(last: Link?) { self.last = last }

    public init(_ components: [Component] = []) {
        var link: Link?
        for component in components { link = Link(link, component) }
        last = link
    }

    /// The components from the root.
    public var components: [Component] {
        var result: [Component] = []
        result.reserveCapacity(last?.count ?? 0)
        var link = last
        while let current = link {
            result.append(current.component)
            link = current.parent
        }
        return result.reversed()
    }

    /// A path from dotted field names, e.g. `FieldPath("spec.replicas")`.
    public init(stringLiteral value: String) {
        self.init(value.split(separator: ".").map { .field(String($0)) })
    }

    public static let root = FieldPath()

    public func child(_ name: String) -> FieldPath {
        // Most names have no dot; a dotted one adds one component per part.
        if !name.utf8.contains(UInt8(ascii: ".")) { return FieldPath(last: Link(last, .field(name))) }
        var link = last
        for part in name.split(separator: ".") { link = Link(link, .field(String(part))) }
        return FieldPath(last: link)
    }

    public func index(_ i: Int) -> FieldPath { FieldPath(last: Link(last, .index(i))) }

    public func key(_ k: String) -> FieldPath { FieldPath(last: Link(last, .key(k))) }

    /// This path followed by `component`.
    public func appending(_ component: Component) -> FieldPath { FieldPath(last: Link(last, component)) }

    public static func == (a: FieldPath, b: FieldPath) -> Bool {
        if a.last === b.last { return true }
        return a.last?.count == b.last?.count && a.components == b.components
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(components) }

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
