// Node runtimes: the protocol a runtime implements to bring Nodes to life and run the pods bound
// to them, and the simulated runtime (a kubelet in-process, as kwok does). Part of the SDK so that
// plugins can add runtimes and tests can run pods without a server.
@_exported import BosunRuntime
