import BosunRuntime

/// Whether an Indexed Job's `successPolicy` is met (upstream `matchSuccessPolicy`).
enum SuccessPolicyMatch {
    /// "Matched rules at index N" for the first rule that the succeeded indexes meet, or nil.
    /// A rule with `succeededIndexes` is met when all of them succeeded, or at least
    /// `succeededCount` of them; a rule with only `succeededCount`, when that many indexes
    /// succeeded in all.
    static func message(_ policy: SuccessPolicy?, completions: Int, succeeded: IndexIntervals) -> String? {
        guard let policy, !succeeded.isEmpty else { return nil }
        for (index, rule) in policy.rules.enumerated() {
            if let indexes = rule.succeededIndexes {
                let required = IndexIntervals(parsing: indexes, completions: completions)
                // A list that does not parse matches nothing.
                guard !required.isEmpty else { continue }
                if matches(required: required, succeeded: succeeded, count: rule.succeededCount) {
                    return "Matched rules at index \(index)"
                }
            } else if let count = rule.succeededCount, succeeded.total >= Int(count) {
                return "Matched rules at index \(index)"
            }
        }
        return nil
    }

    private static func matches(required: IndexIntervals, succeeded: IndexIntervals, count: Int32?) -> Bool {
        var contained = 0
        var r = 0, s = 0
        let rule = required.intervals, done = succeeded.intervals
        while r < rule.count && s < done.count {
            let overlap = min(rule[r].last, done[s].last) - max(rule[r].first, done[s].first) + 1
            if overlap > 0 { contained += overlap }
            if done[s].last < rule[r].last {
                s += 1
            } else if done[s].last > rule[r].last {
                r += 1
            } else {
                s += 1
                r += 1
            }
        }
        return contained == required.total || count.map { contained >= Int($0) } ?? false
    }
}
