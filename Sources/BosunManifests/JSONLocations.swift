import BosunKit

/// Finds where each member and item of a JSON text is written, and refuses duplicate keys.
///
/// It runs after ``JSONParser`` has accepted the text, so it only has to follow the structure, not
/// check it. It is iterative; the parser has already bounded the depth.
enum JSONLocator {
    /// An object or array being located; mutated in place so its tables are never copied.
    private struct Frame {
        let isObject: Bool
        let start: SourceLocation
        var members: [String: SourceLocations.Node] = [:]
        var key: (name: String, location: SourceLocation)?
        var items: [SourceLocations.Node] = []

        var node: SourceLocations.Node { SourceLocations.Node(start, members: members, items: items) }
    }

    /// The location tree of `bytes`, a JSON text that ``JSONParser`` accepted.
    static func locate(_ bytes: ArraySlice<UInt8>) throws(YAMLProblem) -> SourceLocations.Node? {
        var cursor = Cursor(bytes: bytes)
        var stack: [Frame] = []
        var root: SourceLocations.Node?

        func attach(_ node: SourceLocations.Node, to stack: inout [Frame], root: inout SourceLocations.Node?) {
            let last = stack.count - 1
            guard last >= 0 else {
                root = node
                return
            }
            if stack[last].isObject {
                if let key = stack[last].key { stack[last].members[key.name] = node.relocated(to: key.location) }
                stack[last].key = nil
            } else {
                stack[last].items.append(node)
            }
        }

        cursor.skipWhitespace()
        // Each turn reads one value (after its key, in an object), then the separators and
        // closing brackets after it.
        while !cursor.atEnd {
            if let top = stack.last, top.isObject, top.key == nil {
                let location = cursor.location
                let name = cursor.readString()
                if let first = top.members[name] {
                    throw YAMLProblem(
                        reason: .duplicateKey,
                        message: "duplicate key \"\(name)\" (first defined at line \(first.location.line))", location: location)
                }
                stack[stack.count - 1].key = (name, location)
                cursor.skipWhitespace()
                cursor.advance()  // ':'
                cursor.skipWhitespace()
            }
            let location = cursor.location
            switch cursor.current {
            case UInt8(ascii: "{"):
                cursor.advance()
                stack.append(Frame(isObject: true, start: location))
            case UInt8(ascii: "["):
                cursor.advance()
                stack.append(Frame(isObject: false, start: location))
            case UInt8(ascii: "\""):
                _ = cursor.skipString()
                attach(SourceLocations.Node(location), to: &stack, root: &root)
            default:
                cursor.skipScalar()
                attach(SourceLocations.Node(location), to: &stack, root: &root)
            }
            cursor.skipWhitespace()
            while !cursor.atEnd {
                let c = cursor.current
                if c == UInt8(ascii: ",") {
                    cursor.advance()
                    cursor.skipWhitespace()
                    break
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    cursor.advance()
                    if let frame = stack.popLast() { attach(frame.node, to: &stack, root: &root) }
                    cursor.skipWhitespace()
                } else {
                    break
                }
            }
        }
        return root
    }

    private struct Cursor {
        let bytes: ArraySlice<UInt8>
        var position: Int
        var line = 1
        var column = 1

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            position = bytes.startIndex
        }

        var atEnd: Bool { position >= bytes.endIndex }
        var current: UInt8 { bytes[position] }
        var location: SourceLocation { SourceLocation(line: line, column: column) }

        mutating func advance() {
            guard position < bytes.endIndex else { return }
            let b = bytes[position]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }

        mutating func skipWhitespace() {
            while !atEnd {
                switch current {
                case 0x20, 0x0A, 0x0D, 0x09: advance()
                default: return
                }
            }
        }

        /// Skips a string at the cursor; returns its text with the quotes and whether it has escapes.
        mutating func skipString() -> (range: Range<Int>, escaped: Bool) {
            let start = position
            var escaped = false
            advance()
            while !atEnd {
                let c = current
                advance()
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    advance()
                } else if c == UInt8(ascii: "\"") {
                    break
                }
            }
            return (start..<position, escaped)
        }

        /// Reads a string at the cursor, decoding its escapes.
        mutating func readString() -> String {
            let (range, escaped) = skipString()
            guard escaped else { return String(decoding: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)], as: UTF8.self) }
            return (try? JSONParser.parse(bytes[range]))?.stringValue ?? ""
        }

        /// Skips a number or literal.
        mutating func skipScalar() {
            while !atEnd {
                switch current {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return
                default: advance()
                }
            }
        }
    }
}
