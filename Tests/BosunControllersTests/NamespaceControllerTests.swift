import BosunControllers
import BosunRuntime
import Testing

private func namespaceEnvironment() async throws -> TestEnvironment {
    let env = try await TestEnvironment.start()
    try NamespaceController.register(with: env.manager)
    env.startManager()
    return env
}

private func condition(_ type: String, of namespace: String, _ env: TestEnvironment) async throws -> NamespaceCondition? {
    try await env.api.getIfPresent(Namespace.self, namespace: nil, name: namespace)?.status.conditions?.first { $0.type == type }
}

/// Moves the clock `by` once (past the deadline the controller waits for), then waits for
/// `condition`.
private func advance(_ env: TestEnvironment, by step: Duration, until what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    env.clock.advance(by: step)
    try await env.waitUntil(what, condition)
}

/// Moves the clock in `step`s until `condition` holds: for outcomes that more time passing
/// cannot change, reached after retries whose backoff runs on the clock.
private func eventually(_ env: TestEnvironment, step: Duration, _ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    for _ in 0..<50 {
        if try await condition() { return }
        for _ in 0..<100 { await Task.yield() }
        env.clock.advance(by: step)
    }
    try await env.waitUntil(what, condition)
}

private func boundPod(_ name: String, namespace: String) -> Pod {
    Pod(metadata: ObjectMeta(name: name, namespace: namespace),
        spec: PodSpec(containers: [Container(name: "c", image: "nginx")], nodeName: "n1"))
}

