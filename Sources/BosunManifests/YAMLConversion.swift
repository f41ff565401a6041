import BosunKit
internal import CYaml

// YAML is read from libyaml's event stream (the copy Yams builds, module `CYaml`) rather than from
// Yams' `Node` trees, for three reasons:
// - Yams checks duplicate keys while composing by hashing whole key nodes, so an alias of a
//   nested alias ("billion laughs") used as a key takes exponential time before any check of ours
//   could run;
// - the events give every problem we must report (duplicate keys after conversion to JSON keys,
//   alias expansion budgets, nesting depth through aliases) with its position;
// - the composer below is iterative, so no input can exhaust the stack.
// libyaml itself refuses nesting deeper than 1000 levels.

/// A document composed from YAML: its JSON value and where each part was written.
struct ComposedYAMLDocument {
    var value: JSONValue
    var locations: SourceLocations.Node
}

/// A problem found in one section of YAML, located in lines of the whole input.
struct YAMLProblem: Error {
    var reason: ManifestError.Reason
    var message: String
    var line: Int?
    var column: Int?
    /// How many non-null documents of the section were complete before the problem.
    var documentsBefore = 0

    init(reason: ManifestError.Reason, message: String, location: SourceLocation? = nil) {
        self.reason = reason
        self.message = message
        line = location?.line
        column = location?.column
    }
}

/// Builds JSON trees from the libyaml events of one section of a manifest stream.
enum YAMLComposer {
    /// libyaml's own nesting limit (`MAX_NESTING_LEVEL` in its parser.c).
    static let libyamlMaxDepth = 1000

    /// Parses `bytes`, one `---`-separated section whose first line is line `firstLine` of the
    /// input, into its documents, leaving out documents whose value is `null`.
    static func compose(_ bytes: ArraySlice<UInt8>, firstLine: Int, maxDepth: Int) throws(YAMLProblem) -> [ComposedYAMLDocument] {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLProblem(reason: .tooLarge, message: "out of memory while parsing YAML")
        }
        defer { yaml_parser_delete(parser) }
        // libyaml reads the input in place until it is done: give it a stable copy.
        let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer { input.deallocate() }
        _ = input.initialize(fromContentsOf: bytes)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)

        var state = ComposerState(maxDepth: maxDepth, firstLine: firstLine)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                var problem = parserProblem(parser.pointee, bytes: bytes, firstLine: firstLine)
                problem.documentsBefore = state.documents.count
                throw problem
            }
            let parsed = ParsedEvent(event, firstLine: firstLine)
            yaml_event_delete(&event)
            if parsed.type == YAML_STREAM_END_EVENT { break }
            do {
                try state.handle(parsed)
            } catch {
                var problem = error
                problem.documentsBefore = state.documents.count
                throw problem
            }
        }
        return state.documents
    }

    /// libyaml's error, in our words and lines.
    private static func parserProblem(_ parser: yaml_parser_t, bytes: ArraySlice<UInt8>, firstLine: Int) -> YAMLProblem {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return YAMLProblem(reason: .tooLarge, message: "out of memory while parsing YAML")
        case YAML_READER_ERROR:
            var location = TextPosition.location(ofByte: bytes.startIndex + Int(parser.problem_offset), in: bytes)
            location.line += firstLine - 1
            var message = problem
            if parser.problem_value >= 0 {
                let hex = String(parser.problem_value, radix: 16, uppercase: true)
                message += " (U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))"
            }
            return YAMLProblem(reason: .encoding, message: message, location: location)
        default:
            let location = SourceLocation(
                line: Int(parser.problem_mark.line) + firstLine, column: Int(parser.problem_mark.column) + 1)
            if problem.hasPrefix("Maximum nesting level") {
                // libyaml's column is where its scanner had got to, which may be far from the culprit.
                var problem = YAMLProblem(reason: .tooDeep, message: "nesting deeper than \(libyamlMaxDepth) levels", location: location)
                problem.column = nil
                return problem
            }
            var message = problem
            let offending = TextPosition.byte(
                atLine: Int(parser.problem_mark.line), column: Int(parser.problem_mark.column), in: bytes)
            if offending == UInt8(ascii: "\t") {
                message += " (a tab: YAML does not allow tabs for indentation)"
            }
            if let context = parser.context.map({ String(cString: $0) }), context != "while scanning for the next token" {
                let line = Int(parser.context_mark.line) + firstLine
                let column = Int(parser.context_mark.column) + 1
                message += " (\(context) starting at line \(line), column \(column))"
            }
            return YAMLProblem(reason: .syntax, message: message, location: location)
        }
    }
}

