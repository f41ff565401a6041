import Synchronization

/// The reconciler of both of ``SimulatedNodes``'s controllers: cluster-scoped
/// keys are nodes (heartbeats), namespaced keys are pods bound to them.
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
    // MARK: Nodes

    /// One heartbeat of a node (see ``KubeletNodeHeartbeat``); a failed node reports Ready=False.
    func syncNode(_ name: String, nodes: Informer<Node>, context: ReconcileContext) async throws -> ReconcileResult {
        let mode = mode(of: name)
        let failure: String? = if case .failed(let message) = mode { message } else { nil }
        return try await heartbeat.sync(
            name, silent: mode == .stopped, context: context,
            states: { body in state.withLock { body(&$0.nodes) } },
            observe: { nodes.get(name: name).flatMap { isSimulated($0) ? $0 : nil } },
            forget: { forgetNode(name) },
            desired: { object, now in
                let internalIP = Self.internalIP(of: object) ?? nodeAddresses.address(for: name)
                return SimulatedNodeStatus(options: options, internalIP: internalIP, failure: failure).desired(for: object, now: now)
            })
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
