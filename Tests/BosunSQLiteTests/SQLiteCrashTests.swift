import BosunSQLite
import BosunStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL at any moment loses no acknowledged write.
///
/// Round after round on one database file, the StoreCrashProbe child writes with several
/// concurrent writers and prints each write it is about to commit and each acknowledgement; the
/// test kills it after a random delay, reopens the store, and checks every key against what was
/// acknowledged: the last acknowledged state must be there, value and revisions, unless the one
/// write that was in flight for that key landed too. Revisions must continue upward.
@Suite("SQLite backend: crash safety")
struct SQLiteCrashTests {
    /// A key's state as the test knows it.
    struct KeyState: Equatable, CustomStringConvertible {
        var hash: String
        var length: Int
        var createRevision: Int64
        var modRevision: Int64

        init(hash: String, length: Int, createRevision: Int64, modRevision: Int64) {
            self.hash = hash
            self.length = length
            self.createRevision = createRevision
            self.modRevision = modRevision
        }

        init(_ stored: StoredValue) {
            self.init(hash: fnv1a(stored.value), length: stored.value.count,
                      createRevision: stored.createRevision, modRevision: stored.modRevision)
        }

        var description: String { "\(hash)/\(length) created \(createRevision) modified \(modRevision)" }
    }

    enum Intent: Equatable {
        case put(hash: String, length: Int)
        case delete
    }

    /// What one round's output says.
    struct Round {
        var start: (revision: Int64, keys: Int)?
        /// The last acknowledged state of each key written this round (nil: deleted).
        var acknowledged: [String: KeyState?] = [:]
        /// Writes started and not acknowledged when the probe died.
        var inFlight: [String: Intent] = [:]
        var acknowledgements = 0
        var revisions = Set<Int64>()
    }

    static let rounds = 24
    static let maximumRoundMilliseconds = 450