/// The parts of a libyaml event the composer uses, copied out so the event can be freed at once.
private struct ParsedEvent {
    var type: yaml_event_type_t
    var start: SourceLocation
    var anchor: String?
    var tag: String?
    var value = ""
    var isPlain = false

    init(_ event: yaml_event_t, firstLine: Int) {
        type = event.type
        start = SourceLocation(line: Int(event.start_mark.line) + firstLine, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            anchor = ParsedEvent.string(scalar.anchor)
            tag = ParsedEvent.string(scalar.tag)
            value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
            isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
        case YAML_ALIAS_EVENT:
            anchor = ParsedEvent.string(event.data.alias.anchor)
        case YAML_SEQUENCE_START_EVENT:
            anchor = ParsedEvent.string(event.data.sequence_start.anchor)
        case YAML_MAPPING_START_EVENT:
            anchor = ParsedEvent.string(event.data.mapping_start.anchor)
        default:
            break
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }
}

/// A finished value with its location tree and the sizes the limits are checked against.
private struct Composed {
    var value: JSONValue
    var node: SourceLocations.Node
    /// Nesting levels of collections: 0 for a scalar, 1 for a flat list.
    var height: Int
    /// Nodes decoded to build it, keys included, as go-yaml counts them.
    var size: Int
}

/// What an anchor names.
private enum Anchored {
    case scalar(ResolvedScalar, text: String)
    case collection(Composed)
}

/// A mapping or sequence being built.
private struct Frame {
    enum PendingKey {
        case key(String, SourceLocation)
        case merge
    }

    struct Merge {
        var position: Int
        var object: JSONObject
        var node: SourceLocations.Node
    }

    let isMapping: Bool
    let anchor: String?
    let start: SourceLocation
    var members: [JSONObject.Member] = []
    var memberNodes: [String: SourceLocations.Node] = [:]
    var pending: PendingKey?
    var merges: [Merge] = []
    var items: [JSONValue] = []
    var itemNodes: [SourceLocations.Node] = []
    var height = 0
    var size = 1

    init(isMapping: Bool, anchor: String?, start: SourceLocation) {
        self.isMapping = isMapping
        self.anchor = anchor
        self.start = start
    }
}

private struct ComposerState {
    let maxDepth: Int
    let firstLine: Int
    var documents: [ComposedYAMLDocument] = []
    var stack: [Frame] = []
    var root: Composed?
    var anchors: [String: Anchored] = [:]
    /// go-yaml's alias budget: nodes decoded, and how many of them came from expanding aliases.
    var decodeCount = 0
    var aliasCount = 0

    init(maxDepth: Int, firstLine: Int) {
        self.maxDepth = maxDepth
        self.firstLine = firstLine
    }

    /// Whether the next node is a key of the innermost mapping.
    var atKey: Bool {
        guard let top = stack.last else { return false }
        return top.isMapping && top.pending == nil
    }

    mutating func handle(_ event: ParsedEvent) throws(YAMLProblem) {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            stack = []
            root = nil
            anchors = [:]
            decodeCount = 0
            aliasCount = 0
        case YAML_DOCUMENT_END_EVENT:
            if let root, !root.value.isNull {
                documents.append(ComposedYAMLDocument(value: root.value, locations: root.node))
            }
            root = nil
        case YAML_SCALAR_EVENT:
            try scalar(event)
        case YAML_ALIAS_EVENT:
            try alias(event)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            try startCollection(event, isMapping: event.type == YAML_MAPPING_START_EVENT)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            try endCollection()
        default:
            break
        }
    }

    // MARK: Nodes

    private mutating func scalar(_ event: ParsedEvent) throws(YAMLProblem) {
        let resolved: ResolvedScalar
        if let tag = event.tag {
            switch YAMLScalars.resolveTagged(event.value, tag: tag) {
            case .success(let r): resolved = r
            case .failure(let failure): throw YAMLProblem(reason: .unsupportedValue, message: failure.message, location: event.start)
            }
        } else {
            resolved = event.isPlain ? YAMLScalars.resolvePlain(event.value) : .string(event.value)
        }
        decodeCount += 1
        if let anchor = event.anchor { anchors[anchor] = .scalar(resolved, text: event.value) }
        if atKey {
            let isMerge = event.value == "<<" && (event.tag == nil ? event.isPlain : event.tag == "tag:yaml.org,2002:merge")
            if isMerge {
                stack[stack.count - 1].pending = .merge
                stack[stack.count - 1].size += 1
            } else {
                try setKey(resolved, text: event.value, at: event.start)
            }
        } else {
            let value = try jsonValue(resolved, text: event.value, at: event.start)
            try deliver(Composed(value: value, node: SourceLocations.Node(event.start), height: 0, size: 1))
        }
    }

