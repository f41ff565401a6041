/// A scheduling failure to record on its pod.
struct FailureReport: Sendable {
    var pod: PodInfo
    var reason: String
    var message: String
    var nominatedNodeName: String?
}

extension Scheduler {
    /// Upstream `handleSchedulingFailure`, after the framework has requeued the pod: a Warning
    /// `FailedScheduling` event and `PodScheduled=False` with the reason and the message.
    ///
    /// The status write is left to ``FailureReports``' few writers, so the scheduling loop never
    /// waits on the API and a flood of failures never floods the executor.
    func handleFailure(_ pod: PodInfo, _ failure: SchedulingFailure) {
        let report = FailureReport(pod: pod, reason: Self.failureReason(failure), message: failure.message,
                                   nominatedNodeName: failure.nominatedNodeName)
        failureReports.add(report, for: pod.pod.metadata.uid ?? pod.key)
    }

    /// `Unschedulable` when the pod does not fit (no nodes at all included, as upstream turns
    /// `ErrNoNodesAvailable` into an unresolvable rejection), `SchedulerError` for errors.
    static func failureReason(_ failure: SchedulingFailure) -> String {
        if failure.status.message == SchedulingFailure.noNodesAvailableMessage { return "Unschedulable" }
        return failure.reason
    }

    /// Sets `PodScheduled=False` as upstream's `UpdatePodCondition` does: the transition time
    /// moves only when the status changes. Returns whether anything changed, so an unchanged
    /// failure writes nothing.
    static func setUnschedulable(_ pod: inout Pod, reason: String, message: String, nominatedNodeName: String?,
                                 now: Time) -> Bool {
        var conditions = pod.status.conditions ?? []
        var changed = false
        let existing = conditions.firstIndex { $0.type == "PodScheduled" }
        let old = existing.map { conditions[$0] }
        if old?.status != "False" || old?.reason != reason || old?.message != message {
            let transition = old?.status == "False" ? old?.lastTransitionTime : now.truncatedToSeconds
            let condition = PodCondition(status: "False", type: "PodScheduled", lastTransitionTime: transition,
                                         message: message, reason: reason)
            if let existing { conditions[existing] = condition } else { conditions.append(condition) }
            pod.status.conditions = conditions
            changed = true
        }
        if let nominatedNodeName, pod.status.nominatedNodeName != nominatedNodeName {
            pod.status.nominatedNodeName = nominatedNodeName
            changed = true
        }
        return changed
    }

    static func isAssigned(_ pod: Pod) -> Bool { !(pod.spec.nodeName ?? "").isEmpty }
}

/// Writes scheduling failures to their pods (the tail of upstream's `handleSchedulingFailure`).
struct FailureWriter: Sendable {
    let client: CachedClient
    let events: EventRecorder
    let clock: any RuntimeClock
    let logger: Logger

    /// Records `report`: the event, then the condition (nothing when the pod says so already).
    func write(_ report: FailureReport) async {
        let (pod, reason, message, nominatedNodeName) = (report.pod, report.reason, report.message, report.nominatedNodeName)
        // Upstream skips pods that are gone or were bound meanwhile: neither event nor status.
        guard var current = await currentPod(pod), !Scheduler.isAssigned(current) else { return }
        events.event(for: current, type: .warning, reason: "FailedScheduling", message: message)
        for attempt in 0..<3 {
            guard Scheduler.setUnschedulable(&current, reason: reason, message: message, nominatedNodeName: nominatedNodeName,
                                             now: clock.now()) else { return }
            do {
                _ = try await client.updateStatus(current)
                return
            } catch let error as APIError where error.code == 409 && attempt < 2 {
                // Someone wrote the pod in between: look again at what is stored now.
                guard let fresh = try? await client.api.getIfPresent(Pod.self, namespace: pod.namespace, name: pod.name),
                      fresh.metadata.uid == current.metadata.uid, !Scheduler.isAssigned(fresh) else { return }
                current = fresh
            } catch let error as APIError where error.code == 404 {
                return
            } catch {
                logger.warning("could not record the scheduling failure",
                               metadata: ["pod": "\(pod.key)", "error": "\(error)"])
                return
            }
        }
    }

    /// The pod as the informer holds it now, if it is still the same pod.
    private func currentPod(_ pod: PodInfo) async -> Pod? {
        guard let current = try? await client.getIfPresent(Pod.self, namespace: pod.namespace, name: pod.name),
              current.metadata.uid == pod.pod.metadata.uid else { return nil }
        return current
    }
}
