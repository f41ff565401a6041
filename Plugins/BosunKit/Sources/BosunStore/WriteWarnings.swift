import BosunKit
import Synchronization

/// Warnings a write gives its client besides its result, as kube-apiserver's `Warning` response
/// headers do (`unknown field "spec.replica"` under `fieldValidation=Warn`).
///
/// Like upstream's warning recorder, which travels in the request's context, a recorder travels
/// with the task: the API server runs each request with one bound to ``current`` and turns what
/// it collected into headers. The store adds to whichever recorder is bound; a write with none
/// bound (an in-process client's) is told nothing and pays nothing for the warnings.
public final class WriteWarnings: Sendable {
    /// The recorder of the request this task serves, if any.
    @TaskLocal public static var current: WriteWarnings?

    private let recorded = Mutex<[String]>([])

    public init() {}

    /// Records `message` once: upstream drops a warning it already holds.
    public func add(_ message: String) {
        recorded.withLock { messages in
            if !messages.contains(message) { messages.append(message) }
        }
    }

    /// The warnings in the order they were first recorded.
    public var messages: [String] { recorded.withLock { $0 } }

    /// The `Warning` header that carries `message` (RFC 7234's form, as upstream writes it:
    /// code 299, no agent, the text quoted as Go quotes strings).
    public static func headerValue(_ message: String) -> String {
        "299 - " + GoFormat.quoted(message)
    }
}
