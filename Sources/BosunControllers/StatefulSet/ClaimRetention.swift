import BosunRuntime

/// The ownerReferences a StatefulSet's claims carry under its
/// `persistentVolumeClaimRetentionPolicy` (upstream `isClaimOwnerUpToDate` and
/// `updateClaimOwnerRefForSetAndPod`): the garbage collector then deletes a claim with its
/// owner.
///
/// | whenScaled / whenDeleted | claim of a pod in range | claim of a condemned pod |
/// |---|---|---|
/// | Retain / Retain | no reference | no reference |
/// | Retain / Delete | the set, as controller | the set, as controller |
/// | Delete / Retain | no reference | the pod, as controller |
/// | Delete / Delete | the set, as controller | the pod, as controller |
///
/// References left by an earlier set or pod of the same name (another uid), and claims another
/// controller owns, are not touched.
enum ClaimRetention {
    static func isUpToDate(_ claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod) -> Bool {
        if hasStaleOwnerRef(claim, to: set) || hasStaleOwnerRef(claim, to: pod) {
            // Owned by an earlier set or pod of this name: the garbage collector's business.
            return true
        }
        if hasUnexpectedController(claim, set: set, pod: pod) {
            // Ours must go, but nothing of ours is added beside another controller.
            return !hasOwnerRef(claim, to: set) && !hasOwnerRef(claim, to: pod)
        }
        if hasNonControllerOwner(claim, set: set, pod: pod) { return false }
        let (setRef, podRef) = expectedOwners(set: set, pod: pod)
        return hasOwnerRef(claim, to: set) == setRef && hasOwnerRef(claim, to: pod) == podRef
    }

    /// Drops the claim's references to the set and the pod, then adds the ones the policy asks
    /// for, as controller references, unless another controller owns the claim.
    static func updateOwnerRefs(of claim: inout PersistentVolumeClaim, set: StatefulSet, pod: Pod) {
        let unexpected = hasUnexpectedController(claim, set: set, pod: pod)
        var refs = (claim.metadata.ownerReferences ?? []).filter { !matches($0, set) && !matches($0, pod) }
        if !unexpected {
            let (setRef, podRef) = expectedOwners(set: set, pod: pod)
            if setRef { refs.append(set.controllerReference) }
            if podRef { refs.append(pod.controllerReference) }
        }
        claim.metadata.ownerReferences = refs.isEmpty ? nil : refs
    }

    /// Whether the claim should be owned by the set and by the pod.
    private static func expectedOwners(set: StatefulSet, pod: Pod) -> (set: Bool, pod: Bool) {
        let policy = set.claimRetention
        let deleteOnScale = policy.whenScaled == StatefulSet.delete
        let deleteOnDelete = policy.whenDeleted == StatefulSet.delete
        let scaledDown = !set.containsOrdinal(StatefulPodName.ordinal(pod.name))
        switch (deleteOnScale, deleteOnDelete) {
        case (false, false): return (false, false)
        case (false, true): return (true, false)
        case (true, false): return (false, scaledDown)
        case (true, true): return (!scaledDown, scaledDown)
        }
    }

    /// A reference to `owner` by uid, controller or not.
    static func hasOwnerRef(_ claim: PersistentVolumeClaim, to owner: some Resource) -> Bool {
        let uid = owner.metadata.uid ?? ""
        return claim.metadata.ownerReferences?.contains { $0.uid == uid } ?? false
    }

    /// The first reference naming `owner`'s kind and name carries another uid.
    static func hasStaleOwnerRef(_ claim: PersistentVolumeClaim, to owner: some Resource) -> Bool {
        guard let ref = claim.metadata.ownerReferences?.first(where: { matches($0, owner) }) else { return false }
        return ref.uid != (owner.metadata.uid ?? "")
    }

    /// Under a Delete policy, a controller other than the set or the pod — or a reference to an
    /// earlier set or pod of the same names.
    private static func hasUnexpectedController(_ claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod) -> Bool {
        let policy = set.claimRetention
        if policy.whenScaled == StatefulSet.retain && policy.whenDeleted == StatefulSet.retain { return false }
        for ref in claim.metadata.ownerReferences ?? [] {
            if matches(ref, set) {
                if ref.uid != (set.metadata.uid ?? "") { return true }
                continue
            }
            if matches(ref, pod) {
                if ref.uid != (pod.metadata.uid ?? "") { return true }
                continue
            }
            if ref.controller == true { return true }
        }
        return false
    }

    /// The set or the pod owns the claim without being its controller.
    private static func hasNonControllerOwner(_ claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod) -> Bool {
        let uids = [set.metadata.uid ?? "", pod.metadata.uid ?? ""]
        return claim.metadata.ownerReferences?.contains { uids.contains($0.uid) && $0.controller != true } ?? false
    }

    /// `ref` names `owner`'s kind and name (upstream `matchesRef`).
    private static func matches<Owner: Resource>(_ ref: OwnerReference, _ owner: Owner) -> Bool {
        ref.name == owner.name && ref.apiVersion == Owner.apiVersion && ref.kind == Owner.kind
    }
}
