/// What a simulated pod's containers do, read from the pod's annotations:
///
/// | Annotation | Meaning | Default |
/// |---|---|---|
/// | `sim.bosun.dev/run-seconds` | containers exit this many seconds after they start | run until the pod is deleted |
/// | `sim.bosun.dev/exit-code` | the exit code they exit with | `0` |
/// | `sim.bosun.dev/ready-after-seconds` | containers turn ready this long after each start | `0` |
/// | `sim.bosun.dev/never-ready` | `"true"`: containers never turn ready | not set |
///
/// Every regular container follows the same annotations. Init containers complete the moment
/// the pod starts; sidecars (init containers with `restartPolicy: Always`) run until the pod
/// stops and turn ready like the regular containers. A value that does not parse counts as
/// absent: a typo must not stop a simulation.
public struct SimulatedPodBehavior: Sendable, Hashable {
    public static let runSecondsAnnotation = "sim.bosun.dev/run-seconds"
    public static let exitCodeAnnotation = "sim.bosun.dev/exit-code"
    public static let readyAfterSecondsAnnotation = "sim.bosun.dev/ready-after-seconds"
    public static let neverReadyAnnotation = "sim.bosun.dev/never-ready"

    /// How long a container runs; `nil` runs until the pod is deleted.
    public var runDuration: Duration?
    public var exitCode: Int32
    public var readyAfter: Duration
    public var neverReady: Bool

    public init(runDuration: Duration? = nil, exitCode: Int32 = 0, readyAfter: Duration = .zero, neverReady: Bool = false) {
        self.runDuration = runDuration
        self.exitCode = exitCode
        self.readyAfter = readyAfter
        self.neverReady = neverReady
    }

    /// The behaviour `annotations` ask for.
    public init(annotations: [String: String]?) {
        let annotations = annotations ?? [:]
        self.init(
            runDuration: annotations[Self.runSecondsAnnotation].flatMap(Self.seconds),
            exitCode: annotations[Self.exitCodeAnnotation].flatMap { Int32($0.trimmingSpaces) } ?? 0,
            readyAfter: annotations[Self.readyAfterSecondsAnnotation].flatMap(Self.seconds) ?? .zero,
            neverReady: annotations[Self.neverReadyAnnotation]?.trimmingSpaces.lowercased() == "true")
    }

    /// Whole or fractional seconds, not negative.
    private static func seconds(_ text: String) -> Duration? {
        guard let value = Double(text.trimmingSpaces), value.isFinite, value >= 0 else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
