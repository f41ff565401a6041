import CHeapStats
import CoreMetrics
import Foundation

/// Gives the C heap's free pages back to the kernel, once or every so often: `bosun up
/// --heap-trim-interval` (a minute by default). The `bosun` executable runs on jemalloc, whose
/// arenas are purged (jemalloc also purges pages left unused for about ten seconds, but only
/// while it is allocating: an idle process keeps them); a process on glibc's malloc — the
/// tests — calls `malloc_trim`.
///
/// glibc returns memory on its own only from the top of an arena: whole pages freed in the middle
/// of one stay resident until malloc reuses them (`HeapTrimmerTests` frees 128 MiB behind a live
/// block; without a pass none of it goes back). A pass walks the arenas' free lists (about
/// 1.3 ms in the hour-long soak; see `bosun_heap_trim_duration_seconds`), and a page given back
/// costs a page fault only if it is used again. Under the soak's steady churn the pages it gave
/// back (2.7 MB a minute) were taken again within the minute, so it did not lower that run's
/// plateau (docs/reliability.md); what it returns for good is memory left free when the load
/// that used it is gone.
public struct HeapTrimmer: Sendable {
    private let inUse: Gauge
    private let free: Gauge
    private let released: Counter
    private let duration: CoreMetrics.Timer

    /// Records, in `metrics`: `bosun_heap_in_use_bytes` and `bosun_heap_free_bytes` (free
    /// inside the arenas, resident or not) before each pass, the resident bytes each pass gave
    /// back (`bosun_heap_trim_released_bytes_total`) and how long it took.
    public init(metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        inUse = Gauge(label: "bosun_heap_in_use_bytes", factory: metrics)
        free = Gauge(label: "bosun_heap_free_bytes", factory: metrics)
        released = Counter(label: "bosun_heap_trim_released_bytes_total", factory: metrics)
        duration = CoreMetrics.Timer(label: "bosun_heap_trim_duration_seconds", factory: metrics)
    }

    /// One pass; returns the resident bytes it gave back (other threads allocating meanwhile
    /// can hide some of them).
    @discardableResult
    public func trim() -> Int {
        inUse.record(Int(bosun_heap_bytes_in_use()))
        free.record(Int(bosun_heap_bytes_free()))
        let before = Self.residentBytes()
        let started = ContinuousClock.now
        bosun_heap_trim()
        duration.recordInterval(since: started)
        let given = max(0, before - Self.residentBytes())
        released.increment(by: given)
        return given
    }

    /// A pass every `interval` until the task is cancelled.
    public func run(every interval: Duration) async {
        while (try? await Task.sleep(for: interval)) != nil {
            trim()
        }
    }

    /// Resident memory now, from /proc/self/statm (in pages).
    public static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

extension CoreMetrics.Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
