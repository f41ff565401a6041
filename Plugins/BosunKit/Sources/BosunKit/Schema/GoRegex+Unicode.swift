// Unicode data for the Go regex engine: general categories (from the Swift runtime's tables),
// the most common scripts, and the case-fold orbits Go's `unicode.SimpleFold` adds.

extension GoCharClass {
    /// Bits of the Unicode general categories, in the order of ``categoryBit(_:)``.
    static let categories: [String: UInt32] = {
        let names = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe",
                     "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"]
        var table: [String: UInt32] = [:]
        for (i, name) in names.enumerated() {
            table[name] = 1 << UInt32(i)
            table[String(name.prefix(1)), default: 0] |= 1 << UInt32(i)
        }
        table["C"] = table["Cc"]! | table["Cf"]! | table["Co"]! | table["Cs"]!  // Go's C has no Cn
        return table
    }()

    static func categoryBit(_ c: UInt32) -> UInt32 {
        guard let s = Unicode.Scalar(c) else { return 1 << 27 }  // surrogate code points
        let index: UInt32
        switch s.properties.generalCategory {
        case .uppercaseLetter: index = 0
        case .lowercaseLetter: index = 1
        case .titlecaseLetter: index = 2
        case .modifierLetter: index = 3
        case .otherLetter: index = 4
        case .nonspacingMark: index = 5
        case .spacingMark: index = 6
        case .enclosingMark: index = 7
        case .decimalNumber: index = 8
        case .letterNumber: index = 9
        case .otherNumber: index = 10
        case .connectorPunctuation: index = 11
        case .dashPunctuation: index = 12
        case .openPunctuation: index = 13
        case .closePunctuation: index = 14
        case .initialPunctuation: index = 15
        case .finalPunctuation: index = 16
        case .otherPunctuation: index = 17
        case .mathSymbol: index = 18
        case .currencySymbol: index = 19
        case .modifierSymbol: index = 20
        case .otherSymbol: index = 21
        case .spaceSeparator: index = 22
        case .lineSeparator: index = 23
        case .paragraphSeparator: index = 24
        case .control: index = 25
        case .format: index = 26
        case .surrogate: index = 27
        case .privateUse: index = 28
        case .unassigned: index = 29
        @unknown default: index = 29
        }
        return 1 << index
    }

    /// The most common scripts, by their main blocks (Go knows every script; others are errors here).
    static let scripts: [String: [ClosedRange<UInt32>]] = [
        "Latin": [0x41...0x5A, 0x61...0x7A, 0xAA...0xAA, 0xBA...0xBA, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2B8,
                  0x2E0...0x2E4, 0x1D00...0x1D25, 0x1D2C...0x1D5C, 0x1D62...0x1D65, 0x1D6B...0x1D77,
                  0x1D79...0x1DBE, 0x1E00...0x1EFF, 0x2071...0x2071, 0x207F...0x207F, 0x2090...0x209C,
                  0x212A...0x212B, 0x2132...0x2132, 0x214E...0x214E, 0x2160...0x2188, 0x2C60...0x2C7F,
                  0xA722...0xA787, 0xA78B...0xA7CA, 0xA7F2...0xA7FF, 0xAB30...0xAB5A, 0xAB5C...0xAB64,
                  0xFB00...0xFB06, 0xFF21...0xFF3A, 0xFF41...0xFF5A],
        "Greek": [0x370...0x373, 0x375...0x377, 0x37A...0x37D, 0x37F...0x37F, 0x384...0x384, 0x386...0x386,
                  0x388...0x38A, 0x38C...0x38C, 0x38E...0x3A1, 0x3A3...0x3E1, 0x3F0...0x3FF, 0x1D26...0x1D2A,
                  0x1F00...0x1FFE, 0x2126...0x2126],
        "Cyrillic": [0x400...0x484, 0x487...0x52F, 0x1C80...0x1C88, 0x1D2B...0x1D2B, 0x2DE0...0x2DFF, 0xA640...0xA69F],
        "Han": [0x2E80...0x2E99, 0x2E9B...0x2EF3, 0x2F00...0x2FD5, 0x3005...0x3005, 0x3007...0x3007,
                0x3021...0x3029, 0x3038...0x303B, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFA6D,
                0xFA70...0xFAD9, 0x20000...0x2A6DF, 0x2A700...0x2EBE0, 0x2F800...0x2FA1D, 0x30000...0x3134A],
        "Hiragana": [0x3041...0x3096, 0x309D...0x309F],
        "Katakana": [0x30A1...0x30FA, 0x30FD...0x30FF, 0x31F0...0x31FF, 0x32D0...0x32FE, 0x3300...0x3357,
                     0xFF66...0xFF6F, 0xFF71...0xFF9D],
        "Hangul": [0x1100...0x11FF, 0x302E...0x302F, 0x3131...0x318E, 0x3200...0x321E, 0x3260...0x327E,
                   0xA960...0xA97C, 0xAC00...0xD7A3, 0xD7B0...0xD7C6, 0xD7CB...0xD7FB, 0xFFA0...0xFFBE, 0xFFC2...0xFFDC],
        "Arabic": [0x600...0x604, 0x606...0x60B, 0x60D...0x61A, 0x61C...0x61E, 0x620...0x63F, 0x641...0x64A,
                   0x656...0x66F, 0x671...0x6DC, 0x6DE...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFC],
        "Hebrew": [0x591...0x5C7, 0x5D0...0x5EA, 0x5EF...0x5F4, 0xFB1D...0xFB4F],
        "Thai": [0xE01...0xE3A, 0xE40...0xE5B],
        "Devanagari": [0x900...0x950, 0x955...0x963, 0x966...0x97F, 0xA8E0...0xA8FF],
    ]

    /// Case-fold orbits that single-scalar case mappings do not reach (Go's `unicode.SimpleFold`).
    static let specialOrbits: [[UInt32]] = [
        [0x4B, 0x6B, 0x212A], [0x53, 0x73, 0x17F], [0xC5, 0xE5, 0x212B], [0xB5, 0x39C, 0x3BC], [0xDF, 0x1E9E],
        [0x398, 0x3B8, 0x3D1, 0x3F4], [0x392, 0x3B2, 0x3D0], [0x395, 0x3B5, 0x3F5], [0x39A, 0x3BA, 0x3F0],
        [0x3A0, 0x3C0, 0x3D6], [0x3A1, 0x3C1, 0x3F1], [0x3A3, 0x3C2, 0x3C3], [0x3A6, 0x3C6, 0x3D5],
        [0x3A9, 0x3C9, 0x2126], [0x1E60, 0x1E61, 0x1E9B], [0x399, 0x3B9, 0x345, 0x1FBE],
    ]

    /// Every scalar that matches `c` under `(?i)`, sorted.
    static func foldOrbit(_ c: UInt32) -> [UInt32] {
        var orbit: [UInt32] = [c]
        var queue = [c]
        while let x = queue.popLast() {
            guard let s = Unicode.Scalar(x) else { continue }
            let p = s.properties
            for mapping in [p.lowercaseMapping, p.uppercaseMapping, p.titlecaseMapping] {
                let u = mapping.unicodeScalars
                if u.count == 1, let v = u.first?.value, !orbit.contains(v) {
                    orbit.append(v)
                    queue.append(v)
                }
            }
        }
        for special in specialOrbits where special.contains(where: orbit.contains) {
            for v in special where !orbit.contains(v) { orbit.append(v) }
        }
        return orbit.sorted()
    }
}
