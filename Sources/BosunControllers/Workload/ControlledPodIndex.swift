import BosunRuntime
import Synchronization

/// The pods controlled by objects of one kind, by their controller's uid, and the orphan pods
/// such an object may adopt, by namespace — as ``PodFacts``, kept current from the pod
/// informer's changes (``apply(_:)``).
///
/// This is what a ReplicaSet sync lists instead of every pod of its namespace: its own pods,
/// which it may keep or release, and the orphans, which it may adopt. Pods controlled by another
/// kind can never be claimed and are not kept, so the index costs memory only for the pods its
/// controller can act on.
public final class ControlledPodIndex: Sendable {
    /// The controller kind whose pods are kept (`ReplicaSet`, `ReplicationController`, ...).
    public let ownerKind: String

    private enum Place: Hashable {
        case controlled(by: String)
        case orphan
    }

    private struct State {
        var controlled: [String: [ObjectName: PodFacts]] = [:]
        var orphans: [String: [ObjectName: PodFacts]] = [:]
        var places: [ObjectName: Place] = [:]

        mutating func remove(_ name: ObjectName) {
            guard let place = places.removeValue(forKey: name) else { return }
            switch place {
            case .controlled(let uid):
                controlled[uid]?[name] = nil
                if controlled[uid]?.isEmpty == true { controlled[uid] = nil }
            case .orphan:
                orphans[name.namespace]?[name] = nil
                if orphans[name.namespace]?.isEmpty == true { orphans[name.namespace] = nil }
            }
        }
    }

    private let state = Mutex(State())

    public init(ownerKind: String) {
        self.ownerKind = ownerKind
    }

    /// Takes one informer change into account: the pod's facts as it is now, or its removal.
    public func apply(_ change: InformerEvent<Pod>.Change) {
        switch change {
        case .added(let pod), .updated(_, let pod):
            let facts = PodFacts(pod)
            let place = place(of: facts)
            state.withLock { s in
                s.remove(facts.name)
                guard let place else { return }
                s.places[facts.name] = place
                switch place {
                case .controlled(let uid): s.controlled[uid, default: [:]][facts.name] = facts
                case .orphan: s.orphans[facts.name.namespace, default: [:]][facts.name] = facts
                }
            }
        case .deleted(let pod):
            state.withLock { $0.remove(ObjectName(of: pod)) }
        }
    }

    /// The pods whose controller is the object with `uid`.
    public func pods(controlledBy uid: String) -> [PodFacts] {
        state.withLock { s in s.controlled[uid].map { Array($0.values) } ?? [] }
    }

    /// The pods of `namespace` without a controller.
    public func orphans(in namespace: String) -> [PodFacts] {
        state.withLock { s in s.orphans[namespace].map { Array($0.values) } ?? [] }
    }

    /// How many pods are kept.
    public var count: Int { state.withLock { $0.places.count } }

    private func place(of facts: PodFacts) -> Place? {
        guard let ref = facts.controllerRef else { return .orphan }
        return ref.kind == ownerKind ? .controlled(by: ref.uid) : nil
    }
}
