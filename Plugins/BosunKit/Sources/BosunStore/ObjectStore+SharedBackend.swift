import BosunKit
import Synchronization

// A backend that other processes write too (etcd, shared by several control planes) reports
// every revision after the store's snapshot. The store applies each in order: its own commits
// (which it may have applied already, with their typed objects) and other writers' changes,
// which reach its tables and its watchers exactly as its own do. Revisions that change no key
// of the store (another program's keys) still advance its resourceVersion, so that the store's
// own later commits, which wait for every revision before theirs, are never left waiting.
extension ObjectStore {
    /// Starts applying the backend's revisions after `revision`, if it reports any.
    func follow(after revision: Int64) {
        guard let revisions = backend.revisions(after: revision) else { return }
        let task = Task { [weak self] in
            do {
                for try await next in revisions {
                    guard let self else { return }
                    self.apply(next)
                }
            } catch let error as StorageError where error.code == .compacted {
                // Fell behind the backend's compaction: the revisions in between are gone.
                await self?.reload()
            } catch {
                // Closed, or cancelled by close().
            }
        }
        follower.withLock { $0 = task }
    }

    /// Applies one revision of the backend, unless the store has applied it already.
    func apply(_ next: StorageRevision) {
        // The store's own commit usually arrives first: then nothing needs parsing.
        let (needed, served) = state.withLock { s in
            (next.revision > s.revision && s.pending[next.revision] == nil, s.served)
        }
        let parsed = needed ? Self.parse(next, served: served) : []
        let wakeups = state.withLock { s -> Wakeups in
            var wakeups = Wakeups()
            guard next.revision > s.revision, !s.closed else { return wakeups }
            if let own = s.pending.removeValue(forKey: next.revision) {
                if next.revision == s.revision + 1 {
                    applyInOrder(own, &s, wakeups: &wakeups)
                } else {
                    s.pending[next.revision] = own
                }
            } else {
                for change in parsed {
                    var change = change
                    // Taken now, in order: what the store holds just before this revision.
                    change.previous = s.object(change.key)
                    if change.object == nil && change.previous == nil { continue }
                    applyInOrder(change, &s, wakeups: &wakeups)
                    serveCustomResources(after: change, in: &s)
                }
                finish(through: next.revision, &s, wakeups: &wakeups)
            }
            drainPending(&s, wakeups: &wakeups)
            return wakeups
        }
        wakeups.resume()
    }

    /// The store's changes in a backend revision (previous objects are filled in when applied);
    /// values that are not valid objects are skipped, as keys of resources not served are.
    private static func parse(_ next: StorageRevision, served: [GroupResource: ServedResource]) -> [StoreChange] {
        var served = served
        var changes: [StoreChange] = []
        for change in next.changes {
            switch change {
            case .put(let value):
                guard let object = try? storedObject(value, served: served) else { continue }
                if object.key.resource == CRDRegistration.resource, let crd = try? object.decode(as: CustomResourceDefinition.self) {
                    // A CRD and its first objects may share a transaction of another writer.
                    for resource in CRDRegistration.servedResources(for: crd) { served[resource.groupResource] = resource }
                }
                changes.append(StoreChange(revision: next.revision, key: object.key, object: object, previous: nil))
            case .delete(let key):
                guard let (objectKey, _) = parseStorageKey(key, served: served) else { continue }
                changes.append(StoreChange(revision: next.revision, key: objectKey, object: nil, previous: nil))
            }
        }
        return changes
    }

    /// The revision is applied: the store's resourceVersion reaches it (also when none of its
    /// changes was the store's), and writers waiting for it or an earlier one go on.
    private func finish(through revision: Int64, _ s: inout StoreState, wakeups: inout Wakeups) {
        if s.revision < revision { s.revision = revision }
        for (waited, writers) in s.waiters where waited <= revision {
            wakeups.writers += writers
            s.waiters[waited] = nil
        }
    }

    /// Serves a CRD another writer created, and stops serving one it deleted once its objects
    /// are gone (the writer deletes them after the CRD, as ``unserve(_:)`` does).
    private func serveCustomResources(after change: StoreChange, in s: inout StoreState) {
        if change.key.resource == CRDRegistration.resource {
            if let object = change.object, let crd = try? object.decode(as: CustomResourceDefinition.self) {
                for served in CRDRegistration.servedResources(for: crd) { s.served[served.groupResource] = served }
            } else if let previous = change.previous, let crd = try? previous.decode(as: CustomResourceDefinition.self) {
                let resource = GroupResource(group: crd.spec.group, resource: crd.spec.names.plural)
                if (s.tables[resource] ?? [:]).isEmpty { s.served[resource] = nil }
            }
        } else if change.object == nil, ServedResource.builtins[change.key.resource] == nil,
                  (s.tables[change.key.resource] ?? [:]).isEmpty {
            let crdName = change.key.resource.resource + "." + change.key.resource.group
            if s.object(ObjectKey(CRDRegistration.resource, name: crdName)) == nil { s.served[change.key.resource] = nil }
        }
    }

    /// Reloads everything from a new snapshot after the backend compacted revisions the store
    /// had not applied yet, and follows on from there. Every watch is closed (its consumer
    /// relists: a watch from an older resourceVersion gets 410 Expired), as kube-apiserver's
    /// watch cache does when it must relist etcd.
    func reload() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let snapshot = try await backend.snapshot()
                let streams = state.withLock { s -> [WatchStream] in
                    let streams = s.watchers.values.map(\.stream)
                    s.watchers.removeAll()
                    let served = s.served.filter { ServedResource.builtins[$0.key] != nil }
                    s.namespaceMirror.removeAll()
                    var fresh = StoreState(namespaceMirror: s.namespaceMirror)
                    fresh.served = served
                    fresh.waiters = s.waiters
                    fresh.pending = s.pending.filter { $0.key > snapshot.revision }
                    fresh.nextWatcherID = s.nextWatcherID
                    s = fresh
                    return streams
                }
                for stream in streams { stream.finish(throwing: WatchClosedError.storeReloaded) }
                try await load(snapshot)
                let more = state.withLock { s -> Wakeups in
                    var wakeups = Wakeups()
                    finish(through: snapshot.revision, &s, wakeups: &wakeups)
                    drainPending(&s, wakeups: &wakeups)
                    return wakeups
                }
                more.resume()
                if !state.withLock({ $0.closed }) { follow(after: snapshot.revision) }
                return
            } catch {
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
