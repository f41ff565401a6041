import ArgumentParser
import BosunBench

/// `bosun bench NAME`: runs one benchmark; the last line of output is its figures as JSON.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run one benchmark and print its figures as one JSON object on the last line.",
        discussion: "Benchmarks: codec (PodList JSON decode/encode, typed and unstructured). Build with -c release."
    )

    @Argument(help: "The benchmark to run: codec.")
    var name: String

    @Option(help: "Number of pods in the document (codec).")
    var pods: Int = 10_000

    @Option(help: "Repetitions; the best one is reported.")
    var iterations: Int = 5

    func run() throws {
        #if DEBUG
        print("warning: this is a debug build; benchmark figures are meaningful only with `swift build -c release`")
        #endif
        switch name {
        case "codec":
            let report = try CodecBenchmark(pods: pods, iterations: iterations).run()
            print(report.json)
        default:
            throw ValidationError("unknown benchmark \"\(name)\"; available: codec")
        }
    }
}
