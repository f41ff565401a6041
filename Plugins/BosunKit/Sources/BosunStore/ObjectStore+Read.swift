import BosunKit
import Synchronization
import Foundation

extension ObjectStore {
    /// One object, or 404 NotFound.
    public func get(_ resource: GroupResource, namespace: String? = nil, name: String) throws(APIError) -> StoredObject {
        let served = try served(resource)
        let key = ObjectKey(resource, namespace: served.descriptor.namespaced ? (namespace ?? "") : "", name: name)
        guard let object = state.withLock({ $0.object(key) }) else { throw APIError.notFound(resource, name) }
        return object
    }

    /// Objects of a resource in one namespace (or all), filtered by the selectors, in key order.
    ///
    /// With `limit`, the first page carries a `continue` token; later pages are served from the
    /// same snapshot, so pagination is consistent at the first page's resourceVersion. Snapshots
    /// live for five minutes (at most 64 at a time); a token past that gets 410 Expired.
    public func list(_ resource: GroupResource, namespace: String? = nil, options: ListOptions = ListOptions()) throws(APIError) -> ObjectList {
        _ = try served(resource)
        if let token = options.continueToken, !token.isEmpty {
            return try continueList(token: token, limit: options.limit)
        }
        return state.withLock { s in
            var items = [StoredObject]()
            for object in s.candidates(resource, matching: options.labelSelector)
            where (namespace == nil || object.key.namespace == namespace) && options.matches(object) {
                items.append(object)
            }
            items.sort { $0.key < $1.key }
            let unfiltered = options.labelSelector.isEmpty && options.fieldSelector.isEmpty
            guard options.limit > 0, items.count > options.limit else {
                return ObjectList(items: items, resourceVersion: s.revision, continueToken: nil, remainingItemCount: nil)
            }
            let id = UID.random()
            let snapshot = ListSnapshot(resource: resource, namespace: namespace, revision: s.revision, items: items, created: clock.now())
            rememberSnapshot(id, snapshot, in: &s)
            let page = Array(items[0..<options.limit])
            return ObjectList(
                items: page, resourceVersion: s.revision,
                continueToken: ContinueToken(id: id, revision: s.revision, offset: options.limit).encoded,
                remainingItemCount: unfiltered ? Int64(items.count - options.limit) : nil)
        }
    }

    private func continueList(token: String, limit: Int) throws(APIError) -> ObjectList {
        guard let decoded = ContinueToken(encoded: token) else {
            throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        return try state.withLock { (s: inout StoreState) throws(APIError) -> ObjectList in
            guard let snapshot = s.listSnapshots[decoded.id],
                  snapshot.created.secondsSinceEpoch + 300 > clock.now().secondsSinceEpoch
            else {
                throw APIError.expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
            }
            let start = min(decoded.offset, snapshot.items.count)
            let end = limit > 0 ? min(start + limit, snapshot.items.count) : snapshot.items.count
            let more = end < snapshot.items.count
            if !more { s.listSnapshots[decoded.id] = nil }
            return ObjectList(
                items: Array(snapshot.items[start..<end]), resourceVersion: snapshot.revision,
                continueToken: more ? ContinueToken(id: decoded.id, revision: snapshot.revision, offset: end).encoded : nil,
                remainingItemCount: more ? Int64(snapshot.items.count - end) : nil)
        }
    }

    private func rememberSnapshot(_ id: String, _ snapshot: ListSnapshot, in s: inout StoreState) {
        s.listSnapshots[id] = snapshot
        s.listSnapshotOrder.append(id)
        while s.listSnapshotOrder.count > 64 {
            s.listSnapshots[s.listSnapshotOrder.removeFirst()] = nil
        }
    }

    /// The objects whose ownerReferences name `uid`: the garbage collector's graph edge.
    public func dependents(ofOwner uid: String) -> [StoredObject] {
        state.withLock { s in
            (s.dependents[uid] ?? []).compactMap { s.object($0) }.sorted { $0.key < $1.key }
        }
    }
}

/// The opaque `continue` value: which snapshot, at which revision, from which position.
struct ContinueToken: Codable {
    var id: String
    var revision: Int64
    var offset: Int

    init(id: String, revision: Int64, offset: Int) {
        self.id = id
        self.revision = revision
        self.offset = offset
    }

    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded),
              let token = try? JSONDecoder().decode(ContinueToken.self, from: data) else { return nil }
        self = token
    }

    var encoded: String {
        ((try? JSONEncoder().encode(self)) ?? Data()).base64EncodedString()
    }
}
