/// kube-scheduler's `eventhandlers.go`: what the Node and Pod informers' events do to the
/// scheduler's cache and queue.
///
/// - Unscheduled pods this scheduler is responsible for go to the queue, and leave it when they
///   are deleted, bound, or start terminating.
/// - Assigned pods go to the cache (which confirms an assumed pod); deleted or terminal ones leave
///   it, and the freed capacity moves unschedulable pods (`AssignedPodDelete`).
/// - Nodes go to the cache; additions and relevant updates move unschedulable pods.
///
/// Handlers run on the informers' tasks and only take the cache's and queue's locks.
final class SchedulerEventHandlers: Sendable {
    let framework: Framework

    init(framework: Framework) { self.framework = framework }

    private var cache: SchedulerCache { framework.cache }
    private var queue: SchedulingQueue { framework.queue }
    private var schedulerName: String { framework.profile.schedulerName }

    // MARK: Nodes

    func handle(_ event: InformerEvent<Node>) {
        switch event.change {
        case .added(let node):
            cache.addNode(node)
            queue.moveAllToActiveOrBackoff(.nodeAdd, newObject: node)
        case .updated(let old, let new):
            cache.updateNode(new)
            let actions = Self.nodeChanges(old, new)
            if !actions.isEmpty {
                queue.moveAllToActiveOrBackoff(ClusterEvent(.node, actions, label: "NodeUpdate"), oldObject: old, newObject: new)
            }
        case .deleted(let node):
            cache.removeNode(named: node.metadata.name ?? "")
            queue.moveAllToActiveOrBackoff(.nodeDelete, oldObject: node)
        }
    }

    /// Upstream `nodeSchedulingPropertiesChange`: which scheduling-relevant parts changed.
    static func nodeChanges(_ old: Node, _ new: Node) -> ActionType {
        var actions: ActionType = []
        if old.status.allocatable != new.status.allocatable { actions.insert(.updateNodeAllocatable) }
        if old.metadata.labels != new.metadata.labels { actions.insert(.updateNodeLabel) }
        // Upstream counts `spec.unschedulable` as a taint change (it is the unschedulable taint).
        if old.spec.taints != new.spec.taints || old.spec.unschedulable != new.spec.unschedulable {
            actions.insert(.updateNodeTaint)
        }
        if Self.conditionStatuses(old) != Self.conditionStatuses(new) { actions.insert(.updateNodeCondition) }
        return actions
    }

    /// Condition types and statuses: heartbeats alone are not a change.
    private static func conditionStatuses(_ node: Node) -> [String: String] {
        var statuses: [String: String] = [:]
        for condition in node.status.conditions ?? [] { statuses[condition.type] = condition.status }
        return statuses
    }

    // MARK: Pods

    func handle(_ event: InformerEvent<Pod>) {
        switch event.change {
        case .added(let pod):
            if Scheduler.isAssigned(pod) {
                addAssigned(pod)
            } else if isResponsible(for: pod) && Self.wantsNode(pod) {
                queue.add(pod)
            }
        case .updated(let old, let new):
            if Scheduler.isAssigned(new) {
                // Bound, by this scheduler or another: it is no longer queued.
                if !Scheduler.isAssigned(old) { queue.delete(new) }
                updateAssigned(old, new)
            } else if isResponsible(for: new) {
                if !Self.wantsNode(new) {
                    queue.delete(new)
                } else if Self.isUpdated(old, new) {
                    queue.update(new)
                }
            }
        case .deleted(let pod):
            if Scheduler.isAssigned(pod) || cache.nodeName(ofPod: PodInfo.uid(of: pod)) != nil {
                removeAssigned(pod)
            }
            if !Scheduler.isAssigned(pod) && isResponsible(for: pod) {
                let uid = PodInfo.uid(of: pod)
                queue.delete(uid: uid)
                // A pod held at Permit is let go at once (upstream `RejectWaitingPod`).
                _ = framework.waitingPods.reject(uid: uid, plugin: "", message: "removed")
                queue.moveAllToActiveOrBackoff(.unscheduledPodDelete, oldObject: pod)
            }
        }
    }

    /// Unscheduled pods naming this scheduler and not being deleted.
    private func isResponsible(for pod: Pod) -> Bool {
        (pod.spec.schedulerName ?? "default-scheduler") == schedulerName
    }

    /// A pod being deleted, or one that finished without a node, is not placed.
    private static func wantsNode(_ pod: Pod) -> Bool {
        pod.metadata.deletionTimestamp == nil && !isTerminal(pod)
    }

    private func addAssigned(_ pod: Pod) {
        if Self.isTerminal(pod) { return }
        cache.addPod(pod)
        queue.moveAllToActiveOrBackoff(.assignedPodAdd, newObject: pod)
    }

    private func updateAssigned(_ old: Pod, _ new: Pod) {
        let uid = PodInfo.uid(of: new)
        if Self.isTerminal(new) {
            // A finished pod holds nothing: its capacity is free for others.
            if cache.nodeName(ofPod: uid) != nil { removeAssigned(new) }
            return
        }
        // An assumed pod being confirmed, or a bound pod first seen, is an add (the cached client's
        // read-your-writes may already show `old` as bound, so the cache decides, not `old`).
        let known = cache.nodeName(ofPod: uid) != nil && !cache.isAssumed(uid: uid)
        if !known {
            cache.updatePod(new)
            queue.moveAllToActiveOrBackoff(.assignedPodAdd, newObject: new)
            return
        }
        // Status churn (the kubelet's) changes nothing the scheduler counts.
        let labelsChanged = old.metadata.labels != new.metadata.labels
        guard labelsChanged || old.spec != new.spec else { return }
        cache.updatePod(new)
        var actions: ActionType = []
        if labelsChanged { actions.insert(.updatePodLabel) }
        if old.spec != new.spec && PodInfo(old).requests != PodInfo(new).requests { actions.insert(.updatePodScaleDown) }
        if !actions.isEmpty {
            queue.moveAllToActiveOrBackoff(ClusterEvent(.assignedPod, actions, label: "AssignedPodUpdate"),
                                           oldObject: old, newObject: new)
        }
    }

    private func removeAssigned(_ pod: Pod) {
        cache.removePod(pod)
        queue.moveAllToActiveOrBackoff(.assignedPodDelete, oldObject: pod)
    }

    static func isTerminal(_ pod: Pod) -> Bool {
        pod.status.phase == "Succeeded" || pod.status.phase == "Failed"
    }

    /// Upstream `isPodUpdated`: a change beyond status, resourceVersion, generation and managed
    /// fields. The scheduler's own `PodScheduled=False` write must not wake the pod it failed.
    static func isUpdated(_ old: Pod, _ new: Pod) -> Bool {
        func stripped(_ pod: Pod) -> Pod {
            var pod = pod
            pod.metadata.resourceVersion = nil
            pod.metadata.generation = nil
            pod.metadata.managedFields = nil
            pod.status = PodStatus()
            return pod
        }
        return stripped(old) != stripped(new)
    }
}
