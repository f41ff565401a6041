import BosunKit
import BosunNodes
import Synchronization

/// The reconciler of both of ``LocalProcessRuntime``'s controllers: cluster-scoped
/// keys are its nodes (heartbeats), namespaced keys are pods bound to them.
struct LocalKubelet: Reconciler {
    let runtime: LocalProcessRuntime

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let wiring = runtime.wiring.withLock({ $0 }) else { return .done }
        if request.namespace.isEmpty {
            return try await runtime.syncNode(request.name, nodes: wiring.nodes.informer, context: context)
        }
        return try await runtime.syncPod(request, wiring: wiring, context: context)
    }
}

extension LocalProcessRuntime {
    // MARK: Nodes

    /// One heartbeat of a node (see ``KubeletNodeHeartbeat``), reporting this machine.
    func syncNode(_ name: String, nodes: Informer<Node>, context: ReconcileContext) async throws -> ReconcileResult {
        try await heartbeat.sync(
            name, silent: isSilent(name), context: context,
            states: { body in state.withLock { body(&$0.nodes) } },
            observe: { nodes.get(name: name).flatMap { owns($0) ? $0 : nil } },
            forget: { state.withLock { _ = $0.nodes.removeValue(forKey: name) } },
            desired: { object, now in LocalNodeStatus(machine: machine, options: options).desired(for: object, now: now) })
    }

    // MARK: Pods

    /// Syncs a pod bound to a local node: runs it, finishes its deletion, or — when it is gone
    /// or no longer ours — stops whatever still runs of it.
    func syncPod(_ key: ObjectName, wiring: Wiring, context: ReconcileContext) async throws -> ReconcileResult {
        // Shut down: nothing runs and nothing is reported until the manager runs it again.
        guard state.withLock({ $0.accepting }) else { return .done }
        guard let pod = wiring.pods.informer.get(key) else {
            abandon(key, clock: context.clock)
            return .done
        }
        let uid = pod.metadata.uid ?? ""
        guard let nodeName = pod.spec.nodeName, state.withLock({ $0.nodes[nodeName] != nil }),
              let node = wiring.nodes.informer.get(name: nodeName), owns(node) else {
            abandon(key, clock: context.clock)
            return .done
        }
        // Nothing is reported from a silent node; look again when it may be back.
        if isSilent(nodeName) { return .requeue(after: options.leaseRenewInterval) }

        // Another pod of the same name: the old one's processes go.
        if let known = state.withLock({ $0.pods[key] }), known.uid != uid { abandon(key, clock: context.clock) }
        let run = state.withLock { $0.pods[key] } ?? PodRun(uid: uid, grace: .seconds(pod.spec.terminationGracePeriodSeconds ?? 30))
        let clock = context.clock
        var volumes: PodVolumes.Directories = [:]
        if pod.metadata.deletionTimestamp == nil {
            switch await PodVolumes.resolve(pod, client: context.client) {
            case .ready(let directories):
                volumes = directories
            case .waiting(let reason):
                // As a kubelet waiting to mount: the pod stays Pending until its claims are bound.
                context.logger.debug("waiting for volumes", metadata: ["pod": "\(key)", "reason": "\(reason)"])
                return .requeue(after: PodVolumes.retryInterval)
            }
        }
        let environments = pod.metadata.deletionTimestamp == nil && !KubeletPodStatus.isTerminal(pod)
            ? await resolveEnvironments(of: pod, node: node, client: context.client) : [:]
        var sync = LocalPodSync(pod: pod, run: run, now: clock.now()) { [self] container, restartCount in
            environments[container.name, default: .success(ContainerEnvironment())].map { environment in
                launch(container, of: pod, environment: environment, volumes: volumes, key: key, restartCount: restartCount, clock: clock)
            }
        }

        if pod.metadata.deletionTimestamp != nil {
            return try await terminate(pod, key: key, sync: sync, context: context)
        }

        let status = sync.sync()
        remember(sync.run, for: key)
        for event in sync.events { context.events.event(for: pod, type: event.type, reason: event.reason, message: event.message) }
        for containerRun in sync.run.containers.values {
            for instance in [containerRun.previous, containerRun.current].compactMap({ $0 }) {
                for event in instance.takeEvents() {
                    context.events.event(for: pod, type: event.type, reason: event.reason, message: event.message)
                }
            }
        }
        // What resolving a container's environment warned about, once per start of it.
        for (name, resolved) in environments {
            guard case .success(let environment) = resolved, !environment.warnings.isEmpty,
                  sync.events.contains(where: { $0.reason == "Started" && $0.message == "Started container \(name)" }) else { continue }
            for warning in environment.warnings {
                context.events.event(for: pod, type: .warning, reason: warning.reason, message: warning.message)
            }
        }
        if !sync.leftovers.isEmpty { stop(sync.leftovers, grace: run.grace, clock: clock, then: nil) }
        if status != pod.status { try await write(status, of: pod, context: context) }
        guard let wake = sync.wake else { return .done }
        return .requeue(after: max(clock.now().duration(to: wake), .milliseconds(1)))
    }

