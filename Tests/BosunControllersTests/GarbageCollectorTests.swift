@testable import BosunControllers
import BosunRuntime
import Testing

@Suite("Garbage collector")
struct GarbageCollectorTests {
    @Test("GC-3: background — the owner goes at once, its dependents after it, recursively")
    func backgroundChain() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        let chain = try await Chain.create(in: env)
        try await collector.waitUntilObserved(chain.objects, in: env)
        let result = try await env.api.delete(chain.deployment, options: DeleteOptions(propagationPolicy: "Background"))
        guard case .deleted = result else {
            Issue.record("a background delete removes the owner at once")
            return
        }
        try await env.waitUntil("the ReplicaSet and its pods are collected") {
            let left = try await env.api.listAll(Pod.self, namespace: "default")
            return try await !env.exists(ReplicaSet.self, "web-1") && left.isEmpty
        }
        await env.stop()
    }

    @Test("GC-4: foreground — the owner stays, with its finalizer, until no blocking dependent remains")
    func foregroundChain() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        // One pod is held by a finalizer of its own, so the chain has to wait for it.
        let chain = try await Chain.create(in: env, podFinalizers: ["example.com/hold"])
        try await collector.waitUntilObserved(chain.objects, in: env)
        let result = try await env.api.delete(chain.deployment, options: DeleteOptions(propagationPolicy: "Foreground"))
        #expect(result.object.metadata.finalizers == ["foregroundDeletion"])
        #expect(result.object.metadata.deletionTimestamp != nil)

        try await env.waitUntil("the ReplicaSet is deleted in the foreground and its pods are deleted") {
            let replicaSet = try await env.api.getIfPresent(ReplicaSet.self, namespace: "default", name: "web-1")
            let held = try await env.api.getIfPresent(Pod.self, namespace: "default", name: "web-1-0")
            let other = try await env.exists(Pod.self, "web-1-1")
            return replicaSet?.metadata.finalizers == ["foregroundDeletion"] && replicaSet?.metadata.deletionTimestamp != nil
                && held?.metadata.deletionTimestamp != nil && !other
        }
        let waiting = try await env.api.get(Deployment.self, namespace: "default", name: "web")
        #expect(waiting.metadata.finalizers == ["foregroundDeletion"], "the Deployment waits for the ReplicaSet, which waits for its pod")

        var held = try await env.api.get(Pod.self, namespace: "default", name: "web-1-0")
        held.metadata.finalizers = nil
        _ = try await env.api.update(held)
        try await env.waitUntil("the pod, the ReplicaSet and the Deployment are gone, in that order") {
            try await !env.exists(Deployment.self, "web")
        }
        #expect(try await !env.exists(ReplicaSet.self, "web-1"))
        #expect(try await !env.exists(Pod.self, "web-1-0"))
        await env.stop()
    }

    @Test("GC-4: a dependent whose reference does not block is deleted but not waited for")
    func foregroundIgnoresNonBlockingDependents() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        let owner = try await env.api.create(configMap("owner"))
        let blocking = try await env.api.create(configMap("blocking", owners: [reference(to: owner)]))
        let loose = try await env.api.create(configMap("loose", owners: [reference(to: owner, blocks: false)], finalizers: ["example.com/hold"]))
        try await collector.waitUntilObserved([owner, blocking, loose], in: env)
        _ = try await env.api.delete(owner, options: DeleteOptions(propagationPolicy: "Foreground"))
        try await env.waitUntil("the owner is gone") { try await !env.exists(ConfigMap.self, "owner") }
        #expect(try await !env.exists(ConfigMap.self, "blocking"))
        let held = try await env.api.get(ConfigMap.self, namespace: "default", name: "loose")
        #expect(held.metadata.deletionTimestamp != nil, "the non-blocking dependent is deleted too, and kept by its own finalizer")
        await env.stop()
    }

    @Test("GC-5: orphan — the owner's reference is stripped from its dependents, which survive")
    func orphanChain() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        let chain = try await Chain.create(in: env)
        try await collector.waitUntilObserved(chain.objects, in: env)
        let result = try await env.api.delete(chain.deployment, options: DeleteOptions(propagationPolicy: "Orphan"))
        #expect(result.object.metadata.finalizers == ["orphan"])
        try await env.waitUntil("the Deployment is gone once its ReplicaSet is orphaned") {
            try await !env.exists(Deployment.self, "web")
        }
        let replicaSet = try await env.api.get(ReplicaSet.self, namespace: "default", name: "web-1")
        #expect(replicaSet.metadata.ownerReferences ?? [] == [])
        #expect(replicaSet.metadata.deletionTimestamp == nil)
        for pod in chain.pods {
            let survivor = try await env.api.get(Pod.self, namespace: "default", name: pod.name)
            #expect(survivor.metadata.ownerReferences?.map(\.uid) == [chain.replicaSet.metadata.uid ?? ""],
                    "only the deleted owner's references go")
        }
        await env.stop()
    }

    @Test("GC-1: a dependent whose owner never existed, or exists under another uid, is collected")
    func absentOwners() async throws {
        let (env, _) = try await garbageCollectorEnvironment()
        let owner = try await env.api.create(configMap("owner"))
        var impostor = reference(to: owner)
        impostor.uid = UID.random()
        _ = try await env.api.create(configMap("uid-mismatch", owners: [impostor]))
        _ = try await env.api.create(configMap("no-owner", owners: [
            OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: UID.random())]))
        try await env.waitUntil("both dependents are collected") {
            try await env.absent(ConfigMap.self, "uid-mismatch", "no-owner")
        }
        #expect(try await env.exists(ConfigMap.self, "owner"), "the object of the same name is someone else and stays")
        await env.stop()
    }

    @Test("GC-1: a collected dependent's own finalizers set how it propagates — orphan keeps its dependents")
    func collectedAsItsFinalizersSay() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        let middle = try await env.api.create(configMap("middle", finalizers: ["orphan"]))
        let leaf = try await env.api.create(configMap("leaf", owners: [reference(to: middle)]))
        try await collector.waitUntilObserved([middle, leaf], in: env)
        // Only now does the middle object get an owner, and one that does not exist.
        var orphaned = try await env.api.get(ConfigMap.self, namespace: "default", name: "middle")
        orphaned.metadata.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: UID.random())]
        _ = try await env.api.update(orphaned)
        try await env.waitUntil("the middle object is collected") { try await !env.exists(ConfigMap.self, "middle") }
        let survivor = try await env.api.get(ConfigMap.self, namespace: "default", name: "leaf")
        #expect(survivor.metadata.ownerReferences ?? [] == [], "deleted with Orphan, as its finalizer asked: its dependent is orphaned")
        #expect(survivor.metadata.deletionTimestamp == nil)

        let front = try await env.api.create(configMap("front", finalizers: ["foregroundDeletion"]))
        let back = try await env.api.create(configMap("back", owners: [reference(to: front)]))
        try await collector.waitUntilObserved([front, back], in: env)
        var collected = try await env.api.get(ConfigMap.self, namespace: "default", name: "front")
        collected.metadata.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: UID.random())]
        _ = try await env.api.update(collected)
        try await env.waitUntil("deleted in the foreground: its dependent first, then itself") {
            try await env.absent(ConfigMap.self, "front", "back")
        }
        await env.stop()
    }

    @Test("GC-2: with one owner alive the dependent stays; references to absent and foreground-deleting owners go")
    func liveOwnerKeepsDependent() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        let alive = try await env.api.create(configMap("alive"))
        let leaving = try await env.api.create(configMap("leaving"))
        let ghost = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: UID.random())
        let dependent = try await env.api.create(configMap("dependent", owners: [reference(to: alive), ghost, reference(to: leaving)]))
        try await collector.waitUntilObserved([alive, leaving, dependent], in: env)
        try await env.waitUntil("the dangling reference is patched away") {
            let refs = try await env.api.get(ConfigMap.self, namespace: "default", name: "dependent").metadata.ownerReferences ?? []
            return refs.map(\.name) == ["alive", "leaving"]
        }
        _ = try await env.api.delete(leaving, options: DeleteOptions(propagationPolicy: "Foreground"))
        try await env.waitUntil("the foreground-deleting owner is gone, no longer waiting for the dependent") {
            try await !env.exists(ConfigMap.self, "leaving")
        }
        let kept = try await env.api.get(ConfigMap.self, namespace: "default", name: "dependent")
        #expect(kept.metadata.ownerReferences?.map(\.name) == ["alive"])
        #expect(kept.metadata.deletionTimestamp == nil)
        await env.stop()
    }

    @Test("GC-6: two objects owning each other, deleted in the foreground, do not wait for each other forever")
    func foregroundCycle() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        let first = try await env.api.create(configMap("first"))
        let second = try await env.api.create(configMap("second", owners: [reference(to: first)]))
        var looped = try await env.api.get(ConfigMap.self, namespace: "default", name: "first")
        looped.metadata.ownerReferences = [reference(to: second)]
        let closed = try await env.api.update(looped)
        try await collector.waitUntilObserved([closed, second], in: env)
        _ = try await env.api.delete(ConfigMap.self, namespace: "default", name: "first", options: DeleteOptions(propagationPolicy: "Foreground"))
        try await env.waitUntil("both are gone") {
            try await env.absent(ConfigMap.self, "first", "second")
        }
        await env.stop()
    }

    @Test("GC-7: a namespaced owner in another namespace counts as absent, with a Warning OwnerRefInvalidNamespace")
    func ownerInAnotherNamespace() async throws {
        let (env, _) = try await garbageCollectorEnvironment()
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "other")))
        let owner = try await env.api.create(configMap("owner", namespace: "other"))
        let dependent = try await env.api.create(configMap("dependent", owners: [reference(to: owner)]))
        try await env.waitUntil("the dependent is collected") { try await !env.exists(ConfigMap.self, "dependent") }
        #expect(try await env.exists(ConfigMap.self, "owner", namespace: "other"))
        try await env.waitUntil("the warning is recorded") { try await !env.warnings("OwnerRefInvalidNamespace").isEmpty }
        let warning = try await env.warnings("OwnerRefInvalidNamespace")[0]
        #expect(warning.involvedObject.name == "dependent" && warning.involvedObject.uid == dependent.metadata.uid)
        #expect(warning.message == #"ownerRef [v1/ConfigMap, namespace: default, name: owner, uid: \#(owner.metadata.uid ?? "")] does not exist in namespace "default""#)
        #expect(warning.source?.component == "garbage-collector-controller")
        await env.stop()
    }

    @Test("GC-7: a cluster-scoped dependent of a namespaced owner is never collected, and warned about")
    func clusterScopedDependentOfNamespacedOwner() async throws {
        let (env, _) = try await garbageCollectorEnvironment()
        let owner = try await env.api.create(configMap("owner"))
        _ = try await env.api.create(PersistentVolume(
            metadata: ObjectMeta(name: "volume", ownerReferences: [reference(to: owner)]),
            spec: PersistentVolumeSpec(accessModes: ["ReadWriteOnce"], capacity: ["storage": "1Gi"], hostPath: HostPathVolumeSource(path: "/tmp"))))
        try await env.waitUntil("the warning is recorded (events of cluster-scoped objects go to default)") {
            try await !env.warnings("OwnerRefInvalidNamespace").isEmpty
        }
        let warning = try await env.warnings("OwnerRefInvalidNamespace")[0]
        #expect(warning.involvedObject.kind == "PersistentVolume" && warning.involvedObject.name == "volume")
        #expect(warning.message == #"ownerRef [v1/ConfigMap, namespace: , name: owner, uid: \#(owner.metadata.uid ?? "")] does not exist in namespace """#)

        _ = try await env.api.delete(owner)
        try await env.waitUntil("the owner is gone from the graph") {
            try await !env.exists(ConfigMap.self, "owner")
        }
        // Give the collector every chance to act on the volume: a later, unrelated collection
        // finishing means the queue went past it.
        _ = try await env.api.create(configMap("marker", owners: [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: UID.random())]))
        try await env.waitUntil("an unrelated orphan is collected") { try await !env.exists(ConfigMap.self, "marker") }
        #expect(try await env.exists(PersistentVolume.self, "volume", namespace: nil), "a cluster-scoped object with a namespaced owner stays")
        await env.stop()
    }

    @Test("GC-8: with no propagation policy, Jobs and ReplicationControllers orphan, apps/v1 kinds collect in the background")
    func defaultPolicies() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        let job = try await env.api.create(Job(
            metadata: ObjectMeta(name: "pi", namespace: "default"),
            spec: JobSpec(template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "pi", image: "perl")], restartPolicy: "Never")))))
        let controller = try await env.api.create(ReplicationController(
            metadata: ObjectMeta(name: "rc", namespace: "default"),
            spec: ReplicationControllerSpec(selector: webLabels, template: webTemplate())))
        let replicaSet = try await env.api.create(ReplicaSet(
            metadata: ObjectMeta(name: "rs", namespace: "default"),
            spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: webLabels), template: webTemplate())))
        var objects: [any Resource] = [job, controller, replicaSet]
        for (owner, pod) in [(reference(to: job, controller: true), "job-pod"), (reference(to: controller, controller: true), "rc-pod"),
                             (reference(to: replicaSet, controller: true), "rs-pod")] {
            objects.append(try await env.api.create(Pod(metadata: ObjectMeta(name: pod, namespace: "default", ownerReferences: [owner]),
                                                        spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))))
        }
        try await collector.waitUntilObserved(objects, in: env)
        _ = try await env.api.delete(Job.self, namespace: "default", name: "pi")
        _ = try await env.api.delete(ReplicationController.self, namespace: "default", name: "rc")
        _ = try await env.api.delete(ReplicaSet.self, namespace: "default", name: "rs")
        try await env.waitUntil("the owners are gone and the ReplicaSet's pod is collected") {
            let ownersGone = try await env.absent(Job.self, "pi")
            let controllerGone = try await env.absent(ReplicationController.self, "rc")
            let podGone = try await env.absent(Pod.self, "rs-pod")
            return ownersGone && controllerGone && podGone
        }
        for name in ["job-pod", "rc-pod"] {
            let pod = try await env.api.get(Pod.self, namespace: "default", name: name)
            #expect(pod.metadata.ownerReferences ?? [] == [], "\(name) is orphaned")
        }
        await env.stop()
    }

    @Test("a custom resource of a CRD created while the collector runs owns a ConfigMap: collected, foreground and orphaned")
    func customResourceOwner() async throws {
        let (env, collector) = try await garbageCollectorEnvironment()
        try await env.waitUntil("the collector has synced") { env.manager.hasSynced }
        _ = try await env.api.create(Widget.definition)
        func widgetWithConfigMap(_ name: String) async throws -> Widget {
            let widget = try await env.api.create(Widget(metadata: ObjectMeta(name: name, namespace: "default")))
            let data = try await env.api.create(configMap("\(name)-data", owners: [reference(to: widget, controller: true)]))
            // The collector learns of widgets by itself, from the CRD.
            try await collector.waitUntilObserved([widget, data], in: env)
            return widget
        }

        let background = try await widgetWithConfigMap("background")
        _ = try await env.api.delete(background)
        try await env.waitUntil("the ConfigMap of a deleted widget is collected") { try await !env.exists(ConfigMap.self, "background-data") }

        // Custom resources take no strategic merge patches: finalizers and references are
        // changed with JSON merge patches instead.
        let foreground = try await widgetWithConfigMap("foreground")
        _ = try await env.api.delete(foreground, options: DeleteOptions(propagationPolicy: "Foreground"))
        try await env.waitUntil("the widget goes after its ConfigMap") {
            let widgetGone = try await env.absent(Widget.self, "foreground")
            let dataGone = try await env.absent(ConfigMap.self, "foreground-data")
            return widgetGone && dataGone
        }

        let orphaning = try await widgetWithConfigMap("orphaning")
        _ = try await env.api.delete(orphaning, options: DeleteOptions(propagationPolicy: "Orphan"))
        try await env.waitUntil("the orphaning widget is gone") { try await !env.exists(Widget.self, "orphaning") }
        #expect(try await env.api.get(ConfigMap.self, namespace: "default", name: "orphaning-data").metadata.ownerReferences ?? [] == [])
        await env.stop()
    }

    @Test("a graph node is small: 150,000 pods cost megabytes, not the objects")
    func nodeLayout() {
        #expect(MemoryLayout<GraphNode>.stride <= 96)
        #expect(MemoryLayout<CompactUID>.stride == 16)
    }

    @Test("UIDs pack into 16 bytes and print back; other texts hash apart from UUIDs")
    func compactUIDs() {
        let uid = UID.random()
        #expect(CompactUID(uid).description == uid)
        #expect(CompactUID(uid.uppercased()) == CompactUID(uid))
        #expect(CompactUID("not-a-uuid") == CompactUID("not-a-uuid"))
        #expect(CompactUID("not-a-uuid") != CompactUID("not-a-uuie"))
        #expect(CompactUID("not-a-uuid").high & 0xF000 == 0, "no version 4 UUID has a zero version nibble")
    }
}

/// A namespaced custom resource, for owners of kinds the collector learns about at run time.
struct Widget: CustomResource {
    static let resource = ResourceDescriptor(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true)
    var metadata = ObjectMeta()

    static let definition = CustomResourceDefinition(
        metadata: ObjectMeta(name: "widgets.example.com"),
        spec: CustomResourceDefinitionSpec(
            group: "example.com", names: CustomResourceDefinitionNames(kind: "Widget", plural: "widgets"), scope: "Namespaced",
            versions: [CustomResourceDefinitionVersion(
                name: "v1", served: true, storage: true,
                schema: CustomResourceValidation(openAPIV3Schema: JSONSchemaProps(type: "object", xKubernetesPreserveUnknownFields: true)))]))
}
