import BosunRuntime

/// kube-controller-manager's namespace controller: empties a namespace being deleted, then
/// removes its `kubernetes` finalizer so the API server can remove it.
///
/// The API server only marks a deleted namespace `Terminating` and refuses new content in it.
/// This controller then deletes every object of every namespaced resource in it — with the
/// normal graceful semantics, so pods terminate as their grace period says and objects with
/// finalizers stay until those are done — and records its progress in the namespace's
/// conditions (`NamespaceDeletionContentFailure`, `NamespaceContentRemaining`,
/// `NamespaceFinalizersRemaining`, ...). While content remains it looks again after half the
/// time it expects that to take (the longest pod grace period, or 15 s for finalizers). When
/// nothing is left it removes `kubernetes` from `spec.finalizers` through the namespace's
/// `finalize` subresource; the namespace goes once its other finalizers are gone too.
public struct NamespaceController: Reconciler {
    public struct Options: Sendable {
        /// How long after its deletion a namespace is first looked at, so that objects created
        /// at the last moment are seen (upstream's `namespaceDeletionGracePeriod`).
        public var deletionGracePeriod: Duration
        /// Namespaces emptied at once (upstream `--concurrent-namespace-syncs`).
        public var workers: Int

        public init(deletionGracePeriod: Duration = .seconds(5), workers: Int = 10) {
            self.deletionGracePeriod = deletionGracePeriod
            self.workers = workers
        }
    }

    public static let name = "namespace"
    /// The finalizer this controller owns.
    public static let finalizer = "kubernetes"
    /// How long objects held by finalizers are expected to take.
    static let finalizerEstimate: Int64 = 15

    let options: Options
    /// Uncached reads, as upstream's deleter makes them.
    let api: any Client

    /// Registers the controller with `manager`.
    @discardableResult
    public static func register(with manager: Manager, options: Options = Options()) throws -> Controller {
        try manager.controller(for: Namespace.self)
            .named(name)
            .withPredicates(Predicate { $0.object.metadata.deletionTimestamp != nil })
            .concurrency(options.workers)
            // Retried at least every minute, however often it failed.
            .backoff(Backoff(base: .milliseconds(5), cap: .seconds(60)))
            .complete(NamespaceController(options: options, api: manager.api))
    }

    public func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard var namespace = try await api.getIfPresent(Namespace.self, namespace: nil, name: request.name),
              let deletion = namespace.metadata.deletionTimestamp
        else { return .done }
        let waited = deletion.duration(to: context.clock.now())
        if waited < options.deletionGracePeriod { return .requeue(after: options.deletionGracePeriod - waited) }

        do {
            namespace = try await retryOnConflict(namespace) { try await markTerminating($0, context) }
        } catch let error as APIError where error.code == 404 {
            return .done
        }
        if namespace.metadata.deletionTimestamp == nil || (namespace.spec.finalizers ?? []).isEmpty { return .done }

