import BosunRuntime
import Synchronization

/// What the CronJob controller reads of a Job it created, kept from the Job informer's events.
struct CronJobChild: Hashable, Sendable {
    var name: ObjectName
    var uid: String
    /// `Complete` or `Failed`, whichever is `True` first, if the Job finished.
    var finished: String?
    /// `Complete` is `True`.
    var succeeded: Bool
    var completionTime: Time?
    var startTime: Time?

    init(_ job: Job) {
        name = ObjectName(of: job)
        uid = job.metadata.uid ?? ""
        finished = job.finishedCondition?.type
        succeeded = job.isSucceeded
        completionTime = job.status.completionTime
        startTime = job.status.startTime
    }

    var isFinished: Bool { finished != nil }
}

/// The Jobs of each CronJob, by the CronJob's namespace and name (upstream lists every Job of
/// the namespace whose controller has the CronJob's name). A sync reads a handful of facts
/// instead of decoding Jobs.
final class CronJobChildren: Sendable {
    private struct State {
        var byOwner: [ObjectName: [ObjectName: CronJobChild]] = [:]
        var owners: [ObjectName: ObjectName] = [:]
    }

    private let state = Mutex(State())

    func apply(_ change: InformerEvent<Job>.Change) {
        switch change {
        case .added(let job), .updated(_, let job):
            let name = ObjectName(of: job)
            let owner = job.controllerOwner.flatMap { ref in
                ref.kind == CronJob.kind ? ObjectName(namespace: name.namespace, name: ref.name) : nil
            }
            let child = CronJobChild(job)
            state.withLock { s in
                Self.remove(name, from: &s)
                guard let owner else { return }
                s.owners[name] = owner
                s.byOwner[owner, default: [:]][name] = child
            }
        case .deleted(let job):
            state.withLock { Self.remove(ObjectName(of: job), from: &$0) }
        }
    }

    /// The Jobs whose controller is a CronJob named `owner`.
    func jobs(of owner: ObjectName) -> [CronJobChild] {
        state.withLock { $0.byOwner[owner].map { Array($0.values) } ?? [] }
    }

    private static func remove(_ name: ObjectName, from s: inout State) {
        guard let owner = s.owners.removeValue(forKey: name) else { return }
        s.byOwner[owner]?[name] = nil
        if s.byOwner[owner]?.isEmpty == true { s.byOwner[owner] = nil }
    }
}
