import BosunKit

/// Decides whether an informer event should queue a reconcile. All predicates of a watch must
/// agree. Deletions and initial adds always pass the built-in ones: a controller must see that
/// something exists or went away even if nothing it filters on changed.
public struct Predicate<T: Resource>: Sendable {
    public let admits: @Sendable (InformerEvent<T>) -> Bool

    public init(_ admits: @escaping @Sendable (InformerEvent<T>) -> Bool) {
        self.admits = admits
    }

    /// Updates pass only when `changed(old, new)`; adds and deletes always pass.
    public static func onUpdate(_ changed: @escaping @Sendable (_ old: T, _ new: T) -> Bool) -> Predicate {
        Predicate { event in
            guard case .updated(let old, let new) = event.change else { return true }
            return changed(old, new)
        }
    }

    /// Updates pass when `metadata.generation` changed: spec changes, not status writes. For
    /// kinds without a generation every update passes.
    public static var generationChanged: Predicate {
        onUpdate { old, new in
            guard let before = old.metadata.generation, let after = new.metadata.generation else { return true }
            return before != after
        }
    }

    /// Updates pass when the labels changed.
    public static var labelsChanged: Predicate {
        onUpdate { old, new in old.metadata.labels != new.metadata.labels }
    }

    /// Updates pass when the annotations changed.
    public static var annotationsChanged: Predicate {
        onUpdate { old, new in old.metadata.annotations != new.metadata.annotations }
    }

    /// Updates pass when the resourceVersion changed (drops re-deliveries after a relist).
    public static var resourceVersionChanged: Predicate {
        onUpdate { old, new in old.metadata.resourceVersion != new.metadata.resourceVersion }
    }

    /// Passes when any of `predicates` does.
    public static func any(_ predicates: [Predicate]) -> Predicate {
        Predicate { event in predicates.contains { $0.admits(event) } }
    }
}
