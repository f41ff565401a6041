// The scheduler framework: kube-scheduler's extension points as Swift protocols, the scheduling
// queue, the default plugins, and the scheduler that places pods on nodes. Part of the SDK so that
// plugins (the gang-scheduling sample first) can add to it at every extension point.
@_exported import BosunRuntime
