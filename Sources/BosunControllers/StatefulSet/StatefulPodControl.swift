import BosunRuntime

/// Creates, updates and deletes a StatefulSet's pods and claims, and records the events
/// Kubernetes records on the set (upstream `StatefulPodControl`):
///
/// - `SuccessfulCreate` "create Pod web-0 in StatefulSet web successful", `FailedCreate`
///   "create Pod web-0 in StatefulSet web failed error: …"; the same for `delete` and `update`;
/// - `SuccessfulCreate` "create Claim www-web-0 Pod web-0 in StatefulSet web success",
///   `FailedCreate` "create Claim www-web-0 for Pod web-0 in StatefulSet web failed error: …".
struct StatefulPodControl: Sendable {
    let client: CachedClient
    let events: EventRecorder
    /// The claims, cached: the retention check runs for every healthy pod on every sync and
    /// must not read the API.
    let claims: Informer<PersistentVolumeClaim>

    /// Creates the pod's missing claims, then the pod; then gives the claims the ownerReferences
    /// the retention policy asks for. A pod that exists already is an error, without an event.
    func createPod(_ pod: Pod, of set: StatefulSet) async throws {
        do {
            try await createMissingClaims(for: pod, of: set)
        } catch {
            recordPodEvent("create", set: set, pod: pod, error: error)
            throw error
        }
        let created: Pod
        do {
            created = try await client.create(pod)
        } catch let error as APIError where error.reason == .alreadyExists {
            throw error
        } catch {
            recordPodEvent("create", set: set, pod: pod, error: error)
            throw error
        }
        do {
            try await updateClaimsForRetentionPolicy(of: created, set: set)
        } catch {
            recordPodEvent("update", set: set, pod: created, error: error)
            throw error
        }
        recordPodEvent("create", set: set, pod: created, error: nil)
    }

    /// Deletes the pod.
    func deletePod(_ pod: Pod, of set: StatefulSet) async throws {
        do {
            _ = try await client.delete(Pod.self, namespace: pod.metadata.namespace, name: pod.name)
            recordPodEvent("delete", set: set, pod: pod, error: nil)
        } catch {
            recordPodEvent("delete", set: set, pod: pod, error: error)
            throw error
        }
    }

    /// Restores the pod's identity and storage and its claims' ownerReferences (upstream
    /// `UpdateStatefulPod`); writes the pod only when something changed, retrying conflicts
    /// from a fresh read.
    func updatePod(_ original: Pod, of set: StatefulSet) async throws {
        var pod = original
        var attempted = false
        var lastError: (any Error)?
        for _ in 0..<5 {
            var consistent = true
            if !StatefulPods.identityMatches(pod, set: set) {
                StatefulPods.updateIdentity(of: &pod, for: set)
                consistent = false
            }
            if !StatefulPods.storageMatches(pod, set: set) {
                StatefulPods.updateStorage(of: &pod, for: set)
                consistent = false
                do {
                    try await createMissingClaims(for: pod, of: set)
                } catch {
                    recordPodEvent("update", set: set, pod: pod, error: error)
                    throw error
                }
            }
            do {
                if !claimsMatchRetentionPolicy(of: pod, set: set) {
                    try await updateClaimsForRetentionPolicy(of: pod, set: set)
                    consistent = false
                }
            } catch {
                recordPodEvent("update", set: set, pod: pod, error: error)
                throw error
            }
            if consistent { return }
            attempted = true
            do {
                _ = try await client.update(pod)
                lastError = nil
                break
            } catch let error as APIError where error.reason == .conflict {
                lastError = error
                guard let fresh = try? await client.api.get(Pod.self, namespace: pod.metadata.namespace, name: pod.name) else { break }
                pod = fresh
            } catch {
                lastError = error
                break
            }
        }
        if attempted { recordPodEvent("update", set: set, pod: pod, error: lastError) }
        if let lastError { throw lastError }
    }

    // MARK: Claims

    /// Creates each claim of the pod that does not exist (upstream `createPersistentVolumeClaims`);
    /// a claim being deleted is an error, for the sync to retry once it is gone.
    func createMissingClaims(for pod: Pod, of set: StatefulSet) async throws {
        var errors: [any Error] = []
        for (_, claim) in set.claims(forOrdinal: StatefulPodName.ordinal(pod.name)) {
            do {
                let existing = try await client.get(PersistentVolumeClaim.self, namespace: claim.metadata.namespace, name: claim.name)
                if existing.metadata.deletionTimestamp != nil {
                    errors.append(StatefulSetError("pvc \(claim.name) is being deleted"))
                }
            } catch let error as APIError where error.reason == .notFound {
                do {
                    _ = try await client.create(claim)
                    recordClaimEvent("create", set: set, pod: pod, claim: claim.name, error: nil)
                } catch let error as APIError where error.reason == .alreadyExists {
                    errors.append(StatefulSetError("failed to create PVC \(claim.name): \(error)"))
                } catch {
                    errors.append(StatefulSetError("failed to create PVC \(claim.name): \(error)"))
                    recordClaimEvent("create", set: set, pod: pod, claim: claim.name, error: error)
                }
            }
        }
        if !errors.isEmpty { throw StatefulSetError.aggregate(errors) }
    }

