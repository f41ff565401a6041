import Foundation

/// A cron schedule as Kubernetes' CronJob controller reads one (robfig/cron v3 `ParseStandard`):
/// five fields (minute hour day-of-month month day-of-week) with ranges `1-5`, steps `*/15` and
/// `3/4`, lists `1,3`, names `jan`/`mon`, `?` for `*`; the descriptors `@yearly`, `@annually`,
/// `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` and `@every <duration>`; and an
/// optional `TZ=<zone>` or `CRON_TZ=<zone>` prefix. Errors carry robfig's messages, which the
/// API server returns verbatim.
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
    /// `@every`: activations this far apart (whole seconds, at least one) instead of the fields.
    public var every: Duration?
    /// The zone a `TZ=`/`CRON_TZ=` prefix names; without one, the caller's zone applies.
    public var location: TimeZone?

    static let starBit: UInt64 = 1 << 63

    /// A parse failure with robfig/cron's message (`expected exactly 5 fields, found 1: [x]`).
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// robfig/cron's text, which the API server puts in the field error.
        public var message: String
        /// The message.
        public var description: String { message }

        public init(message: String) {
            self.message = message
        }
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
        var spec = Substring(spec)
        var location: TimeZone?
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
            let equals = spec.firstIndex(of: "=")!
            guard let space = spec.firstIndex(of: " ") else {
                // robfig slices up to the first space and panics without one.
                throw ParseError(message: "provided bad location \(spec[spec.index(after: equals)...]): no schedule follows the time zone")
            }
            let name = String(spec[spec.index(after: equals)..<space])
            guard let zone = Self.loadLocation(name) else {
                throw ParseError(message: "provided bad location \(name): unknown time zone \(name)")
            }
            location = zone
            spec = spec[space...].drop { $0.isWhitespace }
            while spec.last?.isWhitespace == true { spec = spec.dropLast() }
        }
        if spec.hasPrefix("@") {
            try self.init(descriptor: String(spec), location: location)
            return
        }
        let fields = spec.split(whereSeparator: \.isWhitespace)
        guard fields.count == 5 else {
            throw ParseError(message: "expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
        }
        self.init(try Self.field(fields[0], Self.minuteBounds), try Self.field(fields[1], Self.hourBounds),
                  try Self.field(fields[2], Self.domBounds), try Self.field(fields[3], Self.monthBounds),
                  try Self.field(fields[4], Self.dowBounds), location: location)
    }

    private init(descriptor: String, location: TimeZone?) throws(ParseError) {
        let all = { (b: Bounds) -> UInt64 in Self.bits(b.min, b.max, 1) | Self.starBit }
        let dow = all(Self.dowBounds), month = all(Self.monthBounds), dom = all(Self.domBounds)
        switch descriptor {
        case "@yearly", "@annually": self.init(1, 1, 1 << 1, 1 << 1, dow, location: location)
        case "@monthly": self.init(1, 1, 1 << 1, month, dow, location: location)
        case "@weekly": self.init(1, 1, dom, month, 1, location: location)
        case "@daily", "@midnight": self.init(1, 1, dom, month, dow, location: location)
        case "@hourly": self.init(1, all(Self.hourBounds), dom, month, dow, location: location)
        default:
            let prefix = "@every "
            guard descriptor.hasPrefix(prefix) else { throw ParseError(message: "unrecognized descriptor: \(descriptor)") }
            let period: Duration
            do {
                period = try GoDuration.parse(String(descriptor.dropFirst(prefix.count)))
            } catch {
                throw ParseError(message: "failed to parse duration \(descriptor): \(error)")
            }
            self.init(0, 0, 0, 0, 0, location: location)
            // robfig's `Every`: at least a second, in whole seconds.
            let seconds = max(period, .seconds(1)).components.seconds
            every = .seconds(seconds)
        }
    }

    private init(_ minutes: UInt64, _ hours: UInt64, _ dom: UInt64, _ months: UInt64, _ dow: UInt64, location: TimeZone?) {
        self.minutes = minutes
        self.hours = hours
        self.daysOfMonth = dom
        self.months = months
        self.daysOfWeek = dow
        self.location = location
    }

    /// Go's `time.LoadLocation`: "" and "UTC" are UTC, "Local" the process' zone, anything else
    /// an IANA name; `nil` for an unknown one.
    public static func loadLocation(_ name: String) -> TimeZone? {
        switch name {
        case "", "UTC": TimeZone(identifier: "UTC")
        case "Local": TimeZone.current
        default: TimeZone(identifier: name)
        }
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

    private static func field(_ text: Substring, _ bounds: Bounds) throws(ParseError) -> UInt64 {
        var result: UInt64 = 0
        // Empty list items are skipped, as Go's `strings.FieldsFunc` does.
        for part in text.split(separator: ",") {
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
            // "N/step" means "N-max/step".
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
}
