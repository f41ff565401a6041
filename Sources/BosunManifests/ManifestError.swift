import BosunKit

/// Why manifest text could not be read, with where: the source, the document, the line and, for
/// syntax errors, the column.
///
/// Its ``description`` is the message to show, e.g.
/// `nginx.yaml: document 2, line 7, column 3: mapping values are not allowed in this context`.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is, for callers that react to some of them.
    public enum Reason: Sendable, Hashable {
        /// The text is not well-formed YAML or JSON.
        case syntax
        /// The bytes are not UTF-8, or hold characters YAML forbids.
        case encoding
        /// The input, or one document of it, is larger than ``ManifestReader/Limits`` allow.
        case tooLarge
        /// Collections nest deeper than ``ManifestReader/Limits/maxDepth``.
        case tooDeep
        /// Aliases expand to far more nodes than the text holds (a "billion laughs" document).
        case excessiveAliasing
        /// A mapping names the same key twice.
        case duplicateKey
        /// A value JSON cannot represent (`.inf`, `.nan`, `!!binary`), a key that cannot be turned
        /// into a JSON object key (`null`, a sequence), or a scalar that contradicts its tag.
        case unsupportedValue
        /// A document is not a mapping, so not a Kubernetes object.
        case notAnObject
        /// A document lacks `apiVersion` or `kind`.
        case missingField
        /// `apiVersion`, `kind` or a List's `items` has the wrong type or is empty.
        case invalidField
        /// A typed decoding of a document failed (see ``init(_:in:)``).
        case decoding
    }

    /// What kind of problem this is.
    public var reason: Reason
    /// The source name given to the reader: a file path, or `-` for standard input.
    public var source: String
    /// The 0-based position of the document in the stream (``ManifestDocument/index``), when the
    /// problem is inside one; the message shows it 1-based.
    public var documentIndex: Int?
    /// The 0-based position in the `items` of a `List` document, when the problem is in one of them.
    public var listItem: Int?
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, given for syntax-level problems; field-level problems name the field.
    public var column: Int?
    /// The path of the field concerned, when there is one (typed decoding errors).
    public var path: [JSONDecodingError.PathComponent]
    /// What is wrong, without the location.
    public var message: String

    /// An error with every part given; most callers want ``init(_:in:)`` instead.
    public init(
        reason: Reason, source: String, documentIndex: Int? = nil, listItem: Int? = nil, line: Int? = nil,
        column: Int? = nil, path: [JSONDecodingError.PathComponent] = [], message: String
    ) {
        self.reason = reason
        self.source = source
        self.documentIndex = documentIndex
        self.listItem = listItem
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// A typed decoding failure located in the document it came from: the line of the failing
    /// field or, when that field is missing, of its nearest enclosing field.
    public init(_ error: JSONDecodingError, in document: ManifestDocument) {
        self.init(
            reason: .decoding, source: document.source, documentIndex: document.index, listItem: document.listItem,
            line: document.location(of: error.path)?.line, path: error.path, message: error.description)
    }

    /// `source: document N[, item M][, line L[, column C]]: message`.
    public var description: String {
        var place: [String] = []
        if let documentIndex { place.append("document \(documentIndex + 1)") }
        if let listItem { place.append("item \(listItem + 1)") }
        if let line {
            place.append("line \(line)")
            if let column { place.append("column \(column)") }
        }
        let prefix = place.isEmpty ? ManifestError.displayName(of: source) : "\(ManifestError.displayName(of: source)): \(place.joined(separator: ", "))"
        return "\(prefix): \(message)"
    }

    /// How a source name appears in messages: `-` is standard input.
    static func displayName(of source: String) -> String {
        source == "-" ? "<stdin>" : source
    }
}

extension ManifestReader {
    /// A typed decoding failure as a located message, e.g.
    /// `deploy.yaml: document 1, line 12: spec.replicas: expected integer, got string "three"`.
    ///
    /// The line is that of the failing field or, when the field is absent, of its nearest
    /// enclosing field that is present.
    public static func describe(_ error: JSONDecodingError, in document: ManifestDocument) -> String {
        ManifestError(error, in: document).description
    }
}

extension JSONValue {
    /// A short rendering for messages: the type and, for scalars, the value.
    var manifestDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "boolean \(b)"
        case .number: return "number \(description)"
        case .string(let s): return "string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
