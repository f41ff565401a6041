/// What a plugin says about a pod at one extension point (upstream `framework.Status`).
///
/// A success carries no reasons, so returning it from a Filter or Score loop allocates nothing.
public struct PluginStatus: Sendable, Hashable, CustomStringConvertible {
    /// Upstream's status codes, minus the ones only the framework itself produces.
    public enum Code: Sendable, Hashable {
        case success
        /// An internal failure: the pod is retried with backoff, and no other plugin's verdict helps.
        case error
        /// The pod does not fit, but preemption (PostFilter) might make it fit.
        case unschedulable
        /// The pod does not fit, and preemption would not help (upstream `UnschedulableAndUnresolvable`).
        case unschedulableAndUnresolvable
        /// Permit only: hold the pod, reserved, until allowed or rejected.
        case wait
        /// The plugin has nothing to say for this pod (PreFilter, PreScore, Bind).
        case skip
    }

    public var code: Code
    /// Human-readable reasons; for rejections these are what `FitError` counts.
    public var reasons: [String]
    /// The plugin that produced the status, filled in by the framework when it is not a success.
    public var plugin: String

    public init(_ code: Code, reasons: [String] = [], plugin: String = "") {
        self.code = code
        self.reasons = reasons
        self.plugin = plugin
    }

    public static let success = PluginStatus(.success)
    public static let skip = PluginStatus(.skip)

    public static func unschedulable(_ reasons: String...) -> PluginStatus {
        PluginStatus(.unschedulable, reasons: reasons)
    }

    public static func unschedulableAndUnresolvable(_ reasons: String...) -> PluginStatus {
        PluginStatus(.unschedulableAndUnresolvable, reasons: reasons)
    }

    public static func error(_ message: String) -> PluginStatus {
        PluginStatus(.error, reasons: [message])
    }

    @inline(__always) public var isSuccess: Bool { code == .success }
    @inline(__always) public var isSkip: Bool { code == .skip }
    /// Unschedulable or unresolvable: the pod does not fit (as opposed to an error).
    @inline(__always) public var isRejected: Bool { code == .unschedulable || code == .unschedulableAndUnresolvable }

    /// The reasons joined as upstream's `Status.Message()` does.
    public var message: String { reasons.joined(separator: ", ") }

    /// Returns the status attributed to `plugin` (kept if already attributed).
    func attributed(to plugin: String) -> PluginStatus {
        var status = self
        if status.plugin.isEmpty { status.plugin = plugin }
        return status
    }

    public var description: String {
        let text = reasons.isEmpty ? "\(code)" : "\(code): \(message)"
        return plugin.isEmpty ? text : "\(plugin) \(text)"
    }
}

/// An error a plugin throws from Score (scores are plain integers on the fast path).
public struct PluginError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
