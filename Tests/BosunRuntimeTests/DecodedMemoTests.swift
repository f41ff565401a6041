@testable import BosunRuntime
import Testing

@Suite("Informer cache: the decoded memo")
struct DecodedMemoTests {
    private func name(_ i: Int) -> ObjectName { ObjectName(namespace: "default", name: "o-\(i)") }

    @Test("holds at most its capacity; what it holds reads back as inserted; removals keep it consistent")
    func boundedAndConsistent() {
        var memo = DecodedMemo<Int>(capacity: 100)
        for i in 0..<1_000 { memo.insert(i, for: name(i)) }
        #expect(memo.count == 100)
        let held = (0..<1_000).filter { memo[name($0)] != nil }
        #expect(held.count == 100)
        #expect(held.allSatisfy { memo[name($0)] == $0 })
        // Remove every other held name, then refill: the count and the values stay right.
        for i in held.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) { memo.remove(name(i)) }
        #expect(memo.count == 50)
        memo.remove(name(5_000))
        #expect(memo.count == 50)
        for i in 2_000..<2_050 { memo.insert(i, for: name(i)) }
        #expect(memo.count == 100)
        #expect((2_000..<2_050).allSatisfy { memo[name($0)] == $0 })
        memo.insert(-1, for: name(2_000))
        #expect(memo[name(2_000)] == -1 && memo.count == 100)
    }

    /// Reads that visit 1,000 objects in turn with room for 800, each miss decoding and
    /// inserting, as an informer's read does: oldest-first eviction would miss every time.
    @Test("a cycle over more objects than it holds still mostly hits")
    func cyclesHit() {
        var memo = DecodedMemo<Int>(capacity: 800)
        var hits = 0
        for round in 0..<3 {
            for i in 0..<1_000 {
                if memo[name(i)] != nil {
                    if round > 0 { hits += 1 }
                } else {
                    memo.insert(i, for: name(i))
                }
            }
        }
        #expect(hits > 1_000, "hits in two later rounds of 1,000 reads: \(hits)")
    }

    @Test("capacity zero holds nothing")
    func zero() {
        var memo = DecodedMemo<Int>(capacity: 0)
        memo.insert(1, for: name(1))
        #expect(memo.count == 0 && memo[name(1)] == nil)
    }
}
