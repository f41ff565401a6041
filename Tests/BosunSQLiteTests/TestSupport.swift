import BosunStore
import Foundation
import Testing

/// Runs `body` with a fresh directory that is removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("bosun-sqlite-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Bytes for a test value.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// A snapshot's values by key.
func byKey(_ snapshot: StorageSnapshot) -> [String: StoredValue] {
    Dictionary(uniqueKeysWithValues: snapshot.values.map { ($0.key, $0) })
}

/// Waits, yielding, until `condition` holds; fails the test after `seconds`.
func waitUntil(
    _ what: String, within seconds: Int = 10, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out after \(seconds) s waiting until \(what)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        await Task.yield()
    }
}

/// FNV-1a, 64 bits, as the crash probe prints it.
func fnv1a(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
