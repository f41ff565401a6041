import BosunKit
import Foundation

/// Cron schedules: one that parses yields a next run after a fixed instant, later than it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCron(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let schedule = try? CronSchedule(parsing: text) else { return 0 }
    let start = Date(timeIntervalSince1970: 1_780_000_000)
    if let next = schedule.next(after: start), next <= start {
        fatalError("\(text.debugDescription): next run \(next) is not after \(start)")
    }
    return 0
}
