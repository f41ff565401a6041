/// Writes compact JSON into a byte buffer.
///
/// Generated API types call ``objectStart()``, ``field(_:_:)`` and ``objectEnd()``; the writer
/// inserts commas itself: after any complete value the next member or element needs one, after an
/// opening bracket it does not. So no container stack is needed.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    var needsComma = false
    /// False once something was written that decodes to a different value than the one written:
    /// a ``Time`` with a fraction of a second, a non-finite number, a ``Quantity`` whose format
    /// its text cannot carry, members a value does not know. While it is true, decoding
    /// ``bytes`` gives back exactly the values encoded, so a writer that still holds them need
    /// not decode (the object store's typed write path relies on this).
    public private(set) var isExact = true
    /// Leave out the unknown members API values carry (``extraFields(_:)``): what a server
    /// stores, since kube-apiserver drops the members a built-in kind does not define.
    public var dropsUnknownFields = false

    public init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Encodes a value as compact JSON bytes.
    public static func encode(_ value: some JSONEncodable) -> [UInt8] {
        var w = JSONWriter()
        value.encode(to: &w)
        return w.bytes
    }

    @inline(__always) mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func objectStart() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func objectEnd() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func arrayStart() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func arrayEnd() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":` for a key known to need no escaping (generated field names).
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes `"key":` for an arbitrary key.
    public mutating func key(_ key: String) {
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes a member's key given with its quotes and colon (`"\"name\":"`): one copy, where
    /// ``key(_:)-(StaticString)`` appends the quotes and colon one by one.
    public mutating func quotedKey(_ quotedKey: StaticString) {
        separate()
        quotedKey.withUTF8Buffer { bytes.append(contentsOf: $0) }
        needsComma = false
    }

    /// Writes complete members given as one literal (`"\"kind\":\"Pod\""`), as generated code
    /// writes the constant `apiVersion` and `kind`.
    public mutating func rawMembers(_ members: StaticString) {
        separate()
        members.withUTF8Buffer { bytes.append(contentsOf: $0) }
        needsComma = true
    }

    /// A member whose value is always written; the key comes quoted, with its colon (generated code).
    public mutating func member<T: JSONEncodable>(_ quotedKey: StaticString, _ value: T) {
        self.quotedKey(quotedKey)
        value.encode(to: &self)
    }

    /// A member written only when present; the key comes quoted, with its colon (generated code).
    public mutating func member<T: JSONEncodable>(_ quotedKey: StaticString, _ value: T?) {
        guard let value else { return }
        self.quotedKey(quotedKey)
        value.encode(to: &self)
    }

    /// A member whose value is always written.
    public mutating func field<T: JSONEncodable>(_ name: StaticString, _ value: T) {
        key(name)
        value.encode(to: &self)
    }

    /// A member written only when present.
    public mutating func field<T: JSONEncodable>(_ name: StaticString, _ value: T?) {
        guard let value else { return }
        key(name)
        value.encode(to: &self)
    }

    /// Notes that what was just written will not decode to the value that wrote it.
    public mutating func markInexact() {
        isExact = false
    }

    /// Writes the unknown members an API value carried through decoding.
    public mutating func extraFields(_ extra: JSONObject?) {
        guard let extra else { return }
        // A member could repeat a known field or be an empty bag that decodes as none; which of
        // these it is would cost more to find out than the rare value that has any.
        isExact = false
        guard !dropsUnknownFields else { return }
        for m in extra.members {
            key(m.key)
            m.value.encode(to: &self)
        }
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    public mutating func bool(_ b: Bool) {
        separate()
        // The literals' UTF-8 views, not arrays made from them: no allocation per Bool.
        if b { bytes.append(contentsOf: "true".utf8) } else { bytes.append(contentsOf: "false".utf8) }
        needsComma = true
    }

    public mutating func int(_ i: Int64) {
        separate()
        if i >= 0 && i < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(i))
        } else {
            appendDecimal(i)
        }
        needsComma = true
    }

    public mutating func double(_ d: Double) {
        separate()
        if d.isFinite, d.rounded() == d, abs(d) < 1e15 {
            appendDecimal(Int64(d))
        } else if d.isFinite {
            bytes.append(contentsOf: d.description.utf8)
        } else {
            // JSON has no NaN or infinity; Go refuses to encode them. Null is the least harmful.
            bytes.append(contentsOf: "null".utf8)
            isExact = false
        }
        needsComma = true
    }

    public mutating func string(_ s: String) {
        separate()
        appendQuoted(s)
        needsComma = true
    }

    /// Appends already-encoded JSON for one complete value.
    public mutating func raw(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    /// Appends the JSON another writer wrote for one complete value, with its exactness.
    mutating func raw(writtenBy other: JSONWriter) {
        separate()
        bytes.append(contentsOf: other.bytes)
        if !other.isExact { isExact = false }
        needsComma = true
    }

    /// Appends already-encoded JSON for one complete value, which `write` appends to the bytes.
    public mutating func raw(writtenBy write: (inout [UInt8]) -> Void) {
        separate()
        write(&bytes)
        needsComma = true
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value == .min {
            bytes.append(contentsOf: "-9223372036854775808".utf8)
            return
        }
        var v = value
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            v = -v
        }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            repeat {
                buf[n] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v > 0
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(buf[i]) }
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for i in 0..<utf8.count {
                let c = utf8[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                bytes.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              Self.hex[Int(c >> 4)], Self.hex[Int(c & 0xF)]])
                }
                start = i + 1
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
