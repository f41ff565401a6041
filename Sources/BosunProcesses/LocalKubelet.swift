import BosunKit
import BosunNodes
import Synchronization

/// The reconciler of ``LocalProcessRuntime``: cluster-scoped keys are its nodes (heartbeats),
/// namespaced keys are pods bound to them.
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

    /// One heartbeat of a node: its status when it changed or a report is due, its Lease when
    /// the renewal is due; then sleep until the next of the two.
    func syncNode(_ name: String, nodes: Informer<Node>, context: ReconcileContext) async throws -> ReconcileResult {
        let now = context.clock.now()
        guard var node = state.withLock({ $0.nodes[name] }) else { return .done }
        // A silent kubelet keeps its place in the queue, so that it resumes without an event.
        if isSilent(name) { return .requeue(after: options.leaseRenewInterval) }

        let reportDue = node.forceReport || node.lastReport.map { $0.advanced(by: options.statusReportInterval) <= now } ?? true
        if node.dirty || reportDue {
            state.withLock { $0.nodes[name]?.dirty = false }
            guard let object = nodes.get(name: name), owns(object) else {
                state.withLock { _ = $0.nodes.removeValue(forKey: name) }
                return .done
            }
            if node.uid != object.metadata.uid { node = NodeState(uid: object.metadata.uid) }
            let desired = LocalNodeStatus(machine: machine, options: options).desired(for: object, now: now)
            let lastReport = LocalNodeStatus.lastReport(object.status)
            let due = node.forceReport || lastReport.map { $0.advanced(by: options.statusReportInterval) <= now } ?? true
            if desired != object.status || due {
                var updated = object
                updated.status = LocalNodeStatus.heartbeat(desired, now: now)
                _ = try await context.client.updateStatus(updated)
                node.lastReport = now.truncatedToSeconds
            } else {
                node.lastReport = lastReport
            }
            node.forceReport = false
        }

        if node.leaseRenewed.map({ $0.advanced(by: options.leaseRenewInterval) <= now }) ?? true {
            node.lease = try await renewLease(name, uid: node.uid, cached: node.lease, now: now, context: context)
            node.leaseRenewed = now
        }
        state.withLock { s in
            guard var current = s.nodes[name] else { return }
            current.uid = node.uid
            current.lease = node.lease
            current.leaseRenewed = node.leaseRenewed
            current.lastReport = node.lastReport
            current.forceReport = current.forceReport && node.forceReport
            s.nodes[name] = current
        }

        var next = (node.leaseRenewed ?? now).advanced(by: options.leaseRenewInterval)
        if let report = node.lastReport { next = min(next, report.advanced(by: options.statusReportInterval)) }
        return .requeue(after: max(now.duration(to: next), .milliseconds(1)))
    }

    /// Renews (or creates) the node's Lease, as the kubelet's lease controller does.
    private func renewLease(_ name: String, uid: String?, cached: Lease?, now: Time, context: ReconcileContext) async throws -> Lease {
        let client = context.client
        var lease = cached
        if lease == nil { lease = try await client.api.getIfPresent(Lease.self, namespace: Self.leaseNamespace, name: name) }
        guard var lease else {
            var owners: [OwnerReference]?
            if let uid { owners = [OwnerReference(apiVersion: "v1", kind: "Node", name: name, uid: uid)] }
            return try await client.create(Lease(
                metadata: ObjectMeta(name: name, namespace: Self.leaseNamespace, ownerReferences: owners),
                spec: LeaseSpec(holderIdentity: name, leaseDurationSeconds: options.leaseDurationSeconds, renewTime: MicroTime(now))))
        }
        lease.spec.holderIdentity = name
        lease.spec.leaseDurationSeconds = options.leaseDurationSeconds
        lease.spec.renewTime = MicroTime(now)
        do {
            return try await client.update(lease)
        } catch let error as APIError where error.code == 409 || error.code == 404 {
            // Someone else wrote it, or deleted it: read it again on the retry.
            state.withLock { $0.nodes[name]?.lease = nil }
            throw error
        }
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
        var sync = LocalPodSync(pod: pod, run: run, now: clock.now()) { [self] container, restartCount in
            launch(container, of: pod, key: key, restartCount: restartCount, clock: clock)
        }

        if pod.metadata.deletionTimestamp != nil {
            return try await terminate(pod, key: key, sync: sync, context: context)
        }

        let status = sync.sync()
        remember(sync.run, for: key)
        for event in sync.events { context.events.event(for: pod, type: event.type, reason: event.reason, message: event.message) }
        if !sync.leftovers.isEmpty { stop(sync.leftovers, grace: run.grace, clock: clock, then: nil) }
        if status != pod.status { try await write(status, of: pod, context: context) }
        guard let wake = sync.wake else { return .done }
        return .requeue(after: max(clock.now().duration(to: wake), .milliseconds(1)))
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
            guard fresh.metadata.uid == pod.metadata.uid, !LocalPodSync.isTerminal(fresh) else { throw error }
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
