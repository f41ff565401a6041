import CoreMetrics
import Foundation
import Synchronization

/// A swift-metrics backend that keeps every metric in memory and writes them in the Prometheus
/// text exposition format (version 0.0.4), for `/metrics`: counters, gauges (recorders that do
/// not aggregate, and meters), and histograms (timers, and recorders that aggregate).
///
/// Small on purpose: the control plane needs an exporter, not a metrics library.
public final class PrometheusTextMetrics: MetricsFactory, Sendable {
    /// Histogram buckets in seconds for timers: Kubernetes' request-latency buckets.
    static let secondsBuckets: [Double] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60]
    static let valueBuckets: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]

    struct SeriesKey: Hashable {
        var name: String
        var labels: [String]
    }

    final class Series: Sendable {
        enum Kind: String { case counter, gauge, histogram }
        let kind: Kind
        let buckets: [Double]
        /// The counter's or gauge's value; for a histogram its sum.
        let state: Mutex<(value: Double, counts: [UInt64], count: UInt64)>

        init(kind: Kind, buckets: [Double] = []) {
            self.kind = kind
            self.buckets = buckets
            state = Mutex((0, Array(repeating: 0, count: buckets.count), 0))
        }

        func add(_ delta: Double) { state.withLock { $0.value += delta } }
        func set(_ value: Double) { state.withLock { $0.value = value } }
        func observe(_ value: Double) {
            state.withLock { s in
                s.value += value
                s.count += 1
                for (i, bound) in buckets.enumerated() where value <= bound { s.counts[i] += 1 }
            }
        }
        func reset() { state.withLock { $0 = (0, Array(repeating: 0, count: buckets.count), 0) } }
    }

    /// A series as swift-metrics names it: the label and the dimensions, flattened.
    struct RawKey: Hashable {
        var label: String
        var dimensions: [String]
    }

    private struct Registry {
        /// Every series by its exposition name and labels.
        var series: [SeriesKey: Series] = [:]
        /// The same series by what swift-metrics passed: callers such as the API server make
        /// their handlers per request, and sanitising and escaping names each time would cost
        /// more than the request.
        var byRaw: [RawKey: Series] = [:]
    }

    private let registry = Mutex(Registry())

    public init() {}

    private func series(_ label: String, _ dimensions: [(String, String)], _ make: () -> Series) -> Series {
        let raw = RawKey(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        if let known = registry.withLock({ $0.byRaw[raw] }) { return known }
        let key = SeriesKey(name: Self.metricName(label),
                            labels: dimensions.map { "\(Self.metricName($0.0))=\"\(Self.escape($0.1))\"" })
        return registry.withLock { r in
            let series = r.series[key] ?? make()
            r.series[key] = series
            r.byRaw[raw] = series
            return series
        }
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(series(label, dimensions) { Series(kind: .counter) })
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        Handler(series(label, dimensions) { Series(kind: .counter) })
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(series(label, dimensions) { aggregate ? Series(kind: .histogram, buckets: Self.valueBuckets) : Series(kind: .gauge) })
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        Handler(series(label, dimensions) { Series(kind: .gauge) })
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(series(label, dimensions) { Series(kind: .histogram, buckets: Self.secondsBuckets) })
    }

    // Series stay once made: Prometheus expects a counter to live as long as the process.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    // MARK: Exposition

    /// Every series in the text format, grouped by metric name, names and labels sorted.
    public func render() -> String {
        let all = registry.withLock { $0.series }
        var out = ""
        var lastName = ""
        for (key, series) in all.sorted(by: { ($0.key.name, $0.key.labels.joined()) < ($1.key.name, $1.key.labels.joined()) }) {
            if key.name != lastName {
                out += "# TYPE \(key.name) \(series.kind.rawValue)\n"
                lastName = key.name
            }
            let state = series.state.withLock { $0 }
            switch series.kind {
            case .counter, .gauge:
                out += "\(key.name)\(Self.labelSet(key.labels)) \(Self.number(state.value))\n"
            case .histogram:
                for (bound, count) in zip(series.buckets, state.counts) {
                    out += "\(key.name)_bucket\(Self.labelSet(key.labels + ["le=\"\(Self.number(bound))\""])) \(count)\n"
                }
                out += "\(key.name)_bucket\(Self.labelSet(key.labels + ["le=\"+Inf\""])) \(state.count)\n"
                out += "\(key.name)_sum\(Self.labelSet(key.labels)) \(Self.number(state.value))\n"
                out += "\(key.name)_count\(Self.labelSet(key.labels)) \(state.count)\n"
            }
        }
        return out
    }

    private static func labelSet(_ labels: [String]) -> String {
        labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}"
    }

    private static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Metric and label names may hold letters, digits, `_` and `:`; anything else becomes `_`.
    static func metricName(_ label: String) -> String {
        var name = String(label.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
        if let first = name.first, first.isNumber { name = "_" + name }
        return name
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// One handler type for every kind of metric: each writes to its series.
    final class Handler: CounterHandler, FloatingPointCounterHandler, RecorderHandler, MeterHandler, TimerHandler, Sendable {
        let series: Series
        init(_ series: Series) { self.series = series }

        func increment(by amount: Int64) { series.add(Double(amount)) }
        func increment(by amount: Double) { series.add(amount) }
        func decrement(by amount: Double) { series.add(-amount) }
        func reset() { series.reset() }
        func record(_ value: Int64) { record(Double(value)) }
        func record(_ value: Double) { series.kind == .gauge ? series.set(value) : series.observe(value) }
        func set(_ value: Int64) { series.set(Double(value)) }
        func set(_ value: Double) { series.set(value) }
        func recordNanoseconds(_ duration: Int64) { series.observe(Double(duration) / 1e9) }
    }
}
