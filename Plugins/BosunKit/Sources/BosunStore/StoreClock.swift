import BosunKit

/// The store's source of wall-clock time for timestamps and grace periods; tests inject one.
public protocol StoreClock: Sendable {
    func now() -> Time
}

/// Real time.
public struct SystemStoreClock: StoreClock {
    public init() {}
    public func now() -> Time { Time.now().truncatedToSeconds }
}
