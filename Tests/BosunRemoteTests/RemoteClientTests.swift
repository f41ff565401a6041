import BosunAPIServer
import BosunKit
import BosunRemote
import BosunRuntime
import Foundation
import Testing

@Suite("BosunRemote: the Client over HTTPS against BosunAPIServer")
struct RemoteClientTests {
    @Test("create, get, list by label, update, delete: the same objects the store holds")
    func crud() async throws {
        let t = try await RemoteTestServer.start()
        let api = t.client
        let created = try await api.create(configMap("a", labels: ["app": "web"], data: ["k": "v"]))
        #expect(created.metadata.uid != nil && created.metadata.resourceVersion != nil)
        _ = try await api.create(configMap("b", labels: ["app": "db"]))

        let got = try await api.get(ConfigMap.self, namespace: "default", name: "a")
        #expect(got == created)
        let web = try await api.list(ConfigMap.self, namespace: "default", options: ListOptions(labelSelector: try Selector.parse("app=web")))
        #expect(web.items.map(\.name) == ["a"])
        #expect(Int64(web.resourceVersion) ?? 0 >= Int64(created.metadata.resourceVersion ?? "") ?? 0)

        var changed = got
        changed.data = ["k": "w"]
        let updated = try await api.update(changed)
        #expect(updated.data == ["k": "w"] && updated.metadata.resourceVersion != got.metadata.resourceVersion)

        let result = try await api.delete(ConfigMap.self, namespace: "default", name: "a")
        guard case .deleted(let last) = result else { Issue.record("expected deleted, got \(result)"); return }
        #expect(last.name == "a" && last.metadata.uid == created.metadata.uid)
        #expect(try await api.getIfPresent(ConfigMap.self, namespace: "default", name: "a") == nil)
        await t.stop()
    }

    @Test("failures are the store's APIErrors: NotFound, AlreadyExists, Conflict, Invalid")
    func errors() async throws {
        let t = try await RemoteTestServer.start()
        let api = t.client
        do {
            _ = try await api.get(ConfigMap.self, namespace: "default", name: "missing")
            Issue.record("a missing object was found")
        } catch let error as APIError {
            #expect(error.code == 404 && error.reason == .notFound)
            #expect(error.message == "configmaps \"missing\" not found")
        }
        let first = try await api.create(configMap("x"))
        do {
            _ = try await api.create(configMap("x"))
            Issue.record("a second create succeeded")
        } catch let error as APIError {
            #expect(error.code == 409 && error.reason == .alreadyExists)
        }
        var stale = first
        var fresh = first
        fresh.data = ["n": "1"]
        _ = try await api.update(fresh)
        stale.data = ["n": "2"]
        do {
            _ = try await api.update(stale)
            Issue.record("an update from a stale resourceVersion succeeded")
        } catch let error as APIError {
            #expect(error.code == 409 && error.reason == .conflict)
            #expect(error.message.contains("the object has been modified"))
        }
        do {
            _ = try await api.create(configMap("Not_A_Name"))
            Issue.record("an invalid name was accepted")
        } catch let error as APIError {
            #expect(error.code == 422 && error.reason == .invalid)
        }
        await t.stop()
    }

    @Test("patches of all four types, on the object and on /status")
    func patches() async throws {
        let t = try await RemoteTestServer.start()
        let api = t.client
        _ = try await api.create(configMap("p", data: ["a": "1"]))
        let merged: ConfigMap = try await api.patch(ConfigMap.self, namespace: "default", name: "p", .merge, ["data": ["b": "2"]])
        #expect(merged.data == ["a": "1", "b": "2"])
        let strategic: ConfigMap = try await api.patch(ConfigMap.self, namespace: "default", name: "p", .strategic, ["data": ["c": "3"]])
        #expect(strategic.data == ["a": "1", "b": "2", "c": "3"])
        let json: ConfigMap = try await api.patch(
            ConfigMap.self, namespace: "default", name: "p", .json, [["op": "remove", "path": "/data/a"]])
        #expect(json.data == ["b": "2", "c": "3"])
        let applied = try await api.apply(configMap("p", data: ["z": "9"]), fieldManager: "remote-test")
        #expect(applied.data?["z"] == "9")
        await #expect(throws: APIError.self) {
            let _: ConfigMap = try await api.patch(
                ConfigMap.self, namespace: "default", name: "p", .json, [["op": "test", "path": "/data/b", "value": "nope"]])
        }

