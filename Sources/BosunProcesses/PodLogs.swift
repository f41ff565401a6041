import BosunKit
import BosunNodes
import Synchronization

extension LocalProcessRuntime {
    /// The log of `container` in a pod this runtime runs (or ran: a finished pod's logs stay
    /// until it is deleted): its current run, or with `previous` the run before the last
    /// restart. What `pods/log` serves; ``ContainerLog`` does `follow`, `tailLines`,
    /// `sinceTime`, `timestamps` and `limitBytes`. `nil` when there is no such run. Logs live
    /// in memory: they do not survive a restart of Bosun.
    public func logs(namespace: String, pod: String, container: String, previous: Bool = false) -> ContainerLog? {
        state.withLock { s in
            guard let run = s.pods[ObjectName(namespace: namespace, name: pod)]?.containers[container] else { return nil }
            return previous ? run.previous?.log : run.current?.log
        }
    }
}