    private mutating func alias(_ event: ParsedEvent) throws(YAMLProblem) {
        let name = event.anchor ?? ""
        guard let target = anchors[name] else {
            if stack.contains(where: { $0.anchor == name }) {
                throw YAMLProblem(reason: .syntax, message: "anchor \"\(name)\" value contains itself", location: event.start)
            }
            throw YAMLProblem(reason: .syntax, message: "unknown anchor \"\(name)\" referenced", location: event.start)
        }
        switch target {
        case .scalar(let resolved, let text):
            decodeCount += 1
            aliasCount += 1
            try checkAliasing(at: event.start)
            if atKey {
                try setKey(resolved, text: text, at: event.start)
            } else {
                let value = try jsonValue(resolved, text: text, at: event.start)
                try deliver(Composed(value: value, node: SourceLocations.Node(event.start), height: 0, size: 1))
            }
        case .collection(let composed):
            if atKey { throw invalidKey(composed.value, at: event.start) }
            decodeCount = ComposerState.capped(decodeCount + composed.size)
            aliasCount = ComposerState.capped(aliasCount + composed.size)
            try checkAliasing(at: event.start)
            if stack.count + composed.height > maxDepth {
                throw YAMLProblem(reason: .tooDeep, message: "nesting deeper than \(maxDepth) levels", location: event.start)
            }
            var relocated = composed
            relocated.node = composed.node.relocated(to: event.start)
            try deliver(relocated)
        }
    }

    private mutating func startCollection(_ event: ParsedEvent, isMapping: Bool) throws(YAMLProblem) {
        if atKey {
            throw YAMLProblem(
                reason: .unsupportedValue,
                message: "invalid map key: a \(isMapping ? "mapping" : "sequence") cannot be a key", location: event.start)
        }
        guard stack.count < maxDepth else {
            throw YAMLProblem(reason: .tooDeep, message: "nesting deeper than \(maxDepth) levels", location: event.start)
        }
        decodeCount += 1
        stack.append(Frame(isMapping: isMapping, anchor: event.anchor, start: event.start))
    }

    private mutating func endCollection() throws(YAMLProblem) {
        guard let frame = stack.popLast() else { return }
        let composed: Composed
        if frame.isMapping {
            let (members, nodes) = frame.merges.isEmpty ? (frame.members, frame.memberNodes) : ComposerState.merged(frame)
            composed = Composed(
                value: .object(JSONObject(members)), node: SourceLocations.Node(frame.start, members: nodes),
                height: frame.height + 1, size: frame.size)
        } else {
            composed = Composed(
                value: .array(frame.items), node: SourceLocations.Node(frame.start, items: frame.itemNodes),
                height: frame.height + 1, size: frame.size)
        }
        if let anchor = frame.anchor { anchors[anchor] = .collection(composed) }
        try deliver(composed)
    }

    // MARK: Building

    /// Puts a finished value where it belongs: the pending key of the innermost mapping, the end
    /// of the innermost sequence, or the document root.
    private mutating func deliver(_ composed: Composed) throws(YAMLProblem) {
        let last = stack.count - 1
        guard last >= 0 else {
            root = composed
            return
        }
        stack[last].height = max(stack[last].height, composed.height)
        stack[last].size = ComposerState.capped(stack[last].size + composed.size)
        guard stack[last].isMapping else {
            stack[last].items.append(composed.value)
            stack[last].itemNodes.append(composed.node)
            return
        }
        switch stack[last].pending {
        case .key(let key, let location):
            stack[last].members.append(JSONObject.Member(key: key, value: composed.value))
            stack[last].memberNodes[key] = composed.node.relocated(to: location)
        case .merge:
            try addMerge(composed)
        case nil:
            break
        }
        stack[last].pending = nil
    }

    /// Sets the pending key of the innermost mapping, converted to a JSON key as
    /// sigs.k8s.io/yaml does, refusing duplicates.
    private mutating func setKey(_ resolved: ResolvedScalar, text: String, at location: SourceLocation) throws(YAMLProblem) {
        guard let key = YAMLScalars.keyString(resolved) else {
            let what = resolved == .null ? "null" : "integer \(text) (out of range)"
            throw YAMLProblem(reason: .unsupportedValue, message: "invalid map key: \(what)", location: location)
        }
        let last = stack.count - 1
        if let first = stack[last].memberNodes[key] {
            throw YAMLProblem(
                reason: .duplicateKey,
                message: "duplicate key \"\(key)\" (first defined at line \(first.location.line))", location: location)
        }
        stack[last].pending = .key(key, location)
        stack[last].size += 1
    }

