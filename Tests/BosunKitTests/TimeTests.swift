import Foundation
import Testing

@testable import BosunKit

@Suite struct TimeTests {
    // 2024-01-02T03:04:05Z
    private let sample: Int64 = 1_704_164_645

    @Test func encodesUTCWithWholeSeconds() {
        #expect(Time(secondsSinceEpoch: sample).jsonString() == "\"2024-01-02T03:04:05Z\"")
        #expect(Time(secondsSinceEpoch: sample, nanoseconds: 999_999_999).jsonString() == "\"2024-01-02T03:04:05Z\"")
        #expect(Time(secondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(Time(secondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59Z")
        #expect(Time(secondsSinceEpoch: -1, nanoseconds: 500_000_000).rfc3339 == "1969-12-31T23:59:59Z")
        #expect(Time(secondsSinceEpoch: 951_782_400).rfc3339 == "2000-02-29T00:00:00Z")
        #expect(Time(secondsSinceEpoch: 253_402_300_799).rfc3339 == "9999-12-31T23:59:59Z")
        #expect(Time(secondsSinceEpoch: 253_402_300_800).rfc3339 == "10000-01-01T00:00:00Z")
        #expect(Time(secondsSinceEpoch: Time.goZeroSeconds - 1).rfc3339 == "0000-12-31T23:59:59Z")
        #expect(Time(secondsSinceEpoch: -62_198_755_200).rfc3339 == "-0001-01-01T00:00:00Z")
        #expect(Time(secondsSinceEpoch: sample).description == "2024-01-02T03:04:05Z")
    }

    /// Go's `Format(time.RFC3339)` of a time in a zone: local wall time and the offset, `Z` at 0.
    @Test func formatsInAZoneByItsOffset() throws {
        let t = Time(secondsSinceEpoch: sample)
        #expect(t.rfc3339(utcOffset: 0) == "2024-01-02T03:04:05Z")
        #expect(t.rfc3339(utcOffset: -5 * 3600) == "2024-01-01T22:04:05-05:00")
        #expect(t.rfc3339(utcOffset: 5 * 3600 + 45 * 60) == "2024-01-02T08:49:05+05:45")
        #expect(t.rfc3339(utcOffset: -(9 * 3600 + 30 * 60)) == "2024-01-01T17:34:05-09:30")
        // Each reads back as the same instant.
        for offset in [0, -5 * 3600, 5 * 3600 + 45 * 60, -(9 * 3600 + 30 * 60), 14 * 3600] {
            #expect(try Time(rfc3339: t.rfc3339(utcOffset: offset)) == t)
        }
    }

