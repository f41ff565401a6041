import BosunRemote
import BosunRuntime
import Foundation
import Testing

/// The `bosun` binary built next to the tests, run as a child process with its output in a file.
final class BosunProcess: @unchecked Sendable {
    let process = Process()
    let output: URL

    /// Starts `bosun arguments...`.
    init(_ arguments: [String], in directory: URL, name: String) throws {
        output = directory.appendingPathComponent(name + ".log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// What the process printed so far.
    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits for it to exit.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// `bosun`, built by `swift build` next to the test bundle.
    static func executable() throws -> String {
        let exe = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("bosun").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        Issue.record("bosun not found next to \(exe): run `swift build` before `swift test`")
        throw CancellationError()
    }

    /// A library built next to the test bundle.
    static func library(_ name: String) throws -> String {
        let bosun = URL(fileURLWithPath: try executable()).deletingLastPathComponent()
        let path = bosun.appendingPathComponent("lib\(name).so").path
        try #require(FileManager.default.fileExists(atPath: path), "lib\(name).so not built: run `swift build`")
        return path
    }
}

/// `bosun up` on a free loopback port with a fresh data directory, and a client of it.
final class BosunUp: Sendable {
    let process: BosunProcess
    let client: RemoteClient
    let kubeconfig: String

    static func start(_ extra: [String] = [], in directory: URL, name: String = "up") async throws -> BosunUp {
        let data = directory.appendingPathComponent(name + "-data").path
        let process = try BosunProcess(
            ["up", "--data-dir", data, "--listen", "127.0.0.1:0", "--no-local-node"] + extra, in: directory, name: name)
        let kubeconfig = data + "/kubeconfig"
        // The kubeconfig is written once the server listens (its output is block-buffered in a
        // file, so the file is what tells).
        try await waitUntil("bosun up wrote its kubeconfig", limit: .seconds(60)) {
            if !process.process.isRunning {
                Issue.record("bosun up exited: \(process.log)")
                throw CancellationError()
            }
            return (try? RemoteConfiguration.kubeconfig(at: kubeconfig)) != nil
        }
        let client = try RemoteClient(kubeconfig: kubeconfig)
        try await waitUntil("bosun up answers", limit: .seconds(60)) {
            (try? await client.list(Namespace.self, namespace: nil, options: ListOptions())) != nil
        }
        return BosunUp(process: process, client: client, kubeconfig: kubeconfig)
    }

    private init(process: BosunProcess, client: RemoteClient, kubeconfig: String) {
        self.process = process
        self.client = client
        self.kubeconfig = kubeconfig
    }

    func stop() async {
        try? await client.shutdown()
        process.stop()
    }
}

func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-modes-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
