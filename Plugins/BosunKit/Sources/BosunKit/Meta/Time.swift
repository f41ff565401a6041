import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An instant with second precision on the wire: Kubernetes' `metav1.Time`
/// (creation and deletion timestamps, condition transition times).
///
/// Encodes as RFC 3339 in UTC without fractional seconds, e.g. `"2024-01-02T03:04:05Z"`, so
/// sub-second parts never reach the wire. Decodes RFC 3339 with any offset and optional
/// fractional seconds, and drops the fraction right away: a decoded value then equals what it
/// encodes to, so an object read back from storage compares equal to the one that was written.
/// Values made in process (``now()``, ``init(_:)-(Date)``) keep nanoseconds until encoded.
///
/// Go's zero time, `0001-01-01T00:00:00Z`, means "unset" in Kubernetes; as upstream it encodes
/// as JSON `null` (and `null` decodes to it), see ``zero``.
public struct Time: KubernetesInstant, JSONCodable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    public private(set) var secondsSinceEpoch: Int64
    /// Nanoseconds past ``secondsSinceEpoch``, always in `0..<1_000_000_000`.
    public private(set) var nanoseconds: Int32

    /// An instant from seconds and nanoseconds since the Unix epoch; nanoseconds outside
    /// `0..<1_000_000_000` carry into the seconds.
    public init(secondsSinceEpoch: Int64, nanoseconds: Int32 = 0) {
        (self.secondsSinceEpoch, self.nanoseconds) = Time.normalize(secondsSinceEpoch, nanoseconds)
    }

    /// The same instant as a ``MicroTime``.
    public init(_ time: MicroTime) {
        self.init(secondsSinceEpoch: time.secondsSinceEpoch, nanoseconds: time.nanoseconds)
    }

    /// The same instant rounded up to the next tenth of a second (unchanged on one): periodic
    /// work due at scattered moments, rounded so, shares one timer firing per tenth.
    public var roundedUpToTenthOfASecond: Time {
        let step: Int32 = 100_000_000
        return Time(secondsSinceEpoch: secondsSinceEpoch, nanoseconds: (nanoseconds + step - 1) / step * step)
    }

    /// The same instant without its fraction of a second (rounded toward the past).
    public var truncatedToSeconds: Time { Time(secondsSinceEpoch: secondsSinceEpoch) }

    /// Parses an RFC 3339 timestamp such as `2024-01-02T03:04:05Z` or
    /// `2024-01-02T05:04:05.5+02:00`, dropping any fraction of a second.
    public init(rfc3339 text: String) throws(TimestampParseError) {
        let parsed = try RFC3339.parse(text, fractionDigits: nil)
        self.init(secondsSinceEpoch: parsed.seconds)
    }

    /// The wire form: RFC 3339 in UTC with whole seconds, e.g. `2024-01-02T03:04:05Z`.
    public var rfc3339: String {
        RFC3339.format(seconds: secondsSinceEpoch, nanoseconds: 0, fractionDigits: 0)
    }

    /// RFC 3339 with whole seconds as Go formats a time in a zone whose offset from UTC is
    /// `utcOffset` seconds at this instant: the local wall time, then `Z` for no offset or
    /// `±hh:mm` (seconds of the offset dropped), e.g. `2026-03-08T01:30:00-05:00`.
    public func rfc3339(utcOffset: Int) -> String {
        let local = RFC3339.format(seconds: secondsSinceEpoch + Int64(utcOffset), nanoseconds: 0, fractionDigits: 0)
        guard utcOffset != 0 else { return local }
        let minutes = abs(utcOffset) / 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return local.dropLast() + (utcOffset < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60)
    }

    /// The wire form, see ``rfc3339``.
    public var description: String { rfc3339 }

    /// RFC 3339 with nine fractional digits, always (Go's `RFC3339NanoFixed`): the timestamps of
    /// container log lines, which then sort as text.
    public var rfc3339NanoFixed: String {
        RFC3339.format(seconds: secondsSinceEpoch, nanoseconds: nanoseconds, fractionDigits: 9)
    }

    /// This instant moved by `duration`.
    public func advanced(by duration: Duration) -> Time {
        let (s, attoseconds) = duration.components
        return Time(
            secondsSinceEpoch: secondsSinceEpoch + s, nanoseconds: nanoseconds + Int32(attoseconds / 1_000_000_000))
    }

    /// The time from this instant to `other` (negative if `other` is earlier).
    public func duration(to other: Time) -> Duration {
        .seconds(other.secondsSinceEpoch - secondsSinceEpoch)
            + .nanoseconds(Int64(other.nanoseconds) - Int64(nanoseconds))
    }

    /// Decodes an RFC 3339 string, or `null` as ``zero``.
    public init(json: JSONValue) throws(JSONDecodingError) {
        switch json {
        case .null:
            self = .zero
        case .string(let s):
            do { self = try Time(rfc3339: s) } catch { throw JSONDecodingError(error.description) }
        default:
            throw .typeMismatch(expected: "RFC 3339 timestamp string", got: json)
        }
    }

    /// Encodes as an RFC 3339 string, or `null` for ``zero``.
    public func encode(to writer: inout JSONWriter) {
        // A fraction of a second is dropped, and `null` decodes as an absent optional.
        if nanoseconds != 0 || isZero { writer.markInexact() }
        if isZero { writer.null(); return }
        RFC3339.encode(seconds: secondsSinceEpoch, nanoseconds: 0, fractionDigits: 0, to: &writer)
    }
}

