// A regular expression with Go's `regexp` (RE2) syntax and semantics, as kube-apiserver uses for
// the `pattern` keyword of CRD schemas. Only "does it match anywhere" is needed, so this is a
// parser to a small syntax tree, a compiler to a Thompson program and a Pike VM: linear time,
// no backtracking, no per-match allocation beyond a stack buffer.
//
// Go's rules kept: Perl flags (`(?imsU)`), `^`/`$` match only at the text's ends unless `(?m)`,
// `.` excludes `\n` unless `(?s)`, negated classes include `\n`, `\d \s \w \b` are ASCII-only,
// octal/hex escapes, `\Q...\E`, POSIX `[[:alpha:]]`, repeat counts up to 1000, and the same
// syntax errors (backreferences, lookaround, `\Z`, nested repetition...).

/// A Go syntax error, printed as Go prints it: `error parsing regexp: missing closing ): ...`.
struct GoRegexError: Error, Sendable, CustomStringConvertible {
    var code: String
    var expression: String
    var description: String { "error parsing regexp: \(code): `\(expression)`" }
}

/// A compiled Go regular expression.
struct GoRegex: Sendable {
    let program: [GoRegexInst]
    let classes: [GoCharClass]
    /// True when every match must start at the beginning of the text (`^...` without `(?m)`).
    let anchoredStart: Bool

    init(_ pattern: String) throws(GoRegexError) {
        var parser = GoRegexParser(pattern)
        let tree = try parser.parse()
        var compiler = GoRegexCompiler()
        try compiler.compile(tree)
        program = compiler.program
        classes = compiler.classes
        anchoredStart = tree.startsWithBeginText
    }
}

/// The syntax tree.
indirect enum GoRegexNode: Sendable {
    case empty
    case literal(UInt32)
    case charClass(GoCharClass)
    case anyChar
    case anyCharNotNL
    case assertion(GoRegexAssertion)
    case concat([GoRegexNode])
    case alternate([GoRegexNode])
    /// `max == -1` is unbounded.
    case `repeat`(GoRegexNode, min: Int, max: Int)

    var startsWithBeginText: Bool {
        switch self {
        case .assertion(.beginText): true
        case .concat(let items): items.first?.startsWithBeginText ?? false
        case .alternate(let items): !items.isEmpty && items.allSatisfy(\.startsWithBeginText)
        default: false
        }
    }
}

enum GoRegexAssertion: Sendable {
    case beginLine, endLine, beginText, endText, wordBoundary, noWordBoundary
}

struct GoRegexParser {
    struct Flags {
        var foldCase = false
        var multiLine = false
        var dotNL = false
    }

    let scalars: [Unicode.Scalar]
    let pattern: String
    var i = 0
    var flags = Flags()

    init(_ pattern: String) {
        self.pattern = pattern
        scalars = Array(pattern.unicodeScalars)
    }

