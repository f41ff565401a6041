import Synchronization

/// The result of a pure function of a pod spec, remembered for the last few specs by the
/// identity of their storage.
///
/// Pods made from one template — a ReplicaSet's, a Job's, a DaemonSet's — share the template
/// spec's copy-on-write storage until something writes to it, so admission sees the same storage
/// for every pod a controller creates, and the defaulted spec it produced for the first one for
/// all the rest. Defaulting a spec, validating it, its QoS class and its JSON depend on nothing
/// else, so their results can be reused whenever the storage is the same object: a spec held
/// here keeps its storage alive (its address cannot be reused by another) and shared (a writer
/// copies it first), so the same storage means the same value. Specs parsed from JSON each have
/// their own storage and never match: they cost a look, and once remembered push the oldest
/// entry out.
package final class PodSpecMemo<Result: Sendable>: Sendable {
    private struct Entry: Sendable {
        let spec: PodSpec
        let result: Result
    }

    /// Enough for the templates of controllers creating pods at the same time; the oldest goes.
    package static var capacity: Int { 8 }

    private let entries = Mutex<[Entry]>([])

    package init() {}

    package func result(for spec: PodSpec) -> Result? {
        entries.withLock { entries in
            for entry in entries where entry.spec._storage === spec._storage { return entry.result }
            return nil
        }
    }

    /// The result remembered for `spec`, or `compute`'s, remembered.
    package func value(for spec: PodSpec, _ compute: () -> Result) -> Result {
        if let known = result(for: spec) { return known }
        let computed = compute()
        remember(computed, for: spec)
        return computed
    }

    package func remember(_ result: Result, for spec: PodSpec) {
        entries.withLock { entries in
            if entries.contains(where: { $0.spec._storage === spec._storage }) { return }
            if entries.count == Self.capacity { entries.removeFirst() }
            entries.append(Entry(spec: spec, result: result))
        }
    }
}