/// An instant with microsecond precision on the wire: Kubernetes' `metav1.MicroTime`
/// (`Event.eventTime`, `Lease.spec.renewTime`).
///
/// Encodes as RFC 3339 in UTC with exactly six fractional digits, e.g.
/// `"2024-01-02T03:04:05.123456Z"`, and, as upstream, decodes only that shape (any offset, but
/// exactly six digits). Decoded values carry whole microseconds.
public struct MicroTime: KubernetesInstant, JSONCodable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    public private(set) var secondsSinceEpoch: Int64
    /// Nanoseconds past ``secondsSinceEpoch``, always in `0..<1_000_000_000`.
    public private(set) var nanoseconds: Int32

    /// An instant from seconds and nanoseconds since the Unix epoch; nanoseconds outside
    /// `0..<1_000_000_000` carry into the seconds.
    public init(secondsSinceEpoch: Int64, nanoseconds: Int32 = 0) {
        (self.secondsSinceEpoch, self.nanoseconds) = Time.normalize(secondsSinceEpoch, nanoseconds)
    }

    /// The same instant as a ``Time`` (which keeps the nanoseconds until encoded).
    public init(_ time: Time) {
        self.init(secondsSinceEpoch: time.secondsSinceEpoch, nanoseconds: time.nanoseconds)
    }

    /// The same instant without its fraction of a microsecond (rounded toward the past).
    public var truncatedToMicroseconds: MicroTime {
        MicroTime(secondsSinceEpoch: secondsSinceEpoch, nanoseconds: nanoseconds / 1000 * 1000)
    }

    /// Parses an RFC 3339 timestamp with exactly six fractional digits, such as
    /// `2024-01-02T03:04:05.123456Z` or `2024-01-02T05:04:05.123456+02:00`.
    public init(rfc3339 text: String) throws(TimestampParseError) {
        let parsed = try Time.RFC3339.parse(text, fractionDigits: 6)
        self.init(secondsSinceEpoch: parsed.seconds, nanoseconds: parsed.nanoseconds)
    }

    /// The wire form: RFC 3339 in UTC with six fractional digits.
    public var rfc3339: String {
        Time.RFC3339.format(seconds: secondsSinceEpoch, nanoseconds: nanoseconds, fractionDigits: 6)
    }

    /// The wire form, see ``rfc3339``.
    public var description: String { rfc3339 }

    /// Decodes an RFC 3339 string with six fractional digits, or `null` as ``zero``.
    public init(json: JSONValue) throws(JSONDecodingError) {
        switch json {
        case .null:
            self = .zero
        case .string(let s):
            do { self = try MicroTime(rfc3339: s) } catch { throw JSONDecodingError(error.description) }
        default:
            throw .typeMismatch(expected: "RFC 3339 timestamp string", got: json)
        }
    }

    /// Encodes as an RFC 3339 string with six fractional digits, or `null` for ``zero``.
    public func encode(to writer: inout JSONWriter) {
        if nanoseconds % 1000 != 0 || isZero { writer.markInexact() }
        if isZero { writer.null(); return }
        Time.RFC3339.encode(seconds: secondsSinceEpoch, nanoseconds: nanoseconds, fractionDigits: 6, to: &writer)
    }
}

/// Why a string is not an acceptable RFC 3339 timestamp.
public struct TimestampParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that failed to parse.
    public var input: String
    /// What was wrong with it, e.g. `month out of range`.
    public var reason: String

    /// Creates an error for `input`.
    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    /// E.g. `invalid RFC 3339 timestamp "2024-13-01T00:00:00Z": month out of range`.
    public var description: String {
        let clipped = input.count > 64 ? String(input.prefix(64)) + "…" : input
        return "invalid RFC 3339 timestamp \"\(clipped)\": \(reason)"
    }
}

