import BosunKit
import BosunRemote
import BosunRuntime
import BosunStore

/// BosunKit's remote client against a running API server, doing what
/// `scripts/bench/python/client_list_watch.py` does with the Python `kubernetes` client, so the
/// two can be compared on the same server and the same pods: a list of every pod in `namespace`
/// decoded into typed pods, then a watch from "now", whose first events replay those pods as
/// ADDED, until every one of them has arrived decoded. Each is repeated `iterations` times; the
/// best run is reported (the median too), in seconds.
public struct ClientListWatchBenchmark: Sendable {
    public var kubeconfig: String
    public var namespace: String
    public var iterations: Int

    public init(kubeconfig: String, namespace: String, iterations: Int = 5) {
        self.kubeconfig = kubeconfig
        self.namespace = namespace
        self.iterations = iterations
    }

    public func run() async throws -> BenchmarkReport {
        let client = try RemoteClient(kubeconfig: kubeconfig)
        do {
            let report = try await measure(client)
            try await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func measure(_ client: RemoteClient) async throws -> BenchmarkReport {
        let clock = ContinuousClock()
        var pods = 0
        var listTimes: [Double] = []
        for _ in 0..<iterations {
            let started = clock.now
            pods = try await client.list(Pod.self, namespace: namespace, options: ListOptions()).items.count
            listTimes.append((clock.now - started).seconds)
        }
        var watchTimes: [Double] = []
        for _ in 0..<iterations {
            let started = clock.now
            let events = try await client.watch(Pod.self, namespace: namespace, options: ListOptions())
            var added = 0
            for try await event in events where event.type == .added {
                added += 1
                if added == pods { break }
            }
            events.cancel()
            guard added == pods else { throw BenchmarkError("the watch ended after \(added) of \(pods) pods") }
            watchTimes.append((clock.now - started).seconds)
        }
        var report = BenchmarkReport(name: "client-list-watch")
        report.record("client", "BosunRemote")
        report.record("pods", pods)
        report.record("listBestSeconds", listTimes.min() ?? 0, decimals: 3)
        report.record("listMedianSeconds", Self.median(listTimes), decimals: 3)
        report.record("watchBestSeconds", watchTimes.min() ?? 0, decimals: 3)
        report.record("watchMedianSeconds", Self.median(watchTimes), decimals: 3)
        return report
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
