// The string form of label selectors, parsed as upstream labels.Parse does:
//
//   <selector-syntax>         ::= <requirement> | <requirement> "," <selector-syntax>
//   <requirement>             ::= [!] KEY [ <set-based-restriction> | <exact-match-restriction> ]
//   <set-based-restriction>   ::= "" | <inclusion-exclusion> <value-set>
//   <inclusion-exclusion>     ::= "in" | "notin"
//   <value-set>               ::= "(" <values> ")"
//   <values>                  ::= VALUE | VALUE "," <values>
//   <exact-match-restriction> ::= ["="|"=="|"!="|">"|"<"] VALUE
//
// Same tokens, same lookahead rules (in/notin are plain identifiers where a value is expected),
// same error texts.

extension Selector {
    /// Parses the string form of a label selector (upstream `labels.Parse`), e.g.
    /// `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>1`. The empty string selects everything.
    /// Values of one requirement are sorted and deduplicated; requirements are sorted by key.
    ///
    /// Errors name the problem and the offending text, e.g.
    /// `found '==', expected: ',' or 'end of string'` or
    /// `unable to parse requirement: key: Invalid value: "-x": name part must consist of ...`.
    public static func parse(_ string: String) throws(SelectorError) -> Selector {
        Selector(try parseRequirements(string))
    }

    /// Parses the string form into its requirements, in the order written (upstream
    /// `ParseToRequirements` before sorting).
    public static func parseRequirements(_ string: String) throws(SelectorError) -> [LabelRequirement] {
        var parser = LabelSelectorParser(tokens: LabelSelectorLexer.scan(Array(string.utf8)))
        return try parser.parse()
    }
}

enum LabelToken: Equatable {
    case endOfString, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan
    case identifier, `in`, lessThan, notEquals, notIn, openPar
}

struct ScannedLabelToken {
    var token: LabelToken
    var literal: String
}

enum LabelSelectorLexer {
    static func isWhitespace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n")
    }

    static func isSpecialSymbol(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
            UInt8(ascii: ">"), UInt8(ascii: "<"):
            return true
        default:
            return false
        }
    }

    /// Splits the input into tokens, ending with `.endOfString`. Operators are read longest
    /// match first (`!=` before `!`, `==` before `=`); any other run of bytes up to whitespace or
    /// an operator character is an identifier, or the keyword `in` / `notin`.
    static func scan(_ bytes: [UInt8]) -> [ScannedLabelToken] {
        var tokens: [ScannedLabelToken] = []
        var pos = 0
        let end = bytes.count
        while true {
            while pos < end && isWhitespace(bytes[pos]) { pos += 1 }
            guard pos < end else {
                tokens.append(ScannedLabelToken(token: .endOfString, literal: ""))
                return tokens
            }
            let ch = bytes[pos]
            if isSpecialSymbol(ch) {
                if (ch == UInt8(ascii: "!") || ch == UInt8(ascii: "=")) && pos + 1 < end
                    && bytes[pos + 1] == UInt8(ascii: "=")
                {
                    let isNot = ch == UInt8(ascii: "!")
                    tokens.append(ScannedLabelToken(token: isNot ? .notEquals : .doubleEquals, literal: isNot ? "!=" : "=="))
                    pos += 2
                    continue
                }
                let token: LabelToken
                switch ch {
                case UInt8(ascii: "="): token = .equals
                case UInt8(ascii: "!"): token = .doesNotExist
                case UInt8(ascii: "("): token = .openPar
                case UInt8(ascii: ")"): token = .closedPar
                case UInt8(ascii: ","): token = .comma
                case UInt8(ascii: ">"): token = .greaterThan
                default: token = .lessThan
                }
                tokens.append(ScannedLabelToken(token: token, literal: String(UnicodeScalar(ch))))
                pos += 1
            } else {
                let start = pos
                while pos < end && !isSpecialSymbol(bytes[pos]) && !isWhitespace(bytes[pos]) { pos += 1 }
                let literal = String(decoding: bytes[start..<pos], as: UTF8.self)
                let token: LabelToken = literal == "in" ? .in : literal == "notin" ? .notIn : .identifier
                tokens.append(ScannedLabelToken(token: token, literal: literal))
            }
        }
    }
}

struct LabelSelectorParser {
    /// Where a token is read: where a value is expected, `in` and `notin` are identifiers.
    enum Context { case keyAndOperator, values }

    var tokens: [ScannedLabelToken]
    var position = 0

    init(tokens: [ScannedLabelToken]) { self.tokens = tokens }

    func lookahead(_ context: Context) -> (LabelToken, String) {
        let item = tokens[min(position, tokens.count - 1)]
        return (Self.contextual(item.token, context), item.literal)
    }