    @Test(arguments: [
        ("2024-01-02T03:04:05Z", 1_704_164_645 as Int64),
        ("2024-01-02T03:04:05.999999999Z", 1_704_164_645),
        ("2024-01-02T03:04:05.1234567891234Z", 1_704_164_645),
        ("2024-01-02T03:04:05,5Z", 1_704_164_645),
        ("2024-01-02T05:04:05+02:00", 1_704_164_645),
        ("2024-01-01T22:34:05-04:30", 1_704_164_645),
        ("2024-01-02T03:04:05.5+00:00", 1_704_164_645),
        ("2024-01-02T03:04:05-00:00", 1_704_164_645),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.5Z", -1),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("0000-01-01T00:00:00Z", -62_167_219_200),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ])
    func decodesAnyOffsetTruncatingToSeconds(_ text: String, _ seconds: Int64) throws {
        let t = try Time(rfc3339: text)
        #expect(t.secondsSinceEpoch == seconds)
        #expect(t.nanoseconds == 0)
        let decoded = try Time(jsonString: "\"\(text)\"")
        #expect(decoded == t)
        // Decoding then encoding is stable.
        #expect(try Time(jsonString: decoded.jsonString()) == decoded)
    }

    @Test(arguments: [
        ("", "expected the form"), ("2024-01-02", "expected the form"), ("2024-01-02 03:04:05Z", "expected the form"),
        ("2024-01-02t03:04:05Z", "expected the form"), ("2024-01-02T03:04:05z", "expected the form"),
        ("2024-01-02T03:04:05", "expected the form"), ("2024-01-02T3:04:05Z", "expected the form"),
        ("24-01-02T03:04:05Z", "expected the form"), ("2024-13-02T03:04:05Z", "month out of range"),
        ("2024-00-02T03:04:05Z", "month out of range"), ("2023-02-29T03:04:05Z", "day out of range"),
        ("2024-04-31T03:04:05Z", "day out of range"), ("2024-01-00T03:04:05Z", "day out of range"),
        ("2024-01-02T24:00:00Z", "hour out of range"), ("2024-01-02T03:60:05Z", "minute out of range"),
        ("2024-01-02T03:04:60Z", "second out of range"), ("2024-01-02T03:04:05+24:00", "time zone offset out of range"),
        ("2024-01-02T03:04:05+01:60", "time zone offset out of range"), ("2024-01-02T03:04:05+0100", "expected the form"),
        ("2024-01-02T03:04:05.Z", "expected the form"), ("2024-01-02T03:04:05Zjunk", "expected the form"),
        ("2024-01-02T03:04:05 Z", "expected the form"), ("２０２４-01-02T03:04:05Z", "expected the form"),
    ])
    func rejectsInvalid(_ text: String, _ reason: String) {
        do {
            _ = try Time(rfc3339: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.input == text)
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.description.hasPrefix("invalid RFC 3339 timestamp \""))
        }
    }

    @Test func jsonErrorsAreClear() {
        do {
            _ = try Time(json: .string("yesterday"))
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("invalid RFC 3339 timestamp \"yesterday\": expected the form"))
        }
        do {
            _ = try Time(json: .number(.int(5)))
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "expected RFC 3339 timestamp string, got number 5")
        }
        #expect(throws: JSONError.self) { try Time(jsonString: "\"2024-02-30T00:00:00Z\"") }
    }

    @Test func goZeroTimeIsNull() throws {
        #expect(Time() == .zero)
        #expect(MicroTime() == .zero)
        #expect(Time.zero.isZero)
        #expect(Time.zero.rfc3339 == "0001-01-01T00:00:00Z")
        #expect(Time.zero.jsonString() == "null")
        #expect(try Time(jsonString: "null") == .zero)
        #expect(try Time(jsonString: "\"0001-01-01T00:00:00Z\"") == .zero)
        #expect(!Time(secondsSinceEpoch: 0).isZero)
        #expect(Time(secondsSinceEpoch: Time.goZeroSeconds, nanoseconds: 1).jsonString() == "\"0001-01-01T00:00:00Z\"")
        let fields = try [String: Time](jsonString: #"{"a": "2024-01-02T03:04:05Z", "b": null}"#)
        #expect(fields["b"] == .zero)
        #expect(fields.jsonString() == #"{"a":"2024-01-02T03:04:05Z","b":null}"#)
    }

    @Test func ordering() throws {
        let a = try Time(rfc3339: "2024-01-02T03:04:05Z")
        let b = try Time(rfc3339: "2024-01-02T04:04:05+01:00")
        #expect(a == b)
        #expect(Time(secondsSinceEpoch: 5, nanoseconds: 1) > Time(secondsSinceEpoch: 5))
        #expect(Time(secondsSinceEpoch: -1) < Time(secondsSinceEpoch: 0))
        #expect([Time(secondsSinceEpoch: 3), Time(secondsSinceEpoch: 1), Time(secondsSinceEpoch: 2)].sorted().map(\.secondsSinceEpoch) == [1, 2, 3])
    }

    @Test func normalizesNanoseconds() {
        let t = Time(secondsSinceEpoch: 10, nanoseconds: 1_500_000_000)
        #expect(t.secondsSinceEpoch == 11 && t.nanoseconds == 500_000_000)
        let u = Time(secondsSinceEpoch: 10, nanoseconds: -1)
        #expect(u.secondsSinceEpoch == 9 && u.nanoseconds == 999_999_999)
        #expect(Time(secondsSinceEpoch: 7, nanoseconds: 5).truncatedToSeconds == Time(secondsSinceEpoch: 7))
    }

    @Test func dateConversion() {
        let d = Date(timeIntervalSince1970: 1_704_164_645.25)
        let t = Time(d)
        #expect(t.secondsSinceEpoch == 1_704_164_645 && t.nanoseconds == 250_000_000)
        #expect(t.date == d)
        let before = Time(Date(timeIntervalSince1970: -0.5))
        #expect(before.secondsSinceEpoch == -1 && before.nanoseconds == 500_000_000)
    }

    @Test func nowIsCurrentAndPrecise() {
        let reference = Date().timeIntervalSince1970
        let now = Time.now()
        #expect(abs(Double(now.secondsSinceEpoch) - reference) < 5)
        #expect((0..<1_000_000_000).contains(now.nanoseconds))
        #expect(now.jsonString().count == 22)
    }

    @Test func durations() {
        let t = Time(secondsSinceEpoch: 100, nanoseconds: 900_000_000)
        #expect(t.advanced(by: .milliseconds(200)) == Time(secondsSinceEpoch: 101, nanoseconds: 100_000_000))
        #expect(t.advanced(by: .seconds(-101)) == Time(secondsSinceEpoch: -1, nanoseconds: 900_000_000))
        #expect(t.advanced(by: .milliseconds(-1500)) == Time(secondsSinceEpoch: 99, nanoseconds: 400_000_000))
        #expect(t.duration(to: Time(secondsSinceEpoch: 102)) == .milliseconds(1100))
        #expect(Time(secondsSinceEpoch: 102).duration(to: t) == .milliseconds(-1100))
    }

    @Test func calendarRoundTripsEveryDayOverFourCenturies() {
        // Every day from 1600 to 2400 maps to a date and back.
        let start = Time.RFC3339.daysFromCivil(year: 1600, month: 1, day: 1)
        let end = Time.RFC3339.daysFromCivil(year: 2400, month: 1, day: 1)
        #expect(end - start == 292_194)
        var previous: (Int64, Int64, Int64)? = nil
        for day in start..<end {
            let (y, m, d) = Time.RFC3339.civil(fromDays: day)
            #expect(Time.RFC3339.daysFromCivil(year: y, month: m, day: d) == day)
            if let (py, pm, pd) = previous {
                let next = pd < Time.RFC3339.daysIn(month: pm, year: py) ? (py, pm, pd + 1)
                    : (pm < 12 ? (py, pm + 1, 1) : (py + 1, 1, 1))
                #expect(next == (y, m, d))
            }
            previous = (y, m, d)
        }
    }

    @Test func matchesFoundationFormatting() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        for seconds: Int64 in stride(from: -2_208_988_800, to: 4_102_444_800, by: 7_777_777) {
            let t = Time(secondsSinceEpoch: seconds)
            #expect(t.rfc3339 == formatter.string(from: t.date))
        }
    }
}

