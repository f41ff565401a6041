@testable import BosunControllers
import BosunRuntime
import Testing

private let configMapKind = GraphKind(apiVersion: "v1", kind: "ConfigMap")
private let secretKind = GraphKind(apiVersion: "v1", kind: "Secret")

private func object(_ name: String, _ uid: String, kind: GraphKind = configMapKind, namespace: String = "default",
                    owners: [OwnerReference] = [], deleting: Bool = false, finalizers: [String] = []) -> ObservedObject {
    ObservedObject(uid: uid, kind: kind, namespace: namespace, name: name, owners: owners, beingDeleted: deleting, finalizers: finalizers)
}

/// The graph's bookkeeping on its own: what each observed change queues.
@Suite("Garbage collector graph")
struct GarbageCollectorGraphTests {
    @Test("an owner not seen yet becomes a virtual node to verify; observing it makes it real")
    func virtualOwners() {
        var graph = DependencyGraph()
        let owner = UID.random()
        let dependent = UID.random()
        let effects = graph.observe(object("child", dependent, owners: [
            OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "parent", uid: owner, blockOwnerDeletion: true)]))
        #expect(effects.attemptToDelete == [CompactUID(owner)], "the virtual owner is checked against the API server")
        #expect(graph.snapshot(CompactUID(owner))?.isObserved == false)
        #expect(graph.blockingDependents(of: CompactUID(owner)).map(\.name) == ["child"])

        let observed = graph.observe(object("parent", owner))
        #expect(observed.attemptToDelete.isEmpty, "its dependent named it rightly")
        #expect(graph.snapshot(CompactUID(owner))?.isObserved == true)

