import Foundation

/// A standard five-field cron schedule (minute hour day-of-month month day-of-week), parsed as
/// Kubernetes' CronJob controller parses it (robfig/cron v3 `ParseStandard`): ranges `1-5`,
/// steps `*/15` and `3/4`, lists `1,3`, names `jan`/`mon`, `?` for `*`, and the macros
/// `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`.
/// Errors carry robfig's messages, which the API server returns verbatim.
public struct CronSchedule: Sendable, Hashable {
    /// Allowed minutes (bit n set: minute n). In every field, bit 63 marks `*` or `?`.
    public var minutes: UInt64
    /// Allowed hours, 0–23.
    public var hours: UInt64
    /// Allowed days of the month, 1–31.
    public var daysOfMonth: UInt64
    /// Allowed months, 1–12.
    public var months: UInt64
    /// Allowed days of the week, 0 (Sunday) – 6.
    public var daysOfWeek: UInt64

    static let starBit: UInt64 = 1 << 63

    /// A parse failure with robfig/cron's message (`expected exactly 5 fields, found 1: [x]`).
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// robfig/cron's text, which the API server puts in the field error.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    private struct Bounds { let min: UInt64, max: UInt64, names: [String: UInt64] }
    private static let minuteBounds = Bounds(min: 0, max: 59, names: [:])
    private static let hourBounds = Bounds(min: 0, max: 23, names: [:])
    private static let domBounds = Bounds(min: 1, max: 31, names: [:])
    private static let monthBounds = Bounds(min: 1, max: 12, names: [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ])
    private static let dowBounds = Bounds(min: 0, max: 6, names: [
        "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
    ])

    /// Parses `spec`.
    public init(parsing spec: String) throws(ParseError) {
        if spec.isEmpty { throw ParseError(message: "empty spec string") }
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
            throw ParseError(message: "provided bad location \(spec): time zones are not supported in the schedule")
        }
        if spec.hasPrefix("@") {
            let all = { (b: Bounds) -> UInt64 in Self.bits(b.min, b.max, 1) | Self.starBit }
            let dow = all(Self.dowBounds), month = all(Self.monthBounds), dom = all(Self.domBounds)
            switch spec {
            case "@yearly", "@annually": self.init(1, 1, 1 << 1, 1 << 1, dow)
            case "@monthly": self.init(1, 1, 1 << 1, month, dow)
            case "@weekly": self.init(1, 1, dom, month, 1)
            case "@daily", "@midnight": self.init(1, 1, dom, month, dow)
            case "@hourly": self.init(1, all(Self.hourBounds), dom, month, dow)
            default:
                if spec.hasPrefix("@every ") {
                    throw ParseError(message: "@every schedules are not supported: \(spec)")
                }
                throw ParseError(message: "unrecognized descriptor: \(spec)")
            }
            return
        }
        let fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(message: "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
        }
        self.init(try Self.field(fields[0], Self.minuteBounds), try Self.field(fields[1], Self.hourBounds),
                  try Self.field(fields[2], Self.domBounds), try Self.field(fields[3], Self.monthBounds),
                  try Self.field(fields[4], Self.dowBounds))
    }

    private init(_ minutes: UInt64, _ hours: UInt64, _ dom: UInt64, _ months: UInt64, _ dow: UInt64) {
        self.minutes = minutes
        self.hours = hours
        self.daysOfMonth = dom
        self.months = months
        self.daysOfWeek = dow
    }

    private static func bits(_ low: UInt64, _ high: UInt64, _ step: UInt64) -> UInt64 {
        var result: UInt64 = 0
        var i = low
        while i <= high {
            result |= 1 << i
            i += step
        }
        return result
    }

    private static func field(_ text: String, _ bounds: Bounds) throws(ParseError) -> UInt64 {
        var result: UInt64 = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            result |= try range(String(part), bounds)
        }
        return result
    }

    private static func range(_ expr: String, _ r: Bounds) throws(ParseError) -> UInt64 {
        let rangeAndStep = expr.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var start: UInt64, end: UInt64, step: UInt64 = 1, extra: UInt64 = 0
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = r.min
            end = r.max
            extra = starBit
        } else {
            start = try intOrName(lowAndHigh[0], r.names)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try intOrName(lowAndHigh[1], r.names)
            default: throw ParseError(message: "too many hyphens: \(expr)")
            }
        }
        switch rangeAndStep.count {
        case 1: break
        case 2:
            step = try number(rangeAndStep[1])
            if lowAndHigh.count == 1 { end = r.max }
            if step > 1 { extra = 0 }
        default: throw ParseError(message: "too many slashes: \(expr)")
        }
        if start < r.min { throw ParseError(message: "beginning of range (\(start)) below minimum (\(r.min)): \(expr)") }
        if end > r.max { throw ParseError(message: "end of range (\(end)) above maximum (\(r.max)): \(expr)") }
        if start > end { throw ParseError(message: "beginning of range (\(start)) beyond end of range (\(end)): \(expr)") }
        if step == 0 { throw ParseError(message: "step of range should be a positive number: \(expr)") }
        return bits(start, end, step) | extra
    }

    private static func intOrName(_ expr: String, _ names: [String: UInt64]) throws(ParseError) -> UInt64 {
        if let value = names[expr.lowercased()] { return value }
        return try number(expr)
    }

    private static func number(_ expr: String) throws(ParseError) -> UInt64 {
        let body = expr.hasPrefix("+") || expr.hasPrefix("-") ? expr.dropFirst() : Substring(expr)
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(expr) else {
            let reason = body.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && !body.isEmpty ? "value out of range" : "invalid syntax"
            throw ParseError(message: "failed to parse int from \(expr): strconv.Atoi: parsing \(GoSyntax.quote(expr)): \(reason)")
        }
        if value < 0 { throw ParseError(message: "negative number (\(value)) not allowed: \(expr)") }
        return UInt64(value)
    }

    /// The first activation strictly after `date`, in `timeZone` (robfig/cron's `Next`), or
    /// `nil` when none exists within five years (e.g. February 30th).
    public func next(after date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.date(bySetting: .nanosecond, value: 0, of: date) ?? date
        var candidate = calendar.dateInterval(of: .minute, for: start)!.start.addingTimeInterval(60)
        let limit = candidate.addingTimeInterval(5 * 366 * 86_400)
        while candidate < limit {
            let c = calendar.dateComponents([.month, .day, .hour, .minute, .weekday], from: candidate)
            guard months & (1 << UInt64(c.month!)) != 0 else {
                candidate = calendar.date(byAdding: .month, value: 1, to: calendar.dateInterval(of: .month, for: candidate)!.start)!
                continue
            }
            guard dayMatches(day: c.day!, weekday: c.weekday! - 1) else {
                candidate = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: candidate))!
                continue
            }
            guard hours & (1 << UInt64(c.hour!)) != 0 else {
                candidate = calendar.dateInterval(of: .hour, for: candidate)!.start.addingTimeInterval(3600)
                continue
            }
            guard minutes & (1 << UInt64(c.minute!)) != 0 else {
                candidate = candidate.addingTimeInterval(60)
                continue
            }
            return candidate
        }
        return nil
    }

    /// Day-of-month and day-of-week combine with OR unless either was `*`, then with AND.
    private func dayMatches(day: Int, weekday: Int) -> Bool {
        let domMatch = daysOfMonth & (1 << UInt64(day)) != 0
        let dowMatch = daysOfWeek & (1 << UInt64(weekday)) != 0
        if daysOfMonth & Self.starBit != 0 || daysOfWeek & Self.starBit != 0 { return domMatch && dowMatch }
        return domMatch || dowMatch
    }
}
