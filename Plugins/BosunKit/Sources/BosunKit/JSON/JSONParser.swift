/// A strict RFC 8259 JSON parser producing ``JSONValue`` trees.
///
/// It rejects what kube-apiserver rejects: invalid UTF-8, trailing garbage, unescaped control
/// characters, and nesting deeper than ``maxDepth`` (a request nested 100,000 deep must fail
/// cleanly rather than exhaust the stack).
public struct JSONParser {
    public static let defaultMaxDepth = 1000

    /// Parses one JSON document.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buf in
            parse(buffer: UnsafeRawBufferPointer(buf), maxDepth: maxDepth)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    public static func parse(_ string: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(string.utf8), maxDepth: maxDepth)
    }

    private static func parse(buffer: UnsafeRawBufferPointer, maxDepth: Int) -> Result<JSONValue, JSONParseError> {
        var state = State(buffer: buffer, maxDepth: maxDepth)
        do throws(JSONParseError) {
            state.skipWhitespace()
            let value = try state.parseValue(depth: 0)
            state.skipWhitespace()
            if state.position != buffer.count {
                throw state.error("unexpected data after the top-level value")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private struct State {
        let buffer: UnsafeRawBufferPointer
        let maxDepth: Int
        var position = 0
        var scratch: [UInt8] = []
        // Members and elements of the containers being parsed, innermost last. Each container
        // is copied out once, at its exact size, instead of growing its own array by doubling.
        var memberStack: [JSONObject.Member] = []
        var elementStack: [JSONValue] = []

        init(buffer: UnsafeRawBufferPointer, maxDepth: Int) {
            self.buffer = buffer
            self.maxDepth = maxDepth
        }

        func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
            let offset = min(offset ?? position, buffer.count)
            var line = 1
            var column = 1
            for i in 0..<offset {
                if buffer[i] == 0x0A { line += 1; column = 1 } else { column += 1 }
            }
            return JSONParseError(message: message, offset: offset, line: line, column: column)
        }

        @inline(__always) mutating func skipWhitespace() {
            while position < buffer.count {
                switch buffer[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
            guard position < buffer.count else { throw error("unexpected end of input") }
            switch buffer[position] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default:
                throw error("unexpected character '\(Self.printable(buffer[position]))'")
            }
        }

        static func printable(_ byte: UInt8) -> String {
            (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let n = literal.utf8CodeUnitCount
            guard position + n <= buffer.count else { throw error("unexpected end of input") }
            let matches = literal.withUTF8Buffer { lit in
                for i in 0..<n where buffer[position + i] != lit[i] { return false }
                return true
            }
            guard matches else { throw error("invalid literal") }
            position += n
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
            position += 1
            skipWhitespace()
            if position < buffer.count, buffer[position] == UInt8(ascii: "}") {
                position += 1
                return .object(JSONObject())
            }
            let base = memberStack.count
            while true {
                skipWhitespace()
                guard position < buffer.count else { throw error("unexpected end of input in object") }
                guard buffer[position] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                guard position < buffer.count, buffer[position] == UInt8(ascii: ":") else {
                    throw error("expected ':' after object key")
                }
                position += 1
                skipWhitespace()
                let value = try parseValue(depth: depth)
                memberStack.append(JSONObject.Member(key: key, value: value))
                skipWhitespace()
                guard position < buffer.count else { throw error("unexpected end of input in object") }
                switch buffer[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    let members = Array(memberStack[base...])
                    memberStack.removeSubrange(base...)
                    return .object(JSONObject(members))
                default: throw error("expected ',' or '}' in object")
                }
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
            position += 1
            skipWhitespace()
            if position < buffer.count, buffer[position] == UInt8(ascii: "]") {
                position += 1
                return .array([])
            }
            let base = elementStack.count
            while true {
                skipWhitespace()
                let element = try parseValue(depth: depth)
                elementStack.append(element)
                skipWhitespace()
                guard position < buffer.count else { throw error("unexpected end of input in array") }
                switch buffer[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    let elements = Array(elementStack[base...])
                    elementStack.removeSubrange(base...)
                    return .array(elements)
                default: throw error("expected ',' or ']' in array")
                }
            }
        }

        mutating func parseString() throws(JSONParseError) -> String {
            let start = position + 1
            var i = start
            var ascii = true
            // Fast path: no escapes.
            while i < buffer.count {
                let c = buffer[i]
                if c == UInt8(ascii: "\"") {
                    position = i + 1
                    let slice = UnsafeRawBufferPointer(rebasing: buffer[start..<i])
                    if ascii { return String(decoding: slice, as: UTF8.self) }
                    guard let s = String(validating: slice, as: UTF8.self) else {
                        throw error("invalid UTF-8 in string", at: start)
                    }
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw error("control character in string", at: i) }
                if c >= 0x80 { ascii = false }
                i += 1
            }
            guard i < buffer.count else { throw error("unterminated string", at: start - 1) }
            return try parseEscapedString(start: start)
        }

        mutating func parseEscapedString(start: Int) throws(JSONParseError) -> String {
            scratch.removeAll(keepingCapacity: true)
            var i = start
            while i < buffer.count {
                let c = buffer[i]
                switch c {
                case UInt8(ascii: "\""):
                    position = i + 1
                    guard let s = String(validating: scratch, as: UTF8.self) else {
                        throw error("invalid UTF-8 in string", at: start)
                    }
                    return s
                case UInt8(ascii: "\\"):
                    i += 1
                    guard i < buffer.count else { throw error("unterminated string", at: start - 1) }
                    switch buffer[i] {
                    case UInt8(ascii: "\""): scratch.append(0x22)
                    case UInt8(ascii: "\\"): scratch.append(0x5C)
                    case UInt8(ascii: "/"): scratch.append(0x2F)
                    case UInt8(ascii: "b"): scratch.append(0x08)
                    case UInt8(ascii: "f"): scratch.append(0x0C)
                    case UInt8(ascii: "n"): scratch.append(0x0A)
                    case UInt8(ascii: "r"): scratch.append(0x0D)
                    case UInt8(ascii: "t"): scratch.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4(at: i + 1)
                        i += 4
                        if (0xD800..<0xDC00).contains(scalar) {
                            // A high surrogate must be followed by an escaped low surrogate.
                            if i + 6 < buffer.count, buffer[i + 1] == UInt8(ascii: "\\"), buffer[i + 2] == UInt8(ascii: "u"),
                                case let low = try hex4(at: i + 3), (0xDC00..<0xE000).contains(low)
                            {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                i += 6
                            } else {
                                scalar = 0xFFFD
                            }
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            scalar = 0xFFFD
                        }
                        appendUTF8(UnicodeScalar(scalar) ?? "\u{FFFD}")
                    default:
                        throw error("invalid escape sequence", at: i - 1)
                    }
                    i += 1
                default:
                    if c < 0x20 { throw error("control character in string", at: i) }
                    scratch.append(c)
                    i += 1
                }
            }
            throw error("unterminated string", at: start - 1)
        }

        mutating func appendUTF8(_ scalar: UnicodeScalar) {
            UTF8.encode(scalar) { scratch.append($0) }
        }

        func hex4(at offset: Int) throws(JSONParseError) -> UInt32 {
            guard offset + 4 <= buffer.count else { throw error("truncated \\u escape", at: offset) }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = buffer[offset + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw error("invalid \\u escape", at: offset + k)
                }
                v = v << 4 | d
            }
            return v
        }

        mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
            let start = position
            var i = position
            var negative = false
            if buffer[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            guard i < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[i]) else {
                throw error("invalid number", at: start)
            }
            var integer: UInt64 = 0
            var overflow = false
            if buffer[i] == UInt8(ascii: "0") {
                i += 1
            } else {
                while i < buffer.count, case let c = buffer[i], c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                    let (m, o1) = integer.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
                    if o1 || o2 { overflow = true }
                    integer = a
                    i += 1
                }
            }
            var isInteger = true
            if i < buffer.count, buffer[i] == UInt8(ascii: ".") {
                isInteger = false
                i += 1
                let digitsStart = i
                while i < buffer.count, buffer[i] >= UInt8(ascii: "0"), buffer[i] <= UInt8(ascii: "9") { i += 1 }
                guard i > digitsStart else { throw error("invalid number: no digits after '.'", at: i) }
            }
            if i < buffer.count, buffer[i] == UInt8(ascii: "e") || buffer[i] == UInt8(ascii: "E") {
                isInteger = false
                i += 1
                if i < buffer.count, buffer[i] == UInt8(ascii: "+") || buffer[i] == UInt8(ascii: "-") { i += 1 }
                let digitsStart = i
                while i < buffer.count, buffer[i] >= UInt8(ascii: "0"), buffer[i] <= UInt8(ascii: "9") { i += 1 }
                guard i > digitsStart else { throw error("invalid number: no digits in exponent", at: i) }
            }
            position = i
            if isInteger && !overflow {
                if negative, integer <= UInt64(Int64.max) + 1 {
                    return .int(integer == UInt64(Int64.max) + 1 ? .min : -Int64(integer))
                }
                if !negative, integer <= UInt64(Int64.max) { return .int(Int64(integer)) }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<i]), as: UTF8.self)
            guard let d = Double(text) else { throw error("invalid number", at: start) }
            return .double(d)
        }
    }
}