        let deleted = graph.observeDeletion(of: CompactUID(owner))
        #expect(deleted.attemptToDelete == [CompactUID(dependent)])
        #expect(deleted.absentOwners.map(\.name) == ["parent"])
        #expect(graph.count == 1)
    }

    @Test("dependents naming one uid with different coordinates: the absent identity is dropped, another tried")
    func alternateIdentities() {
        var graph = DependencyGraph()
        let owner = UID.random()
        let first = UID.random()
        let second = UID.random()
        _ = graph.observe(object("first", first, owners: [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "a", uid: owner)]))
        _ = graph.observe(object("second", second, owners: [OwnerReference(apiVersion: "v1", kind: "Secret", name: "b", uid: owner)]))

        let effects = graph.virtualDelete(ObjectCoordinates(kind: configMapKind, namespace: "default", name: "a", uid: owner))
        #expect(effects.attemptToDelete == [CompactUID(first)], "the dependent whose reference is known absent is checked")
        #expect(effects.attemptToDeleteLater == [CompactUID(owner)], "the owner is checked again under the other identity")
        let kept = graph.snapshot(CompactUID(owner))
        #expect(kept?.kind == secretKind && kept?.name == "b")

        // Absent under that identity too: its dependent is checked, and the first identity tried
        // again while a dependent still names it (the first dependent's own check collects it).
        let secret = ObjectCoordinates(kind: secretKind, namespace: "default", name: "b", uid: owner)
        #expect(graph.virtualDelete(secret).attemptToDelete == [CompactUID(second)])
        #expect(graph.snapshot(CompactUID(owner))?.name == "a")
        _ = graph.observeDeletion(of: CompactUID(first))
        _ = graph.virtualDelete(ObjectCoordinates(kind: configMapKind, namespace: "default", name: "a", uid: owner))
        #expect(graph.snapshot(CompactUID(owner))?.name == "b", "only the second identity is left")
        let gone = graph.virtualDelete(secret)
        #expect(gone.attemptToDelete == [CompactUID(second)])
        #expect(graph.snapshot(CompactUID(owner)) == nil, "every dependent agrees it is absent: the node goes")
    }

    @Test("an owner observed in another namespace than its dependent's makes an OwnerRefInvalidNamespace warning")
    func invalidNamespace() {
        var graph = DependencyGraph()
        let owner = UID.random()
        let dependent = UID.random()
        _ = graph.observe(object("child", dependent, namespace: "x", owners: [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "o", uid: owner)]))
        let effects = graph.observe(object("o", owner, namespace: "y"))
        #expect(effects.attemptToDelete == [CompactUID(dependent)])
        #expect(effects.invalidNamespaceReferences.map(\.owner.description) == ["[v1/ConfigMap, namespace: x, name: o, uid: \(owner)]"])
        #expect(effects.invalidNamespaceReferences.first?.dependent.name == "child")

        // Observed first, then the dependent: the warning comes when the dependent is added.
        let late = graph.observe(object("late", UID.random(), namespace: "z", owners: [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "o", uid: owner)]))
        #expect(late.invalidNamespaceReferences.map(\.owner.namespace) == ["z"])
    }

    @Test("deletion starting with orphan or foregroundDeletion queues the owner once; unblocking a reference wakes its owner")
    func transitions() {
        var graph = DependencyGraph()
        let owner = UID.random()
        let dependent = UID.random()
        let reference = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner, blockOwnerDeletion: true)
        _ = graph.observe(object("owner", owner))
        _ = graph.observe(object("dependent", dependent, owners: [reference]))

        let foreground = graph.observe(object("owner", owner, deleting: true, finalizers: ["foregroundDeletion"]))
        #expect(foreground.attemptToDelete == [CompactUID(dependent), CompactUID(owner)])
        #expect(graph.snapshot(CompactUID(owner))?.isDeletingDependents == true)
        #expect(graph.observe(object("owner", owner, deleting: true, finalizers: ["foregroundDeletion"])).attemptToDelete.isEmpty,
                "an update that changes nothing queues nothing")

        var unblocked = reference
        unblocked.blockOwnerDeletion = false
        let released = graph.observe(object("dependent", dependent, owners: [unblocked]))
        #expect(released.attemptToDelete == [CompactUID(owner)])
        #expect(graph.blockingDependents(of: CompactUID(owner)).isEmpty)

        let orphaned = UID.random()
        _ = graph.observe(object("orphaning", orphaned))
        #expect(graph.observe(object("orphaning", orphaned, deleting: true, finalizers: ["orphan"])).attemptToOrphan == [CompactUID(orphaned)])
    }

    @Test("a relist removes the observed objects of its kind it no longer found")
    func relist() {
        var graph = DependencyGraph()
        let kept = UID.random()
        let vanished = UID.random()
        _ = graph.observe(object("kept", kept))
        _ = graph.observe(object("vanished", vanished))
        _ = graph.observe(object("secret", UID.random(), kind: secretKind))
        _ = graph.removeObserved(ofKind: configMapKind, notIn: [CompactUID(kept)])
        #expect(graph.snapshot(CompactUID(vanished)) == nil)
        #expect(graph.count == 2)
    }

    @Test("only an object's metadata.ownerReferences is parsed for the graph, however its JSON is laid out")
    func metadataOnly() throws {
        let json = #"""
            { "kind" : "Pod", "spec": {"note": "a } and a \" in a string", "list": [{"metadata": {}}]},
              "metadata": {"name": "p", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u-1", "blockOwnerDeletion": true}]},
              "status": {"phase": "Running"} }
            """#
        let bytes = Array(json.utf8)
        let metadata = try #require(ObjectBytes.memberValue(["metadata"], in: bytes))
        #expect(try JSONParser.parse(bytes[metadata]).objectValue?["name"]?.stringValue == "p")
        #expect(ObjectBytes.memberValue(["metadata"], in: Array(#"{"spec":{}}"#.utf8)) == nil)
        #expect(ObjectBytes.memberValue(["metadata"], in: Array(#"{"metadata":"#.utf8)) == nil)

        // The owner references alone, from inside the metadata, past members that hold lookalikes.
        let references = try #require(ObjectBytes.memberValue(["metadata", "ownerReferences"], in: bytes))
        let parsed = try JSONParser.parse(bytes[references]).arrayValue?.compactMap { try? OwnerReference(json: $0) }
        #expect(parsed?.map(\.name) == ["rs"])
        let lookalike = Array(#"{"metadata": {"annotations": {"ownerReferences": "no"}, "name": "p"}, "ownerReferences": []}"#.utf8)
        #expect(ObjectBytes.memberValue(["metadata", "ownerReferences"], in: lookalike) == nil)
    }
}
