import BosunKit

/// What `pods/log` asks of a node's container logs.
public struct PodLogQuery: Sendable, Hashable {
    public var namespace: String
    public var pod: String
    public var container: String
    /// The run before the last restart.
    public var previous: Bool
    public var tailLines: Int?
    /// Only lines written at or after this instant (`sinceSeconds`, `sinceTime`).
    public var sinceTime: Time?
    public var timestamps: Bool
    public var limitBytes: Int?

    public init(namespace: String, pod: String, container: String, previous: Bool = false, tailLines: Int? = nil,
                sinceTime: Time? = nil, timestamps: Bool = false, limitBytes: Int? = nil) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.previous = previous
        self.tailLines = tailLines
        self.sinceTime = sinceTime
        self.timestamps = timestamps
        self.limitBytes = limitBytes
    }
}

/// The container logs of the pods on one node, as the API server reads them for `pods/log`:
/// the kubelet's side of `kubectl logs`. `bosun up` gives the server the local process node's.
/// Each reader answers `nil` when the container has no such run (not started yet, or no
/// previous run).
public struct PodLogSource: Sendable {
    public var nodeName: String
    public var read: @Sendable (PodLogQuery) -> [UInt8]?
    /// The log so far, then each new piece until the container exits (the stream finishes) or
    /// the consumer stops iterating.
    public var follow: @Sendable (PodLogQuery) -> AsyncStream<[UInt8]>?

    public init(nodeName: String, read: @escaping @Sendable (PodLogQuery) -> [UInt8]?,
                follow: @escaping @Sendable (PodLogQuery) -> AsyncStream<[UInt8]>?) {
        self.nodeName = nodeName
        self.read = read
        self.follow = follow
    }
}
