import BosunKit

/// A benchmark's figures. `bosun bench` prints them as one JSON object on its last line, so runs can
/// be compared by scripts and recorded in docs/benchmarks.md.
public struct BenchmarkReport: Sendable {
    public var name: String
    public var figures: [(String, JSONValue)]

    public init(name: String, figures: [(String, JSONValue)] = []) {
        self.name = name
        self.figures = figures
    }

    public mutating func record(_ key: String, _ value: Double, decimals: Int = 1) {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        figures.append((key, .number(.double((value * scale).rounded() / scale))))
    }

    public mutating func record(_ key: String, _ value: Int) {
        figures.append((key, .number(.int(Int64(value)))))
    }

    public mutating func record(_ key: String, _ value: String) {
        figures.append((key, .string(value)))
    }

    public var json: String {
        var object = JSONObject()
        object["benchmark"] = .string(name)
        for (k, v) in figures { object[k] = v }
        return JSONValue.object(object).description
    }
}

/// Why a benchmark could not produce its figures.
public struct BenchmarkError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Wall-clock timing with a monotonic clock.
public enum Stopwatch {
    /// Runs `body` and returns its result and the seconds it took.
    public static func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let clock = ContinuousClock()
        var result: T?
        let elapsed = try clock.measure { result = try body() }
        return (result!, elapsed.seconds)
    }
}

extension Duration {
    /// This duration in seconds, as benchmarks report it.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
