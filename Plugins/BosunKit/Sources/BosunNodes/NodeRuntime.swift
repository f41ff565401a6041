/// A node runtime brings Nodes to life: the Nodes labelled `bosun.dev/runtime=<name>` are its
/// nodes, and it is the kubelet of each of them — it reports their status and heartbeats, and
/// runs the pods bound to them (starts their containers, observes them, stops them when the pod
/// is deleted), writing what it sees to the pods' status.
///
/// A runtime is a controller of pods bound to its nodes: it registers its controllers with a
/// ``Manager`` and runs while the manager runs, so a plugin can add one the way it adds any
/// controller. Two ship with Bosun: ``SimulatedNodes`` (`simulated`, in-process, what kwok does)
/// and the local-process runtime (`process`). The kubelet semantics they share — pod phase and
/// conditions (``KubeletPodStatus``), container restart backoff (``ContainerRestartBackoff``) —
/// are public here so that every runtime reports pods the same way.
public protocol NodeRuntime: AnyObject, Sendable {
    /// The value of the `bosun.dev/runtime` label on the nodes this runtime runs.
    var name: String { get }

    /// Starts bringing this runtime's nodes to life and running their pods, with `manager`'s
    /// informers, client and clock. Called once per runtime instance.
    func register(with manager: Manager) throws

    /// Stops the kubelet of `node`: no more lease renewals or status reports, and its pods are
    /// no longer run or reported, as when a machine drops off the network.
    func stop(node: String)

    /// Brings a stopped or failed node's kubelet back.
    func restart(node: String)
}

/// The label that gives a Node to a runtime.
public enum NodeRuntimeLabel {
    /// `bosun.dev/runtime`: its value names the runtime (``NodeRuntime/name``).
    public static let key = "bosun.dev/runtime"

    /// Selects the nodes of the runtime called `name`.
    public static func selector(for name: String) -> Selector {
        Selector(set: [key: name])
    }
}