extension Time {
    /// Seconds from the Unix epoch back to 0001-01-01T00:00:00Z, Go's zero time.
    static let goZeroSeconds: Int64 = -62_135_596_800

    static func normalize(_ seconds: Int64, _ nanoseconds: Int32) -> (Int64, Int32) {
        var s = seconds + Int64(nanoseconds / 1_000_000_000)
        var ns = nanoseconds % 1_000_000_000
        if ns < 0 {
            ns += 1_000_000_000
            s -= 1
        }
        return (s, ns)
    }

    static func split(_ interval: Double) -> (Int64, Int32) {
        let whole = interval.rounded(.down)
        let ns = min(999_999_999, max(0, ((interval - whole) * 1e9).rounded()))
        return (Int64(whole), Int32(ns))
    }

    static func wallClock() -> (Int64, Int32) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), Int32(ts.tv_nsec))
    }
}

extension Time {
    /// A hand-written RFC 3339 reader and writer: these timestamps are in every object, and
    /// `DateFormatter` is slow, locale-sensitive and not needed for one fixed format.
    ///
    /// Reading follows Go's strict RFC 3339 path (`time.parseRFC3339`): four-digit year, two-digit
    /// fields, calendar-checked day, seconds 0–59, optional `.` or `,` fraction (digits past
    /// nanoseconds are dropped), then `Z` or `±hh:mm`.
    enum RFC3339 {
        struct Parsed {
            var seconds: Int64
            var nanoseconds: Int32
        }

        private enum Outcome {
            case parsed(Parsed)
            case failed(String)
        }

        /// Parses `text`; `fractionDigits` demands exactly that many fractional digits (MicroTime).
        static func parse(_ text: String, fractionDigits: Int?) throws(TimestampParseError) -> Parsed {
            var copy = text
            switch copy.withUTF8({ parse(bytes: $0, fractionDigits: fractionDigits) }) {
            case .parsed(let p): return p
            case .failed(let reason): throw TimestampParseError(input: text, reason: reason)
            }
        }

        private static let shape = "expected the form 2006-01-02T15:04:05Z or 2006-01-02T15:04:05.999999999-07:00"

        private static func parse(bytes b: UnsafeBufferPointer<UInt8>, fractionDigits: Int?) -> Outcome {
            func number(_ start: Int, _ count: Int) -> Int64? {
                var v: Int64 = 0
                for i in start..<start + count {
                    let d = b[i] &- UInt8(ascii: "0")
                    guard d < 10 else { return nil }
                    v = v * 10 + Int64(d)
                }
                return v
            }
            func at(_ i: Int, _ c: Unicode.Scalar) -> Bool { b[i] == UInt8(ascii: c) }

            guard b.count >= 20, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                at(4, "-"), at(7, "-"), at(10, "T"), at(13, ":"), at(16, ":")
            else { return .failed(shape) }
            guard (1...12).contains(month) else { return .failed("month out of range") }
            guard day >= 1 && day <= daysIn(month: month, year: year) else { return .failed("day out of range") }
            guard hour < 24 else { return .failed("hour out of range") }
            guard minute < 60 else { return .failed("minute out of range") }
            guard second < 60 else { return .failed("second out of range") }

            var pos = 19
            var nanos: Int64 = 0
            var digits = 0
            if pos + 1 < b.count, at(pos, ".") || at(pos, ","), b[pos + 1] &- UInt8(ascii: "0") < 10 {
                pos += 1
                while pos < b.count, case let d = b[pos] &- UInt8(ascii: "0"), d < 10 {
                    if digits < 9 { nanos = nanos * 10 + Int64(d) }
                    digits += 1
                    pos += 1
                }
                for _ in min(digits, 9)..<9 { nanos *= 10 }
            }
            if let required = fractionDigits, digits != required {
                return .failed("expected exactly \(required) fractional digits, found \(digits)")
            }

            var offset: Int64 = 0
            if pos + 1 == b.count && at(pos, "Z") {
                offset = 0
            } else {
                guard b.count - pos == 6, at(pos, "+") || at(pos, "-"), at(pos + 3, ":"),
                    let oh = number(pos + 1, 2), let om = number(pos + 4, 2)
                else { return .failed(shape) }
                guard oh < 24, om < 60 else { return .failed("time zone offset out of range") }
                offset = (oh * 60 + om) * 60 * (at(pos, "-") ? -1 : 1)
            }
            let days = daysFromCivil(year: year, month: month, day: day)
            let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
            return .parsed(Parsed(seconds: seconds, nanoseconds: Int32(nanos)))
        }

        /// Longest text ``write(seconds:nanoseconds:fractionDigits:quoted:into:)`` produces.
        static let maxLength = 48

