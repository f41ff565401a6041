/// A reference box that carries a Swift value across a C boundary (a plugin's exported functions)
/// as one pointer: `Unmanaged.passRetained(OpaqueValue(x)).toOpaque()`.
///
/// Casting `value` back to its type works because host and plugins share one BosunKit.
public final class OpaqueValue: Sendable {
    public let value: any Sendable

    public init(_ value: any Sendable) { self.value = value }

    /// Takes ownership of a pointer made with `Unmanaged.passRetained(...).toOpaque()`.
    public static func take(_ pointer: UnsafeMutableRawPointer) -> OpaqueValue {
        Unmanaged<OpaqueValue>.fromOpaque(pointer).takeRetainedValue()
    }
}
