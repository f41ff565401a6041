// The string formats kube-apiserver validates in CRD schemas (kube-openapi's `strfmt.Default`
// registry restricted to apiextensions' supported list), each checked as upstream checks it.
// Network formats (uri, email, hostname, ip, cidr, mac) are in SchemaFormats+Network.swift.

enum SchemaFormats {
    typealias Check = @Sendable (String) -> Bool

    /// The checker of a normalized (dash-free) format name, `nil` if the registry lacks it.
    static func check(named name: String) -> Check? {
        switch name {
        case "bsonobjectid": { s in s.utf8.count == 24 && s.utf8.allSatisfy { isHex($0) } }
        case "uri": isRequestURI
        case "email": isEmail
        case "hostname": isHostname
        case "ipv4": { s in parseIP(s, strict: false) != nil && s.utf8.contains(UInt8(ascii: ".")) }
        case "ipv6": { s in parseIP(s, strict: true) != nil && s.utf8.contains(UInt8(ascii: ":")) }
        case "cidr": isCIDR
        case "mac": isMAC
        case "uuid": { uuid.matches($0) }
        case "uuid3": { uuid3.matches($0) }
        case "uuid4": { uuid4.matches($0) }
        case "uuid5": { uuid5.matches($0) }
        case "isbn": { isISBN10($0) || isISBN13($0) }
        case "isbn10": isISBN10
        case "isbn13": isISBN13
        case "creditcard": isCreditCard
        case "ssn": { s in s.utf8.count == 11 && ssn.matches(s) }
        case "hexcolor": { hexColor.matches($0) }
        case "rgbcolor": { rgbColor.matches($0) }
        case "byte": { base64.matches($0) }
        case "password": { _ in true }
        case "date": isDate
        case "datetime": isDateTime
        case "duration": isDuration
        case "quantity": { s in (try? Quantity.parse(s)) != nil }
        default: nil
        }
    }

    static func pattern(_ p: String) -> GoRegex {
        do { return try GoRegex(p) } catch { preconditionFailure("built-in format pattern \(p): \(error)") }
    }