        var deployment = Deployment(metadata: ObjectMeta(name: "web", namespace: "default"))
        deployment.spec.selector = LabelSelector(matchLabels: ["app": "web"])
        deployment.spec.template.metadata = ObjectMeta(labels: ["app": "web"])
        deployment.spec.template.spec = PodSpec(containers: [Container(name: "web", image: "nginx")])
        _ = try await api.create(deployment)
        let status: Deployment = try await api.patch(
            Deployment.self, namespace: "default", name: "web", .merge, ["status": ["observedGeneration": 7]], subresource: "status")
        #expect(status.status.observedGeneration == 7)
        await t.stop()
    }

    @Test("scale, binding, and a delete kept by a finalizer")
    func subresources() async throws {
        let t = try await RemoteTestServer.start()
        let api = t.client
        var deployment = Deployment(metadata: ObjectMeta(name: "web", namespace: "default"))
        deployment.spec.replicas = 2
        deployment.spec.selector = LabelSelector(matchLabels: ["app": "web"])
        deployment.spec.template.metadata = ObjectMeta(labels: ["app": "web"])
        deployment.spec.template.spec = PodSpec(containers: [Container(name: "web", image: "nginx")])
        _ = try await api.create(deployment)
        var scale = try await api.scale(Deployment.self, namespace: "default", name: "web")
        #expect(scale.spec.replicas == 2)
        scale.spec.replicas = 5
        _ = try await api.updateScale(Deployment.self, namespace: "default", scale: scale, options: WriteOptions())
        #expect(try await api.get(Deployment.self, namespace: "default", name: "web").spec.replicas == 5)

        _ = try await api.create(Node(metadata: ObjectMeta(name: "n1")))
        _ = try await api.create(Pod(metadata: ObjectMeta(name: "p", namespace: "default"),
                                     spec: PodSpec(containers: [Container(name: "c", image: "busybox")])))
        let bound = try await api.bind(
            Binding(metadata: ObjectMeta(name: "p", namespace: "default"), target: ObjectReference(kind: "Node", name: "n1")),
            namespace: "default", options: WriteOptions())
        #expect(bound.spec.nodeName == "n1")
        do {
            _ = try await api.bind(
                Binding(metadata: ObjectMeta(name: "p", namespace: "default"), target: ObjectReference(kind: "Node", name: "n1")),
                namespace: "default", options: WriteOptions())
            Issue.record("a second binding succeeded")
        } catch let error as APIError {
            #expect(error.code == 409)
        }

        var kept = configMap("kept")
        kept.metadata.finalizers = ["example.com/hold"]
        _ = try await api.create(kept)
        let result = try await api.delete(ConfigMap.self, namespace: "default", name: "kept")
        guard case .pending(let pending) = result else { Issue.record("expected pending, got \(result)"); return }
        #expect(pending.metadata.deletionTimestamp != nil)
        let _: ConfigMap = try await api.patch(ConfigMap.self, namespace: "default", name: "kept", .merge, ["metadata": ["finalizers": nil]])
        #expect(try await api.getIfPresent(ConfigMap.self, namespace: "default", name: "kept") == nil)
        await t.stop()
    }

    @Test("limit and continue page a list; discovery reports every served resource")
    func pagingAndDiscovery() async throws {
        let t = try await RemoteTestServer.start()
        let api = t.client
        for i in 0..<5 { _ = try await api.create(configMap("c\(i)")) }
        var names: [String] = []
        var options = ListOptions(limit: 2)
        var pages = 0
        repeat {
            let page = try await api.list(ConfigMap.self, namespace: "default", options: options)
            names += page.items.map(\.name)
            options.continueToken = page.continueToken
            pages += 1
        } while options.continueToken != nil
        #expect(names == ["c0", "c1", "c2", "c3", "c4"] && pages == 3)

        let resources = try await api.serverResources()
        let deployments = try #require(resources.first { $0.group == "apps" && $0.plural == "deployments" })
        #expect(deployments.kind == "Deployment" && deployments.version == "v1" && deployments.namespaced)
        #expect(Set(deployments.subresources).isSuperset(of: ["status", "scale"]))
        let nodes = try #require(resources.first { $0.group == "" && $0.plural == "nodes" })
        #expect(!nodes.namespaced && nodes.shortNames == ["no"])
        await t.stop()
    }

    @Test("the dynamic client: getObject, patchObject, deleteObject on any resource")
    func dynamic() async throws {
        let t = try await RemoteTestServer.start()
        let api = t.client
        _ = try await api.create(configMap("d", data: ["a": "1"]))
        let resource = ConfigMap.resource
        let object = try await api.getObject(resource, namespace: "default", name: "d")
        #expect(object.key.name == "d" && object.key.namespace == "default" && object.resourceVersion > 0)
        #expect(try object.decode(as: ConfigMap.self).data == ["a": "1"])
        let patched = try await api.patchObject(
            resource, namespace: "default", name: "d", patchType: .merge, patch: ["metadata": ["labels": ["x": "y"]]],
            subresource: nil, options: WriteOptions())
        #expect(patched.labels == ["x": "y"] && patched.resourceVersion > object.resourceVersion)
        let outcome = try await api.deleteObject(resource, namespace: "default", name: "d", options: DeleteOptions(),
                                                 writeOptions: WriteOptions())
        guard case .deleted = outcome else { Issue.record("expected deleted"); return }
        await t.stop()
    }
}

