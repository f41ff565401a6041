/// Runs `body` for every index in `0..<count` on eight tasks, each taking a contiguous share:
/// how the benchmarks fill a store quickly before they measure.
func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        let perTask = (count + 7) / 8
        for start in stride(from: 0, to: count, by: max(perTask, 1)) {
            group.addTask {
                for n in start..<min(start + perTask, count) { try await body(n) }
            }
        }
        try await group.waitForAll()
    }
}
