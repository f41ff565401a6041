import BosunKit

/// A 1-based line and column in manifest text.
///
/// Columns count Unicode scalars from the start of the line, so a field indented by two spaces
/// starts in column 3 whatever the characters before it on the line.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, in Unicode scalars.
    public var column: Int

    /// A location at `line` and `column`, both 1-based.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line 7, column 3`.
    public var description: String { "line \(line), column \(column)" }
}

/// Where each field of one document was written: a lookup from a field path such as
/// `["spec", "template", "spec", "containers", 0, "image"]` to its line and column.
///
/// A mapping member is located at its key (`image:`), a sequence item at the item itself, and the
/// empty path at the document's top-level node. Values reached through a YAML alias or merge key
/// (`<<: *defaults`) are located where the anchored text is written; the member that holds the
/// alias is located at the alias. Documents read from JSON are located the same way.
public struct SourceLocations: Sendable {
    /// One node of the location tree: where a value (or the key that holds it) is written, and the
    /// locations of its members or items.
    struct Node: Sendable {
        var location: SourceLocation
        var members: [String: Node] = [:]
        var items: [Node] = []

        init(_ location: SourceLocation, members: [String: Node] = [:], items: [Node] = []) {
            self.location = location
            self.members = members
            self.items = items
        }

        /// The same children, located at `location`: how a member or an alias takes over a value.
        func relocated(to location: SourceLocation) -> Node {
            Node(location, members: members, items: items)
        }

        func child(_ component: JSONDecodingError.PathComponent) -> Node? {
            switch component {
            case .key(let key): members[key]
            case .index(let i): items.indices.contains(i) ? items[i] : nil
            }
        }
    }

    var root: Node?

    init(root: Node?) { self.root = root }

    /// No locations: what a document built in code, rather than read from text, has.
    public init() { root = nil }

    /// Whether no location is known at all.
    public var isEmpty: Bool { root == nil }

    /// The location of exactly `path`, or `nil` when that field has none.
    public subscript(path: [JSONDecodingError.PathComponent]) -> SourceLocation? {
        guard let found = nearest(to: path), found.matchedComponents == path.count else { return nil }
        return found.location
    }

    /// The location of `path` or, when it has none (a missing field, say), of its nearest ancestor
    /// that has one, with how many leading components of `path` that ancestor matched.
    public func nearest(to path: [JSONDecodingError.PathComponent]) -> (location: SourceLocation, matchedComponents: Int)? {
        guard var node = root else { return nil }
        var matched = 0
        for component in path {
            guard let next = node.child(component) else { break }
            node = next
            matched += 1
        }
        return (node.location, matched)
    }

    /// The locations of the value at `path`, re-rooted there; empty when `path` is unknown.
    func subtree(at path: [JSONDecodingError.PathComponent]) -> SourceLocations {
        guard var node = root else { return SourceLocations() }
        for component in path {
            guard let next = node.child(component) else { return SourceLocations() }
            node = next
        }
        return SourceLocations(root: node)
    }
}
