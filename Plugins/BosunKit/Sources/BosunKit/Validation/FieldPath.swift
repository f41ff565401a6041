#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A path to a field, printed as Kubernetes prints it: `spec.template.spec.containers[0].image`,
/// `metadata.labels[app]`.
/// The thread's "not recording paths" flag (see ``FieldPath/withoutRecording(_:)``).
private let notRecordingKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Component: Sendable, Hashable {
        case field(String)
        case index(Int)
        /// A map key, printed in brackets.
        case key(String)
    }

    /// Components before the tail, and a link to the ones before them. Validators derive a path
    /// for every field they visit and almost never print one, so extending a path must be cheap:
    /// the last few components live in the path itself, and a chunk is allocated only for an
    /// index (each element of a list, whose path its fields then share) or when the tail is full.
    private final class Chunk: Sendable {
        let parent: Chunk?
        /// One to four components, in order.
        let c0: Component
        let c1: Component?
        let c2: Component?
        let c3: Component?
        /// Components up to and including this chunk.
        let count: Int

        init(_ parent: Chunk?, _ c0: Component, _ c1: Component?, _ c2: Component?, _ c3: Component?) {
            self.parent = parent
            self.c0 = c0
            self.c1 = c1
            self.c2 = c2
            self.c3 = c3
            count = (parent?.count ?? 0) + 1 + (c1 == nil ? 0 : 1) + (c2 == nil ? 0 : 1) + (c3 == nil ? 0 : 1)
        }
    }

    private let chunks: Chunk?
    // The components after the chunks, filled in order.
    private let tail0: Component?
    private let tail1: Component?
    private let tail2: Component?

    private init(chunks: Chunk?, _ tail0: Component?, _ tail1: Component?, _ tail2: Component?) {
        self.chunks = chunks
        self.tail0 = tail0
        self.tail1 = tail1
        self.tail2 = tail2
    }

    public init(_ components: [Component] = []) {
        var path = FieldPath(chunks: nil, nil, nil, nil)
        for component in components { path = path.appending(component) }
        self = path
    }

    /// The number of components.
    public var count: Int {
        (chunks?.count ?? 0) + (tail0 == nil ? 0 : 1) + (tail1 == nil ? 0 : 1) + (tail2 == nil ? 0 : 1)
    }

    /// The components from the root.
    public var components: [Component] {
        var result: [Component] = []
        result.reserveCapacity(count)
        var chain: [Chunk] = []
        var chunk = chunks
        while let current = chunk {
            chain.append(current)
            chunk = current.parent
        }
        for c in chain.reversed() {
            result.append(c.c0)
            if let c1 = c.c1 { result.append(c1) }
            if let c2 = c.c2 { result.append(c2) }
            if let c3 = c.c3 { result.append(c3) }
        }
        if let tail0 { result.append(tail0) }
        if let tail1 { result.append(tail1) }
        if let tail2 { result.append(tail2) }
        return result
    }

    /// A path from dotted field names, e.g. `FieldPath("spec.replicas")`.
    public init(stringLiteral value: String) {
        if !Self.isRecording {
            self.init(chunks: nil, nil, nil, nil)
        } else if !Self.hasDot(value) {
            self.init(chunks: nil, value.isEmpty ? nil : .field(value), nil, nil)
        } else {
            self.init(value.split(separator: ".").map { .field(String($0)) })
        }
    }

    public static let root = FieldPath()

    /// Runs `body` with paths not recorded: every path is the empty one. For checks that only
    /// ask whether there are errors (the object store's typed writes, which hand invalid objects
    /// to the JSON path for the full report); the paths of errors found meanwhile are empty.
    /// `body` must not suspend: the setting belongs to the thread.
    package static func withoutRecording<R>(_ body: () -> R) -> R {
        let previous = pthread_getspecific(notRecordingKey)
        pthread_setspecific(notRecordingKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(notRecordingKey, previous) }
        return body()
    }

    private static var isRecording: Bool { pthread_getspecific(notRecordingKey) == nil }

    @inline(__always) private static func hasDot(_ name: String) -> Bool {
        name.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: ".")) }
            ?? name.utf8.contains(UInt8(ascii: "."))
    }

    public func child(_ name: String) -> FieldPath {
        guard Self.isRecording else { return self }
        // Most names have no dot; a dotted one adds one component per part.
        if !Self.hasDot(name) { return appending(.field(name)) }
        var path = self
        for part in name.split(separator: ".") { path = path.appending(.field(String(part))) }
        return path
    }

    public func index(_ i: Int) -> FieldPath { appending(.index(i)) }

    public func key(_ k: String) -> FieldPath { appending(.key(k)) }

    /// This path followed by `component`.
    public func appending(_ component: Component) -> FieldPath {
        guard Self.isRecording else { return self }
        if case .index = component {
            // The path of a list element: its fields' paths will share this chunk.
            guard let tail0 else { return FieldPath(chunks: Chunk(chunks, component, nil, nil, nil), nil, nil, nil) }
            return FieldPath(chunks: Chunk(chunks, tail0, tail1, tail2, component), nil, nil, nil)
        }
        guard let tail0 else { return FieldPath(chunks: chunks, component, nil, nil) }
        guard let tail1 else { return FieldPath(chunks: chunks, tail0, component, nil) }
        guard let tail2 else { return FieldPath(chunks: chunks, tail0, tail1, component) }
        return FieldPath(chunks: Chunk(chunks, tail0, tail1, tail2, component), nil, nil, nil)
    }

    public static func == (a: FieldPath, b: FieldPath) -> Bool {
        if a.chunks === b.chunks { return a.tail0 == b.tail0 && a.tail1 == b.tail1 && a.tail2 == b.tail2 }
        return a.count == b.count && a.components == b.components
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(components) }

    public var description: String {
        var out = ""
        for c in components {
            switch c {
            case .field(let f):
                if !out.isEmpty { out += "." }
                out += f
            case .index(let i): out += "[\(i)]"
            case .key(let k): out += "[\(k)]"
            }
        }
        return out
    }
}
