import BosunKit

extension Array where Element == Condition {
    /// The condition of `type`, if present.
    public subscript(type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Sets a condition as apimachinery's `meta.SetStatusCondition`: `lastTransitionTime` moves
    /// to `now` only when the condition is new or its status changed; reason, message and
    /// observedGeneration are replaced. `now` is cut to whole seconds, as stored times are, so
    /// that setting the same condition twice leaves the array equal and a controller that
    /// writes status only on change does not write forever. Returns whether anything changed.
    @discardableResult
    public mutating func set(_ condition: Condition, now: Time) -> Bool {
        var condition = condition
        let now = now.truncatedToSeconds
        if let index = firstIndex(where: { $0.type == condition.type }) {
            let old = self[index]
            condition.lastTransitionTime = old.status == condition.status ? old.lastTransitionTime : now
            self[index] = condition
            return old != condition
        }
        condition.lastTransitionTime = now
        append(condition)
        return true
    }

    /// Removes the condition of `type`; returns whether there was one.
    @discardableResult
    public mutating func remove(type: String) -> Bool {
        let before = count
        removeAll { $0.type == type }
        return count != before
    }
}