@Suite("BosunRemote: connections and leader election")
struct RemoteConnectionTests {
    @Test("a server that does not answer is 503 ServiceUnavailable, which controllers retry")
    func unreachable() async throws {
        let client = try RemoteClient(RemoteConfiguration(server: "https://127.0.0.1:1", token: "t"), connectTimeout: .milliseconds(200))
        do {
            _ = try await client.get(ConfigMap.self, namespace: "default", name: "x")
            Issue.record("a request to a closed port succeeded")
        } catch let error as APIError {
            #expect(error.code == 503 && error.reason == .serviceUnavailable)
            #expect(error.message.hasPrefix("GET /api/v1/namespaces/default/configmaps/x: the API server did not answer"))
        }
        try await client.shutdown()
    }

    @Test("a token the server does not know is 401 Unauthorized")
    func unauthorized() async throws {
        let t = try await RemoteTestServer.start()
        var configuration = t.client.configuration
        configuration.token = "wrong"
        let stranger = try RemoteClient(configuration)
        do {
            _ = try await stranger.list(ConfigMap.self, namespace: nil, options: ListOptions())
            Issue.record("a wrong token was accepted")
        } catch let error as APIError {
            #expect(error.code == 401 && error.reason == .unauthorized)
        }
        try await stranger.shutdown()
        await t.stop()
    }

    @Test("a manager on the remote client elects itself leader on a Lease, and releases it when stopped")
    func leaderElection() async throws {
        let t = try await RemoteTestServer.start()
        let manager = Manager(client: t.client, options: ManagerOptions(
            leaderElection: LeaderElectionConfig(leaseName: "remote-test", namespace: "default", identity: "replica-a")))
        let running = Task { try await manager.run() }
        try await waitUntil("the manager leads") { manager.isLeading }
        let lease = try await t.client.get(Lease.self, namespace: "default", name: "remote-test")
        #expect(lease.spec.holderIdentity == "replica-a")
        running.cancel()
        _ = try? await running.value
        let released = try await t.client.get(Lease.self, namespace: "default", name: "remote-test")
        #expect(released.spec.holderIdentity == nil || released.spec.holderIdentity == "")
        await t.stop()
    }
}