        let estimate = try await deleteAllContent(namespace, context)
        if estimate > 0 {
            context.logger.debug("content remains in the namespace", metadata: ["estimateSeconds": "\(estimate)"])
            return .requeue(after: .seconds(estimate / 2 + 1))
        }
        do {
            _ = try await retryOnConflict(namespace) { try await finalize($0, context) }
            context.logger.info("namespace emptied and finalized")
        } catch let error as APIError where error.code == 404 {
            // Finalized and removed by someone else meanwhile.
        }
        return .done
    }

    // MARK: Steps

    /// Sets phase Terminating if the API server has not (upstream's `updateNamespaceStatusFunc`).
    private func markTerminating(_ namespace: Namespace, _ context: ReconcileContext) async throws -> Namespace {
        guard namespace.metadata.deletionTimestamp != nil, namespace.status.phase != "Terminating" else { return namespace }
        var terminating = namespace
        terminating.status.phase = "Terminating"
        return try await context.client.updateStatus(terminating)
    }

    /// Removes this controller's finalizer from `spec.finalizers` through `/finalize`.
    private func finalize(_ namespace: Namespace, _ context: ReconcileContext) async throws -> Namespace {
        var finalized = namespace
        finalized.spec.finalizers = Set((namespace.spec.finalizers ?? []).filter { $0 != Self.finalizer }).sorted()
        return try await context.client.update(finalized, subresource: "finalize", options: WriteOptions())
    }

    /// Runs `step` on the namespace, and again on a fresh copy after each conflict; fails if
    /// the namespace was replaced by another of the same name meanwhile.
    private func retryOnConflict(_ namespace: Namespace, _ step: (Namespace) async throws -> Namespace) async throws -> Namespace {
        var latest = namespace
        while true {
            do {
                return try await step(latest)
            } catch let error as APIError where error.code == 409 {
                let previous = latest
                latest = try await api.get(Namespace.self, namespace: nil, name: namespace.name)
                if previous.metadata.uid != latest.metadata.uid {
                    throw APIError.internal("namespace uid has changed across retries")
                }
            }
        }
    }

    /// Deletes every object in the namespace; returns how many seconds the rest is expected to
    /// take (0 when nothing is left), and throws what failed after recording it in the
    /// namespace's conditions.
    private func deleteAllContent(_ namespace: Namespace, _ context: ReconcileContext) async throws -> Int64 {
        var errors: [String] = []
        var conditions = NamespaceConditionUpdater()
        var resources: [ResourceDescriptor] = []
        do {
            resources = try await api.serverResources().filter(\.namespaced)
        } catch {
            // Discovery errors are not fatal: what was found is still deleted.
            errors.append("\(error)")
            conditions.discoveryFailed(error)
        }
        var estimate: Int64 = 0
        var remaining = ContentRemaining()
        for resource in resources.sorted(by: { $0.groupResource < $1.groupResource }) {
            let outcome = await deleteAllContent(of: resource, in: namespace, context)
            if let error = outcome.error {
                errors.append(error)
                conditions.deleteContentFailed(error)
            }
            estimate = max(estimate, outcome.estimate)
            if outcome.remaining > 0 {
                remaining.byResource[resource] = outcome.remaining
                for (finalizer, count) in outcome.finalizers { remaining.byFinalizer[finalizer, default: 0] += count }
            }
        }
        conditions.contentRemaining(remaining)

        // Conditions are written even when all went well: "it worked" must replace "it did not".
        var updated = namespace
        if conditions.update(&updated.status, now: context.clock.now()) {
            do {
                _ = try await context.client.updateStatus(updated)
            } catch {
                context.logger.warning("could not update the namespace's conditions", metadata: ["error": "\(error)"])
            }
        }
        if !errors.isEmpty {
            throw APIError.internal(errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]")
        }
        return estimate
    }

    private struct ResourceOutcome {
        /// Seconds the remaining objects are expected to take; 0 makes no promise that none remain.
        var estimate: Int64 = 0
        var remaining = 0
        var finalizers: [String: Int] = [:]
        var error: String?
    }

    /// Deletes each object of one resource in the namespace, then counts what is left
    /// (upstream's `deleteAllContentForGroupVersionResource`).
    private func deleteAllContent(of resource: ResourceDescriptor, in namespace: Namespace, _ context: ReconcileContext) async -> ResourceOutcome {
        var outcome = ResourceOutcome()
        let name = namespace.name
        do {
            outcome.estimate = try await estimateGracefulTermination(resource, in: namespace, context)
            // Background: the garbage collector must not orphan anything, since everything goes.
            for object in try await listAll(resource, in: name) {
                do {
                    _ = try await context.client.deleteObject(
                        resource, namespace: name, name: object.key.name, options: DeleteOptions(propagationPolicy: "Background"),
                        writeOptions: WriteOptions())
                } catch let error as APIError where error.code == 404 || error.code == 405 {
                    continue
                }
            }
            let left = try await listAll(resource, in: name)
            guard !left.isEmpty else { return ResourceOutcome() }
            outcome.remaining = left.count
            for object in left {
                for finalizer in object.finalizers { outcome.finalizers[finalizer, default: 0] += 1 }
            }
            if outcome.estimate != 0 { return outcome }
            // Finalizers are a normal reason to wait; allow time for them (and the GC) to finish.
            if !outcome.finalizers.isEmpty {
                outcome.estimate = Self.finalizerEstimate
                return outcome
            }
            outcome.error = "unexpected items still remain in namespace: \(name) for gvr: \(Self.describe(resource))"
        } catch {
            outcome.error = "\(error)"
        }
        return outcome
    }

    private func listAll(_ resource: ResourceDescriptor, in namespace: String) async throws -> [StoredObject] {
        var options = ListOptions(limit: 500)
        var objects: [StoredObject] = []
        repeat {
            let page = try await api.listObjects(resource, namespace: namespace, options: options)
            objects += page.items
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        return objects
    }

    /// For pods: the longest grace period of those still running, unless that much time has
    /// passed since the namespace's deletion already.
    private func estimateGracefulTermination(_ resource: ResourceDescriptor, in namespace: Namespace, _ context: ReconcileContext) async throws -> Int64 {
        guard resource.group.isEmpty, resource.plural == "pods" else { return 0 }
        var estimate: Int64 = 0
        for pod in try await api.listAll(Pod.self, namespace: namespace.name) {
            if pod.status.phase == "Succeeded" || pod.status.phase == "Failed" { continue }
            if let grace = pod.spec.terminationGracePeriodSeconds { estimate = max(estimate, grace) }
        }
        if let deleted = namespace.metadata.deletionTimestamp, deleted.duration(to: context.clock.now()) >= .seconds(estimate) {
            return 0
        }
        return estimate
    }

    /// A resource as Go prints a GroupVersionResource: `apps/v1, Resource=deployments`.
    static func describe(_ resource: ResourceDescriptor) -> String {
        "\(resource.group)/\(resource.version), Resource=\(resource.plural)"
    }
}

/// What remains in a namespace, by resource and by the finalizers holding it.
struct ContentRemaining {
    var byResource: [ResourceDescriptor: Int] = [:]
    var byFinalizer: [String: Int] = [:]
}