    /// Whether a claim of the pod still belongs to a deleted pod of the same name (its pod
    /// ownerReference names another uid): the garbage collector is about to delete it, so the
    /// pod must wait (upstream `PodClaimIsStale`). Never with `whenScaled: Retain`.
    func podClaimIsStale(_ pod: Pod, set: StatefulSet) async throws -> Bool {
        guard set.claimRetention.whenScaled != StatefulSet.retain else { return false }
        for (_, claim) in set.claims(forOrdinal: StatefulPodName.ordinal(pod.name)) {
            guard let existing = try await existingClaim(claim.name, namespace: claim.metadata.namespace) else { continue }
            if ClaimRetention.hasStaleOwnerRef(existing, to: pod) { return true }
        }
        return false
    }

    /// Whether every existing claim of the pod has the ownerReferences the retention policy asks
    /// for (upstream `ClaimsMatchRetentionPolicy`).
    func claimsMatchRetentionPolicy(of pod: Pod, set: StatefulSet) -> Bool {
        for (_, claim) in set.claims(forOrdinal: StatefulPodName.ordinal(pod.name)) {
            guard let existing = cachedClaim(claim.name, namespace: claim.metadata.namespace) else { continue }
            if !ClaimRetention.isUpToDate(existing, set: set, pod: pod) { return false }
        }
        return true
    }

    /// Gives each existing claim of the pod the ownerReferences the retention policy asks for
    /// (upstream `UpdatePodClaimForRetentionPolicy`).
    func updateClaimsForRetentionPolicy(of pod: Pod, set: StatefulSet) async throws {
        for (_, claim) in set.claims(forOrdinal: StatefulPodName.ordinal(pod.name)) {
            guard var existing = try await existingClaim(claim.name, namespace: claim.metadata.namespace) else { continue }
            guard !ClaimRetention.isUpToDate(existing, set: set, pod: pod) else { continue }
            ClaimRetention.updateOwnerRefs(of: &existing, set: set, pod: pod)
            do {
                _ = try await client.update(existing)
            } catch {
                throw StatefulSetError("could not update claim \(claim.name) for delete policy ownerRefs: \(error)")
            }
        }
    }

    private func existingClaim(_ name: String, namespace: String?) async throws -> PersistentVolumeClaim? {
        do {
            return try await client.get(PersistentVolumeClaim.self, namespace: namespace, name: name)
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }

    private func cachedClaim(_ name: String, namespace: String?) -> PersistentVolumeClaim? {
        claims.get(ObjectName(namespace: namespace ?? "", name: name))
    }

    // MARK: Events

    private func recordPodEvent(_ verb: String, set: StatefulSet, pod: Pod, error: (any Error)?) {
        let title = verb.prefix(1).uppercased() + verb.dropFirst()
        if let error {
            events.event(for: set, type: .warning, reason: "Failed\(title)",
                         message: "\(verb) Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
        } else {
            events.event(for: set, type: .normal, reason: "Successful\(title)",
                         message: "\(verb) Pod \(pod.name) in StatefulSet \(set.name) successful")
        }
    }

    private func recordClaimEvent(_ verb: String, set: StatefulSet, pod: Pod, claim: String, error: (any Error)?) {
        let title = verb.prefix(1).uppercased() + verb.dropFirst()
        if let error {
            events.event(for: set, type: .warning, reason: "Failed\(title)",
                         message: "\(verb) Claim \(claim) for Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
        } else {
            events.event(for: set, type: .normal, reason: "Successful\(title)",
                         message: "\(verb) Claim \(claim) Pod \(pod.name) in StatefulSet \(set.name) success")
        }
    }
}

/// A StatefulSet sync's failure, worded as upstream's.
struct StatefulSetError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }

    /// Several failures, printed as apimachinery prints an aggregate.
    static func aggregate(_ errors: [any Error]) -> any Error {
        errors.count == 1 ? errors[0] : StatefulSetError("[" + errors.map { "\($0)" }.joined(separator: ", ") + "]")
    }
}
