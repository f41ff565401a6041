// StoreCrashProbe: the child process of the SQLite crash test (Tests/BosunSQLiteTests).
//
//     StoreCrashProbe <database path> [writers]
//
// Opens an SQLiteBackend on the path and writes until it is killed: several concurrent writers
// (so group commit batches their transactions), each owning its own keys, create, update
// (compare-and-swap on the key's modRevision) and delete them. Every line goes to stdout with one
// write(2), unbuffered, so a line printed before the kill reaches the test:
//
//     start <revision> <keys>                    the store opened at <revision> with <keys> keys
//     want <key> put <fnv1a64-hex> <length>      about to commit this (it may or may not land)
//     want <key> delete
//     ack <revision> put <key> <fnv1a64-hex> <length>   commit returned: durable at <revision>
//     ack <revision> delete <key>
//
// Each writer has at most one write in flight, so a key has at most one `want` without its `ack`.
// Writers also send stale compare-and-swaps that must fail; if one succeeds the probe exits 3.
// Exit codes: 2 could not open, 3 backend misbehaved, 4 unexpected storage error.

import BosunSQLite
import BosunStore

#if canImport(Glibc)
import Glibc
#endif

/// Writes one line to stdout with a single write(2): unbuffered, and atomic on a pipe.
func emit(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 {
            if errno == EINTR { continue }
            exit(5)
        }
        offset += written
    }
    bytes.removeAll()
}

func fail(_ code: Int32, _ message: String) -> Never {
    let bytes = Array("StoreCrashProbe: \(message)\n".utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
    exit(code)
}

/// FNV-1a, 64 bits: the fingerprint the test recomputes from the stored value.
func fnv1a(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

/// A value of random length and content.
func makeValue(key: String, using rng: inout some RandomNumberGenerator) -> [UInt8] {
    var value = Array("\(key):".utf8)
    let length = Int.random(in: 16...3000, using: &rng)
    var state = UInt64.random(in: 1...UInt64.max, using: &rng)
    while value.count < length {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        value.append(UInt8(truncatingIfNeeded: state))
    }
    return value
}

/// One writer: owns the keys `w<id>-<n>` and writes them one at a time until killed.
func runWriter(id: Int, backend: SQLiteBackend, initial: [String: Int64]) async {
    var rng = SystemRandomNumberGenerator()
    let keys = (0..<16).map { "w\(id)-\($0)" }
    var modRevisions = initial
    while true {
        let key = keys.randomElement(using: &rng)!
        let roll = Int.random(in: 0..<100, using: &rng)
        do {
            if let modRevision = modRevisions[key] {
                if roll < 10 {
                    // A stale compare-and-swap: must fail and change nothing.
                    do {
                        let revision = try await backend.commit(.update(key, [1], ifAt: modRevision - 1))
                        fail(3, "stale update of \(key) at \(modRevision - 1) succeeded at \(revision)")
                    } catch let error where error.code == .comparisonFailed {
                        continue
                    }
                } else if roll < 35 {
                    emit("want \(key) delete")
                    let revision = try await backend.commit(.delete(key, ifAt: modRevision))
                    modRevisions[key] = nil
                    emit("ack \(revision) delete \(key)")
                } else {
                    let value = makeValue(key: key, using: &rng)
                    let hash = fnv1a(value)
                    emit("want \(key) put \(hash) \(value.count)")
                    let revision = try await backend.commit(.update(key, value, ifAt: modRevision))
                    modRevisions[key] = revision
                    emit("ack \(revision) put \(key) \(hash) \(value.count)")
                }
            } else {
                let value = makeValue(key: key, using: &rng)
                let hash = fnv1a(value)
                emit("want \(key) put \(hash) \(value.count)")
                let revision = try await backend.commit(.create(key, value))
                modRevisions[key] = revision
                emit("ack \(revision) put \(key) \(hash) \(value.count)")
            }
        } catch {
            fail(4, "commit on \(key) failed: \(error.code) \(error)")
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail(64, "usage: StoreCrashProbe <database path> [writers]") }
let writers = arguments.count >= 3 ? Int(arguments[2]) ?? 6 : 6

let backend: SQLiteBackend
do {
    backend = try SQLiteBackend(path: arguments[1])
} catch {
    fail(2, "cannot open \(arguments[1]): \(error)")
}
let snapshot: StorageSnapshot
do {
    snapshot = try await backend.snapshot()
} catch {
    fail(2, "cannot read \(arguments[1]): \(error)")
}
emit("start \(snapshot.revision) \(snapshot.values.count)")

let known = Dictionary(uniqueKeysWithValues: snapshot.values.map { ($0.key, $0.modRevision) })
await withTaskGroup(of: Void.self) { group in
    for id in 0..<writers {
        let mine = known.filter { $0.key.hasPrefix("w\(id)-") }
        group.addTask { await runWriter(id: id, backend: backend, initial: mine) }
    }
}
