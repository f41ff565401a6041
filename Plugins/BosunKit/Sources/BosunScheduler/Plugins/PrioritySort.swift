/// The default QueueSort: higher `spec.priority` first, then the earlier queue timestamp.
public struct PrioritySort: QueueSortPlugin {
    public static let pluginName = "PrioritySort"
    public var name: String { Self.pluginName }
    public init() {}

    public func less(_ a: QueuedPodInfo, _ b: QueuedPodInfo) -> Bool {
        let pa = a.podInfo.priority, pb = b.podInfo.priority
        return pa > pb || (pa == pb && a.timestamp < b.timestamp)
    }
}
