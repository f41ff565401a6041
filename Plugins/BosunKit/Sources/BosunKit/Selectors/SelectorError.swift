/// A label or field selector that could not be parsed, built or validated.
///
/// The message follows the wording of upstream Kubernetes (`k8s.io/apimachinery`), so that the
/// errors a client sees from Bosun read like the ones it would get from a real API server.
public struct SelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The human-readable explanation, naming the offending text.
    public var message: String

    /// Creates an error with the given message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
