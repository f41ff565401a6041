import BosunRuntime
import Synchronization

/// What a ``PodIndex`` keeps about each pod: facts taken from the pod once, when it changes.
public protocol IndexedPodFacts: ClaimableChild {
    init(_ pod: Pod)
}

/// The index the ReplicaSet controller keeps: ``PodFacts`` of one kind's pods.
public typealias ControlledPodIndex = PodIndex<PodFacts>

/// The pods controlled by objects of one kind, by their controller's uid, and the orphan pods
/// such an object may adopt, by namespace — as `Facts` (``PodFacts``, or a controller's own
/// richer facts), kept current from the pod informer's changes (``apply(_:)``).
///
/// This is what a ReplicaSet sync lists instead of every pod of its namespace: its own pods,
/// which it may keep or release, and the orphans, which it may adopt. Pods controlled by another
/// kind can never be claimed and are not kept, so the index costs memory only for the pods its
/// controller can act on.
public final class PodIndex<Facts: IndexedPodFacts>: Sendable {
    /// The controller kind whose pods are kept (`ReplicaSet`, `ReplicationController`, ...).
    public let ownerKind: String

    private enum Place: Hashable {
        case controlled(by: String)
        case orphan
    }

    private struct State {
        var controlled: [String: [ObjectName: Facts]] = [:]
        var orphans: [String: [ObjectName: Facts]] = [:]
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
            let facts = Facts(pod)
            let place = place(of: facts)
            let name = facts.objectName
            state.withLock { s in
                s.remove(name)
                guard let place else { return }
                s.places[name] = place
                switch place {
                case .controlled(let uid): s.controlled[uid, default: [:]][name] = facts
                case .orphan: s.orphans[name.namespace, default: [:]][name] = facts
                }
            }
        case .deleted(let pod):
            state.withLock { $0.remove(ObjectName(of: pod)) }
        }
    }

    /// The pods whose controller is the object with `uid`.
    public func pods(controlledBy uid: String) -> [Facts] {
        state.withLock { s in s.controlled[uid].map { Array($0.values) } ?? [] }
    }

    /// The pods of `namespace` without a controller.
    public func orphans(in namespace: String) -> [Facts] {
        state.withLock { s in s.orphans[namespace].map { Array($0.values) } ?? [] }
    }

    /// How many pods are kept.
    public var count: Int { state.withLock { $0.places.count } }

    private func place(of facts: Facts) -> Place? {
        guard let ref = facts.controllerRef else { return .orphan }
        return ref.kind == ownerKind ? .controlled(by: ref.uid) : nil
    }
}
