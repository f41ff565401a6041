import Synchronization

/// The reconciler of ``SimulatedNodes``: cluster-scoped keys are nodes (heartbeats), namespaced
/// keys are pods bound to them.
struct SimulatedKubelet: Reconciler {
    let runtime: SimulatedNodes

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let wiring = runtime.wiring.withLock({ $0 }) else { return .done }
        if request.namespace.isEmpty {
            return try await runtime.syncNode(request.name, nodes: wiring.nodes.informer, context: context)
        }
        return try await runtime.syncPod(request, wiring: wiring, context: context)
    }
}

extension SimulatedNodes {
    static let leaseNamespace = "kube-node-lease"

    // MARK: Nodes

    /// One heartbeat of a node: its status when it changed or a report is due, its Lease when
    /// the renewal is due; then sleep until the next of the two.
    func syncNode(_ name: String, nodes: Informer<Node>, context: ReconcileContext) async throws -> ReconcileResult {
        let now = context.clock.now()
        let mode = mode(of: name)
        guard var node = state.withLock({ $0.nodes[name] }) else {
            forgetNode(name)
            return .done
        }
        // A silent kubelet keeps its place in the queue, so that it resumes without an event.
        if mode == .stopped { return .requeue(after: options.leaseRenewInterval) }

        let reportDue = node.forceReport || node.lastReport.map { $0.advanced(by: options.statusReportInterval) <= now } ?? true
        if node.dirty || reportDue {
            state.withLock { $0.nodes[name]?.dirty = false }
            guard let object = nodes.get(name: name), isSimulated(object) else {
                forgetNode(name)
                return .done
            }
            if node.uid != object.metadata.uid {
                node = NodeState(uid: object.metadata.uid)
            }
            let failure: String? = if case .failed(let message) = mode { message } else { nil }
            let internalIP = Self.internalIP(of: object) ?? nodeAddresses.address(for: name)
            let desired = SimulatedNodeStatus(options: options, internalIP: internalIP, failure: failure).desired(for: object, now: now)
            let lastReport = SimulatedNodeStatus.lastReport(object.status)
            let due = node.forceReport || lastReport.map { $0.advanced(by: options.statusReportInterval) <= now } ?? true
            if desired != object.status || due {
                var updated = object
                updated.status = SimulatedNodeStatus.heartbeat(desired, now: now)
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

    private func forgetNode(_ name: String) {
        state.withLock { _ = $0.nodes.removeValue(forKey: name) }
        nodeAddresses.release(name)
    }

    static func internalIP(of node: Node) -> String? {
        node.status.addresses?.first { $0.type == "InternalIP" }?.address
    }

    // MARK: Pods

    /// Syncs a pod bound to a simulated node: runs it, or finishes its deletion.
    func syncPod(_ key: ObjectName, wiring: Wiring, context: ReconcileContext) async throws -> ReconcileResult {
        guard let pod = wiring.pods.informer.get(key) else {
            forgetPod(key, uid: nil)
            return .done
        }
        let uid = pod.metadata.uid ?? ""
        guard let nodeName = pod.spec.nodeName, state.withLock({ $0.nodes[nodeName] != nil }),
              let node = wiring.nodes.informer.get(name: nodeName), isSimulated(node) else {
            return .done
        }
        // Nothing is reported from a silent node; look again when it may be back.
        if mode(of: nodeName) == .stopped { return .requeue(after: options.leaseRenewInterval) }

        let now = context.clock.now()
        let hostIP = Self.internalIP(of: node) ?? nodeAddresses.address(for: nodeName)
        let podIP: String
        if pod.spec.hostNetwork == true {
            podIP = hostIP
        } else if let existing = pod.status.podIP, !existing.isEmpty {
            podAddresses.claim(existing, for: key.description)
            podIP = existing
        } else {
            podIP = podAddresses.address(for: key.description)
        }
        let remembered = state.withLock { s in s.pods[key].flatMap { $0.uid == uid ? $0.backoffs : nil } ?? [:] }
        var sync = SimulatedPodSync(
            pod: pod, behavior: SimulatedPodBehavior(annotations: pod.metadata.annotations), hostIP: hostIP, podIP: podIP,
            now: now, backoffs: remembered)

        if pod.metadata.deletionTimestamp != nil {
            let status = sync.terminate()
            var current = pod
            if status != pod.status {
                current.status = status
                current = try await context.client.updateStatus(current)
            }
            forgetPod(key, uid: uid)
            do {
                try await context.client.delete(current, options: DeleteOptions(gracePeriodSeconds: 0))
            } catch let error as APIError where error.code == 404 || error.code == 409 {
                // Gone already, or another pod of that name now: this deletion is finished.
            }
            return .done
        }

        let status = sync.run()
        let backoffs = sync.backoffs
        state.withLock { s in
            if backoffs.isEmpty { s.pods[key] = nil } else { s.pods[key] = PodMemory(uid: uid, backoffs: backoffs) }
        }
        if status != pod.status {
            var updated = pod
            updated.status = status
            _ = try await context.client.updateStatus(updated)
        }
        if status.phase == "Succeeded" || status.phase == "Failed" {
            forgetPod(key, uid: uid)
            return .done
        }
        guard let wake = sync.wake else { return .done }
        return .requeue(after: max(now.duration(to: wake), .milliseconds(1)))
    }

    /// Lets go of what a pod held: its backoff and its address (its sandbox is gone).
    private func forgetPod(_ key: ObjectName, uid: String?) {
        state.withLock { s in
            if let memory = s.pods[key], uid == nil || memory.uid == uid { s.pods[key] = nil }
        }
        // Addresses are held by name: names are unique among live pods.
        podAddresses.release(key.description)
    }
}
