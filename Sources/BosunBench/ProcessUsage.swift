import BosunHost
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What this process uses, read from the kernel: benchmarks report CPU time next to wall time
/// because on a shared machine wall time depends on the neighbours and CPU time much less.
enum ProcessUsage {
    /// User and system CPU time of every thread so far, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Resident memory now.
    static func residentBytes() -> Int { HeapTrimmer.residentBytes() }

    /// The most resident memory the process has had (the kernel's high-water mark).
    static func peakResidentBytes() -> Int { statusKiB("VmHWM:") * 1024 }

    /// CPU time over `window`, as a percentage of one core.
    static func corePercent(over window: Duration) async throws -> Double {
        let before = cpuSeconds()
        try await Task.sleep(for: window)
        return (cpuSeconds() - before) / window.seconds * 100
    }

    private static func statusKiB(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kib
    }
}

/// Checks `done` every `interval` until it holds: benchmarks wait on what the control plane
/// converges to, not on a fixed time.
func poll(every interval: Duration, until done: () throws -> Bool) async throws {
    while try !done() { try await Task.sleep(for: interval) }
}
