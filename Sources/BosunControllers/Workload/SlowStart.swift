import BosunRuntime

/// kube-controller-manager's slow start (`slowStartBatch`): run many writes in batches of 1, 2,
/// 4, … and stop after the first batch in which one fails.
///
/// A ReplicaSet asked for 500 pods in a namespace whose quota allows none makes one failed
/// create (and one event), not 500. Writes within a batch run concurrently.
public enum SlowStart {
    /// The first batch's size (upstream `SlowStartInitialBatchSize`).
    public static let initialBatchSize = 1

    /// What a slow start did.
    public struct Outcome: Sendable {
        /// Calls that succeeded.
        public var successes: Int
        /// The first failure of the batch that stopped it, or `nil` when all `count` succeeded.
        public var error: (any Error)?
    }

    /// Calls `body` `count` times, with the call's number (`0..<count`), in doubling batches of
    /// at most `maxBatchSize` (a StatefulSet's parallel pod management caps its batches at 500
    /// in flight). Calls of a batch that fails all finish before it returns; later batches never
    /// start.
    public static func run(
        count: Int, initialBatchSize: Int = initialBatchSize, maxBatchSize: Int = .max,
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async -> Outcome {
        let maxBatchSize = max(1, maxBatchSize)
        var successes = 0
        var started = 0
        var batchSize = min(count, max(1, initialBatchSize), maxBatchSize)
        while batchSize > 0 {
            let first = started
            let failures = await withTaskGroup(of: (any Error)?.self) { group -> [any Error] in
                for number in first..<(first + batchSize) {
                    group.addTask {
                        do {
                            try await body(number)
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                var failures: [any Error] = []
                for await failure in group {
                    if let failure { failures.append(failure) }
                }
                return failures
            }
            successes += batchSize - failures.count
            if let failure = failures.first { return Outcome(successes: successes, error: failure) }
            started += batchSize
            batchSize = min(2 * batchSize, count - started, maxBatchSize)
        }
        return Outcome(successes: successes, error: nil)
    }
}
