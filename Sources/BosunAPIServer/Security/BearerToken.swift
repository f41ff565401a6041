/// The bearer token every request but the health checks must carry.
public struct BearerToken: Sendable {
    public let value: String

    public init(_ value: String) { self.value = value }

    /// 32 random bytes (the system's cryptographic generator), as 64 hex digits.
    public static func generate() -> BearerToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return BearerToken(bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined())
    }

    /// Compares in time independent of where the strings differ, so response timing does not
    /// reveal a prefix of the token.
    func matches(_ presented: Substring) -> Bool {
        let a = Array(value.utf8), b = Array(presented.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