    /// Records the value of a `<<` merge key: a mapping, or a sequence of mappings.
    private mutating func addMerge(_ composed: Composed) throws(YAMLProblem) {
        let last = stack.count - 1
        let position = stack[last].members.count
        switch composed.value {
        case .object(let object):
            stack[last].merges.append(Frame.Merge(position: position, object: object, node: composed.node))
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                guard case .object(let object) = element else {
                    throw ComposerState.badMerge(at: composed.node.items[i].location)
                }
                stack[last].merges.append(Frame.Merge(position: position, object: object, node: composed.node.items[i]))
            }
        default:
            throw ComposerState.badMerge(at: composed.node.location)
        }
    }

    private static func badMerge(at location: SourceLocation) -> YAMLProblem {
        YAMLProblem(reason: .unsupportedValue, message: "map merge requires map or sequence of maps as the value", location: location)
    }

    /// A mapping's members with its merges applied: keys written in the mapping win over merged
    /// ones, and earlier merges win over later ones (`<<: [*a, *b]` prefers `a`). Merged members
    /// go where the `<<` key was.
    private static func merged(_ frame: Frame) -> ([JSONObject.Member], [String: SourceLocations.Node]) {
        var taken = Set(frame.members.map(\.key))
        var nodes = frame.memberNodes
        var inserted = Array(repeating: [JSONObject.Member](), count: frame.members.count + 1)
        for merge in frame.merges {
            for member in merge.object.members where !taken.contains(member.key) {
                taken.insert(member.key)
                inserted[merge.position].append(member)
                nodes[member.key] = merge.node.members[member.key] ?? SourceLocations.Node(merge.node.location)
            }
        }
        var members: [JSONObject.Member] = []
        members.reserveCapacity(taken.count)
        for i in 0...frame.members.count {
            members.append(contentsOf: inserted[i])
            if i < frame.members.count { members.append(frame.members[i]) }
        }
        return (members, nodes)
    }

    // MARK: Checks

    private func jsonValue(_ resolved: ResolvedScalar, text: String, at location: SourceLocation) throws(YAMLProblem) -> JSONValue {
        guard let value = YAMLScalars.jsonValue(resolved) else {
            throw YAMLProblem(
                reason: .unsupportedValue,
                message: "\(text) cannot be represented in JSON (it has no infinities, NaN or numbers that large); quote it to make it a string",
                location: location)
        }
        return value
    }

    private func invalidKey(_ value: JSONValue, at location: SourceLocation) -> YAMLProblem {
        let what = value.objectValue != nil ? "a mapping" : "a sequence"
        return YAMLProblem(reason: .unsupportedValue, message: "invalid map key: \(what) cannot be a key", location: location)
    }

    /// go-yaml v2's rule against alias bombs: past 100 aliased nodes and 1000 nodes in all, aliases
    /// may make up at most 99% of the decoded nodes, falling to 10% as documents grow to 4 million.
    private func checkAliasing(at location: SourceLocation) throws(YAMLProblem) {
        guard aliasCount > 100, decodeCount > 1000 else { return }
        let allowed: Double
        switch decodeCount {
        case ...400_000: allowed = 0.99
        case 4_000_000...: allowed = 0.10
        default: allowed = 0.99 - 0.89 * Double(decodeCount - 400_000) / 3_600_000
        }
        if Double(aliasCount) / Double(decodeCount) > allowed {
            throw YAMLProblem(reason: .excessiveAliasing, message: "document contains excessive aliasing", location: location)
        }
    }

    /// Node counts saturate far below overflow; the aliasing check stops growth long before.
    private static func capped(_ n: Int) -> Int { min(n, 1 << 60) }
}

/// Lines and columns of raw UTF-8 bytes, counted as libyaml and editors count them: lines end at
/// `\n`, columns count Unicode scalars.
enum TextPosition {
    /// The 1-based line and column of the byte at `offset` (an index of `bytes`).
    static func location(ofByte offset: Int, in bytes: ArraySlice<UInt8>) -> SourceLocation {
        var line = 1
        var column = 1
        var i = bytes.startIndex
        let end = min(offset, bytes.endIndex)
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return SourceLocation(line: line, column: column)
    }

    /// The first byte of the character at 0-based `line` and `column`, if there is one.
    static func byte(atLine line: Int, column: Int, in bytes: ArraySlice<UInt8>) -> UInt8? {
        var i = bytes.startIndex
        var currentLine = 0
        while currentLine < line {
            guard let newline = bytes[i...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            i = newline + 1
            currentLine += 1
        }
        var currentColumn = 0
        while i < bytes.endIndex, bytes[i] != UInt8(ascii: "\n") {
            if bytes[i] & 0xC0 != 0x80 {
                if currentColumn == column { return bytes[i] }
                currentColumn += 1
            }
            i += 1
        }
        return nil
    }
}
