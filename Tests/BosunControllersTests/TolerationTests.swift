@testable import BosunControllers
import BosunRuntime
import Testing

@Suite("Tolerations")
struct TolerationTests {
    let taint = Taint(effect: "NoExecute", key: "dedicated", value: "gpu")

    @Test("Equal needs key and value; Exists needs the key; an empty key with Exists tolerates every taint")
    func keysAndOperators() {
        #expect(Toleration(effect: "NoExecute", key: "dedicated", operator: "Equal", value: "gpu").tolerates(taint))
        #expect(Toleration(key: "dedicated", value: "gpu").tolerates(taint), "Equal is the default operator; an empty effect matches all")
        #expect(!Toleration(key: "dedicated", operator: "Equal", value: "cpu").tolerates(taint))
        #expect(Toleration(key: "dedicated", operator: "Exists").tolerates(taint))
        #expect(!Toleration(key: "other", operator: "Exists").tolerates(taint))
        #expect(Toleration(operator: "Exists").tolerates(taint))
        #expect(!Toleration(operator: "Equal").tolerates(taint), "an empty key needs Exists")
        #expect(!Toleration(effect: "NoSchedule", key: "dedicated", operator: "Exists").tolerates(taint))
    }

    @Test("the shortest tolerationSeconds among the tolerations used decides; one untolerated taint means now")
    func tolerationSeconds() {
        let other = Taint(effect: "NoExecute", key: "node.kubernetes.io/unreachable")
        func pod(_ tolerations: [Toleration]) -> Pod {
            Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: [], tolerations: tolerations))
        }
        let both = pod([Toleration(key: "dedicated", operator: "Exists", tolerationSeconds: 60),
                        Toleration(key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300)])
        #expect(both.noExecuteTolerationSeconds(for: [taint, other]) == 60)
        #expect(both.noExecuteTolerationSeconds(for: [other]) == 300)
        #expect(pod([Toleration(key: "dedicated", operator: "Exists")]).noExecuteTolerationSeconds(for: [taint]) == .max)
        #expect(pod([Toleration(key: "dedicated", operator: "Exists")]).noExecuteTolerationSeconds(for: [taint, other]) == nil)
        #expect(pod([]).noExecuteTolerationSeconds(for: [Taint(effect: "NoSchedule", key: "x")]) == .max, "only NoExecute taints evict")
    }
}
