import Synchronization

/// kube-scheduler's scheduling queue: an active heap ordered by the QueueSort plugin, a backoff
/// heap, and a pool of unschedulable pods that cluster events (or a five-minute timeout) move back.
///
/// Time comes from the injected clock; `run()` performs the periodic flushes, and tests call
/// ``flushBackoffCompleted()`` and ``flushUnschedulableLeftover()`` after moving a `ManualClock`.
public final class SchedulingQueue: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<QueuedPodInfo?, Never>
    }

    private struct State {
        var active: PodHeap
        var backoff: PodHeap
        var unschedulable: [String: QueuedPodInfo] = [:]
        /// Popped pods not yet done, by UID, with their latest pod (updates while in flight land here).
        var inFlight: [String: PodInfo] = [:]
        var schedulingCycle: Int64 = 0
        /// The cycle of the last move request: a pod that failed in an older cycle may have missed
        /// the event, so it goes to backoff instead of the unschedulable pool.
        var moveRequestCycle: Int64 = -1
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var closed = false
    }

    public let clock: any RuntimeClock
    public let options: QueueOptions
    private let preEnqueuePlugins: [any PreEnqueuePlugin]
    /// Events each plugin registered; a plugin missing here is woken by every event.
    private let registrations: [String: [ClusterEventWithHint]]
    private let state: Mutex<State>

    public init(
        clock: any RuntimeClock,
        queueSort: any QueueSortPlugin,
        preEnqueuePlugins: [any PreEnqueuePlugin] = [],
        registrations: [String: [ClusterEventWithHint]] = [:],
        options: QueueOptions = QueueOptions()
    ) {
        self.clock = clock
        self.options = options
        self.preEnqueuePlugins = preEnqueuePlugins
        self.registrations = registrations
        let backoffOptions = options
        state = Mutex(State(
            active: PodHeap(less: { queueSort.less($0, $1) }),
            backoff: PodHeap(less: { a, b in
                SchedulingQueue.backoffExpiry(a, backoffOptions) < SchedulingQueue.backoffExpiry(b, backoffOptions)
            })))
    }

    static func backoffExpiry(_ pod: QueuedPodInfo, _ options: QueueOptions) -> Time {
        pod.timestamp.advanced(by: options.backoff(attempts: pod.attempts))
    }

    // MARK: Adding and removing

    /// A new unscheduled pod (or an update of a known one).
    public func add(_ pod: Pod) {
        let info = PodInfo(pod)
        let now = clock.now()
        resumeWaiters(state.withLock { s -> [(CheckedContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)] in
            if s.active.contains(info.uid) || s.backoff.contains(info.uid) || s.unschedulable[info.uid] != nil
                || s.inFlight[info.uid] != nil {
                update(&s, info)
            } else {
                moveToActive(&s, QueuedPodInfo(info, timestamp: now))
            }
            return deliver(&s)
        })
    }

    /// An unscheduled pod changed. Where it waits as unschedulable, the change may make it fit,
    /// so it moves on (to backoff if it is still backing off).
    public func update(_ pod: Pod) { add(pod) }

    private func update(_ s: inout State, _ info: PodInfo) {
        if s.inFlight[info.uid] != nil {
            s.inFlight[info.uid] = info
        } else if var queued = s.active.get(info.uid) {
            queued.podInfo = info
            s.active.push(queued)
        } else if var queued = s.backoff.get(info.uid) {
            queued.podInfo = info
            s.backoff.push(queued)
        } else if var queued = s.unschedulable.removeValue(forKey: info.uid) {
            queued.podInfo = info
            if isBackingOff(queued) {
                s.backoff.push(queued)
            } else {
                moveToActive(&s, queued)
            }
        }
    }

    /// The pod was deleted or bound by someone else: forget it wherever it is.
    public func delete(uid: String) {
        state.withLock { s in
            s.active.remove(uid)
            s.backoff.remove(uid)
            s.unschedulable[uid] = nil
            s.inFlight[uid] = nil
        }
    }

    public func delete(_ pod: Pod) { delete(uid: PodInfo.uid(of: pod)) }

    // MARK: Popping

    /// Waits until a pod is active and takes it; `nil` once the queue is closed or the task is
    /// cancelled.
    public func pop() async -> QueuedPodInfo? {
        let id = state.withLock { s -> Int in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<QueuedPodInfo?, Never>) in
                let ready = state.withLock { s -> QueuedPodInfo?? in
                    if s.closed || Task.isCancelled { return .some(nil) }
                    if let pod = popActive(&s) { return .some(pod) }
                    s.waiters.append(Waiter(id: id, continuation: c))
                    return .none
                }
                if let ready { c.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i)
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    /// Takes the first active pod without waiting.
    public func tryPop() -> QueuedPodInfo? { state.withLock { popActive(&$0) } }

    private func popActive(_ s: inout State) -> QueuedPodInfo? {
        guard var pod = s.active.pop() else { return nil }
        s.schedulingCycle += 1
        pod.attempts += 1
        pod.cycle = s.schedulingCycle
        if pod.initialAttemptTimestamp == nil { pod.initialAttemptTimestamp = clock.now() }
        s.inFlight[pod.uid] = pod.podInfo
        return pod
    }

    /// Wakes every pop() waiting and makes later ones return `nil`.
    public func close() {
        let waiters = state.withLock { s -> [Waiter] in
            s.closed = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    // MARK: After an attempt

    /// The attempt ended (bound, or the pod is gone): the queue stops tracking it.
    public func done(uid: String) {
        _ = state.withLock { $0.inFlight.removeValue(forKey: uid) }
    }

    /// A failed attempt: the pod goes to the unschedulable pool, or to backoff if it failed with
    /// an error or an event arrived while it was being scheduled (upstream
    /// `AddUnschedulableIfNotPresent`). A pod deleted meanwhile is dropped.
    public func requeue(_ pod: QueuedPodInfo, unschedulablePlugins: Set<String>, isError: Bool = false) {
        let now = clock.now()
        state.withLock { s in
            guard let latest = s.inFlight.removeValue(forKey: pod.uid) else { return }
            if s.active.contains(pod.uid) || s.backoff.contains(pod.uid) || s.unschedulable[pod.uid] != nil { return }
            var queued = pod
            queued.podInfo = latest
            queued.timestamp = now
            queued.unschedulablePlugins = unschedulablePlugins
            queued.gatingPlugin = nil
            if isError || s.moveRequestCycle >= pod.cycle {
                s.backoff.push(queued)
            } else {
                s.unschedulable[queued.uid] = queued
            }
        }
    }

    // MARK: Moving pods back

    /// A cluster event: unschedulable pods whose rejecting plugins registered it (and whose hints
    /// say so) move to the active queue, or to backoff while backing off.
    public func moveAllToActiveOrBackoff(_ event: ClusterEvent, oldObject: (any Sendable)? = nil,
                                         newObject: (any Sendable)? = nil) {
        resumeWaiters(state.withLock { s in
            let candidates = s.unschedulable.values.filter {
                podMatches($0, event: event, oldObject: oldObject, newObject: newObject)
            }
            move(&s, candidates)
            s.moveRequestCycle = s.schedulingCycle
            return deliver(&s)
        })
    }

    /// Moves pods whose backoff has expired to the active queue (upstream runs this every second).
    public func flushBackoffCompleted() {
        let now = clock.now()
        resumeWaiters(state.withLock { s in
            while let first = s.backoff.peek, SchedulingQueue.backoffExpiry(first, options) <= now {
                _ = s.backoff.pop()
                moveToActive(&s, first)
            }
            return deliver(&s)
        })
    }

    /// Moves pods that sat unschedulable for `maxInUnschedulablePods` (upstream: every 30 s).
    public func flushUnschedulableLeftover() {
        let now = clock.now()
        resumeWaiters(state.withLock { s in
            let stale = s.unschedulable.values.filter {
                $0.timestamp.duration(to: now) >= options.maxInUnschedulablePods
            }
            move(&s, stale)
            return deliver(&s)
        })
    }

    /// Moves these pods to the active queue now, skipping backoff (upstream `Activate`); used by
    /// plugins that need siblings scheduled together.
    public func activate(_ pods: [Pod]) {
        resumeWaiters(state.withLock { s in
            for pod in pods {
                let uid = PodInfo.uid(of: pod)
                if let queued = s.unschedulable.removeValue(forKey: uid) ?? s.backoff.remove(uid) {
                    moveToActive(&s, queued)
                }
            }
            return deliver(&s)
        })
    }

    /// Flushes backoff every second and stale unschedulable pods every 30 s until cancelled.
    public func run() async {
        var sinceUnschedulableFlush = Duration.zero
        while !Task.isCancelled {
            do { try await clock.sleep(for: options.backoffFlushInterval) } catch { return }
            flushBackoffCompleted()
            sinceUnschedulableFlush += options.backoffFlushInterval
            if sinceUnschedulableFlush >= options.unschedulableFlushInterval {
                sinceUnschedulableFlush = .zero
                flushUnschedulableLeftover()
            }
        }
    }

    // MARK: Inspection

    public var activeCount: Int { state.withLock { $0.active.count } }
    public var backoffCount: Int { state.withLock { $0.backoff.count } }
    public var unschedulableCount: Int { state.withLock { $0.unschedulable.count } }
    public var schedulingCycle: Int64 { state.withLock { $0.schedulingCycle } }

    public func location(of uid: String) -> QueueLocation? {
        state.withLock { s in
            if s.active.contains(uid) { return .active }
            if s.backoff.contains(uid) { return .backoff }
            if s.unschedulable[uid] != nil { return .unschedulable }
            if s.inFlight[uid] != nil { return .inFlight }
            return nil
        }
    }

    /// The queued entry of a pod that is waiting (not in flight).
    public func queued(uid: String) -> QueuedPodInfo? {
        state.withLock { s in s.active.get(uid) ?? s.backoff.get(uid) ?? s.unschedulable[uid] }
    }

    /// When the pod's backoff ends.
    public func backoffExpiry(of pod: QueuedPodInfo) -> Time { SchedulingQueue.backoffExpiry(pod, options) }

    // MARK: Internals (called with the lock held)

    private func isBackingOff(_ pod: QueuedPodInfo) -> Bool {
        pod.attempts > 0 && SchedulingQueue.backoffExpiry(pod, options) > clock.now()
    }

    private func move(_ s: inout State, _ pods: [QueuedPodInfo]) {
        for pod in pods {
            s.unschedulable[pod.uid] = nil
            if pod.gatingPlugin == nil && isBackingOff(pod) {
                s.backoff.push(pod)
            } else {
                moveToActive(&s, pod)
            }
        }
    }

    /// Into the active queue through the PreEnqueue gate; a gated pod waits as unschedulable.
    private func moveToActive(_ s: inout State, _ pod: QueuedPodInfo) {
        var pod = pod
        for plugin in preEnqueuePlugins {
            let status = plugin.preEnqueue(pod.podInfo)
            if !status.isSuccess {
                pod.gatingPlugin = plugin.name
                s.unschedulable[pod.uid] = pod
                return
            }
        }
        pod.gatingPlugin = nil
        s.active.push(pod)
    }

    private func podMatches(_ pod: QueuedPodInfo, event: ClusterEvent, oldObject: (any Sendable)?,
                            newObject: (any Sendable)?) -> Bool {
        if event.label == ClusterEvent.unschedulableTimeout.label || event.label == ClusterEvent.forceActivate.label {
            return true
        }
        var plugins = pod.unschedulablePlugins
        if let gate = pod.gatingPlugin { plugins.insert(gate) }
        if plugins.isEmpty { return true }
        for plugin in plugins {
            guard let registered = registrations[plugin] else { return true }
            for registration in registered where registration.event.covers(event) {
                if registration.hint?(pod.pod, oldObject, newObject) ?? .queue == .queue { return true }
            }
        }
        return false
    }

    /// Hands active pods to waiting pop() calls; the caller resumes them after unlocking.
    private func deliver(_ s: inout State) -> [(CheckedContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)] {
        var out: [(CheckedContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)] = []
        while !s.waiters.isEmpty, let pod = popActive(&s) {
            out.append((s.waiters.removeFirst().continuation, pod))
        }
        return out
    }

    private func resumeWaiters(_ ready: [(CheckedContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)]) {
        for (continuation, pod) in ready { continuation.resume(returning: pod) }
    }
}
