/// Why no node fits a pod, worded as kube-scheduler's `FitError.Error()`:
/// `0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {k: v}.`
///
/// Like upstream, each entry is "count reason" and the entries are sorted as strings
/// (`sort.Strings`), so "1 node(s)..." comes before "2 Insufficient cpu". The PostFilter
/// ("preemption: ...") part is left out.
public struct FitError: Error, Sendable, CustomStringConvertible {
    public var numAllNodes: Int
    /// Why each node that was filtered rejected the pod.
    public var nodeStatuses: [String: PluginStatus]
    /// Set when a PreFilter plugin rejected the pod: the whole message then (no per-node counts).
    public var preFilterMessage: String?
    /// Reasons for nodes that a PreFilter result excluded, counted once per such node.
    public var absentNodeCount: Int
    /// The plugins that rejected the pod: only events they registered requeue it.
    public var unschedulablePlugins: Set<String>

    public init(numAllNodes: Int, nodeStatuses: [String: PluginStatus] = [:], preFilterMessage: String? = nil,
                absentNodeCount: Int = 0, unschedulablePlugins: Set<String> = []) {
        self.numAllNodes = numAllNodes
        self.nodeStatuses = nodeStatuses
        self.preFilterMessage = preFilterMessage
        self.absentNodeCount = absentNodeCount
        self.unschedulablePlugins = unschedulablePlugins
    }

    /// Upstream's wording for nodes a PreFilter result left out.
    public static let filteredOutByPreFilterReason = "node is filtered out by the prefilter result"

    public var message: String {
        var text = "0/\(numAllNodes) nodes are available:"
        if let preFilterMessage, !preFilterMessage.isEmpty {
            return text + " " + preFilterMessage + "."
        }
        var histogram: [String: Int] = [:]
        for status in nodeStatuses.values {
            for reason in status.reasons { histogram[reason, default: 0] += 1 }
        }
        if absentNodeCount > 0 { histogram[Self.filteredOutByPreFilterReason, default: 0] += absentNodeCount }
        let entries = histogram.map { "\($0.value) \($0.key)" }.sorted(by: Self.goStringLess)
        if !entries.isEmpty { text += " " + entries.joined(separator: ", ") + "." }
        return text
    }

    public var description: String { message }

    /// Go compares strings bytewise.
    static func goStringLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// Go's `time.Duration.String()` for the durations the framework prints (`15m0s`, `1.5s`).
func goDurationString(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    if seconds == 0 && attoseconds == 0 { return "0s" }
    let millis = attoseconds / 1_000_000_000_000_000
    var text = ""
    let hours = seconds / 3600, minutes = (seconds % 3600) / 60, secs = seconds % 60
    if hours > 0 { text += "\(hours)h" }
    if hours > 0 || minutes > 0 { text += "\(minutes)m" }
    if millis > 0 {
        var fraction = String(millis)
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if seconds == 0 { return "\(millis)ms" }
        text += "\(secs).\(fraction)s"
    } else {
        text += "\(secs)s"
    }
    return text
}
