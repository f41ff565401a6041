// Character classes of the Go regex engine: `[...]`, Perl (`\d \s \w`), POSIX (`[:alpha:]`),
// Unicode general categories (`\pL`, `\p{Lu}`) and common scripts, with Go's simple case folding.

/// A set of Unicode scalars.
struct GoCharClass: Sendable {
    enum Item: Sendable {
        case ranges([ClosedRange<UInt32>], negated: Bool)
        case category(mask: UInt32, negated: Bool)
    }

    /// Sorted, merged positive ranges.
    private(set) var ranges: [ClosedRange<UInt32>] = []
    /// Negated ranges (`\D`, `[:^alpha:]`) and Unicode categories.
    var items: [Item] = []
    var negated = false
    /// Membership of the 128 ASCII scalars, filled by ``finalized()``.
    private var ascii: (UInt64, UInt64) = (0, 0)

    init() {}

    init(scalars: [UInt32]) {
        for s in scalars { add(s, s) }
    }

    mutating func add(_ lo: UInt32, _ hi: UInt32) {
        ranges.append(lo...hi)
    }

    mutating func add(_ list: [ClosedRange<UInt32>], negated: Bool) {
        if negated { items.append(.ranges(list, negated: true)) } else { ranges.append(contentsOf: list) }
    }

    /// Adds the case variants of every member, as Go does under `(?i)`.
    func folded(_ fold: Bool) -> GoCharClass {
        guard fold else { return self }
        var copy = self
        for r in ranges where r.count <= 0x3000 {
            for c in r { for f in Self.foldOrbit(c) where !r.contains(f) { copy.add(f, f) } }
        }
        let cased: UInt32 = 0b111  // Lu | Ll | Lt
        copy.items = items.map { item in
            if case .category(let mask, let neg) = item, mask & ~cased == 0 { return .category(mask: cased, negated: neg) }
            return item
        }
        return copy
    }

    /// Sorts and merges ranges and caches ASCII membership; call once before matching.
    func finalized() -> GoCharClass {
        var copy = self
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for r in sorted {
            if let last = merged.last, r.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        copy.ranges = merged
        var lo: UInt64 = 0, hi: UInt64 = 0
        for c in UInt32(0)..<128 where copy.slowContains(c) {
            if c < 64 { lo |= 1 << UInt64(c) } else { hi |= 1 << UInt64(c - 64) }
        }
        copy.ascii = (lo, hi)
        return copy
    }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return ascii.0 & (1 << UInt64(c)) != 0 }
        if c < 128 { return ascii.1 & (1 << UInt64(c - 64)) != 0 }
        return slowContains(c)
    }

    private func slowContains(_ c: UInt32) -> Bool {
        var found = Self.search(ranges, c)
        if !found {
            for item in items {
                switch item {
                case .ranges(let list, let neg): found = Self.search(list, c) != neg
                case .category(let mask, let neg): found = (mask & Self.categoryBit(c) != 0) != neg
                }
                if found { break }
            }
        }
        return found != negated
    }

    private static func search(_ list: [ClosedRange<UInt32>], _ c: UInt32) -> Bool {
        var low = 0, high = list.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if c < list[mid].lowerBound { high = mid - 1 } else if c > list[mid].upperBound { low = mid + 1 } else { return true }
        }
        return false
    }
}

// MARK: - Named classes

extension GoCharClass {
    static let digit: [ClosedRange<UInt32>] = [0x30...0x39]
    static let space: [ClosedRange<UInt32>] = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
    static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]

    /// Go's POSIX classes (ASCII only).
    static let posix: [String: [ClosedRange<UInt32>]] = [
        "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A],
        "alpha": [0x41...0x5A, 0x61...0x7A],
        "ascii": [0x00...0x7F],
        "blank": [0x09...0x09, 0x20...0x20],
        "cntrl": [0x00...0x1F, 0x7F...0x7F],
        "digit": [0x30...0x39],
        "graph": [0x21...0x7E],
        "lower": [0x61...0x7A],
        "print": [0x20...0x7E],
        "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E],
        "space": [0x09...0x0D, 0x20...0x20],
        "upper": [0x41...0x5A],
        "word": [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A],
        "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66],
    ]
}

// MARK: - Parsing classes

extension GoRegexParser {
    mutating func parseClass() throws(GoRegexError) -> GoRegexNode {
        let start = i
        i += 1
        var cls = GoCharClass()
        if peek() == "^" {
            cls.negated = true
            i += 1
        }
        var first = true
        while true {
            guard let c = peek() else { throw GoRegexError(code: "missing closing ]", expression: text(start, scalars.count)) }
            if c == "]" && !first {
                i += 1
                break
            }
            first = false
            if c == "[", peek(1) == ":", try parsePosixClass(into: &cls) { continue }
            if c == "\\", let n = peek(1), "dDsSwWpP".unicodeScalars.contains(n) {
                try parseClassEscape(into: &cls, start: i)
                continue
            }
            let rangeStart = i
            let lo = try parseClassChar(classStart: start)
            var hi = lo
            if peek() == "-", let n = peek(1), n != "]" {
                i += 1
                hi = try parseClassChar(classStart: start)
                if hi < lo { throw error("invalid character class range", rangeStart, i) }
            }
            cls.add(lo, hi)
        }
        return .charClass(cls.folded(flags.foldCase))
    }

    mutating func parseClassChar(classStart: Int) throws(GoRegexError) -> UInt32 {
        guard let c = peek() else { throw GoRegexError(code: "missing closing ]", expression: text(classStart, scalars.count)) }
        if c == "\\" { return try parseEscape() }
        i += 1
        return c.value
    }

    /// `[:alpha:]` or `[:^alpha:]`; returns false (nothing consumed) when there is no closing `:]`.
    mutating func parsePosixClass(into cls: inout GoCharClass) throws(GoRegexError) -> Bool {
        var j = i + 2
        while j + 1 < scalars.count, !(scalars[j] == ":" && scalars[j + 1] == "]") { j += 1 }
        guard j + 1 < scalars.count else { return false }
        var name = text(i + 2, j)
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let list = GoCharClass.posix[name] else { throw error("invalid character class range", i, j + 2) }
        cls.add(list, negated: negated)
        i = j + 2
        return true
    }

    /// `\d \D \s \S \w \W \pX \p{Name} \PX \P{^Name}` at a backslash.
    mutating func parseClassEscape(into cls: inout GoCharClass, start: Int) throws(GoRegexError) {
        let letter = scalars[i + 1]
        i += 2
        switch letter {
        case "d", "D": cls.add(GoCharClass.digit, negated: letter == "D")
        case "s", "S": cls.add(GoCharClass.space, negated: letter == "S")
        case "w", "W": cls.add(GoCharClass.word, negated: letter == "W")
        default:
            var negated = letter == "P"
            var name: String
            guard let next = peek() else { throw error("invalid character class range", start, i) }
            if next == "{" {
                var j = i + 1
                while j < scalars.count, scalars[j] != "}" { j += 1 }
                guard j < scalars.count else { throw error("invalid character class range", start, scalars.count) }
                name = text(i + 1, j)
                i = j + 1
            } else {
                name = String(next)
                i += 1
            }
            if name.hasPrefix("^") {
                negated.toggle()
                name.removeFirst()
            }
            if name == "Any" {
                cls.add([0...0x10FFFF], negated: negated)
            } else if let mask = GoCharClass.categories[name] {
                cls.items.append(.category(mask: mask, negated: negated))
            } else if let list = GoCharClass.scripts[name] {
                cls.add(list, negated: negated)
            } else {
                throw error("invalid character class range", start, i)
            }
        }
    }
}