    /// The environment of each of the pod's containers, resolved as the kubelet does just
    /// before starting one (``ContainerEnvironment``). Every container's, though only those
    /// that are not running may start: one may exit between here and the sync. Only references
    /// to ConfigMaps and Secrets cost reads.
    private func resolveEnvironments(
        of pod: Pod, node: Node, client: any Client
    ) async -> [String: Result<ContainerEnvironment, ContainerConfigError>] {
        let context = ContainerEnvironment.Context(
            hostIPs: [Self.loopback], podIPs: [Self.loopback], nodeAllocatable: node.status.allocatable ?? [:], client: client)
        var environments: [String: Result<ContainerEnvironment, ContainerConfigError>] = [:]
        for container in (pod.spec.initContainers ?? []) + pod.spec.containers {
            do {
                environments[container.name] = .success(try await ContainerEnvironment.resolve(container, in: pod, context: context))
            } catch {
                environments[container.name] = .failure(error)
            }
        }
        return environments
    }

    /// A pod being deleted: its processes are stopped (SIGTERM, SIGKILL after the grace
    /// period) in the background, and once all have ended its final status is written and it is
    /// removed.
    private func terminate(_ pod: Pod, key: ObjectName, sync: LocalPodSync, context: ReconcileContext) async throws -> ReconcileResult {
        var sync = sync
        let running = sync.run.running
        // Until the stop has reaped every process group, not just seen the leaders exit.
        if !running.isEmpty || (sync.run.stopping && !sync.run.stopped) {
            if !sync.run.stopping {
                sync.run.stopping = true
                remember(sync.run, for: key)
                for (name, containerRun) in sync.run.containers where containerRun.current?.isRunning == true {
                    context.events.event(for: pod, type: .normal, reason: "Killing", message: "Stopping container \(name)")
                }
                let grace = Duration.seconds(pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30)
                let controller = wiring.withLock { $0?.controller }
                let uid = sync.run.uid
                stop(running, grace: grace, clock: context.clock) { [weak self] in
                    self?.state.withLock { s in
                        if s.pods[key]?.uid == uid { s.pods[key]?.stopped = true }
                    }
                    controller?.enqueue(key)
                }
            }
            // The exits wake this key again.
            return .done
        }
        let status = sync.terminated()
        var current = pod
        if status != pod.status { current = try await write(status, of: pod, context: context) }
        state.withLock { s in
            if s.pods[key]?.uid == pod.metadata.uid { s.pods[key] = nil }
        }
        do {
            try await context.client.delete(current, options: DeleteOptions(gracePeriodSeconds: 0))
        } catch let error as APIError where error.code == 404 || error.code == 409 {
            // Gone already, or another pod of that name now: this deletion is finished.
        }
        return .done
    }

    /// Writes a pod's status. A conflict (another writer changed the pod meanwhile — its
    /// deletion began, a condition was added) is resolved at once on a fresh copy, keeping
    /// conditions this kubelet does not own, rather than waiting out a retry.
    @discardableResult
    private func write(_ status: PodStatus, of pod: Pod, context: ReconcileContext) async throws -> Pod {
        var updated = pod
        updated.status = status
        do {
            return try await context.client.updateStatus(updated)
        } catch let error as APIError where error.code == 409 {
            var fresh = try await context.client.api.get(Pod.self, namespace: pod.metadata.namespace, name: pod.name)
            guard fresh.metadata.uid == pod.metadata.uid, !KubeletPodStatus.isTerminal(fresh) else { throw error }
            var merged = status
            var conditions = merged.conditions ?? []
            for condition in fresh.status.conditions ?? [] where !conditions.contains(where: { $0.type == condition.type }) {
                conditions.append(condition)
            }
            merged.conditions = conditions
            fresh.status = merged
            return try await context.client.updateStatus(fresh)
        }
    }

    /// Keeps what a sync learned, unless the runtime shut down meanwhile or the key now holds
    /// another pod.
    private func remember(_ run: PodRun, for key: ObjectName) {
        state.withLock { s in
            guard s.accepting, s.pods[key] == nil || s.pods[key]?.uid == run.uid else { return }
            s.pods[key] = run
        }
    }

    /// Forgets a pod that is gone or no longer ours, stopping what still runs of it.
    func abandon(_ key: ObjectName, clock: any RuntimeClock) {
        guard let run = state.withLock({ $0.pods.removeValue(forKey: key) }) else { return }
        let running = run.running
        if !running.isEmpty { stop(running, grace: run.grace, clock: clock, then: nil) }
    }

    /// Stops `instances` at once, in the background, then calls `then`.
    private func stop(_ instances: [ContainerInstance], grace: Duration, clock: any RuntimeClock, then: (@Sendable () -> Void)?) {
        Task {
            await withTaskGroup(of: Void.self) { group in
                for instance in instances {
                    group.addTask { await instance.stop(grace: grace, clock: clock) }
                }
            }
            then?()
        }
    }
}
