/// A compiled label selector: the AND of its requirements, kept sorted by key (upstream
/// `labels.Selector`).
///
/// Build one by parsing the string form (`Selector.parse("app=web,tier in (fe,be)")`), from the
/// struct form of `metav1.LabelSelector` (`Selector(matchLabels:matchExpressions:)`), or from a
/// plain label set (`Selector(set:)`). Matching does not allocate.
public struct Selector: Sendable, Hashable, CustomStringConvertible {
    /// The requirements, sorted by key (stable: requirements on one key keep their order).
    public let requirements: [LabelRequirement]
    /// True only for `Selector.nothing`.
    public let isNothing: Bool

    private init(sorted requirements: [LabelRequirement], nothing: Bool) {
        self.requirements = requirements
        self.isNothing = nothing
    }

    /// A selector made of `requirements`, sorted by key.
    public init(_ requirements: [LabelRequirement]) {
        self.init(sorted: Self.sortedByKey(requirements), nothing: false)
    }

    /// A selector that matches exactly the labels of `set` (upstream `SelectorFromSet`): one
    /// `key=value` requirement per entry, not validated. An empty set selects everything.
    public init(set: [String: String]) {
        let requirements = set.keys.sorted { $0.bytewiseLess($1) }.map {
            LabelRequirement(unchecked: $0, operator: .equals, values: [set[$0]!])
        }
        self.init(sorted: requirements, nothing: false)
    }

    /// The selector that matches every label set (upstream `labels.Everything()`).
    public static let everything = Selector(sorted: [], nothing: false)

    /// The selector that matches no label set, not even an empty one (upstream `labels.Nothing()`,
    /// what a `nil` `LabelSelector` means to a workload controller).
    public static let nothing = Selector(sorted: [], nothing: true)

    /// True when the selector does not restrict the selection (it matches everything).
    public var isEmpty: Bool { !isNothing && requirements.isEmpty }

    /// A copy with `more` requirements added, re-sorted by key (upstream `Add`). Adding to
    /// `nothing` leaves it `nothing`.
    public func adding(_ more: [LabelRequirement]) -> Selector {
        if isNothing { return self }
        return Selector(sorted: Self.sortedByKey(requirements + more), nothing: false)
    }

    /// Whether `labels` satisfies every requirement. Does not allocate.
    public func matches(_ labels: [String: String]) -> Bool {
        if isNothing { return false }
        for index in requirements.indices where !requirements[index].matches(labels) { return false }
        return true
    }

    /// Whether the labels reached through `lookup` satisfy every requirement; `lookup` returns the
    /// value of a label key, or `nil` when the label is absent.
    public func matches(label lookup: (String) -> String?) -> Bool {
        if isNothing { return false }
        for index in requirements.indices where !requirements[index].matches(label: lookup) { return false }
        return true
    }

    /// The single value the selector requires `label` to have, if it pins one: the first
    /// requirement on `label` is `=`, `==`, or `in` with one value (upstream
    /// `RequiresExactMatch`). Lets a store answer from an index.
    public func requiresExactMatch(_ label: String) -> String? {
        for requirement in requirements where requirement.key == label {
            switch requirement.operator {
            case .equals, .doubleEquals, .in:
                return requirement.values.count == 1 ? requirement.values[0] : nil
            default:
                return nil
            }
        }
        return nil
    }

    /// The canonical string form: the requirements' descriptions joined by `,` (upstream
    /// `String()`); empty for `everything` and `nothing`.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    private static func sortedByKey(_ requirements: [LabelRequirement]) -> [LabelRequirement] {
        requirements.enumerated().sorted { a, b in
            if a.element.key == b.element.key { return a.offset < b.offset }
            return a.element.key.bytewiseLess(b.element.key)
        }.map(\.element)
    }
}
