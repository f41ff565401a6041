import BosunKit
@testable import BosunStore
import Testing

/// Typed writes (what in-process clients send) must store and return exactly what the JSON
/// writes of the same objects do.
@Suite("Store: typed writes")
struct StoreTypedWriteTests {
    /// A pod with a bit of everything admission touches: defaults, tolerations, resources.
    func typedPod(_ name: String) -> Pod {
        Pod(
            metadata: ObjectMeta(labels: ["app": "web"], name: name, namespace: "default",
                                 ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-1", uid: "rs-uid")]),
            spec: PodSpec(containers: [Container(
                name: "nginx", image: "nginx:1.14.2", ports: [ContainerPort(containerPort: 80)],
                resources: ResourceRequirements(limits: ["cpu": "1", "memory": "1Gi"], requests: ["cpu": "100m"]))]))
    }

    /// The stored JSON with what differs between two creates (name, uid, resourceVersion) blanked.
    func comparable(_ stored: StoredObject) throws -> JSONValue {
        var tree = try JSONParser.parse(stored.bytes)
        for key in ["name", "uid", "resourceVersion"] { tree["metadata"]?[key] = "-" }
        return tree
    }

    @Test func createStoresWhatTheJSONCreateStores() async throws {
        let store = try await makeStore()
        let typed = try await store.create(typedPod("typed"))
        let viaJSON = try await store.create(pods, object: UnstructuredObject(typedPod("json")))
        #expect(try comparable(typed.stored) == comparable(viaJSON))
        // The returned value is what reading the object back gives.
        #expect(typed.object == (try store.get(pods, namespace: "default", name: "typed").decode(as: Pod.self)))
        #expect(typed.object.metadata.resourceVersion == String(typed.stored.resourceVersion))
        #expect(typed.object.status.phase == "Pending" && typed.object.status.qosClass == "Burstable")
        // What the store indexes comes from the typed value, and agrees with the JSON path's.
        #expect(typed.stored.labels == viaJSON.labels && typed.stored.ownerUIDs == ["rs-uid"])
        for field in FieldSelector.supportedFields(forKind: "Pod") {
            #expect(typed.stored.fields[field] == viaJSON.fields[field] || field == "metadata.name")
        }
        #expect(store.dependents(ofOwner: "rs-uid").map(\.key.name) == ["json", "typed"])
    }

    /// ``WriteOptions/readBase``: the cached client's copy of the version it updates stands for
    /// the stored object (shown here with a copy that differs, which only a cache's promise
    /// makes the stored object); a copy of another version or object is ignored.
    @Test func anUpdateTakesTheCallersCopyOfTheStoredVersion() async throws {
        let store = try await makeStore()
        let created = try await store.create(typedPod("based")).object
        var base = created
        base.spec.containers[0].image = "nginx:from-base"
        var running = created
        running.status.phase = "Running"
        var options = WriteOptions()
        options.readBase = base
        let written = try await store.update(running, subresource: "status", options: options).object
        #expect(written.status.phase == "Running" && written.spec.containers[0].image == "nginx:from-base")

        for ignored in ["an older version", "another object's"] {
            var next = try store.get(pods, namespace: "default", name: "based").decode(as: Pod.self)
            var base = ignored == "an older version" ? created : next
            if ignored == "another object's" { base.metadata.uid = "another" }
            base.spec.containers[0].image = "nginx:ignored"
            next.status.message = "\(next.status.message ?? "")+"
            options.readBase = base
            let updated = try await store.update(next, subresource: "status", options: options).object
            #expect(updated.spec.containers[0].image == "nginx:from-base", "\(ignored) copy was taken")
        }
    }

    /// The selectable fields a typed write indexes are those the JSON rules find in the stored
    /// object, for every kind that has its own.
    @Test func selectableFieldsMatchTheJSONRules() async throws {
        let store = try await makeStore()
        func check<T: Resource>(_ object: T, status: ((inout T) -> Void)? = nil) async throws {
            var written = try await store.create(object)
            if let status {
                var changed = written.object
                status(&changed)
                written = try await store.update(changed, subresource: "status")
            }
            let tree = try JSONParser.parse(written.stored.bytes)
            for field in FieldSelector.supportedFields(forKind: T.kind) {
                let expected = FieldSelector.fieldValue(field, of: tree, kind: T.kind) ?? ""
                #expect((written.stored.fields[field] ?? "") == expected, "\(T.kind) \(field)")
            }
        }
        try await check(Pod(
            metadata: ObjectMeta(name: "p", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "c", image: "nginx")], hostNetwork: true, nodeName: "node-1",
                          serviceAccountName: "builder")),
            status: { $0.status.podIPs = [PodIP(ip: "10.0.0.7")]; $0.status.nominatedNodeName = "node-2" })
        try await check(Node(metadata: ObjectMeta(name: "n"), spec: NodeSpec(unschedulable: true)))
        try await check(Namespace(metadata: ObjectMeta(name: "ns")))
        try await check(Secret(metadata: ObjectMeta(name: "s", namespace: "default"), type: "Opaque"))
        try await check(Service(
            metadata: ObjectMeta(name: "svc", namespace: "default"),
            spec: ServiceSpec(clusterIP: "10.96.0.9", ports: [ServicePort(port: 80)], type: "ClusterIP")))
        try await check(ReplicaSet(
            metadata: ObjectMeta(name: "rs", namespace: "default"),
            spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: ["a": "b"]),
                                 template: PodTemplateSpec(metadata: ObjectMeta(labels: ["a": "b"]),
                                                           spec: PodSpec(containers: [Container(name: "c", image: "nginx")])))),
            status: { $0.status.replicas = 2 })
        try await check(Event(
            metadata: ObjectMeta(name: "e", namespace: "default"),
            involvedObject: ObjectReference(apiVersion: "v1", kind: "Pod", name: "p", namespace: "default", uid: "u"),
            reason: "Scheduled", reportingComponent: "default-scheduler", type: "Normal"))
    }

    @Test func updateKeepsStatusBumpsGenerationAndSkipsNoOps() async throws {
        let store = try await makeStore()
        let base = try await store.create(Deployment(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: DeploymentSpec(
                selector: LabelSelector(matchLabels: ["app": "web"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]),
                                          spec: PodSpec(containers: [Container(name: "main", image: "nginx")])))))
        #expect(base.object.metadata.generation == 1)

        // Status written to the main resource is ignored; the status subresource takes it.
        var withStatus = base.object
        withStatus.status.replicas = 3
        let ignored = try await store.update(withStatus)
        #expect(ignored.stored.resourceVersion == base.stored.resourceVersion)
        let status = try await store.update(withStatus, subresource: "status")
        #expect(status.object.status.replicas == 3 && status.object.metadata.generation == 1)

        // A spec change bumps the generation and keeps the status.
        var scaled = status.object
        scaled.spec.replicas = 5
        let updated = try await store.update(scaled)
        #expect(updated.object.metadata.generation == 2 && updated.object.status.replicas == 3)
        #expect(updated.object == (try store.get(deployments, namespace: "default", name: "web").decode(as: Deployment.self)))

        // Writing the same object again changes nothing: no new resourceVersion, no event.
        let watch = try store.watch(deployments, options: ListOptions(resourceVersion: String(store.resourceVersion)))
        let again = try await store.update(updated.object)
        #expect(again.stored.resourceVersion == updated.stored.resourceVersion)
        #expect(again.object == updated.object)
        try await store.create(Deployment(
            metadata: ObjectMeta(name: "marker", namespace: "default"),
            spec: DeploymentSpec(selector: LabelSelector(matchLabels: ["app": "m"]),
                                 template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "m"]),
                                                           spec: PodSpec(containers: [Container(name: "main", image: "nginx")])))))
        let events = try await take(1, from: watch)
        #expect(events.map { $0.object?.key.name } == ["marker"])
    }

    @Test func staleResourceVersionIsAConflict() async throws {
        let store = try await makeStore()
        let created = try await store.create(typedPod("web"))
        var first = created.object
        first.metadata.labels?["v"] = "1"
        _ = try await store.update(first)
        var stale = created.object
        stale.metadata.labels?["v"] = "2"
        await #expect(throws: APIError.conflict(pods, "web")) { try await store.update(stale) }
    }

    @Test func valuesTheirJSONCannotHoldComeBackAsStored() async throws {
        let store = try await makeStore()
        // A renew time with nanoseconds: the JSON keeps microseconds.
        let renew = MicroTime(secondsSinceEpoch: 1_700_000_000, nanoseconds: 123_456_789)
        let created = try await store.create(Lease(
            metadata: ObjectMeta(name: "node-1", namespace: "kube-node-lease"),
            spec: LeaseSpec(holderIdentity: "node-1", renewTime: renew)))
        #expect(created.object.spec.renewTime == renew.truncatedToMicroseconds)
        #expect(created.object == (try store.get(GroupResource(group: "coordination.k8s.io", resource: "leases"),
                                                 namespace: "kube-node-lease", name: "node-1").decode(as: Lease.self)))
        // An update whose only difference is lost in JSON changes nothing.
        var renewed = created.object
        renewed.spec.renewTime = MicroTime(secondsSinceEpoch: 1_700_000_000, nanoseconds: 123_456_999)
        let unchanged = try await store.update(renewed)
        #expect(unchanged.stored.resourceVersion == created.stored.resourceVersion)
    }

    @Test func invalidTypedObjectsGetTheJSONPathsErrors() async throws {
        let store = try await makeStore()
        var bad = typedPod("Bad_Name")
        bad.spec.containers[0].name = ""
        var typedError: APIError?
        do { _ = try await store.create(bad) } catch { typedError = error }
        var jsonError: APIError?
        do { try await store.create(pods, object: UnstructuredObject(bad)) } catch { jsonError = error }
        #expect(typedError != nil && typedError == jsonError)
        #expect(typedError?.code == 422)
    }

    @Test func admissionHooksSeeTypedWrites() async throws {
        struct AddLabel: MutatingAdmissionHook {
            var name: String { "add-label" }
            func appliesTo(_ request: AdmissionRequest) -> Bool { request.resource == pods }
            func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied) {
                object.labels["hooked"] = "yes"
            }
        }
        let store = try await makeStore()
        try store.register(mutating: AddLabel())
        let created = try await store.create(typedPod("web"))
        #expect(created.object.metadata.labels?["hooked"] == "yes")
        #expect(created.stored.labels["hooked"] == "yes")
    }

    @Test func dryRunStoresNothing() async throws {
        let store = try await makeStore()
        let before = store.resourceVersion
        let dry = try await store.create(typedPod("web"), options: WriteOptions(dryRun: true))
        #expect(dry.object.metadata.uid != nil && dry.object.spec.restartPolicy == "Always")
        #expect(store.resourceVersion == before)
        #expect(throws: APIError.notFound(pods, "web")) { try store.get(pods, namespace: "default", name: "web") }
    }
}
