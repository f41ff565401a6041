// Escapes of the Go regex syntax outside classes: assertions (`\A \z \b \B`), Perl and
// Unicode classes, and single-character escapes (octal, `\x41`, `\x{10FFFF}`, `\n`, `\.`).

extension GoRegexParser {
    mutating func parseBackslash() throws(GoRegexError) -> GoRegexNode {
        let start = i
        guard let c = peek(1) else { throw GoRegexError(code: "trailing backslash at end of expression", expression: "") }
        switch c {
        case "A": i += 2; return .assertion(.beginText)
        case "z": i += 2; return .assertion(.endText)
        case "b": i += 2; return .assertion(.wordBoundary)
        case "B": i += 2; return .assertion(.noWordBoundary)
        case "d", "D", "s", "S", "w", "W", "p", "P":
            var cls = GoCharClass()
            try parseClassEscape(into: &cls, start: start)
            return .charClass(cls.folded(flags.foldCase))
        default:
            return literal(try parseEscape())
        }
    }

    /// An escape that stands for one character, at a backslash (Go's `parseEscape`).
    mutating func parseEscape() throws(GoRegexError) -> UInt32 {
        let start = i
        i += 1
        guard let c = peek() else { throw GoRegexError(code: "trailing backslash at end of expression", expression: "") }
        i += 1
        switch c {
        case "1"..."7", "0":
            if c != "0", !(peek().map { ("0"..."7").contains($0) } ?? false) {
                throw error("invalid escape sequence", start, i)
            }
            var value = c.value - 0x30
            for _ in 1..<3 {
                guard let d = peek(), ("0"..."7").contains(d) else { break }
                value = value * 8 + d.value - 0x30
                i += 1
            }
            return value
        case "x":
            if peek() == "{" {
                i += 1
                var value: UInt32 = 0, digits = 0
                while let h = peek(), let v = h.regexHexValue {
                    value = value &* 16 &+ UInt32(v)
                    digits += 1
                    i += 1
                    if value > 0x10FFFF { throw error("invalid escape sequence", start, i) }
                }
                guard digits > 0, peek() == "}" else { throw error("invalid escape sequence", start, i) }
                i += 1
                return value
            }
            guard let h1 = peek()?.regexHexValue, let h2 = peek(1)?.regexHexValue else {
                throw error("invalid escape sequence", start, min(i + 2, scalars.count))
            }
            i += 2
            return UInt32(h1 * 16 + h2)
        case "a": return 7
        case "f": return 12
        case "n": return 10
        case "r": return 13
        case "t": return 9
        case "v": return 11
        default:
            if c.value < 0x80, !c.regexIsAlphanumeric { return c.value }
            throw error("invalid escape sequence", start, i)
        }
    }
}

extension Unicode.Scalar {
    var regexDigit: Int? { ("0"..."9").contains(self) ? Int(value - 0x30) : nil }
    var regexHexValue: Int? {
        switch self {
        case "0"..."9": Int(value - 0x30)
        case "a"..."f": Int(value - 0x61 + 10)
        case "A"..."F": Int(value - 0x41 + 10)
        default: nil
        }
    }
    var regexIsAlphanumeric: Bool { ("0"..."9").contains(self) || ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var regexIsWordChar: Bool { regexIsAlphanumeric || self == "_" }
}
