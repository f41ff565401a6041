import BosunKit
import BosunStore

/// Declares a controller: its primary kind, what else it watches, how events are filtered,
/// how many workers it runs. Ends with ``complete(_:)`` (a ``Reconciler``) or
/// ``reconcile(_:)`` (a closure over the current object).
///
/// ```swift
/// try manager.controller(for: ReplicaSet.self)
///     .owns(Pod.self)
///     .complete(ReplicaSetReconciler())
/// ```
public struct ControllerBuilder<T: Resource>: Sendable {
    let manager: Manager
    var name: String
    var namespace: String?
    var labelSelector: Selector = .everything
    var predicates: [Predicate<T>] = []
    var sources: [ControllerSource] = []
    var concurrency: Int?
    var backoff: Backoff = .default
    /// `nil`: the manager's default; `.some(nil)`: no limit.
    var reconcileTimeout: Duration??
    var executor: (any TaskExecutor)?
    var priority: ReconcilePriority = .normal

    init(manager: Manager, name: String) {
        self.manager = manager
        self.name = name
    }

    /// The controller's name: in logs, metrics and the queue's name. Unique in a manager.
    public func named(_ name: String) -> Self { with { $0.name = name } }

    /// Watches the primary kind in one namespace only.
    public func inNamespace(_ namespace: String) -> Self { with { $0.namespace = namespace } }

    /// Watches only primary objects whose labels match `selector`.
    public func withLabelSelector(_ selector: Selector) -> Self { with { $0.labelSelector = selector } }

    /// Filters the primary kind's events; every predicate must admit an event.
    public func withPredicates(_ predicates: Predicate<T>...) -> Self { with { $0.predicates += predicates } }

    /// Workers reconciling at once. Default: the number of cores. Always at least one.
    public func concurrency(_ workers: Int) -> Self { with { $0.concurrency = workers } }

    /// How a failed key's retries are delayed. Default: 5 ms doubling to 1,000 s.
    public func backoff(_ backoff: Backoff) -> Self { with { $0.backoff = backoff } }

    /// How long one reconcile may run before it is cancelled, its key requeued with backoff and
    /// its worker freed (see ``Controller``); `nil` for no limit. Default: the manager's
    /// ``ManagerOptions/reconcileTimeout`` (30 s).
    public func reconcileTimeout(_ timeout: Duration?) -> Self { with { $0.reconcileTimeout = .some(timeout) } }

    /// Reconciles the owner when an object of `Child` that it controls changes: children are
    /// mapped to the object named by their controller ownerReference (`controller: true`) when
    /// it is of the primary kind.
    public func owns<Child: Resource>(_ child: Child.Type, predicates: [Predicate<Child>] = []) -> Self {
        let ownerKind = T.kind
        let ownerGroup = T.group
        return with {
            $0.sources.append(.informer(Child.self, namespace: namespace, labelSelector: .everything, predicates: predicates) { event in
                var owners: [ObjectName] = []
                func add(_ object: Child) {
                    guard let ref = object.metadata.ownerReferences?.first(where: { $0.controller == true }),
                          ref.kind == ownerKind, GroupVersionKind(apiVersion: ref.apiVersion, kind: ref.kind).group == ownerGroup
                    else { return }
                    let owner = ObjectName(namespace: object.metadata.namespace ?? "", name: ref.name)
                    if !owners.contains(owner) { owners.append(owner) }
                }
                if case .updated(let old, _) = event.change { add(old) }
                add(event.object)
                return owners
            })
        }
    }

    /// Reconciles the objects `map` names when an object of `Other` changes.
    public func watches<Other: Resource>(
        _ other: Other.Type, namespace: String? = nil, predicates: [Predicate<Other>] = [],
        map: @escaping @Sendable (Other) -> [ObjectName]
    ) -> Self {
        with {
            $0.sources.append(.informer(Other.self, namespace: namespace, labelSelector: .everything, predicates: predicates) { event in
                map(event.object)
            })
        }
    }

    /// Reconciles the objects `map` names for each change of an `Other` object, given the whole
    /// change rather than the object alone: the old object of an update, whether it was a
    /// delete, whether it came from a (re)list. For handlers that act on the change itself, as
    /// kube-controller-manager's pod handlers do (a ReplicaSet controller observes its
    /// expectations and wakes both the old and the new owner of a pod whose owner changed).
    ///
    /// `map` runs on the informer's task, one change at a time and in order; the keys it
    /// returns are queued once it returns, so state it updates is visible to the reconciles
    /// those keys start.
    public func watchesChanges<Other: Resource>(
        of other: Other.Type, namespace: String? = nil, predicates: [Predicate<Other>] = [],
        map: @escaping @Sendable (InformerEvent<Other>) -> [ObjectName]
    ) -> Self {
        with {
            $0.sources.append(.informer(Other.self, namespace: namespace, labelSelector: .everything, predicates: predicates, map: map))
        }
    }

    /// Runs the reconciles on `executor` instead of the shared cooperative pool (see
    /// ``DedicatedExecutor``): for work that must keep its pace under any load, such as node
    /// heartbeats.
    public func executor(_ executor: any TaskExecutor) -> Self { with { $0.executor = executor } }

    /// How the controller's reconciles rank against other controllers' (see
    /// ``ReconcilePriority``). Default: ``ReconcilePriority/normal``.
    public func priority(_ priority: ReconcilePriority) -> Self { with { $0.priority = priority } }

    /// Registers the controller with its manager; it runs while the manager runs (and leads).
    @discardableResult
    public func complete(_ reconciler: some Reconciler) throws -> Controller {
        let primary = ControllerSource.informer(
            T.self, namespace: namespace, labelSelector: labelSelector, predicates: predicates
        ) { event in [ObjectName(of: event.object)] }
        return try manager.add(
            name: name, reconciler: reconciler, sources: [primary] + sources,
            concurrency: concurrency ?? manager.options.defaultConcurrency, backoff: backoff,
            reconcileTimeout: reconcileTimeout ?? manager.options.reconcileTimeout, executor: executor, priority: priority)
    }

    /// Registers a controller whose reconcile gets the current object from the cache; keys
    /// whose object is gone are skipped.
    @discardableResult
    public func reconcile(_ body: @escaping ObjectReconciler<T>.Body) throws -> Controller {
        try complete(ObjectReconciler<T>(body))
    }

    private func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}