    var atEnd: Bool { i >= scalars.count }
    func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < scalars.count ? scalars[i + offset] : nil }

    func text(_ from: Int, _ to: Int) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[max(0, from)..<min(to, scalars.count)])
        return String(s)
    }

    func error(_ code: String, _ from: Int, _ to: Int) -> GoRegexError {
        GoRegexError(code: code, expression: text(from, to))
    }

    mutating func parse() throws(GoRegexError) -> GoRegexNode {
        let node = try parseAlternation()
        if !atEnd {  // only a stray ')' stops the top level early
            throw GoRegexError(code: "unexpected )", expression: pattern)
        }
        return node
    }

    mutating func parseAlternation() throws(GoRegexError) -> GoRegexNode {
        var branches = [try parseConcat()]
        while peek() == "|" {
            i += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    mutating func parseConcat() throws(GoRegexError) -> GoRegexNode {
        var items: [GoRegexNode] = []
        var lastRepeatStart: Int? = nil
        while let c = peek(), c != "|", c != ")" {
            let start = i
            if let (minCount, maxCount) = try parseRepeatOperator() {
                if let last = lastRepeatStart {
                    throw error("invalid nested repetition operator", last, i)
                }
                guard let operand = items.popLast() else {
                    throw error("missing argument to repetition operator", start, i)
                }
                if peek() == "?" { i += 1 }  // non-greedy: irrelevant to whether a match exists
                if minCount > 1000 || maxCount > 1000 {
                    throw error("invalid repeat count", start, i)
                }
                items.append(.repeat(operand, min: minCount, max: maxCount))
                lastRepeatStart = start
                continue
            }
            lastRepeatStart = nil
            try parseAtom(into: &items)
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// Parses `*`, `+`, `?` or a valid `{n}`, `{n,}`, `{n,m}` at the cursor; a `{` that does not
    /// start a valid count is a literal, as in Go.
    mutating func parseRepeatOperator() throws(GoRegexError) -> (Int, Int)? {
        switch peek() {
        case "*": i += 1; return (0, -1)
        case "+": i += 1; return (1, -1)
        case "?": i += 1; return (0, 1)
        case "{":
            var j = i + 1
            func number(_ j: inout Int) -> Int? {
                let start = j
                var value = 0
                while j < scalars.count, let d = scalars[j].regexDigit {
                    value = min(value * 10 + d, 100_000)
                    j += 1
                }
                return j > start ? value : nil
            }
            guard let low = number(&j) else { return nil }
            var high = low
            if j < scalars.count, scalars[j] == "," {
                j += 1
                high = number(&j) ?? -1
            }
            guard j < scalars.count, scalars[j] == "}" else { return nil }
            if high != -1 && high < low { throw error("invalid repeat count", i, j + 1) }
            i = j + 1
            return (low, high)
        default: return nil
        }
    }

    /// Appends the next atom; `\Q...\E` appends one literal per character (a following repeat
    /// applies to the last one only) and a flags group appends nothing.
    mutating func parseAtom(into items: inout [GoRegexNode]) throws(GoRegexError) {
        let c = scalars[i]
        switch c {
        case "(":
            if let group = try parseGroup() { items.append(group) }
        case "[": items.append(try parseClass())
        case ".":
            i += 1
            items.append(flags.dotNL ? .anyChar : .anyCharNotNL)
        case "^":
            i += 1
            items.append(.assertion(flags.multiLine ? .beginLine : .beginText))
        case "$":
            i += 1
            items.append(.assertion(flags.multiLine ? .endLine : .endText))
        case "\\":
            if peek(1) == "Q" {
                i += 2
                while let q = peek() {
                    if q == "\\", peek(1) == "E" { i += 2; break }
                    items.append(literal(q.value))
                    i += 1
                }
            } else {
                items.append(try parseBackslash())
            }
        default:
            i += 1
            items.append(literal(c.value))
        }
    }

    func literal(_ c: UInt32) -> GoRegexNode {
        guard flags.foldCase else { return .literal(c) }
        let orbit = GoCharClass.foldOrbit(c)
        return orbit.count == 1 ? .literal(c) : .charClass(GoCharClass(scalars: orbit))
    }

    mutating func parseGroup() throws(GoRegexError) -> GoRegexNode? {
        let start = i
        i += 1
        let saved = flags
        if peek() == "?" {
            if peek(1) == "P" || (peek(1) == "<" && peek(2) != "=" && peek(2) != "!") {
                // Named capture: (?P<name>re) or (?<name>re).
                i += peek(1) == "P" ? 2 : 1
                guard peek() == "<" else { throw error("invalid or unsupported Perl syntax", start, i + 1) }
                i += 1
                let nameStart = i
                while let n = peek(), n != ">" {
                    guard n.regexIsWordChar else { throw error("invalid named capture", start, i + 1) }
                    i += 1
                }
                guard peek() == ">", i > nameStart else { throw error("invalid named capture", start, i + 1) }
                i += 1
            } else {
                // Flags: (?flags) or (?flags:re).
                i += 1
                var sign = true, sawFlag = false, sawMinus = false
                while true {
                    guard let f = peek() else { throw GoRegexError(code: "missing closing )", expression: pattern) }
                    i += 1
                    switch f {
                    case "i": flags.foldCase = sign; sawFlag = true
                    case "m": flags.multiLine = sign; sawFlag = true
                    case "s": flags.dotNL = sign; sawFlag = true
                    case "U": sawFlag = true
                    case "-":
                        guard !sawMinus else { throw error("invalid or unsupported Perl syntax", start, i) }
                        sign = false; sawMinus = true; sawFlag = false
                    case ":", ")":
                        if sawMinus && !sawFlag { throw error("invalid or unsupported Perl syntax", start, i) }
                        if f == ")" { return nil }  // flags apply to the rest of the enclosing group
                    default: throw error("invalid or unsupported Perl syntax", start, i)
                    }
                    if f == ":" { break }
                }
            }
        }
        let inner = try parseAlternation()
        guard peek() == ")" else { throw GoRegexError(code: "missing closing )", expression: pattern) }
        i += 1
        flags = saved
        return inner
    }
}