@Suite struct MicroTimeTests {
    @Test func encodesSixDigitsTruncated() {
        let t = MicroTime(secondsSinceEpoch: 1_704_164_645, nanoseconds: 123_456_789)
        #expect(t.jsonString() == "\"2024-01-02T03:04:05.123456Z\"")
        #expect(MicroTime(secondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00.000000Z")
        #expect(MicroTime(secondsSinceEpoch: 0, nanoseconds: 999).rfc3339 == "1970-01-01T00:00:00.000000Z")
        #expect(MicroTime(secondsSinceEpoch: -1, nanoseconds: 1000).rfc3339 == "1969-12-31T23:59:59.000001Z")
        #expect(t.description == "2024-01-02T03:04:05.123456Z")
        #expect(t.truncatedToMicroseconds == MicroTime(secondsSinceEpoch: 1_704_164_645, nanoseconds: 123_456_000))
    }

    @Test func decodesExactlySixDigitsAnyOffset() throws {
        let t = try MicroTime(rfc3339: "2024-01-02T03:04:05.123456Z")
        #expect(t.secondsSinceEpoch == 1_704_164_645 && t.nanoseconds == 123_456_000)
        #expect(try MicroTime(rfc3339: "2024-01-02T05:04:05.123456+02:00") == t)
        #expect(try MicroTime(jsonString: "\"2024-01-02T03:04:05.123456Z\"") == t)
        #expect(try MicroTime(jsonString: t.jsonString()) == t)
        #expect(try MicroTime(jsonString: "null") == .zero)
        #expect(MicroTime.zero.jsonString() == "null")
    }

    @Test(arguments: [
        "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05.1234567Z",
        "2024-01-02T03:04:05.123456", "2024-13-02T03:04:05.123456Z",
    ])
    func rejectsOtherPrecisions(_ text: String) {
        #expect(throws: TimestampParseError.self) { try MicroTime(rfc3339: text) }
        #expect(throws: JSONError.self) { try MicroTime(jsonString: "\"\(text)\"") }
    }

    @Test func conversions() {
        let micro = MicroTime(secondsSinceEpoch: 5, nanoseconds: 123_456_789)
        let time = Time(micro)
        #expect(time.secondsSinceEpoch == 5 && time.nanoseconds == 123_456_789)
        #expect(MicroTime(time) == micro)
        #expect(MicroTime(Date(timeIntervalSince1970: 2.5)) == MicroTime(secondsSinceEpoch: 2, nanoseconds: 500_000_000))
        #expect(MicroTime(secondsSinceEpoch: 2, nanoseconds: 500_000_000).date == Date(timeIntervalSince1970: 2.5))
        let now = MicroTime.now()
        #expect(now.jsonString().count == 29)
        #expect(MicroTime(secondsSinceEpoch: 1) < MicroTime(secondsSinceEpoch: 1, nanoseconds: 1))
    }

    @Test("rounded up to the tenth of a second; an instant already on a tenth stays (heartbeats and node checks share timer firings so)")
    func roundedUpToTenths() {
        let second: Int64 = 1_767_225_600
        #expect(Time(secondsSinceEpoch: second).roundedUpToTenthOfASecond == Time(secondsSinceEpoch: second))
        #expect(Time(secondsSinceEpoch: second, nanoseconds: 300_000_000).roundedUpToTenthOfASecond
            == Time(secondsSinceEpoch: second, nanoseconds: 300_000_000))
        #expect(Time(secondsSinceEpoch: second, nanoseconds: 1).roundedUpToTenthOfASecond
            == Time(secondsSinceEpoch: second, nanoseconds: 100_000_000))
        #expect(Time(secondsSinceEpoch: second, nanoseconds: 412_000_000).roundedUpToTenthOfASecond
            == Time(secondsSinceEpoch: second, nanoseconds: 500_000_000))
        #expect(Time(secondsSinceEpoch: second, nanoseconds: 900_000_001).roundedUpToTenthOfASecond
            == Time(secondsSinceEpoch: second + 1))
    }
}
