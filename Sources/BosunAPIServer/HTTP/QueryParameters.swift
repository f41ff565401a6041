/// A URL query, decoded as Go's `url.ParseQuery` does (which kube-apiserver uses): `&`-separated
/// pairs, `+` is a space, `%XX` escapes; a key may repeat.
struct QueryParameters: Sendable {
    private var pairs: [(String, String)] = []

    init(_ query: String) {
        // As bytes: scanning Characters would cost more than the rest of a request's routing.
        for part in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let (key, value): (Substring, Substring)
            if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                (key, value) = (Substring(part[..<eq]), Substring(part[part.index(after: eq)...]))
            } else {
                (key, value) = (Substring(part), "")
            }
            guard let k = Self.unescape(key), let v = Self.unescape(value) else { continue }
            pairs.append((k, v))
        }
    }

    /// The first value of `name`, or `nil` when absent.
    subscript(name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] {
        pairs.filter { $0.0 == name }.map(\.1)
    }

    func contains(_ name: String) -> Bool { pairs.contains { $0.0 == name } }

    /// Decodes `%XX` and `+`; `nil` for a malformed escape or invalid UTF-8.
    static func unescape(_ text: Substring, plusIsSpace: Bool = true) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let b = it.next() {
            switch b {
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let hi = it.next().flatMap(hexValue), let lo = it.next().flatMap(hexValue) else { return nil }
                bytes.append(hi << 4 | lo)
            default:
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
