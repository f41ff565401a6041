import BosunKit

/// Ages as kubectl shows them: apimachinery's `duration.HumanDuration`, which keeps two units
/// while they still say something (`2m30s`, `5h10m`, `3d4h`) and one after (`12d`, `3y`).
enum HumanDuration {
    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of a timestamp field (`translateTimestampSince`): `<unknown>` when it is unset or
    /// unreadable.
    static func since(_ value: JSONValue?, now: Time) -> String {
        guard let text = value?.stringValue, !text.isEmpty, let time = try? Time(rfc3339: text) else { return "<unknown>" }
        return format(time.duration(to: now))
    }
}
