import BosunAPIServer
import BosunProcesses

/// The local process node's container logs as the API server's `pods/log` reads them.
enum LocalPodLogs {
    static func source(_ runtime: LocalProcessRuntime) -> PodLogSource {
        PodLogSource(
            nodeName: runtime.options.nodeName ?? LocalProcessRuntime.localNodeName,
            read: { query in log(runtime, query)?.read(options(query)) },
            follow: { query in log(runtime, query)?.follow(options(query)) })
    }

    private static func log(_ runtime: LocalProcessRuntime, _ query: PodLogQuery) -> ContainerLog? {
        runtime.logs(namespace: query.namespace, pod: query.pod, container: query.container, previous: query.previous)
    }

    private static func options(_ query: PodLogQuery) -> ContainerLog.ReadOptions {
        ContainerLog.ReadOptions(tailLines: query.tailLines, sinceTime: query.sinceTime, timestamps: query.timestamps,
                                 limitBytes: query.limitBytes)
    }
}
