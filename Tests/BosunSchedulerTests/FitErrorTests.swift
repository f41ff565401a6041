import BosunScheduler
import Testing

@Suite("FitError")
struct FitErrorTests {
    @Test("counts reasons per node and sorts the entries as strings, like upstream")
    func message() {
        let error = FitError(numAllNodes: 5, nodeStatuses: [
            "a": .unschedulable("Insufficient cpu"), "b": .unschedulable("Insufficient cpu"),
            "c": .unschedulable("Insufficient cpu"),
            "d": .unschedulableAndUnresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
            "e": .unschedulableAndUnresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
        ])
        #expect(error.message
            == "0/5 nodes are available: 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu.")
    }

    @Test("a node with several reasons counts each")
    func multipleReasons() {
        let error = FitError(numAllNodes: 2, nodeStatuses: [
            "a": PluginStatus(.unschedulable, reasons: ["Insufficient cpu", "Insufficient memory"]),
            "b": .unschedulable("Insufficient memory"),
        ])
        #expect(error.message == "0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.")
    }

    @Test("a PreFilter rejection replaces the per-node counts")
    func preFilter() {
        #expect(FitError(numAllNodes: 3, preFilterMessage: "waiting for pod group").message
            == "0/3 nodes are available: waiting for pod group.")
    }

    @Test("the framework renders the default plugins' reasons")
    func endToEnd() async throws {
        let taint = Taint(effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane")
        let harness = try Harness(nodes: [
            makeNode("w1", cpu: "1"), makeNode("w2", cpu: "1"), makeNode("w3", cpu: "1"),
            makeNode("cp1", cpu: "8", taints: [taint]), makeNode("cp2", cpu: "8", taints: [taint]),
        ])
        let failure = try #require(harness.schedule(makePod("p", cpu: "2")).failure)
        #expect(failure.message
            == "0/5 nodes are available: 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu.")
        #expect(failure.fitError?.unschedulablePlugins == ["TaintToleration", "NodeResourcesFit"])
        #expect(harness.queue.location(of: "uid-p") == .unschedulable)
    }

    @Test("no nodes at all is an error")
    func noNodes() async throws {
        let harness = try Harness(nodes: [])
        #expect(harness.schedule(makePod("p")).failure?.message == "no nodes available to schedule pods")
    }
}
