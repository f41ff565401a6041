import BosunKit
import Synchronization

/// What one container instance wrote, line by line with the time each line arrived: what
/// `kubectl logs` reads. Bounded: past ``capacity`` bytes the oldest lines go, as a kubelet
/// rotates its log files.
public final class ContainerLog: Sendable {
    public enum Stream: String, Sendable {
        case stdout
        case stderr
    }

    public struct Line: Sendable, Hashable {
        public var time: Time
        public var stream: Stream
        /// The line without its newline.
        public var text: String
    }

    /// Which lines a read returns, as `PodLogOptions`.
    public struct ReadOptions: Sendable, Hashable {
        public var tailLines: Int?
        public var sinceTime: Time?
        public var timestamps: Bool
        public var limitBytes: Int?

        public init(tailLines: Int? = nil, sinceTime: Time? = nil, timestamps: Bool = false, limitBytes: Int? = nil) {
            self.tailLines = tailLines
            self.sinceTime = sinceTime
            self.timestamps = timestamps
            self.limitBytes = limitBytes
        }
    }

    public let capacity: Int
    private struct State {
        var lines: [Line] = []
        var head = 0
        var bytes = 0
        var partial: [Stream: [UInt8]] = [:]
        var closed = false
        var followers: [Int: AsyncStream<Line>.Continuation] = [:]
        var nextFollower = 0
    }

    private let state = Mutex(State())

    public init(capacity: Int = 10 << 20) {
        self.capacity = capacity
    }

    /// Adds output; complete lines are kept, a trailing partial line waits for its end.
    public func append(_ bytes: some Collection<UInt8>, from stream: Stream, at time: Time) {
        let followers = state.withLock { s -> [(AsyncStream<Line>.Continuation, [Line])] in
            var pending = s.partial[stream] ?? []
            pending.append(contentsOf: bytes)
            var added: [Line] = []
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                added.append(Line(time: time, stream: stream, text: String(decoding: pending[..<newline], as: UTF8.self)))
                pending.removeSubrange(...newline)
            }
            s.partial[stream] = pending
            for line in added { Self.keep(line, in: &s, capacity: capacity) }
            return s.followers.values.map { ($0, added) }
        }
        for (follower, lines) in followers { for line in lines { follower.yield(line) } }
    }

    /// Flushes partial lines and ends every follow: the container exited.
    public func close(at time: Time) {
        let followers = state.withLock { s -> [AsyncStream<Line>.Continuation] in
            for (stream, rest) in s.partial where !rest.isEmpty {
                Self.keep(Line(time: time, stream: stream, text: String(decoding: rest, as: UTF8.self)), in: &s, capacity: capacity)
            }
            s.partial = [:]
            s.closed = true
            defer { s.followers = [:] }
            return Array(s.followers.values)
        }
        for follower in followers { follower.finish() }
    }

    private static func keep(_ line: Line, in s: inout State, capacity: Int) {
        s.lines.append(line)
        s.bytes += line.text.utf8.count + 1
        while s.bytes > capacity, s.head < s.lines.count {
            s.bytes -= s.lines[s.head].text.utf8.count + 1
            s.head += 1
        }
        if s.head > 1024, s.head * 2 > s.lines.count {
            s.lines.removeFirst(s.head)
            s.head = 0
        }
    }

    /// The lines kept, oldest first.
    public var lines: [Line] { state.withLock { Array($0.lines[$0.head...]) } }

    /// The log as `kubectl logs` prints it.
    public func read(_ options: ReadOptions = ReadOptions()) -> [UInt8] {
        Self.render(select(lines, options), options)
    }

    /// The lines so far, then each new line until the container exits or the task is cancelled.
    public func follow(_ options: ReadOptions = ReadOptions()) -> AsyncStream<[UInt8]> {
        let (lines, stream) = AsyncStream<[UInt8]>.makeStream()
        let (raw, rawContinuation) = AsyncStream<Line>.makeStream()
        let (existing, id, closed) = state.withLock { s -> ([Line], Int, Bool) in
            let id = s.nextFollower
            s.nextFollower += 1
            if !s.closed { s.followers[id] = rawContinuation }
            return (Array(s.lines[s.head...]), id, s.closed)
        }
        if closed { rawContinuation.finish() }
        rawContinuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.followers.removeValue(forKey: id) }
        }
        let task = Task {
            var sent = Self.render(select(existing, options), options)
            if !sent.isEmpty { stream.yield(sent) }
            var budget = options.limitBytes.map { $0 - sent.count }
            for await line in raw {
                if let since = options.sinceTime, line.time < since { continue }
                sent = Self.render([line], options)
                if let left = budget {
                    if left <= 0 { break }
                    if sent.count > left { sent = Array(sent.prefix(left)) }
                    budget = left - sent.count
                }
                stream.yield(sent)
            }
            stream.finish()
        }
        stream.onTermination = { _ in task.cancel() }
        return lines
    }

    private func select(_ lines: [Line], _ options: ReadOptions) -> [Line] {
        var selected = lines
        if let since = options.sinceTime { selected = selected.filter { $0.time >= since } }
        if let tail = options.tailLines, tail >= 0, selected.count > tail { selected = Array(selected.suffix(tail)) }
        return selected
    }

    private static func render(_ lines: [Line], _ options: ReadOptions) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines {
            if options.timestamps {
                out.append(contentsOf: line.time.rfc3339NanoFixed.utf8)
                out.append(UInt8(ascii: " "))
            }
            out.append(contentsOf: line.text.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        if let limit = options.limitBytes, out.count > limit { out.removeSubrange(limit...) }
        return out
    }
}
