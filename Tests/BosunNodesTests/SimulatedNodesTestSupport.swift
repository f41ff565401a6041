import BosunNodes
import Testing

/// A test environment with the simulated runtime registered and the manager running.
struct SimulatedCluster {
    let env: TestEnvironment
    let runtime: SimulatedNodes
    /// When the test began: the clock's start.
    let start: Time

    static func start(options: SimulatedNodesOptions = SimulatedNodesOptions()) async throws -> SimulatedCluster {
        let env = try await TestEnvironment.start()
        let runtime = try SimulatedNodes.register(with: env.manager, options: options)
        env.startManager()
        return SimulatedCluster(env: env, runtime: runtime, start: env.clock.now())
    }

    func stop() async { await env.stop() }

    /// Creates a simulated node (with the runtime label unless `labelled` is false).
    @discardableResult
    func node(_ name: String, labelled: Bool = true, status: NodeStatus = NodeStatus()) async throws -> Node {
        let labels = labelled ? [NodeRuntimeLabel.key: SimulatedNodes.runtimeName] : ["kind": "other"]
        return try await env.api.create(Node(metadata: ObjectMeta(labels: labels, name: name), status: status))
    }

    /// Creates a pod bound to `node` with one container `app` (and the given init containers).
    @discardableResult
    func pod(
        _ name: String, on node: String = "n1", annotations: [String: String]? = nil, restartPolicy: String? = nil,
        initContainers: [Container]? = nil, containers: [String] = ["app"]
    ) async throws -> Pod {
        try await env.api.create(Pod(
            metadata: ObjectMeta(annotations: annotations, name: name, namespace: "default"),
            spec: PodSpec(
                containers: containers.map { Container(name: $0, image: "registry.example/\($0):1") },
                initContainers: initContainers, nodeName: node, restartPolicy: restartPolicy)))
    }

    func getPod(_ name: String) async throws -> Pod? {
        try await env.api.getIfPresent(Pod.self, namespace: "default", name: name)
    }

    func getNode(_ name: String) async throws -> Node? {
        try await env.api.getIfPresent(Node.self, namespace: nil, name: name)
    }

    func lease(_ node: String) async throws -> Lease? {
        try await env.api.getIfPresent(Lease.self, namespace: "kube-node-lease", name: node)
    }

    /// Waits until `name` satisfies `check`.
    @discardableResult
    func waitForPod(_ name: String, _ what: String, _ check: @escaping @Sendable (Pod) -> Bool) async throws -> Pod {
        try await env.waitUntil(what) { try await getPod(name).map(check) ?? false }
        return try #require(try await getPod(name))
    }

    func waitForReadyNode(_ name: String) async throws {
        try await env.waitUntil("node \(name) is Ready") {
            try await getNode(name)?.status.conditions?.first { $0.type == "Ready" }?.status == "True"
        }
    }

    /// Moves the clock to `seconds` after the test's start.
    func advance(to seconds: Int64) {
        let target = start.advanced(by: .seconds(seconds))
        let step = env.clock.now().duration(to: target)
        if step > .zero { env.clock.advance(by: step) }
    }

    func at(_ seconds: Int64) -> Time { start.advanced(by: .seconds(seconds)) }

    /// Moves the clock a second at a time until `condition` holds, giving the runtime a
    /// bounded number of turns (yields, never sleeps) after each step.
    ///
    /// A second at a time, because a reconcile computes its `requeue(after:)` from the clock it
    /// read, while the work queue adds the delay to the clock it reads when the reconcile
    /// returns: a test that moves the clock in between delays that timer by the step. Steps of
    /// one second bound the slip to one second, and the statuses record exact times anyway.
    func advance(until what: String, limit: Int = 400, _ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0...limit {
            for _ in 0..<500 {
                if try await condition() { return }
                await Task.yield()
            }
            env.clock.advance(by: .seconds(1))
        }
        throw TestEnvironmentError.timedOut(what)
    }

    /// Moves the clock until pod `name` satisfies `check`.
    @discardableResult
    func advance(untilPod name: String, _ what: String, limit: Int = 400, _ check: @escaping @Sendable (Pod) -> Bool) async throws -> Pod {
        try await advance(until: what, limit: limit) { try await getPod(name).map(check) ?? false }
        return try #require(try await getPod(name))
    }

    /// The clock, in seconds since the test's start.
    var elapsed: Int64 { start.duration(to: env.clock.now()).components.seconds }
}

extension Pod {
    func condition(_ type: String) -> PodCondition? { status.conditions?.first { $0.type == type } }
    var app: ContainerStatus? { status.containerStatuses?.first }
}
