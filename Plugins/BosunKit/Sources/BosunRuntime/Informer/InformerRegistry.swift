import BosunKit
import BosunStore
import Logging
import Synchronization

/// The host's informers, one per (kind, namespace, selectors), shared by every controller and
/// plugin that asks for the same scope and counted by reference: the last ``InformerLease``
/// released stops its informer and frees its cache. That is what lets a plugin unload without
/// leaving watches behind.
///
/// Nothing here starts an informer implicitly: a cache exists only because someone acquired it.
public final class InformerRegistry: Sendable {
    struct Scope: Hashable {
        var type: ObjectIdentifier
        var namespace: String?
        var labelSelector: Selector
        var fieldSelector: FieldSelector
    }

    private struct Entry {
        /// An `Informer<T>` for the `T` its scope names: reads check the scope's type and then
        /// cast without a dynamic check, which for a generic class costs a runtime metadata
        /// lookup on every cached read and write.
        var informer: any AnyObject & Sendable
        var references: Int
        var stop: @Sendable () -> Void
        /// The informer's resource, and how to show it writes made without its Swift type.
        var resource: GroupResource
        var recordStored: @Sendable (StoredObject) -> Void
        var recordDeleted: @Sendable (ObjectName, Int64) -> Void
    }

    private let client: any Client
    private let clock: any RuntimeClock
    private let logger: Logger
    private let pageSize: Int
    private let inactivityTimeout: Duration
    private let decodedCapacity: Int
    /// An informer as the per-kind lookups see it.
    private struct Typed {
        var scope: Scope
        /// An `Informer<T>` for the scope's `T` (see ``Entry/informer``).
        var informer: any AnyObject & Sendable
    }

    private struct Entries {
        var byScope: [Scope: Entry] = [:]
        /// The same informers by Swift type: every cached read and write looks its kind up, and
        /// walking all entries copied each one's closures (reference counts) on every lookup.
        var byType: [ObjectIdentifier: [Typed]] = [:]
    }

    private let state = Mutex(Entries())

    public init(
        client: any Client, clock: any RuntimeClock = SystemRuntimeClock(), logger: Logger = Logger(label: "bosun.informers"),
        pageSize: Int = 500, inactivityTimeout: Duration = .seconds(300), decodedCapacity: Int = 8192
    ) {
        self.decodedCapacity = decodedCapacity
        self.client = client
        self.clock = clock
        self.logger = logger
        self.pageSize = pageSize
        self.inactivityTimeout = inactivityTimeout
    }

    /// The informer for `type` in this scope, started if it is new. Call ``InformerLease/release()``
    /// when done with it.
    public func acquire<T: Resource>(
        _ type: T.Type, namespace: String? = nil, labelSelector: Selector = .everything,
        fieldSelector: FieldSelector = .everything
    ) -> InformerLease<T> {
        let scope = Scope(type: ObjectIdentifier(type), namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector)
        let (informer, isNew) = state.withLock { e -> (Informer<T>, Bool) in
            if var entry = e.byScope[scope], let existing = entry.informer as? Informer<T> {
                entry.references += 1
                e.byScope[scope] = entry
                return (existing, false)
            }
            let informer = Informer<T>(
                client: client, clock: clock, logger: logger, namespace: namespace, labelSelector: labelSelector,
                fieldSelector: fieldSelector, pageSize: pageSize, inactivityTimeout: inactivityTimeout,
                decodedCapacity: decodedCapacity)
            e.byScope[scope] = Entry(
                informer: informer, references: 1, stop: { informer.stop() }, resource: T.resource.resourceKey,
                recordStored: { informer.recordWrite(stored: $0) },
                recordDeleted: { informer.recordDelete($0, resourceVersion: $1) })
            e.byType[scope.type, default: []].append(Typed(scope: scope, informer: informer))
            return (informer, true)
        }
        if isNew { informer.start() }
        return InformerLease(informer: informer) { [weak self] in self?.release(scope) }
    }

