import BosunKit

/// Reads manifest text — a YAML stream of `---`-separated documents, or one JSON document — into
/// Kubernetes objects as JSON trees, the way kubectl reads `-f` files.
///
/// - YAML scalars resolve as sigs.k8s.io/yaml resolves them (go-yaml v2, YAML 1.1 flavour):
///   `true`/`false` and also `yes`/`no`/`on`/`off`/`y`/`n` (any of their capitalisations go-yaml
///   lists) are booleans; `null`, `~` and empty values are null; `0x1F`, `0o17`, `017`, `0b101` and
///   `1_000` are integers; quoted and block (`|`, `>`) scalars are always strings; timestamps stay
///   strings. `.inf` and `.nan` are errors, since JSON cannot hold them.
/// - Anchors and aliases are expanded, `<<` merge keys applied, non-string keys turned into strings
///   (`1: a` has the key `"1"`, `yes: a` the key `"true"`), and a key given twice in one mapping is an
///   error.
/// - Sections that are empty, only comments, or `null` are skipped, as kubectl does; every other
///   document must be a mapping with string `apiVersion` and `kind`. A `List` (any kind ending in
///   `List` with an `items` list) becomes one document per item.
/// - Input is JSON when its first non-blank character is `{` or `[`.
///
/// Errors name the source, the document, the line and what is wrong; see ``ManifestError``.
public enum ManifestReader {
    /// Bounds on the input, so that no text can exhaust memory, time or the stack.
    public struct Limits: Sendable, Hashable {
        /// The most bytes of text read at all. Default 64 MiB.
        public var maxInputBytes: Int
        /// The most bytes one document may take. Default 3 MiB, the request body limit of
        /// kube-apiserver: a larger object could not be sent anyway.
        public var maxDocumentBytes: Int
        /// The deepest nesting of mappings and sequences (aliases included). Default 1000, as
        /// ``JSONParser/defaultMaxDepth``; YAML never goes past libyaml's own limit of 1000.
        public var maxDepth: Int

        /// Limits with the given bounds, each defaulting to the value described on its property.
        public init(maxInputBytes: Int = 64 << 20, maxDocumentBytes: Int = 3 << 20, maxDepth: Int = JSONParser.defaultMaxDepth) {
            self.maxInputBytes = maxInputBytes
            self.maxDocumentBytes = maxDocumentBytes
            self.maxDepth = maxDepth
        }

        /// 64 MiB of input, 3 MiB per document, 1000 levels.
        public static let `default` = Limits()
    }

    /// Reads the objects in `text`.
    ///
    /// - Parameters:
    ///   - text: YAML or JSON manifest text.
    ///   - source: The file path it came from, or `-` for standard input; used in messages.
    ///   - limits: Bounds on size and nesting.
    /// - Returns: The objects in stream order, `List`s expanded.
    public static func read(_ text: String, source: String, limits: Limits = .default) throws(ManifestError) -> [ManifestDocument] {
        guard text.utf8.count <= limits.maxInputBytes else {
            throw ManifestError(
                reason: .tooLarge, source: source,
                message: "input is \(formatSize(text.utf8.count)); the limit is \(formatSize(limits.maxInputBytes))")
        }
        return try readSlice(Array(text.utf8)[...], source: source, limits: limits)
    }

    /// Reads the objects in raw bytes, which must be UTF-8 (a UTF-8 byte order mark is allowed);
    /// invalid UTF-8 is reported with its line and column rather than repaired.
    ///
    /// - Parameters:
    ///   - bytes: YAML or JSON manifest text.
    ///   - source: The file path it came from, or `-` for standard input; used in messages.
    ///   - limits: Bounds on size and nesting.
    /// - Returns: The objects in stream order, `List`s expanded.
    public static func read(bytes: some Collection<UInt8>, source: String, limits: Limits = .default) throws(ManifestError) -> [ManifestDocument] {
        guard bytes.count <= limits.maxInputBytes else {
            throw ManifestError(
                reason: .tooLarge, source: source,
                message: "input is \(formatSize(bytes.count)); the limit is \(formatSize(limits.maxInputBytes))")
        }
        return try readSlice(Array(bytes)[...], source: source, limits: limits)
    }