    @Test("every acknowledged write survives SIGKILL, and revisions never go backwards")
    func acknowledgedWritesSurviveSIGKILL() async throws {
        let probe = try ProbeProcess.executablePath()
        try await withTemporaryDirectory { dir in
            let path = dir + "/crash.db"
            var known: [String: KeyState] = [:]   // the verified state after the previous round
            var revision: Int64 = 0                 // the verified revision after the previous round
            var totalAcknowledgements = 0
            var killedWhileWriting = 0
            var inFlightLanded = 0
            let clock = ContinuousClock()
            let started = clock.now

            for round in 1...Self.rounds {
                let process = try ProbeProcess(
                    executable: probe, arguments: [path, "6"], stderrPath: dir + "/probe-\(round).stderr")
                async let output = process.output()
                // The randomised kill delay is the point of the test: the moment of the kill.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...Self.maximumRoundMilliseconds)))
                process.kill()
                process.giveUp(after: 10)
                let (bytes, closed) = await output
                let exit = process.wait()
                #expect(closed, "round \(round): the probe's stdout did not close within 10 s of SIGKILL")
                guard exit == .killed(signal: SIGKILL) else {
                    Issue.record("round \(round): the probe ended with \(exit) before it was killed: \(process.stderr)")
                    return
                }

                let parsed = try Self.parse(bytes, known: known, round: round)
                totalAcknowledgements += parsed.acknowledgements
                if !parsed.inFlight.isEmpty { killedWhileWriting += 1 }
                if let start = parsed.start {
                    #expect(start.revision == revision, "round \(round): the probe opened at \(start.revision), expected \(revision)")
                    #expect(start.keys == known.count, "round \(round): the probe saw \(start.keys) keys, expected \(known.count)")
                }
                for acknowledged in parsed.revisions where acknowledged <= revision {
                    Issue.record("round \(round): revision \(acknowledged) acknowledged again (previous rounds reached \(revision))")
                }

                let backend = try SQLiteBackend(path: path)
                let snapshot = try await backend.snapshot()
                await backend.close()
                let stored = byKey(snapshot).mapValues(KeyState.init)
                inFlightLanded += Self.verify(stored: stored, known: known, round: parsed, previousRevision: revision, roundNumber: round)
                #expect(snapshot.revision >= (parsed.revisions.max() ?? revision),
                        "round \(round): the store is at \(snapshot.revision), below an acknowledged revision")
                #expect(snapshot.revision >= revision, "round \(round): the revision went back from \(revision) to \(snapshot.revision)")
                if let highest = stored.values.map(\.modRevision).max() {
                    #expect(highest <= snapshot.revision, "round \(round): a key is at \(highest), past the store's \(snapshot.revision)")
                }
                known = stored
                revision = snapshot.revision
            }
            let seconds = Double((clock.now - started).components.seconds)
            print("crash test: \(Self.rounds) rounds, \(totalAcknowledgements) acknowledged writes, "
                + "\(killedWhileWriting) kills with writes in flight (\(inFlightLanded) of those writes landed), final revision \(revision), ~\(Int(seconds)) s")
            #expect(totalAcknowledgements > 0, "no round acknowledged a write: the probe never got going")
        }
    }

    /// Reads the probe's lines into a `Round`, checking them against each other as it goes.
    static func parse(_ bytes: [UInt8], known: [String: KeyState], round number: Int) throws -> Round {
        var round = Round()
        // Each line is one write(2) on a pipe, so it arrives whole; drop a torn tail anyway.
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }
        func current(_ key: String) -> KeyState? {
            if let state = round.acknowledged[key] { return state }
            return known[key]
        }
        for line in lines where !line.isEmpty {
            let f = line.split(separator: " ").map(String.init)
            switch (f.first, f.count) {
            case ("start", 3):
                round.start = (try #require(Int64(f[1])), try #require(Int(f[2])))
            case ("want", 5) where f[2] == "put":
                round.inFlight[f[1]] = .put(hash: f[3], length: try #require(Int(f[4])))
            case ("want", 3) where f[2] == "delete":
                round.inFlight[f[1]] = .delete
            case ("ack", 6) where f[2] == "put":
                let revision = try #require(Int64(f[1]))
                let key = f[3]
                let length = try #require(Int(f[5]))
                #expect(round.inFlight[key] == .put(hash: f[4], length: length), "round \(number): ack without its want: \(line)")
                #expect(round.revisions.insert(revision).inserted, "round \(number): revision \(revision) acknowledged twice")
                let created = current(key)?.createRevision ?? revision
                round.acknowledged[key] = KeyState(hash: f[4], length: length, createRevision: created, modRevision: revision)
                round.inFlight[key] = nil
                round.acknowledgements += 1
            case ("ack", 4) where f[2] == "delete":
                let revision = try #require(Int64(f[1]))
                let key = f[3]
                #expect(round.inFlight[key] == .delete, "round \(number): ack without its want: \(line)")
                #expect(current(key) != nil, "round \(number): deleted a key that was not there: \(line)")
                #expect(round.revisions.insert(revision).inserted, "round \(number): revision \(revision) acknowledged twice")
                round.acknowledged[key] = .some(nil)
                round.inFlight[key] = nil
                round.acknowledgements += 1
            default:
                Issue.record("round \(number): unexpected probe output: \(line)")
            }
        }
        return round
    }

    /// Every key must be in its last acknowledged state, or in the state its in-flight write
    /// would have left it in; no other key may exist. Returns how many in-flight writes landed.
    @discardableResult
    static func verify(stored: [String: KeyState], known: [String: KeyState], round: Round, previousRevision: Int64, roundNumber: Int) -> Int {
        var landed = 0
        var keys = Set(stored.keys).union(known.keys)
        keys.formUnion(round.acknowledged.keys)
        keys.formUnion(round.inFlight.keys)
        for key in keys {
            let expected: KeyState? = round.acknowledged[key] ?? known[key]
            let actual = stored[key]
            if actual == expected { continue }
            switch (round.inFlight[key], actual) {
            case (.delete?, nil) where expected != nil:
                landed += 1
                continue
            case (.put(let hash, let length)?, let actual?):
                let newer = actual.modRevision > max(previousRevision, expected?.modRevision ?? 0)
                let created = expected?.createRevision ?? actual.modRevision
                if actual.hash == hash, actual.length == length, newer, actual.createRevision == created {
                    landed += 1
                    continue
                }
            default:
                break
            }
            Issue.record("""
                round \(roundNumber): key \(key) is \(actual.map(String.init(describing:)) ?? "absent"); \
                acknowledged: \(expected.map(String.init(describing:)) ?? "absent"), \
                in flight: \(round.inFlight[key].map { "\($0)" } ?? "nothing")
                """)
        }
        return landed
    }
}