    private func release(_ scope: Scope) {
        let stop = state.withLock { e -> (@Sendable () -> Void)? in
            guard var entry = e.byScope[scope] else { return nil }
            entry.references -= 1
            if entry.references > 0 {
                e.byScope[scope] = entry
                return nil
            }
            e.byScope[scope] = nil
            e.byType[scope.type]?.removeAll { $0.scope == scope }
            if e.byType[scope.type]?.isEmpty == true { e.byType[scope.type] = nil }
            return entry.stop
        }
        stop?()
    }

    /// An unfiltered informer that holds every object of `type` in `namespace` (`nil`: in all
    /// namespaces), if one runs; without taking a reference. The cached client reads from it.
    func covering<T: Resource>(_ type: T.Type, namespace: String?) -> Informer<T>? {
        state.withLock { e in
            var best: Informer<T>?
            for typed in e.byType[ObjectIdentifier(type)] ?? [] where typed.scope.labelSelector.isEmpty && typed.scope.fieldSelector.isEmpty {
                if typed.scope.namespace == nil { return unsafeDowncast(typed.informer, to: Informer<T>.self) }
                if let namespace, typed.scope.namespace == namespace { best = unsafeDowncast(typed.informer, to: Informer<T>.self) }
            }
            return best
        }
    }

    /// Every informer of `type` whose scope may hold an object in `namespace`.
    func all<T: Resource>(_ type: T.Type, namespace: String) -> [Informer<T>] {
        state.withLock { e in
            (e.byType[ObjectIdentifier(type)] ?? []).compactMap { typed in
                typed.scope.namespace == nil || typed.scope.namespace == namespace
                    ? unsafeDowncast(typed.informer, to: Informer<T>.self) : nil
            }
        }
    }

    /// Tells the informers of the object's kind about a write that returned `object`, so their
    /// reads show it at once.
    func recordWrite<T: Resource>(_ object: T) {
        for informer in all(T.self, namespace: object.metadata.namespace ?? "") { informer.recordWrite(object) }
    }

    func recordDelete<T: Resource>(_ type: T.Type, _ name: ObjectName, resourceVersion: Int64) {
        for informer in all(type, namespace: name.namespace) {
            informer.recordDelete(name, resourceVersion: resourceVersion)
        }
    }

    /// Tells the informers of the stored object's resource about a write made by descriptor
    /// (``Client/patchObject(_:namespace:name:patchType:patch:subresource:options:)``), so their
    /// reads show it at once too.
    func recordWrite(_ stored: StoredObject) {
        for entry in entries(of: stored.key.resource, namespace: stored.key.namespace) { entry.recordStored(stored) }
    }

    /// Tells the informers of `resource` about a delete made by descriptor.
    func recordDelete(_ resource: GroupResource, _ name: ObjectName, resourceVersion: Int64) {
        for entry in entries(of: resource, namespace: name.namespace) { entry.recordDeleted(name, resourceVersion) }
    }

    private func entries(of resource: GroupResource, namespace: String) -> [Entry] {
        state.withLock { e in
            e.byScope.compactMap { scope, entry in
                entry.resource == resource && (scope.namespace == nil || scope.namespace == namespace) ? entry : nil
            }
        }
    }

    /// How many informers run.
    public var count: Int { state.withLock { $0.byScope.count } }

    /// Stops every informer (at shutdown).
    public func stopAll() {
        let stops = state.withLock { e -> [@Sendable () -> Void] in
            defer { e = Entries() }
            return e.byScope.values.map(\.stop)
        }
        for stop in stops { stop() }
    }
}

/// A reference to a shared informer. Release it exactly once; the informer stops when its last
/// lease is released.
public final class InformerLease<T: Resource>: Sendable {
    public let informer: Informer<T>
    private let onRelease: Mutex<(@Sendable () -> Void)?>

    init(informer: Informer<T>, onRelease: @escaping @Sendable () -> Void) {
        self.informer = informer
        self.onRelease = Mutex(onRelease)
    }

    /// Gives the reference back; later calls do nothing.
    public func release() {
        let release = onRelease.withLock { r -> (@Sendable () -> Void)? in
            defer { r = nil }
            return r
        }
        release?()
    }
}
