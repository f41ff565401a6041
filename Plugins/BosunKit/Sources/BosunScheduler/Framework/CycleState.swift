import Synchronization

/// A typed key into ``CycleState``. Plugins declare one per value they keep, usually as a static.
public struct CycleStateKey<Value: Sendable>: Sendable, Hashable {
    public let name: String
    public init(_ name: String) { self.name = name }
}

/// Storage that lives for one pod's scheduling attempt (scheduling cycle and binding cycle):
/// what PreFilter computes for Filter, PreScore for Score, Reserve for Unreserve.
///
/// Locked because the binding cycle runs on another task than the scheduling cycle; plugins on
/// the per-node fast path should read what they need once, not per node, when they can.
public final class CycleState: Sendable {
    private let values = Mutex<[String: any Sendable]>([:])
    private let activations = Mutex<[String: Pod]>([:])
    private let nodes = Mutex<NodeSnapshot?>(nil)

    public init() {}

    /// The nodes of this cycle, as the framework saw them before Filter (upstream plugins reach
    /// them through the handle's snapshot lister).
    public internal(set) var snapshot: NodeSnapshot? {
        get { nodes.withLock { $0 } }
        set { nodes.withLock { $0 = newValue } }
    }

    public func write<Value: Sendable>(_ value: Value, for key: CycleStateKey<Value>) {
        values.withLock { $0[key.name] = value }
    }

    public func read<Value: Sendable>(_ key: CycleStateKey<Value>) -> Value? {
        values.withLock { $0[key.name] as? Value }
    }

    public func delete<Value: Sendable>(_ key: CycleStateKey<Value>) {
        values.withLock { $0[key.name] = nil }
    }

    /// Asks the framework to move these pods to the active queue once the current extension point
    /// returns (upstream `PodsToActivate`; Coscheduling activates a gang's siblings this way).
    public func activate(_ pods: [Pod]) {
        activations.withLock { map in
            for pod in pods { map[PodInfo.uid(of: pod)] = pod }
        }
    }

    /// Takes the pods plugins asked to activate, leaving none.
    func takePodsToActivate() -> [Pod] {
        activations.withLock { map in
            defer { map.removeAll() }
            return Array(map.values)
        }
    }
}