@Suite("Namespace controller")
struct NamespaceControllerTests {
    @Test("deleting a namespace moves it to Terminating, removes its contents gracefully, then removes it")
    func namespaceDeletion() async throws {
        let env = try await namespaceEnvironment()
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "team")))
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(finalizers: ["example.com/hold"], name: "held", namespace: "team")))
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "free", namespace: "team")))
        _ = try await env.api.create(Pod(metadata: ObjectMeta(name: "pending", namespace: "team"),
                                         spec: PodSpec(containers: [Container(name: "c", image: "nginx")])))
        _ = try await env.api.create(boundPod("running", namespace: "team"))
        var running = try await env.api.get(Pod.self, namespace: "team", name: "running")
        running.status.phase = "Running"
        _ = try await env.api.updateStatus(running)
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "elsewhere", namespace: "default")))

        guard case .pending(let terminating) = try await env.api.delete(Namespace.self, namespace: nil, name: "team") else {
            Issue.record("a namespace is not removed at once")
            return
        }
        #expect(terminating.status.phase == "Terminating")
        #expect(terminating.spec.finalizers == ["kubernetes"])
        do {
            _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "new", namespace: "team")))
            Issue.record("expected Forbidden")
        } catch let error as APIError {
            #expect(error.code == 403)
            #expect(error.message == #"configmaps "new" is forbidden: unable to create new content in namespace team because it is being terminated"#)
        }
        #expect(try await env.api.getIfPresent(ConfigMap.self, namespace: "team", name: "free") != nil,
                "the controller waits 5 s before emptying, for creations that raced the deletion")

        try await advance(env, by: .seconds(5), until: "the contents were deleted and the conditions say what remains") {
            try await condition("NamespaceContentRemaining", of: "team", env)?.status == "True"
        }
        #expect(try await env.api.getIfPresent(ConfigMap.self, namespace: "team", name: "free") == nil)
        #expect(try await env.api.getIfPresent(Pod.self, namespace: "team", name: "pending") == nil, "an unscheduled pod goes at once")
        let graceful = try await env.api.get(Pod.self, namespace: "team", name: "running")
        #expect(graceful.metadata.deletionTimestamp != nil && graceful.metadata.deletionGracePeriodSeconds == 30,
                "a running pod is deleted with its grace period, for its kubelet to stop it")
        #expect(try await env.api.get(ConfigMap.self, namespace: "team", name: "held").metadata.deletionTimestamp != nil)
        let remaining = try await condition("NamespaceContentRemaining", of: "team", env)
        #expect(remaining?.reason == "SomeResourcesRemain")
        #expect(remaining?.message == "Some resources are remaining: configmaps. has 1 resource instances, pods. has 1 resource instances")
        let finalizers = try await condition("NamespaceFinalizersRemaining", of: "team", env)
        #expect(finalizers?.status == "True" && finalizers?.reason == "SomeFinalizerRemain")
        #expect(finalizers?.message == "Some finalizers are remaining: example.com/hold in 1 resource instances")
        let failure = try await condition("NamespaceDeletionContentFailure", of: "team", env)
        #expect(failure?.status == "False" && failure?.reason == "ContentDeleted")
        #expect(try await condition("NamespaceDeletionDiscoveryFailure", of: "team", env)?.reason == "ResourcesDiscovered")
        #expect(try await env.api.get(Namespace.self, namespace: nil, name: "team").spec.finalizers == ["kubernetes"])

        // The kubelet finishes the pod; the finalizer's owner lets go of the ConfigMap.
        _ = try await env.api.delete(Pod.self, namespace: "team", name: "running", options: DeleteOptions(gracePeriodSeconds: 0))
        var held = try await env.api.get(ConfigMap.self, namespace: "team", name: "held")
        held.metadata.finalizers = nil
        _ = try await env.api.update(held)
        try await eventually(env, step: .seconds(16), "the namespace is gone") {
            try await env.api.getIfPresent(Namespace.self, namespace: nil, name: "team") == nil
        }
        #expect(try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "elsewhere") != nil)
        await env.stop()
    }

    @Test("content that outlives its expected grace period is a NamespaceDeletionContentFailure until it goes")
    func contentFailure() async throws {
        let env = try await namespaceEnvironment()
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "slow")))
        _ = try await env.api.create(boundPod("stuck", namespace: "slow"))
        _ = try await env.api.delete(Namespace.self, namespace: nil, name: "slow")
        try await advance(env, by: .seconds(5), until: "the pod is being deleted") {
            try await condition("NamespaceContentRemaining", of: "slow", env)?.status == "True"
        }
        #expect(try await condition("NamespaceDeletionContentFailure", of: "slow", env)?.status == "False",
                "within its grace period a terminating pod is expected")
        // The pod's 30 s pass with no kubelet to finish it.
        try await advance(env, by: .seconds(32), until: "the deletion is reported failing") {
            try await condition("NamespaceDeletionContentFailure", of: "slow", env)?.status == "True"
        }
        let failure = try await condition("NamespaceDeletionContentFailure", of: "slow", env)
        #expect(failure?.reason == "ContentDeletionFailed")
        #expect(failure?.message == "Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: slow for gvr: /v1, Resource=pods")

        _ = try await env.api.delete(Pod.self, namespace: "slow", name: "stuck", options: DeleteOptions(gracePeriodSeconds: 0))
        try await eventually(env, step: .seconds(1), "the namespace is gone") {
            try await env.api.getIfPresent(Namespace.self, namespace: nil, name: "slow") == nil
        }
        await env.stop()
    }

    @Test("a namespace with a finalizer of its own is removed only when that goes too")
    func otherFinalizers() async throws {
        let env = try await namespaceEnvironment()
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(finalizers: ["example.com/audit"], name: "audited")))
        _ = try await env.api.delete(Namespace.self, namespace: nil, name: "audited")
        try await advance(env, by: .seconds(5), until: "the namespace controller finalized it") {
            try await env.api.get(Namespace.self, namespace: nil, name: "audited").spec.finalizers ?? [] == []
        }
        var audited = try await env.api.get(Namespace.self, namespace: nil, name: "audited")
        #expect(audited.status.phase == "Terminating")
        audited.metadata.finalizers = nil
        _ = try await env.api.update(audited)
        #expect(try await env.api.getIfPresent(Namespace.self, namespace: nil, name: "audited") == nil)
        await env.stop()
    }
}