    static let uuid = pattern(#"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"#)
    static let uuid3 = pattern(#"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$"#)
    static let uuid4 = pattern(#"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"#)
    static let uuid5 = pattern(#"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"#)
    static let ssn = pattern(#"^\d{3}[- ]?\d{2}[- ]?\d{4}$"#)
    static let hexColor = pattern(#"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"#)
    static let rgbColor = pattern(
        #"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$"#)
    static let base64 = pattern(#"^(?:[A-Za-z0-9+\/]{4})*(?:[A-Za-z0-9+\/]{2}==|[A-Za-z0-9+\/]{3}=|[A-Za-z0-9+\/]{4})$"#)
    static let creditCard = pattern(
        #"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$"#)
    static let dateTimeTail = pattern(#"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$"#)
    static let durationShape = pattern(#"^\s*(?:\d+\s*[A-Za-zµ]+\s*)+$"#)

    static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    // MARK: ISBN and credit cards (govalidator)

    /// govalidator removes whitespace and hyphens before checking ISBNs.
    static func isbnDigits(_ s: String) -> [UInt8] {
        s.unicodeScalars.filter { !($0 == "-" || $0.properties.isWhitespace) }.map { UInt8(truncatingIfNeeded: $0.value) }
    }

    @Sendable static func isISBN10(_ s: String) -> Bool {
        let d = isbnDigits(s)
        guard d.count == 10, d[..<9].allSatisfy(isDigit), isDigit(d[9]) || d[9] == UInt8(ascii: "X") else { return false }
        var sum = 0
        for i in 0..<9 { sum += (i + 1) * Int(d[i] - 0x30) }
        sum += d[9] == UInt8(ascii: "X") ? 100 : 10 * Int(d[9] - 0x30)
        return sum % 11 == 0
    }

    @Sendable static func isISBN13(_ s: String) -> Bool {
        let d = isbnDigits(s)
        guard d.count == 13, d.allSatisfy(isDigit) else { return false }
        var sum = 0
        for i in 0..<12 { sum += Int(d[i] - 0x30) * (i % 2 == 0 ? 1 : 3) }
        return Int(d[12] - 0x30) - (10 - sum % 10) % 10 == 0
    }

    @Sendable static func isCreditCard(_ s: String) -> Bool {
        let digits = s.utf8.filter(isDigit)
        guard creditCard.matches(String(decoding: digits, as: UTF8.self)) else { return false }
        var sum = 0
        var double = false
        for c in digits.reversed() {
            var n = Int(c - 0x30)
            if double {
                n *= 2
                sum += n >= 10 ? n % 10 + 1 : n
            } else {
                sum += n
            }
            double.toggle()
        }
        return sum % 10 == 0
    }

    // MARK: Dates, date-times and durations

    /// `time.Parse("2006-01-02", s)`.
    @Sendable static func isDate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ isDigit(b[$0]) }) else { return false }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(b[$1] - 0x30) } }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    /// strfmt's `IsDateTime`: a date, a `t`, then `hh:mm:ss[.frac](z|±hh:mm)`, case-insensitive.
    @Sendable static func isDateTime(_ s: String) -> Bool {
        guard s.utf8.count >= 4 else { return false }
        let parts = s.lowercased().split(separator: "t", omittingEmptySubsequences: false)
        guard parts.count >= 2, isDate(String(parts[0])) else { return false }
        let tail = String(parts[1])
        guard dateTimeTail.matches(tail) else { return false }
        let b = Array(tail.utf8)
        func field(_ at: Int) -> String { String(decoding: b[at..<at + 2], as: UTF8.self) }
        return field(0) <= "23" && field(3) <= "59" && field(6) <= "59"
    }

    /// strfmt's `ParseDuration`: Go's `time.ParseDuration`, else Scala-style `3 days 4h`.
    @Sendable static func isDuration(_ s: String) -> Bool {
        if isGoDuration(s) { return true }
        guard durationShape.matches(s) else { return false }
        let units: [[String]] = [["ns", "nano"], ["us", "µs", "micro"], ["ms", "milli"], ["s", "sec"], ["m", "min"],
                                 ["h", "hr", "hour"], ["d", "day"], ["w", "wk", "week"]]
        var scalars = Array(s.unicodeScalars)[...]
        var ok = false
        while let start = scalars.firstIndex(where: { ("0"..."9").contains($0) }) {
            scalars = scalars[start...]
            let digits = scalars.prefix { ("0"..."9").contains($0) }
            guard digits.count <= 18 else { return false }  // strconv.Atoi overflow
            scalars = scalars.dropFirst(digits.count).drop { $0.properties.isWhitespace && $0.value < 0x80 }
            let letters = scalars.prefix { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "µ" }
            scalars = scalars.dropFirst(letters.count)
            guard !letters.isEmpty else { continue }
            let unit = String(String.UnicodeScalarView(letters)).lowercased()
            for variants in units {
                for (i, variant) in variants.enumerated()
                where unit == variant || (i == variants.count - 1 && unit.hasPrefix(variant)) {
                    ok = true
                }
            }
        }
        return ok
    }

    /// Go's `time.ParseDuration`.
    static func isGoDuration(_ s: String) -> Bool {
        var b = Array(s.unicodeScalars)[...]
        if let first = b.first, first == "-" || first == "+" { b = b.dropFirst() }
        if b.count == 1, b.first == "0" { return true }
        guard !b.isEmpty else { return false }
        var total: Double = 0
        while !b.isEmpty {
            let whole = b.prefix { ("0"..."9").contains($0) }
            b = b.dropFirst(whole.count)
            var fraction = 0
            if b.first == "." {
                b = b.dropFirst()
                fraction = b.prefix { ("0"..."9").contains($0) }.count
                b = b.dropFirst(fraction)
            }
            guard !whole.isEmpty || fraction > 0 else { return false }
            let unit = String(String.UnicodeScalarView(b.prefix { $0 != "." && !("0"..."9").contains($0) }))
            b = b.dropFirst(unit.unicodeScalars.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return false
            }
            total += (Double(String(String.UnicodeScalarView(whole))) ?? 0) * scale
            guard total <= 9.223372036854775807e18 else { return false }  // "invalid duration" overflow
        }
        return true
    }
}
