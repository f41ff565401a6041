import Foundation

extension CronSchedule {
    /// The first activation strictly after `time` (robfig/cron's `Next`), in the schedule's own
    /// zone (``location``) if it names one, else in `zone`. `nil` when none exists within five
    /// years (February 30th).
    ///
    /// Daylight-saving changes behave as in Kubernetes, whose controller runs robfig's
    /// algorithm on Go's clock: a wall time that a spring-forward skips does not fire that day
    /// (an hourly schedule's skipped hour is skipped too), and a wall time that a fall-back
    /// repeats fires twice, once at each offset.
    public func next(after time: Time, in zone: TimeZone) -> Time? {
        if let every {
            // robfig's `ConstantDelaySchedule`: the period after `time`, cut to the second.
            return Time(secondsSinceEpoch: time.secondsSinceEpoch + every.components.seconds)
        }
        var clock = ZoneClock(location ?? zone)
        var t = time.secondsSinceEpoch + 1
        var added = false
        let yearLimit = clock.fields(t).year + 5
        wrap: while true {
            var f = clock.fields(t)
            if f.year > yearLimit { return nil }
            while months & (1 << UInt64(f.month)) == 0 {
                if !added {
                    added = true
                    t = clock.date(f.year, f.month, 1, 0, 0, 0)
                }
                t = clock.addDate(t, months: 1)
                f = clock.fields(t)
                if f.month == 1 { continue wrap }
            }
            while !dayMatches(day: f.day, weekday: f.weekday) {
                if !added {
                    added = true
                    t = clock.date(f.year, f.month, f.day, 0, 0, 0)
                }
                t = clock.addDate(t, days: 1)
                f = clock.fields(t)
                // Midnight that a daylight-saving change moved: back onto the day's start.
                if f.hour != 0 {
                    t += f.hour > 12 ? Int64(24 - f.hour) * 3600 : -Int64(f.hour) * 3600
                    f = clock.fields(t)
                }
                if f.day == 1 { continue wrap }
            }
            while hours & (1 << UInt64(f.hour)) == 0 {
                if !added {
                    added = true
                    t = clock.date(f.year, f.month, f.day, f.hour, 0, 0)
                }
                t += 3600
                f = clock.fields(t)
                if f.hour == 0 { continue wrap }
            }
            while minutes & (1 << UInt64(f.minute)) == 0 {
                if !added {
                    added = true
                    t = Self.floorDiv(t, 60) * 60
                }
                t += 60
                f = clock.fields(t)
                if f.minute == 0 { continue wrap }
            }
            // The seconds field is always "0": on to the next whole minute, and check again.
            if f.second != 0 {
                added = true
                t += Int64(60 - f.second)
                continue wrap
            }
            return Time(secondsSinceEpoch: t)
        }
    }

    /// ``next(after:in:)`` for Foundation dates (UTC unless the schedule names a zone).
    public func next(after date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        next(after: Time(date), in: timeZone)?.date
    }

    /// Day-of-month and day-of-week combine with OR unless either was `*`, then with AND.
    private func dayMatches(day: Int, weekday: Int) -> Bool {
        let domMatch = daysOfMonth & (1 << UInt64(day)) != 0
        let dowMatch = daysOfWeek & (1 << UInt64(weekday)) != 0
        if daysOfMonth & Self.starBit != 0 || daysOfWeek & Self.starBit != 0 { return domMatch && dowMatch }
        return domMatch || dowMatch
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}

/// Wall-clock arithmetic in one zone with Go's `time` semantics, over Unix seconds: the
/// calendar fields of an instant, and the instant of calendar fields (`time.Date`), which
/// normalizes overflowing months and days and resolves a skipped or repeated wall time as Go
/// does. Offsets come from Foundation, remembered until the zone's next transition.
struct ZoneClock {
    struct Fields {
        var year: Int64
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
        /// 0 = Sunday.
        var weekday: Int
    }

    private let zone: TimeZone
    private let fixedOffset: Int64?
    /// Offsets looked up, each valid from `start` until (not including) `end`. `date` reads the
    /// offset at the wall time taken as UTC, hours away from the instants `fields` reads.
    private var periods: [(start: Int64, end: Int64, offset: Int64)] = []

    init(_ zone: TimeZone) {
        self.zone = zone
        // A zone without transitions since 1970 has one offset for every instant a cron cares about.
        fixedOffset = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 0)) == nil
            ? Int64(zone.secondsFromGMT(for: Date())) : nil
    }

    mutating func offset(at t: Int64) -> Int64 {
        if let fixedOffset { return fixedOffset }
        if let period = periods.first(where: { $0.start <= t && t < $0.end }) { return period.offset }
        let date = Date(timeIntervalSince1970: TimeInterval(t))
        let offset = Int64(zone.secondsFromGMT(for: date))
        let end = zone.nextDaylightSavingTimeTransition(after: date).map { Int64($0.timeIntervalSince1970.rounded(.up)) } ?? .max
        if periods.count == 8 { periods.removeFirst() }
        periods.append((t, end, offset))
        return offset
    }

    mutating func fields(_ t: Int64) -> Fields {
        let local = t + offset(at: t)
        let days = CronSchedule.floorDiv(local, 86_400)
        let seconds = Int(local - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        let weekday = Int(((days + 4) % 7 + 7) % 7)
        return Fields(year: year, month: month, day: day, hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60,
                      weekday: weekday)
    }

    /// Go's `time.Date`: months and days past their range roll over; a wall time in a gap or
    /// overlap resolves by the offset in force at the wall time read as UTC, corrected once
    /// when that lands across a transition.
    mutating func date(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Int64 {
        let zeroBasedMonth = Int64(month - 1)
        let normalizedYear = year + CronSchedule.floorDiv(zeroBasedMonth, 12)
        let normalizedMonth = Int(zeroBasedMonth - CronSchedule.floorDiv(zeroBasedMonth, 12) * 12) + 1
        let days = Self.days(fromCivil: normalizedYear, normalizedMonth, 1) + Int64(day - 1)
        let local = days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
        let guess = offset(at: local)
        return local - offset(at: local - guess)
    }

    /// Go's `AddDate`: the same wall time `months` and `days` later.
    mutating func addDate(_ t: Int64, months: Int = 0, days: Int = 0) -> Int64 {
        let f = fields(t)
        return date(f.year, f.month + months, f.day + days, f.hour, f.minute, f.second)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int, _ day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
