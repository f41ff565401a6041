import ArgumentParser
import BosunBench
import BosunStore

/// `bosun bench NAME`: runs one benchmark; the last line of output is its figures as JSON.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run one benchmark and print its figures as one JSON object on the last line.",
        discussion: """
            Benchmarks: codec (PodList JSON decode/encode, typed and unstructured); store-memory (object store \
            creates/s with a watcher, in memory, and a selector list). Build with -c release.
            """
    )

    @Argument(help: "The benchmark to run: codec.")
    var name: String

    @Option(help: "Number of pods in the document (codec).")
    var pods: Int = 10_000

    @Option(help: "Repetitions; the best one is reported.")
    var iterations: Int = 5

    @Option(help: "Objects to create (store benchmarks).")
    var objects: Int = 100_000

    @Option(help: "Concurrent writers (store benchmarks).")
    var concurrency: Int = 8

    func run() async throws {
        #if DEBUG
        print("warning: this is a debug build; benchmark figures are meaningful only with `swift build -c release`")
        #endif
        switch name {
        case "codec":
            let report = try CodecBenchmark(pods: pods, iterations: iterations).run()
            print(report.json)
        case "store-memory":
            let report = try await StoreBenchmark(objects: objects, concurrency: concurrency)
                .run(backend: MemoryBackend(), name: name)
            print(report.json)
        default:
            throw ValidationError("unknown benchmark \"\(name)\"; available: codec, store-memory")
        }
    }
}
