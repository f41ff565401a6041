import BosunRuntime

/// The ownerReference graph over every object the garbage collector monitors (upstream's
/// `uidToNode`): one compact node per object — its uid, kind, namespace and name, its owners'
/// uids, its dependents, a few flags — and never the object itself.
///
/// A value type, changed only under the collector's lock. Nodes live in an array of slots;
/// dependents refer to slots (a node's slot never changes while it exists) and owners to uids
/// (an owner may be gone, or not seen yet).
struct DependencyGraph: Sendable {
    private(set) var nodes: [GraphNode] = []
    private var freeSlots: [UInt32] = []
    private var slots: [CompactUID: UInt32] = [:]
    private var kinds: [GraphKind] = []
    private var kindIDs: [GraphKind: UInt32] = [:]
    private var namespaces: Set<String> = []
    /// For each owner not observed yet ("virtual"), how each of its dependents refers to it:
    /// the coordinates are all that says whether a dependent's reference can be right. Virtual
    /// nodes are few and short-lived; observed owners need no such record.
    var virtualReferences: [CompactUID: [UInt32: ObjectCoordinates]] = [:]

    /// How many objects (observed or virtual) the graph holds.
    var count: Int { slots.count }

    func slot(of uid: CompactUID) -> UInt32? { slots[uid] }

    func contains(_ uid: CompactUID) -> Bool { slots[uid] != nil }

    /// In place: changing a node through here must not copy its dependents.
    subscript(slot: UInt32) -> GraphNode {
        _read { yield nodes[Int(slot)] }
        _modify { yield &nodes[Int(slot)] }
    }

    func kind(_ id: UInt32) -> GraphKind { kinds[Int(id)] }

    mutating func kindID(_ kind: GraphKind) -> UInt32 {
        if let id = kindIDs[kind] { return id }
        let id = UInt32(kinds.count)
        kinds.append(kind)
        kindIDs[kind] = id
        return id
    }

    /// The one shared copy of a namespace's name.
    mutating func intern(namespace: String) -> String {
        if let index = namespaces.firstIndex(of: namespace) { return namespaces[index] }
        namespaces.insert(namespace)
        return namespace
    }

    /// Where a node is, as an ownerReference would say it.
    func coordinates(of slot: UInt32) -> ObjectCoordinates {
        let node = self[slot]
        return ObjectCoordinates(kind: kind(node.kind), namespace: node.namespace, name: node.name, uid: node.uid.description)
    }

    /// Whether `reference`, known to name the node's uid, also names its name, kind and
    /// apiVersion (upstream's `ownerReferenceMatchesCoordinates`).
    func names(_ reference: OwnerReference, _ slot: UInt32) -> Bool {
        let node = self[slot]
        let kind = kinds[Int(node.kind)]
        return reference.name == node.name && reference.kind == kind.kind && reference.apiVersion == kind.apiVersion
    }

    // MARK: Adding and removing nodes

    mutating func insert(_ node: GraphNode) -> UInt32 {
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
            nodes[Int(free)] = node
        } else {
            slot = UInt32(nodes.count)
            nodes.append(node)
        }
        slots[node.uid] = slot
        return slot
    }

    /// Frees the node's slot. Its owners must no longer list it as a dependent.
    mutating func free(_ slot: UInt32) {
        let uid = self[slot].uid
        slots[uid] = nil
        virtualReferences[uid] = nil
        nodes[Int(slot)] = GraphNode(uid: CompactUID(high: 0, low: 0), name: "", namespace: "", kind: 0, flags: [], owners: OwnerLinks())
        freeSlots.append(slot)
    }

    // MARK: Reads for workers

    func snapshot(_ uid: CompactUID) -> NodeSnapshot? {
        guard let slot = slots[uid] else { return nil }
        let node = self[slot]
        return NodeSnapshot(
            uid: uid, kind: kind(node.kind), namespace: node.namespace, name: node.name, flags: node.flags,
            dependentCount: node.dependents.count,
            hasDependentDeletingDependents: node.dependents.contains { self[$0].isDeletingDependents })
    }

    func dependents(of uid: CompactUID) -> [DependentSnapshot] {
        guard let slot = slots[uid] else { return [] }
        return self[slot].dependents.map(dependentSnapshot)
    }

    /// The dependents whose reference to `uid` has `blockOwnerDeletion` (upstream's
    /// `blockingDependents`).
    func blockingDependents(of uid: CompactUID) -> [DependentSnapshot] {
        guard let slot = slots[uid] else { return [] }
        return self[slot].dependents.filter { self[$0].blocks(uid) }.map(dependentSnapshot)
    }

    private func dependentSnapshot(_ slot: UInt32) -> DependentSnapshot {
        let node = self[slot]
        return DependentSnapshot(uid: node.uid, kind: kind(node.kind), namespace: node.namespace, name: node.name,
                                 isDeletingDependents: node.isDeletingDependents)
    }

    /// The observed nodes of `kind` whose uid is not in `seen`: what a relist found gone.
    func observed(ofKind kind: GraphKind, notIn seen: Set<CompactUID>) -> [CompactUID] {
        guard let id = kindIDs[kind] else { return [] }
        return slots.compactMap { uid, slot in
            let node = self[slot]
            return node.kind == id && node.isObserved && !seen.contains(uid) ? uid : nil
        }
    }
}
