extension LabelSelector {
    /// Compiles this API selector into a `Selector` (upstream `metav1.LabelSelectorAsSelector`).
    ///
    /// An empty selector (no `matchLabels`, no `matchExpressions`) selects everything. A missing
    /// selector selects nothing: use `Selector(compiling:)` when the selector is optional.
    /// Unknown members (`unknownFields`) are ignored.
    public func compiled() throws(SelectorError) -> Selector {
        try Selector(
            matchLabels: matchLabels,
            matchExpressions: matchExpressions?.map { (key: $0.key, operator: $0.operator, values: $0.values ?? []) })
    }
}

extension Selector {
    /// Compiles an optional API selector: `nil` selects nothing (upstream
    /// `LabelSelectorAsSelector(nil)` is `labels.Nothing()`); otherwise `selector.compiled()`.
    public init(compiling selector: LabelSelector?) throws(SelectorError) {
        guard let selector else {
            self = .nothing
            return
        }
        self = try selector.compiled()
    }
}