    mutating func consume(_ context: Context) -> (LabelToken, String) {
        let item = tokens[min(position, tokens.count - 1)]
        position += 1
        return (Self.contextual(item.token, context), item.literal)
    }

    static func contextual(_ token: LabelToken, _ context: Context) -> LabelToken {
        if context == .values && (token == .in || token == .notIn) { return .identifier }
        return token
    }

    mutating func parse() throws(SelectorError) -> [LabelRequirement] {
        var requirements: [LabelRequirement] = []
        while true {
            let (token, literal) = lookahead(.values)
            switch token {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw SelectorError("unable to parse requirement: " + error.message)
                }
                let (next, nextLiteral) = consume(.values)
                switch next {
                case .endOfString:
                    return requirements
                case .comma:
                    let (after, afterLiteral) = lookahead(.values)
                    if after != .identifier && after != .doesNotExist {
                        throw SelectorError("found '\(afterLiteral)', expected: identifier after ','")
                    }
                default:
                    throw SelectorError("found '\(nextLiteral)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw SelectorError("found '\(literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    mutating func parseRequirement() throws(SelectorError) -> LabelRequirement {
        let (key, inferred) = try parseKeyAndInferOperator()
        if let inferred { return try LabelRequirement(key: key, operator: inferred, values: []) }
        let op = try parseOperator()
        let values: [String]
        switch op {
        case .in, .notIn: values = try parseValues()
        default: values = try parseExactValue()
        }
        return try LabelRequirement(key: key, operator: op, values: values)
    }

    /// Reads `[!] KEY`; infers `exists` / `doesNotExist` when no operator follows.
    mutating func parseKeyAndInferOperator() throws(SelectorError) -> (String, LabelRequirement.Operator?) {
        var op: LabelRequirement.Operator?
        var (token, literal) = consume(.values)
        if token == .doesNotExist {
            op = .doesNotExist
            (token, literal) = consume(.values)
        }
        guard token == .identifier else { throw SelectorError("found '\(literal)', expected: identifier") }
        let keyErrors = SelectorValidation.labelKeyErrors(literal)
        if !keyErrors.isEmpty {
            throw SelectorError(SelectorValidation.invalid("key", literal, keyErrors.joined(separator: "; ")))
        }
        let (next, _) = lookahead(.values)
        if (next == .endOfString || next == .comma) && op == nil { op = .exists }
        return (literal, op)
    }

    mutating func parseOperator() throws(SelectorError) -> LabelRequirement.Operator {
        let (token, literal) = consume(.keyAndOperator)
        switch token {
        case .in: return .in
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .gt
        case .lessThan: return .lt
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default: throw SelectorError("found '\(literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    /// Reads `( values )`; `()` is the single empty value.
    mutating func parseValues() throws(SelectorError) -> [String] {
        let (open, openLiteral) = consume(.values)
        guard open == .openPar else { throw SelectorError("found '\(openLiteral)' expected: '('") }
        let (token, literal) = lookahead(.values)
        switch token {
        case .identifier, .comma:
            let values = try parseIdentifiersList()
            let (close, _) = consume(.values)
            guard close == .closedPar else { throw SelectorError("found '\(literal)', expected: ')'") }
            return values
        case .closedPar:
            _ = consume(.values)
            return [""]
        default:
            throw SelectorError("found '\(literal)', expected: ',', ')' or identifier")
        }
    }

    /// Reads a comma-separated list of possibly empty identifiers, up to (not including) `)`.
    mutating func parseIdentifiersList() throws(SelectorError) -> [String] {
        var set = Set<String>()
        while true {
            let (token, literal) = consume(.values)
            switch token {
            case .identifier:
                set.insert(literal)
                let (next, nextLiteral) = lookahead(.values)
                switch next {
                case .comma: continue
                case .closedPar: return Self.sortedValues(set)
                default: throw SelectorError("found '\(nextLiteral)', expected: ',' or ')'")
                }
            case .comma:
                if set.isEmpty { set.insert("") }  // "(,"
                let (next, _) = lookahead(.values)
                if next == .closedPar {
                    set.insert("")  // ",)"
                    return Self.sortedValues(set)
                }
                if next == .comma { set.insert("") }  // ",,"
            default:
                throw SelectorError("found '\(literal)', expected: ',', or identifier")
            }
        }
    }

    /// Reads the single value of `=`, `==`, `!=`, `>`, `<`; nothing before `,` or the end is `""`.
    mutating func parseExactValue() throws(SelectorError) -> [String] {
        let (next, _) = lookahead(.values)
        if next == .endOfString || next == .comma { return [""] }
        let (token, literal) = consume(.values)
        guard token == .identifier else { throw SelectorError("found '\(literal)', expected: identifier") }
        return [literal]
    }

    static func sortedValues(_ set: Set<String>) -> [String] {
        set.sorted { $0.bytewiseLess($1) }
    }
}