        /// UTC RFC 3339 text; `fractionDigits` is 0 or 6 (truncated, never rounded, as Go).
        static func format(seconds: Int64, nanoseconds: Int32, fractionDigits: Int) -> String {
            String(unsafeUninitializedCapacity: maxLength) { buffer in
                write(seconds: seconds, nanoseconds: nanoseconds, fractionDigits: fractionDigits, quoted: false,
                    into: buffer)
            }
        }

        /// Writes the text as a JSON string.
        static func encode(seconds: Int64, nanoseconds: Int32, fractionDigits: Int, to writer: inout JSONWriter) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
                let count = write(
                    seconds: seconds, nanoseconds: nanoseconds, fractionDigits: fractionDigits, quoted: true,
                    into: buffer)
                writer.raw(UnsafeBufferPointer(rebasing: buffer[..<count]))
            }
        }

        /// Writes UTC RFC 3339 text into `out` (at least ``maxLength`` bytes) and returns its length.
        static func write(
            seconds: Int64, nanoseconds: Int32, fractionDigits: Int, quoted: Bool, into out: UnsafeMutableBufferPointer<UInt8>
        ) -> Int {
            var days = seconds / 86400
            var rest = seconds % 86400
            if rest < 0 {
                rest += 86400
                days -= 1
            }
            let (year, month, day) = civil(fromDays: days)
            var n = 0
            func put(_ c: Unicode.Scalar) {
                out[n] = UInt8(ascii: c)
                n += 1
            }
            /// Zero-padded to `width` digits, more if the value needs them.
            func put(_ value: UInt64, width: Int) {
                var length = 1
                while length < 20 && value >= Quantity.powersOfTen[length] { length += 1 }
                length = max(length, width)
                var v = value
                for i in stride(from: n + length - 1, through: n, by: -1) {
                    out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
                n += length
            }
            if quoted { put("\"") }
            if year < 0 { put("-") }
            put(year.magnitude, width: 4)
            put("-")
            put(UInt64(month), width: 2)
            put("-")
            put(UInt64(day), width: 2)
            put("T")
            put(UInt64(rest / 3600), width: 2)
            put(":")
            put(UInt64(rest / 60 % 60), width: 2)
            put(":")
            put(UInt64(rest % 60), width: 2)
            if fractionDigits == 6 {
                put(".")
                put(UInt64(nanoseconds / 1000), width: 6)
            } else if fractionDigits == 9 {
                put(".")
                put(UInt64(nanoseconds), width: 9)
            }
            put("Z")
            if quoted { put("\"") }
            return n
        }

        static func daysIn(month: Int64, year: Int64) -> Int64 {
            switch month {
            case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
        static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        /// The proleptic Gregorian date of a day count since 1970-01-01.
        static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let mp = (5 * dayOfYear + 2) / 153
            let day = dayOfYear - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
        }
    }
}

/// What ``Time`` and ``MicroTime`` share: an instant as seconds and nanoseconds since the Unix
/// epoch, Go's zero time as "unset", and conversions. They differ only in wire precision.
public protocol KubernetesInstant: Sendable, Hashable, Comparable {
    var secondsSinceEpoch: Int64 { get }
    var nanoseconds: Int32 { get }
    /// Nanoseconds outside `0..<1_000_000_000` carry into the seconds.
    init(secondsSinceEpoch: Int64, nanoseconds: Int32)
}

extension KubernetesInstant {
    /// The instant a `Date` stands for, to the nearest nanosecond `Double` allows.
    public init(_ date: Date) {
        let (s, ns) = Time.split(date.timeIntervalSince1970)
        self.init(secondsSinceEpoch: s, nanoseconds: ns)
    }

    /// Go's zero time (see ``zero``), the value of a required timestamp nobody has set yet.
    public init() { self = .zero }

    /// The current wall-clock time, with nanoseconds (upstream `metav1.Now()`/`NowMicro()`).
    public static func now() -> Self {
        let (s, ns) = Time.wallClock()
        return Self(secondsSinceEpoch: s, nanoseconds: ns)
    }

    /// Go's zero `time.Time`, 0001-01-01T00:00:00Z: Kubernetes' "unset", written as `null`.
    public static var zero: Self { Self(secondsSinceEpoch: Time.goZeroSeconds, nanoseconds: 0) }

    /// True for Go's zero time (see ``zero``).
    public var isZero: Bool { secondsSinceEpoch == Time.goZeroSeconds && nanoseconds == 0 }

    /// This instant as a `Date` (a `Double`, so precise to about a microsecond today).
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanoseconds) / 1e9)
    }

    /// Earlier instants first.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
    }
}
