/// One `NodeSelectorTerm`, compiled: its requirements are ANDed (upstream `nodeSelectorTerm`).
public struct CompiledNodeSelectorTerm: Sendable {
    let labels: [LabelRequirement]
    /// `matchFields`; upstream supports only `metadata.name`.
    let fields: [LabelRequirement]

    /// `nil` when the term does not parse; upstream's lazy-error selector lets such a term match
    /// nothing while the others still count. An empty term is valid and matches nothing.
    public init?(_ term: NodeSelectorTerm) {
        func compile(_ requirement: NodeSelectorRequirement) -> LabelRequirement? {
            let op: LabelRequirement.Operator
            switch requirement.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            case "Gt": op = .gt
            case "Lt": op = .lt
            default: return nil
            }
            return try? LabelRequirement(key: requirement.key, operator: op, values: requirement.values ?? [])
        }
        var labels: [LabelRequirement] = []
        for expression in term.matchExpressions ?? [] {
            guard let requirement = compile(expression) else { return nil }
            labels.append(requirement)
        }
        var fields: [LabelRequirement] = []
        for field in term.matchFields ?? [] {
            guard field.key == "metadata.name", field.operator == "In" || field.operator == "NotIn",
                  field.values?.count == 1,
                  let requirement = try? LabelRequirement(
                      key: "metadata.name", operator: field.operator == "In" ? .in : .notIn, values: field.values ?? [])
            else { return nil }
            fields.append(requirement)
        }
        self.labels = labels
        self.fields = fields
    }

    public func matches(_ node: NodeInfo) -> Bool {
        if labels.isEmpty && fields.isEmpty { return false }
        let nodeLabels = node.labels
        for requirement in labels where !requirement.matches(nodeLabels) { return false }
        for requirement in fields where !requirement.matches(label: { $0 == "metadata.name" ? node.name : nil }) {
            return false
        }
        return true
    }
}

/// What a pod requires of a node's labels: `spec.nodeSelector` AND any of the required
/// node-affinity terms (upstream `nodeaffinity.RequiredNodeAffinity`).
public struct RequiredNodeAffinity: Sendable {
    let nodeSelector: [(key: String, value: String)]
    /// `nil`: no required affinity. Otherwise the pod needs one matching term; unparsable terms are
    /// `nil` entries that match nothing.
    let terms: [CompiledNodeSelectorTerm?]?

    public init(nodeSelector: [String: String]?, required: NodeSelector?) {
        self.nodeSelector = (nodeSelector ?? [:]).map { ($0.key, $0.value) }
        terms = required.map { $0.nodeSelectorTerms.map(CompiledNodeSelectorTerm.init) }
    }

    /// Whether the pod constrains nodes at all.
    public var isEmpty: Bool { nodeSelector.isEmpty && terms == nil }

    public func matches(_ node: NodeInfo) -> Bool {
        if !nodeSelector.isEmpty {
            let labels = node.labels
            for (key, value) in nodeSelector where labels[key] != value { return false }
        }
        guard let terms else { return true }
        for term in terms where term?.matches(node) == true { return true }
        return false
    }
}
