import BosunKit

/// One Kubernetes object read from manifest text, as a JSON tree, with where it came from.
///
/// ``ManifestReader`` guarantees that ``value`` is an object with non-empty string `apiVersion` and
/// `kind`, so a typed layer can pick a decoder by ``apiVersion`` and ``kind`` and report its
/// failures with ``ManifestError/init(_:in:)``.
public struct ManifestDocument: Sendable {
    /// The text format a document was read from.
    public enum Format: Sendable, Hashable {
        /// A YAML stream (which may hold JSON-style flow collections).
        case yaml
        /// A JSON text: one whose first non-blank character is `{` or `[`.
        case json
    }

    /// The 0-based position of the document in the stream, counting documents that hold a value:
    /// sections that are empty, only comments, or `null` are skipped and not counted. Every item
    /// of an expanded `List` has the index of the List.
    public var index: Int
    /// The 0-based position in the `items` of the `List` document this object was expanded from,
    /// or `nil` for a top-level document.
    public var listItem: Int?
    /// The source name given to the reader: a file path, or `-` for standard input.
    public var source: String
    /// The 1-based line where the object starts (its first field).
    public var startLine: Int
    /// The object.
    public var value: JSONValue
    /// Where each field was written.
    public var locations: SourceLocations
    /// Whether the text was YAML or JSON.
    public var format: Format

    /// A document with every part given; ``ManifestReader`` is the usual way to make one.
    public init(
        index: Int, listItem: Int? = nil, source: String, startLine: Int, value: JSONValue,
        locations: SourceLocations = SourceLocations(), format: Format = .yaml
    ) {
        self.index = index
        self.listItem = listItem
        self.source = source
        self.startLine = startLine
        self.value = value
        self.locations = locations
        self.format = format
    }

    /// The object's `apiVersion`, e.g. `apps/v1`; empty if absent.
    public var apiVersion: String { value["apiVersion"]?.stringValue ?? "" }
    /// The object's `kind`, e.g. `Deployment`; empty if absent.
    public var kind: String { value["kind"]?.stringValue ?? "" }
    /// The object's `metadata.name`, if it is a string.
    public var name: String? { value[path: ["metadata", "name"]]?.stringValue }
    /// The object's `metadata.namespace`, if it is a string.
    public var namespace: String? { value[path: ["metadata", "namespace"]]?.stringValue }

    /// The 1-based line and column of the field at `path` or, when it has none (a missing field,
    /// say), of its nearest ancestor that has one; `nil` only when no location is known at all.
    public func location(of path: [JSONDecodingError.PathComponent]) -> (line: Int, column: Int)? {
        guard let found = locations.nearest(to: path) else { return nil }
        return (found.location.line, found.location.column)
    }

    /// How messages name this document: `document 2`, or `document 1, item 3` inside a List.
    public var label: String {
        listItem.map { "document \(index + 1), item \($0 + 1)" } ?? "document \(index + 1)"
    }
}
