// The Go regex engine's compiler (syntax tree to Thompson program) and its Pike VM, which runs
// every thread in lock step over the text's scalars: time linear in the text, no backtracking.

enum GoRegexInst: Sendable {
    case scalar(UInt32)
    case charClass(Int)
    case any
    case anyNotNL
    case split(Int, Int)
    case jump(Int)
    case assert(GoRegexAssertion)
    case match
}

struct GoRegexCompiler {
    var program: [GoRegexInst] = []
    var classes: [GoCharClass] = []
    static let maxProgramSize = 200_000

    mutating func compile(_ node: GoRegexNode) throws(GoRegexError) {
        try emit(node)
        program.append(.match)
    }

    private mutating func append(_ inst: GoRegexInst) throws(GoRegexError) {
        guard program.count < Self.maxProgramSize else {
            throw GoRegexError(code: "expression too large", expression: "")
        }
        program.append(inst)
    }

    private mutating func emit(_ node: GoRegexNode) throws(GoRegexError) {
        switch node {
        case .empty: break
        case .literal(let c): try append(.scalar(c))
        case .charClass(let cls):
            classes.append(cls.finalized())
            try append(.charClass(classes.count - 1))
        case .anyChar: try append(.any)
        case .anyCharNotNL: try append(.anyNotNL)
        case .assertion(let a): try append(.assert(a))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternate(let branches):
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index < branches.count - 1 {
                    let split = program.count
                    try append(.split(split + 1, -1))
                    try emit(branch)
                    jumps.append(program.count)
                    try append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for j in jumps { program[j] = .jump(program.count) }
        case .repeat(let sub, let minCount, let maxCount):
            for _ in 0..<minCount { try emit(sub) }
            if maxCount == -1 {
                // x*: L: split(body, out); body; jump L
                let loop = program.count
                try append(.split(loop + 1, -1))
                try emit(sub)
                try append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            } else if maxCount > minCount {
                // x{0,n} as n nested optionals: each split skips to the common exit.
                var splits: [Int] = []
                for _ in minCount..<maxCount {
                    splits.append(program.count)
                    try append(.split(program.count + 1, -1))
                    try emit(sub)
                }
                for s in splits { program[s] = .split(s + 1, program.count) }
            }
        }
    }
}

extension GoRegex {
    /// Go's `regexp.MatchString`: whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        let n = program.count
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 5 * n + 2) { buffer -> Bool in
            let base = buffer.baseAddress!
            var current = (list: base, count: 0)
            var next = (list: base + n, count: 0)
            let marks = base + 2 * n     // generation stamp per pc
            let stack = base + 3 * n     // pending pcs while following empty transitions
            marks.initialize(repeating: -1, count: n)
            var generation: Int32 = 0

            var iterator = text.unicodeScalars.makeIterator()
            var scalar: UInt32? = iterator.next()?.value

            // Adds `pc` and everything reachable from it without consuming input; true on a match.
            func add(_ pc: Int, to list: inout (list: UnsafeMutablePointer<Int32>, count: Int),
                     previous: UInt32?, next: UInt32?) -> Bool {
                var top = 0
                stack[top] = Int32(pc)
                top += 1
                while top > 0 {
                    top -= 1
                    let pc = Int(stack[top])
                    if marks[pc] == generation { continue }
                    marks[pc] = generation
                    switch program[pc] {
                    case .match: return true
                    case .jump(let target):
                        stack[top] = Int32(target)
                        top += 1
                    case .split(let a, let b):
                        stack[top] = Int32(b)
                        stack[top + 1] = Int32(a)
                        top += 2
                    case .assert(let assertion):
                        if Self.holds(assertion, previous: previous, next: next) {
                            stack[top] = Int32(pc + 1)
                            top += 1
                        }
                    default:
                        list.list[list.count] = Int32(pc)
                        list.count += 1
                    }
                }
                return false
            }

            if add(0, to: &current, previous: nil, next: scalar) { return true }
            while let c = scalar {
                if current.count == 0 && anchoredStart { return false }
                generation += 1
                let following = iterator.next()?.value
                next.count = 0
                for k in 0..<current.count {
                    let pc = Int(current.list[k])
                    let advance: Bool
                    switch program[pc] {
                    case .scalar(let s): advance = s == c
                    case .charClass(let index): advance = classes[index].contains(c)
                    case .any: advance = true
                    case .anyNotNL: advance = c != 0x0A
                    default: advance = false
                    }
                    if advance, add(pc + 1, to: &next, previous: c, next: following) { return true }
                }
                if !anchoredStart, add(0, to: &next, previous: c, next: following) { return true }
                swap(&current, &next)
                scalar = following
            }
            return false
        }
    }

    private static func isWord(_ c: UInt32?) -> Bool {
        guard let c else { return false }
        return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    private static func holds(_ assertion: GoRegexAssertion, previous: UInt32?, next: UInt32?) -> Bool {
        switch assertion {
        case .beginText: previous == nil
        case .endText: next == nil
        case .beginLine: previous == nil || previous == 0x0A
        case .endLine: next == nil || next == 0x0A
        case .wordBoundary: isWord(previous) != isWord(next)
        case .noWordBoundary: isWord(previous) == isWord(next)
        }
    }
}
