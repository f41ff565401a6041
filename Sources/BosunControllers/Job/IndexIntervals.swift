/// A set of completion indexes as ordered, disjoint, non-adjacent intervals: how an Indexed Job
/// keeps `completedIndexes` and `failedIndexes`, written as "1,3-5" (upstream
/// `orderedIntervals`). Two neighbours print as a list ("7,8"), three or more as a range.
struct IndexIntervals: Hashable, Sendable, CustomStringConvertible {
    struct Interval: Hashable, Sendable {
        var first: Int
        var last: Int
    }

    private(set) var intervals: [Interval] = []

    init() {}

    private init(intervals: [Interval]) {
        self.intervals = intervals
    }

    /// Parses `text` as upstream does for a status field: fragments that are not integers are
    /// skipped, everything from the first index `≥ completions` on is dropped, a range running
    /// past it is cut at `completions - 1`.
    init(parsing text: String, completions: Int) {
        guard !text.isEmpty else { return }
        for fragment in text.split(separator: ",", omittingEmptySubsequences: false) {
            let limits = fragment.split(separator: "-", omittingEmptySubsequences: false)
            guard let first = Int(limits[0]) else { continue }
            if first >= completions { break }
            var last = first
            if limits.count > 1 {
                guard let parsed = Int(limits[1]) else { continue }
                last = min(parsed, completions - 1)
            }
            if let previous = intervals.last, previous.last == first - 1 {
                intervals[intervals.count - 1].last = last
            } else {
                intervals.append(Interval(first: first, last: last))
            }
        }
    }

    /// How many indexes the intervals hold.
    var total: Int { intervals.reduce(0) { $0 + $1.last - $1.first + 1 } }

    var isEmpty: Bool { intervals.isEmpty }

    /// Whether `index` is in the set (binary search).
    func contains(_ index: Int) -> Bool {
        var low = 0, high = intervals.count
        while low < high {
            let middle = low + (high - low) / 2
            if intervals[middle].last >= index { high = middle } else { low = middle + 1 }
        }
        return high < intervals.count && intervals[high].first <= index
    }

    /// This set plus `indexes`, given in increasing order.
    func adding(orderedIndexes indexes: [Int]) -> IndexIntervals {
        merged(with: IndexIntervals(intervals: indexes.map { Interval(first: $0, last: $0) }))
    }

    /// The union of both sets.
    func merged(with other: IndexIntervals) -> IndexIntervals {
        var result: [Interval] = []
        func append(_ interval: Interval) {
            if let last = result.last, interval.first <= last.last + 1 {
                if last.last < interval.last { result[result.count - 1].last = interval.last }
            } else {
                result.append(interval)
            }
        }
        var i = 0, j = 0
        while i < intervals.count && j < other.intervals.count {
            if intervals[i].first < other.intervals[j].first {
                append(intervals[i])
                i += 1
            } else {
                append(other.intervals[j])
                j += 1
            }
        }
        intervals[i...].forEach(append)
        other.intervals[j...].forEach(append)
        return IndexIntervals(intervals: result)
    }

    /// The `count` lowest indexes below `completions` not in this set.
    func firstMissing(_ count: Int, below completions: Int) -> [Int] {
        var result: [Int] = []
        var candidate = 0
        for interval in intervals {
            while candidate < completions && result.count < count && candidate < interval.first {
                result.append(candidate)
                candidate += 1
            }
            candidate = max(candidate, interval.last + 1)
        }
        while candidate < completions && result.count < count {
            result.append(candidate)
            candidate += 1
        }
        return result
    }

    var description: String {
        var text = ""
        for interval in intervals {
            if !text.isEmpty { text += "," }
            text += String(interval.first)
            if interval.last > interval.first {
                text += interval.last == interval.first + 1 ? "," : "-"
                text += String(interval.last)
            }
        }
        return text
    }
}
