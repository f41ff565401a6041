import BosunRuntime

// How observed changes move the graph, and what work they make (upstream's
// `GraphBuilder.processGraphChanges`).
extension DependencyGraph {
    /// An object added or updated, as a monitor saw it.
    mutating func observe(_ object: ObservedObject) -> GraphEffects {
        var effects = GraphEffects()
        let uid = CompactUID(object.uid)
        let kind = kindID(object.kind)
        let namespace = intern(namespace: object.namespace)
        guard let slot = slot(of: uid) else {
            var flags: NodeFlags = [.observed]
            if object.beingDeleted { flags.insert(.beingDeleted) }
            if object.beingDeleted && object.hasForegroundFinalizer { flags.insert(.deletingDependents) }
            let slot = insert(GraphNode(
                uid: uid, name: object.name, namespace: namespace, kind: kind, flags: flags,
                owners: OwnerLinks(object.owners.map(OwnerLink.init))))
            addDependent(slot, toOwners: object.owners, effects: &effects)
            processTransitions(slot, previous: [], object, &effects)
            return effects
        }

        if !self[slot].isObserved {
            becomeObserved(slot, kind: kind, namespace: namespace, object: object, &effects)
        } else if self[slot].kind != kind {
            self[slot].kind = kind
        }
        let previous = self[slot].flags

        // Changes in ownerReferences.
        let oldLinks = Array(self[slot].owners)
        let newLinks = object.owners.map(OwnerLink.init)
        if oldLinks != newLinks {
            let newUIDs = Set(newLinks.map(\.uid))
            let oldByUID = Dictionary(oldLinks.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
            let added = object.owners.filter { oldByUID[CompactUID($0.uid)] == nil }
            let removed = oldLinks.filter { !newUIDs.contains($0.uid) }
            // An owner waiting for its blocking dependents may be free to go now.
            for link in removed where link.blocks && contains(link.uid) { effects.attemptToDelete.append(link.uid) }
            for link in newLinks where oldByUID[link.uid]?.blocks == true && !link.blocks && contains(link.uid) {
                effects.attemptToDelete.append(link.uid)
            }
            self[slot].owners = OwnerLinks(newLinks)
            addDependent(slot, toOwners: added, effects: &effects)
            removeDependent(slot, fromOwners: removed.map(\.uid))
        }
        if object.beingDeleted { self[slot].flags.insert(.beingDeleted) }
        processTransitions(slot, previous: previous, object, &effects)
        return effects
    }

    /// An object deleted, as a monitor saw it.
    mutating func observeDeletion(of uid: CompactUID) -> GraphEffects {
        guard let slot = slot(of: uid) else { return GraphEffects() }
        return remove(slot, absent: coordinates(of: slot))
    }

    /// An object a worker found absent (404, or another uid under its name) though the graph
    /// has it: upstream's virtual delete event. `identity` is where the worker looked.
    mutating func virtualDelete(_ identity: ObjectCoordinates) -> GraphEffects {
        let uid = CompactUID(identity.uid)
        guard let slot = slot(of: uid) else { return GraphEffects() }
        var effects = GraphEffects()
        let current = coordinates(of: slot)
        if !self[slot].isObserved {
            let (matching, nonmatching) = partitionDependents(of: slot, identity: identity)
            if !nonmatching.isEmpty {
                // Some dependents name this uid with other coordinates: keep the node, collect the
                // dependents whose reference is now known to be absent, and try another identity.
                if !matching.isEmpty {
                    effects.absentOwners.append(identity)
                    effects.attemptToDelete += matching.map { self[$0].uid }
                }
                if sameIdentity(current, identity), let alternate = alternateIdentity(of: slot, among: nonmatching, absent: identity) {
                    self[slot].kind = kindID(GraphKind(apiVersion: alternate.apiVersion, kind: alternate.kind))
                    self[slot].namespace = intern(namespace: alternate.namespace)
                    self[slot].name = alternate.name
                    effects.attemptToDeleteLater.append(uid)
                }
                return effects
            }
        } else if !sameIdentity(current, identity) {
            // The object exists under the identity it was observed with; only references with
            // the absent coordinates dangle, and each dependent's check sorts that out.
            effects.absentOwners.append(identity)
            effects.attemptToDelete += self[slot].dependents.map { self[$0].uid }
            return effects
        }
        return remove(slot, absent: identity)
    }

    /// Removes the observed nodes of `kind` a relist no longer found.
    mutating func removeObserved(ofKind kind: GraphKind, notIn seen: Set<CompactUID>) -> GraphEffects {
        var effects = GraphEffects()
        for uid in observed(ofKind: kind, notIn: seen) { effects.merge(observeDeletion(of: uid)) }
        return effects
    }

    // MARK: Steps

    /// A virtual node's object was observed: it takes the observed identity, and dependents
    /// whose references disagree with it are checked.
    private mutating func becomeObserved(_ slot: UInt32, kind: UInt32, namespace: String, object: ObservedObject, _ effects: inout GraphEffects) {
        let uid = self[slot].uid
        let observed = ObjectCoordinates(kind: object.kind, namespace: namespace, name: object.name, uid: object.uid)
        if !sameIdentity(coordinates(of: slot), observed) {
            let (_, nonmatching) = partitionDependents(of: slot, identity: observed)
            for dependent in nonmatching {
                if !namespace.isEmpty && self[dependent].namespace != namespace,
                   let reference = virtualReferences[uid]?[dependent] {
                    effects.invalidNamespaceReferences.append(invalidReference(dependent, reference))
                }
                effects.attemptToDelete.append(self[dependent].uid)
            }
            self[slot].kind = kind
            self[slot].namespace = namespace
            self[slot].name = object.name
        }
        self[slot].flags.insert(.observed)
        virtualReferences[uid] = nil
    }

    /// Adds the node to its owners' dependents, making virtual nodes for owners not seen yet
    /// (to be checked against the API server), and queues the node if a reference looks wrong
    /// (upstream's `addDependentToOwners`).
    private mutating func addDependent(_ slot: UInt32, toOwners references: [OwnerReference], effects: inout GraphEffects) {
        let namespace = self[slot].namespace
        var potentiallyInvalid = false
        for reference in references {
            let ownerUID = CompactUID(reference.uid)
            guard let owner = self.slot(of: ownerUID) else {
                let kind = kindID(GraphKind(apiVersion: reference.apiVersion, kind: reference.kind))
                _ = insert(GraphNode(uid: ownerUID, name: reference.name, namespace: namespace, kind: kind, flags: [],
                                     owners: OwnerLinks(), dependents: [slot]))
                virtualReferences[ownerUID] = [slot: ObjectCoordinates(reference, namespace: namespace)]
                effects.attemptToDelete.append(ownerUID)
                continue
            }
            self[owner].dependents.insert(slot)
            if !self[owner].isObserved {
                virtualReferences[ownerUID, default: [:]][slot] = ObjectCoordinates(reference, namespace: namespace)
            }
            if potentiallyInvalid { continue }
            let ownerNamespace = self[owner].namespace
            if !ownerNamespace.isEmpty && ownerNamespace != namespace {
                // A namespaced owner in another namespace (or of a cluster-scoped dependent).
                if self[owner].isObserved {
                    effects.invalidNamespaceReferences.append(invalidReference(slot, ObjectCoordinates(reference, namespace: namespace)))
                }
                potentiallyInvalid = true
            } else if !names(reference, owner) {
                potentiallyInvalid = true
            } else if ownerNamespace.isEmpty && ownerNamespace != namespace && !self[owner].isObserved {
                // A virtual cluster-scoped owner of a namespaced dependent could be a missing
                // namespaced object referenced wrongly: check.
                potentiallyInvalid = true
            }
        }
        if potentiallyInvalid { effects.attemptToDelete.append(self[slot].uid) }
    }

    private mutating func removeDependent(_ slot: UInt32, fromOwners owners: [CompactUID]) {
        for uid in owners {
            guard let owner = self.slot(of: uid) else { continue }
            self[owner].dependents.remove(slot)
            virtualReferences[uid]?[slot] = nil
        }
    }

    /// Queues the work a deletion that starts with the `orphan` or `foregroundDeletion`
    /// finalizer needs, and records the finalizers for the next change.
    private mutating func processTransitions(_ slot: UInt32, previous: NodeFlags, _ object: ObservedObject, _ effects: inout GraphEffects) {
        let uid = self[slot].uid
        self[slot].flags.remove([.hadForegroundFinalizer, .hadOrphanFinalizer])
        if object.hasForegroundFinalizer { self[slot].flags.insert(.hadForegroundFinalizer) }
        if object.hasOrphanFinalizer { self[slot].flags.insert(.hadOrphanFinalizer) }
        let wasDeleting = previous.contains(.beingDeleted)
        if object.beingDeleted && object.hasOrphanFinalizer && !(wasDeleting && previous.contains(.hadOrphanFinalizer)) {
            effects.attemptToOrphan.append(uid)
            return
        }
        if object.beingDeleted && object.hasForegroundFinalizer && !(wasDeleting && previous.contains(.hadForegroundFinalizer)) {
            self[slot].flags.insert(.deletingDependents)
            effects.attemptToDelete += self[slot].dependents.map { self[$0].uid }
            effects.attemptToDelete.append(uid)
        }
    }

    /// Removes a node; its dependents are checked (their owner is gone), and owners waiting for
    /// their dependents look again.
    private mutating func remove(_ slot: UInt32, absent identity: ObjectCoordinates) -> GraphEffects {
        var effects = GraphEffects()
        let node = self[slot]
        removeDependent(slot, fromOwners: node.owners.map(\.uid))
        if !node.dependents.isEmpty { effects.absentOwners.append(identity) }
        for dependent in node.dependents where dependent != slot { effects.attemptToDelete.append(self[dependent].uid) }
        for owner in node.owners {
            if let ownerSlot = self.slot(of: owner.uid), self[ownerSlot].isDeletingDependents {
                effects.attemptToDelete.append(owner.uid)
            }
        }
        free(slot)
        return effects
    }

    // MARK: Identities

    private func sameIdentity(_ a: ObjectCoordinates, _ b: ObjectCoordinates) -> Bool {
        a.apiVersion == b.apiVersion && a.kind == b.kind && a.namespace == b.namespace && a.name == b.name
            && CompactUID(a.uid) == CompactUID(b.uid)
    }

    /// The dependents whose reference matches `identity`, and those whose reference does not
    /// (upstream's `partitionDependents`).
    private func partitionDependents(of slot: UInt32, identity: ObjectCoordinates) -> (matching: [UInt32], nonmatching: [UInt32]) {
        let uid = self[slot].uid
        var matching: [UInt32] = []
        var nonmatching: [UInt32] = []
        for dependent in self[slot].dependents {
            if !identity.namespace.isEmpty && identity.namespace != self[dependent].namespace {
                nonmatching.append(dependent)
            } else if let reference = virtualReferences[uid]?[dependent],
                      reference.apiVersion != identity.apiVersion || reference.kind != identity.kind || reference.name != identity.name {
                nonmatching.append(dependent)
            } else {
                matching.append(dependent)
            }
        }
        return (matching, nonmatching)
    }

    /// Another identity the dependents give this uid: the first after `absent` in upstream's
    /// order (kind, apiVersion, namespace, name), else the first (`getAlternateOwnerIdentity`).
    private func alternateIdentity(of slot: UInt32, among dependents: [UInt32], absent: ObjectCoordinates) -> ObjectCoordinates? {
        let uid = self[slot].uid
        let absentIsClusterScoped = absent.namespace.isEmpty
        var seen: Set<ObjectCoordinates> = [absent]
        var first: ObjectCoordinates?
        var firstFollowing: ObjectCoordinates?
        func less(_ a: ObjectCoordinates, _ b: ObjectCoordinates) -> Bool {
            (a.kind, a.apiVersion, a.namespace, a.name, a.uid) < (b.kind, b.apiVersion, b.namespace, b.name, b.uid)
        }
        for dependent in dependents {
            guard var reference = virtualReferences[uid]?[dependent] else { continue }
            let sameCoordinates = reference.apiVersion == absent.apiVersion && reference.kind == absent.kind && reference.name == absent.name
            if sameCoordinates && (absentIsClusterScoped || absent.namespace == self[dependent].namespace) { continue }
            reference.namespace = self[dependent].namespace
            if absentIsClusterScoped && reference.apiVersion == absent.apiVersion && reference.kind == absent.kind {
                reference.namespace = ""
            }
            reference.uid = absent.uid
            if !seen.insert(reference).inserted { continue }
            if first.map({ less(reference, $0) }) ?? true { first = reference }
            if less(absent, reference) && (firstFollowing.map { less(reference, $0) } ?? true) { firstFollowing = reference }
        }
        return firstFollowing ?? first
    }

    private func invalidReference(_ dependent: UInt32, _ reference: ObjectCoordinates) -> InvalidOwnerReference {
        let node = self[dependent]
        let kind = kind(node.kind)
        var owner = reference
        owner.namespace = node.namespace
        return InvalidOwnerReference(
            dependent: ObjectReference(apiVersion: kind.apiVersion, kind: kind.kind, name: node.name,
                                       namespace: node.namespace.isEmpty ? nil : node.namespace, uid: node.uid.description),
            owner: owner)
    }
}