    private static func readSlice(_ input: ArraySlice<UInt8>, source: String, limits: Limits) throws(ManifestError) -> [ManifestDocument] {
        guard input.count <= limits.maxInputBytes else {
            throw ManifestError(
                reason: .tooLarge, source: source,
                message: "input is \(formatSize(input.count)); the limit is \(formatSize(limits.maxInputBytes))")
        }
        var bytes = input
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw ManifestError(reason: .encoding, source: source, message: "UTF-16 text is not supported: save the file as UTF-8")
        }
        if let bad = firstInvalidUTF8(bytes) {
            let location = TextPosition.location(ofByte: bad, in: bytes)
            throw ManifestError(
                reason: .encoding, source: source, line: location.line, column: location.column,
                message: "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))")
        }
        let first = bytes.first { !isBlank($0) }
        guard let first else { return [] }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try readJSON(bytes, source: source, limits: limits)
        }
        return try readYAML(bytes, source: source, limits: limits)
    }

    // MARK: - JSON

    private static func readJSON(_ bytes: ArraySlice<UInt8>, source: String, limits: Limits) throws(ManifestError) -> [ManifestDocument] {
        guard bytes.count <= limits.maxDocumentBytes else {
            throw ManifestError(
                reason: .tooLarge, source: source, documentIndex: 0,
                message: "document is \(formatSize(bytes.count)); the limit is \(formatSize(limits.maxDocumentBytes))")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: limits.maxDepth)
        } catch {
            let location = TextPosition.location(ofByte: bytes.startIndex + error.offset, in: bytes)
            throw ManifestError(
                reason: error.message.hasPrefix("nesting deeper") ? .tooDeep : .syntax, source: source, documentIndex: 0,
                line: location.line, column: location.column, message: "invalid JSON: \(error.message)")
        }
        let node: SourceLocations.Node?
        do {
            node = try JSONLocator.locate(bytes)
        } catch {
            throw ManifestError(
                reason: error.reason, source: source, documentIndex: 0, line: error.line, column: error.column,
                message: error.message)
        }
        let root = node ?? SourceLocations.Node(SourceLocation(line: 1, column: 1))
        return try objects(in: value, locations: root, index: 0, source: source, format: .json)
    }

    // MARK: - YAML

    private static func readYAML(_ bytes: ArraySlice<UInt8>, source: String, limits: Limits) throws(ManifestError) -> [ManifestDocument] {
        var documents: [ManifestDocument] = []
        var index = 0
        for section in try sections(of: bytes, source: source) {
            let text = bytes[section.range]
            guard text.count <= limits.maxDocumentBytes else {
                throw ManifestError(
                    reason: .tooLarge, source: source, documentIndex: index, line: section.contentLine,
                    message: "document is \(formatSize(text.count)); the limit is \(formatSize(limits.maxDocumentBytes))")
            }
            let composed: [ComposedYAMLDocument]
            do {
                composed = try YAMLComposer.compose(text, firstLine: section.firstLine, maxDepth: limits.maxDepth)
            } catch {
                throw ManifestError(
                    reason: error.reason, source: source, documentIndex: index + error.documentsBefore,
                    line: error.line, column: error.column, message: error.message)
            }
            for document in composed {
                documents += try objects(in: document.value, locations: document.locations, index: index, source: source, format: .yaml)
                index += 1
            }
        }
        return documents
    }

    /// A `---`-separated part of a YAML stream that holds content.
    struct Section {
        var range: Range<Int>
        /// The 1-based line of the section's first byte.
        var firstLine: Int
        /// The 1-based line of its first line of content.
        var contentLine: Int
    }

    /// Splits a YAML stream at lines that start with `---`, as kubectl's YAML reader does, so that
    /// each document is parsed on its own and an error in one is attributed to it. The separator
    /// line opens the section after it. Sections of only blank lines and comments are dropped; a
    /// section of only directives (`%YAML 1.1`) is kept with the document it introduces.
    static func sections(of bytes: ArraySlice<UInt8>, source: String) throws(ManifestError) -> [Section] {
        var sections: [Section] = []
        var sectionStart = bytes.startIndex
        var sectionLine = 1
        var hasContent = false
        var hasDirective = false
        var contentLine = 1
        var lineStart = bytes.startIndex
        var line = 1
        while lineStart < bytes.endIndex {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let text = bytes[lineStart..<lineEnd]
            if text.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "-")]) {
                let rest = text.dropFirst(3)
                if let restStart = rest.firstIndex(where: { !isBlank($0) }), rest[restStart] != UInt8(ascii: "#") {
                    let column = TextPosition.location(ofByte: restStart, in: text).column
                    throw ManifestError(
                        reason: .syntax, source: source, line: line, column: column,
                        message: "invalid document separator: only a comment may follow \"---\" on its line")
                }
                if hasContent {
                    sections.append(Section(range: sectionStart..<lineStart, firstLine: sectionLine, contentLine: contentLine))
                }
                if hasContent || !hasDirective {
                    sectionStart = lineStart
                    sectionLine = line
                    hasDirective = false
                }
                hasContent = false
            } else if let c = text.first(where: { !isBlank($0) }), c != UInt8(ascii: "#") {
                if c == UInt8(ascii: "%") && text.first == c && !hasContent {
                    hasDirective = true
                } else {
                    if !hasContent { contentLine = line }
                    hasContent = true
                }
            }
            lineStart = lineEnd + 1
            line += 1
        }
        if hasContent || hasDirective {
            sections.append(Section(range: sectionStart..<bytes.endIndex, firstLine: sectionLine, contentLine: contentLine))
        }
        return sections
    }

    // MARK: - Objects

    /// The objects of one document: the document itself, or the items of a List.
    private static func objects(
        in value: JSONValue, locations node: SourceLocations.Node, index: Int, source: String, format: ManifestDocument.Format
    ) throws(ManifestError) -> [ManifestDocument] {
        let locations = SourceLocations(root: node)
        try checkObject(value, locations: locations, index: index, listItem: nil, source: source, format: format)
        let kind = value["kind"]?.stringValue ?? ""
        let items = value["items"]
        let isList: Bool
        switch items {
        case .array?: isList = kind.hasSuffix("List")
        case nil, .null?: isList = kind == "List"
        case let other?:
            if kind == "List" {
                throw ManifestError(
                    reason: .invalidField, source: source, documentIndex: index, line: locations[[.key("items")]]?.line,
                    message: "\"items\" of a List must be a \(format == .yaml ? "sequence" : "list"), got \(describe(other, format))")
            }
            isList = false
        }
        guard isList else {
            return [
                ManifestDocument(
                    index: index, source: source, startLine: node.location.line, value: value, locations: locations, format: format)
            ]
        }
        var documents: [ManifestDocument] = []
        for (i, item) in (items?.arrayValue ?? []).enumerated() {
            let itemLocations = locations.subtree(at: [.key("items"), .index(i)])
            try checkObject(item, locations: itemLocations, index: index, listItem: i, source: source, format: format)
            documents.append(
                ManifestDocument(
                    index: index, listItem: i, source: source, startLine: itemLocations.root?.location.line ?? node.location.line,
                    value: item, locations: itemLocations, format: format))
        }
        return documents
    }

    /// Checks that a document is a Kubernetes object: a mapping with non-empty string `apiVersion`
    /// and `kind`.
    private static func checkObject(
        _ value: JSONValue, locations: SourceLocations, index: Int, listItem: Int?, source: String, format: ManifestDocument.Format
    ) throws(ManifestError) {
        let line = locations[[]]?.line
        func failure(_ reason: ManifestError.Reason, _ message: String, line: Int?) -> ManifestError {
            ManifestError(reason: reason, source: source, documentIndex: index, listItem: listItem, line: line, message: message)
        }
        guard case .object(let object) = value else {
            let expected = format == .yaml ? "a mapping" : "an object"
            throw failure(
                .notAnObject, "not a Kubernetes object: expected \(expected) at the top level, got \(describe(value, format))",
                line: line)
        }
        let missing = ["apiVersion", "kind"].filter { object[$0] == nil }
        if missing.count == 2 { throw failure(.missingField, "missing fields \"apiVersion\" and \"kind\"", line: line) }
        if let field = missing.first { throw failure(.missingField, "missing field \"\(field)\"", line: line) }
        for field in ["apiVersion", "kind"] {
            let fieldLine = locations[[.key(field)]]?.line ?? line
            guard case .string(let s) = object[field] else {
                throw failure(.invalidField, "\"\(field)\" must be a string, got \(describe(object[field] ?? .null, format))", line: fieldLine)
            }
            if s.isEmpty { throw failure(.invalidField, "\"\(field)\" must not be empty", line: fieldLine) }
        }
    }

    // MARK: - Helpers

    /// A value's type, in the words of the format it was written in, with the value for scalars.
    private static func describe(_ value: JSONValue, _ format: ManifestDocument.Format) -> String {
        switch value {
        case .array: return format == .yaml ? "a sequence" : "an array"
        case .object: return format == .yaml ? "a mapping" : "an object"
        case .null: return "null"
        default: return "the " + value.manifestDescription
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The index of the first byte that is not part of valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        // The standard library's validation is fast; find the position only when it fails.
        let valid = bytes.withContiguousStorageIfAvailable { String(validating: $0, as: UTF8.self) != nil } ?? false
        if valid { return nil }
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let count: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: count = 1
            case 0xE0: count = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: count = 2
            case 0xED: count = 2; high = 0x9F
            case 0xF0: count = 3; low = 0x90
            case 0xF1...0xF3: count = 3
            case 0xF4: count = 3; high = 0x8F
            default: return i
            }
            guard i + count < end else { return i }
            guard (low...high).contains(bytes[i + 1]) else { return i }
            if count >= 2 {
                for k in 2...count where !(0x80...0xBF).contains(bytes[i + k]) { return i }
            }
            i += count + 1
        }
        return nil
    }

    /// `3 MiB`, `3.4 MiB`, or bytes below 1 MiB.
    static func formatSize(_ bytes: Int) -> String {
        let mebibyte = 1 << 20
        guard bytes >= mebibyte else { return "\(bytes) bytes" }
        if bytes % mebibyte == 0 { return "\(bytes / mebibyte) MiB" }
        let tenths = (bytes * 10 + mebibyte / 2) / mebibyte
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
