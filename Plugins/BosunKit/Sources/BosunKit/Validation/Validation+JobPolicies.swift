// batch/v1 Job policies: podFailurePolicy, successPolicy, managedBy and the indexed limits
// (upstream pkg/apis/batch/validation, 1.32).

extension Validation {
    static let maxParallelismForIndexedJob: Int32 = 100_000
    static let maxFailedIndexesForIndexedJob: Int32 = 100_000
    static let completionsSoftLimit: Int32 = 100_000
    static let parallelismLimitForHighCompletions: Int32 = 10_000
    static let maxFailedIndexesLimitForHighCompletions: Int32 = 10_000

    /// The limits of an Indexed Job (parallelism, maxFailedIndexes) and what only an Indexed Job
    /// may set.
    static func validateIndexedLimits(_ spec: JobSpec, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        guard spec.completionMode == "Indexed" else {
            if let perIndex = spec.backoffLimitPerIndex {
                errors.append(.invalid(path.child("backoffLimitPerIndex"), perIndex, "requires indexed completion mode"))
            }
            if let maxFailed = spec.maxFailedIndexes {
                errors.append(.invalid(path.child("maxFailedIndexes"), maxFailed, "requires indexed completion mode"))
            }
            return errors
        }
        if let parallelism = spec.parallelism, parallelism > maxParallelismForIndexedJob {
            errors.append(.invalid(path.child("parallelism"), parallelism,
                                   "must be less than or equal to \(maxParallelismForIndexedJob) when completion mode is Indexed"))
        }
        if let completions = spec.completions, let maxFailed = spec.maxFailedIndexes, maxFailed > completions {
            errors.append(.invalid(path.child("maxFailedIndexes"), maxFailed, "must be less than or equal to completions"))
        }
        if let maxFailed = spec.maxFailedIndexes, maxFailed > maxFailedIndexesForIndexedJob {
            errors.append(.invalid(path.child("maxFailedIndexes"), maxFailed, "must be less than or equal to \(maxFailedIndexesForIndexedJob)"))
        }
        if let completions = spec.completions, completions > completionsSoftLimit, spec.backoffLimitPerIndex != nil {
            if spec.maxFailedIndexes == nil {
                errors.append(.required(path.child("maxFailedIndexes"), "must be specified when completions is above \(completionsSoftLimit)"))
            }
            if let parallelism = spec.parallelism, parallelism > parallelismLimitForHighCompletions {
                errors.append(.invalid(path.child("parallelism"), parallelism,
                                       "must be less than or equal to \(parallelismLimitForHighCompletions) when completions are above \(completionsSoftLimit) and used with backoff limit per index"))
            }
            if let maxFailed = spec.maxFailedIndexes, maxFailed > maxFailedIndexesLimitForHighCompletions {
                errors.append(.invalid(path.child("maxFailedIndexes"), maxFailed,
                                       "must be less than or equal to \(maxFailedIndexesLimitForHighCompletions) when completions are above \(completionsSoftLimit) and used with backoff limit per index"))
            }
        }
        return errors
    }

    /// `managedBy`: a domain-prefixed path of at most 63 characters.
    static func validateManagedBy(_ value: String, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        let segments = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if value.isEmpty {
            errors.append(.required(path))
        } else if segments.count != 2 || segments[0].isEmpty || segments[1].isEmpty {
            errors.append(.invalid(path, value, "must be a domain-prefixed path (such as \"acme.io/foo\")"))
        } else {
            let host = String(segments[0])
            for message in isDNS1123Subdomain(host) { errors.append(.invalid(path, host, message)) }
            let allowed = "/-._~%!$&'()*+,;=:"
            if !segments[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) }) {
                errors.append(.invalid(path, String(segments[1]),
                                       "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"))
            }
        }
        if value.utf8.count > 63 { errors.append(.tooLong(path, maxLength: 63)) }
        return errors
    }

    /// At most 20 rules, each with a supported action and exactly one of `onExitCodes` (an
    /// operator, 1–255 ordered unique values, 0 not `In`, a container of the template) and
    /// `onPodConditions` (at most 20 patterns of a qualified type and a status).
    static func validatePodFailurePolicy(_ spec: JobSpec, path: FieldPath) -> FieldErrorList {
        guard let policy = spec.podFailurePolicy else { return [] }
        var errors: FieldErrorList = []
        let rulesPath = path.child("rules")
        if policy.rules.count > 20 { errors.append(.tooMany(rulesPath, actual: policy.rules.count, max: 20)) }
        let containers = Set((spec.template.spec?.containers ?? []).map(\.name) + (spec.template.spec?.initContainers ?? []).map(\.name))
        let actions = ["Count", "FailIndex", "FailJob", "Ignore"]
        for (i, rule) in policy.rules.enumerated() {
            let rulePath = rulesPath.index(i)
            let actionPath = rulePath.child("action")
            if rule.action.isEmpty {
                errors.append(.required(actionPath, "valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]"))
            } else if rule.action == "FailIndex" {
                if spec.backoffLimitPerIndex == nil {
                    errors.append(.invalid(actionPath, rule.action, "requires the backoffLimitPerIndex to be set"))
                }
            } else if !actions.contains(rule.action) {
                errors.append(.notSupported(actionPath, rule.action, supported: actions))
            }
            if let onExitCodes = rule.onExitCodes {
                errors += validateOnExitCodes(onExitCodes, path: rulePath.child("onExitCodes"), containers: containers)
            }
            let patterns = rule.onPodConditions ?? []
            if !patterns.isEmpty { errors += validateOnPodConditions(patterns, path: rulePath.child("onPodConditions")) }
            if rule.onExitCodes != nil && !patterns.isEmpty {
                errors.append(FieldError(.invalid, rulePath, "specifying both OnExitCodes and OnPodConditions is not supported"))
            }
            if rule.onExitCodes == nil && patterns.isEmpty {
                errors.append(FieldError(.invalid, rulePath, "specifying one of OnExitCodes and OnPodConditions is required"))
            }
        }
        return errors
    }

    private static func validateOnExitCodes(
        _ requirement: PodFailurePolicyOnExitCodesRequirement, path: FieldPath, containers: Set<String>
    ) -> FieldErrorList {
        var errors: FieldErrorList = []
        let operatorPath = path.child("operator")
        if requirement.operator.isEmpty {
            errors.append(.required(operatorPath, "valid values: [\"In\" \"NotIn\"]"))
        } else if requirement.operator != "In" && requirement.operator != "NotIn" {
            errors.append(.notSupported(operatorPath, requirement.operator, supported: ["In", "NotIn"]))
        }
        if let name = requirement.containerName, !containers.contains(name) {
            errors.append(.invalid(path.child("containerName"), name, "must be one of the container or initContainer names in the pod template"))
        }
        let valuesPath = path.child("values")
        let rendered = "[]int32{" + requirement.values.map(String.init).joined(separator: ", ") + "}"
        if requirement.values.isEmpty {
            errors.append(FieldError(.invalid, valuesPath, value: rendered, "at least one value is required"))
        } else if requirement.values.count > 255 {
            errors.append(.tooMany(valuesPath, actual: requirement.values.count, max: 255))
        }
        var seen = Set<Int32>()
        var ordered = true
        for (j, value) in requirement.values.enumerated() {
            if requirement.operator == "In" && value == 0 {
                errors.append(.invalid(valuesPath.index(j), value, "must not be 0 for the In operator"))
            }
            if !seen.insert(value).inserted { errors.append(.duplicate(valuesPath.index(j), value)) }
            if j > 0 && requirement.values[j - 1] > value { ordered = false }
        }
        if !ordered { errors.append(FieldError(.invalid, valuesPath, value: rendered, "must be ordered")) }
        return errors
    }

    private static func validateOnPodConditions(_ patterns: [PodFailurePolicyOnPodConditionsPattern], path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        if patterns.count > 20 { errors.append(.tooMany(path, actual: patterns.count, max: 20)) }
        for (j, pattern) in patterns.enumerated() {
            let patternPath = path.index(j)
            for message in isQualifiedName(pattern.type) { errors.append(.invalid(patternPath.child("type"), pattern.type, message)) }
            let statusPath = patternPath.child("status")
            if pattern.status.isEmpty {
                errors.append(.required(statusPath, "valid values: [\"False\" \"True\" \"Unknown\"]"))
            } else if !["False", "True", "Unknown"].contains(pattern.status) {
                errors.append(.notSupported(statusPath, pattern.status, supported: ["False", "True", "Unknown"]))
            }
        }
        return errors
    }

    /// An Indexed Job's successPolicy: 1–20 rules, each with `succeededIndexes` (valid
    /// intervals below completions) and/or `succeededCount` (at most completions, and at most
    /// the number of indexes listed).
    static func validateSuccessPolicy(_ spec: JobSpec, path: FieldPath) -> FieldErrorList {
        guard let policy = spec.successPolicy else { return [] }
        guard spec.completionMode == "Indexed" else {
            return [FieldError(.invalid, path, value: "batch.SuccessPolicy{...}", "requires indexed completion mode")]
        }
        var errors: FieldErrorList = []
        let rulesPath = path.child("rules")
        if policy.rules.isEmpty {
            errors.append(.required(rulesPath, "at least one rules must be specified when the successPolicy is specified"))
        }
        if policy.rules.count > 20 { errors.append(.tooMany(rulesPath, actual: policy.rules.count, max: 20)) }
        let completions = spec.completions ?? 0
        for (i, rule) in policy.rules.enumerated() {
            let rulePath = rulesPath.index(i)
            if rule.succeededCount == nil && rule.succeededIndexes == nil {
                errors.append(.required(rulePath, "at least one of succeededCount or succeededIndexes must be specified"))
            }
            var total: Int32 = 0
            if let indexes = rule.succeededIndexes {
                let indexesPath = rulePath.child("succeededIndexes")
                if indexes.utf8.count > 64 * 1024 { errors.append(.tooLong(indexesPath, maxLength: 64 * 1024)) }
                switch validateIndexesFormat(indexes, completions: completions) {
                case .success(let count): total = count
                case .failure(let message): errors.append(.invalid(indexesPath, indexes, "error parsing succeededIndexes: \(message)"))
                }
            }
            if let count = rule.succeededCount {
                let countPath = rulePath.child("succeededCount")
                errors += validateNonnegative(count, path: countPath)
                if count > completions {
                    errors.append(.invalid(countPath, count, "must be less than or equal to \(completions) (the number of specified completions)"))
                }
                if rule.succeededIndexes != nil && count > total {
                    errors.append(.invalid(countPath, count, "must be less than or equal to \(total) (the number of indexes in the specified succeededIndexes field)"))
                }
            }
        }
        return errors
    }

    /// An index list such as "1,3-5": increasing intervals of indexes below `completions`.
    /// Returns how many indexes it holds, or upstream's message.
    static func validateIndexesFormat(_ text: String, completions: Int32) -> Result<Int32, IndexesFormatError> {
        guard !text.isEmpty else { return .success(0) }
        var last: Int32?
        var total: Int32 = 0
        for fragment in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch parseIndexInterval(fragment, completions: completions) {
            case .failure(let error): return .failure(error)
            case .success(let (x, y)):
                if let last, last >= x { return .failure(IndexesFormatError("non-increasing order, previous: \(last), current: \(x)")) }
                total += y - x + 1
                last = y
            }
        }
        return .success(total)
    }

    static func parseIndexInterval(_ fragment: Substring, completions: Int32) -> Result<(Int32, Int32), IndexesFormatError> {
        let limits = fragment.split(separator: "-", omittingEmptySubsequences: false)
        if limits.count > 2 {
            return .failure(IndexesFormatError(
                "the fragment \(GoSyntax.quote(String(fragment))) violates the requirement that an index interval can have at most two parts separated by '-'"))
        }
        func index(_ text: Substring) -> Result<Int32, IndexesFormatError> {
            guard let value = Int(text) else {
                return .failure(IndexesFormatError("cannot convert string to integer for index: \(GoSyntax.quote(String(text)))"))
            }
            if value >= Int(completions) { return .failure(IndexesFormatError("too large index: \(GoSyntax.quote(String(text)))")) }
            return .success(Int32(clamping: value))
        }
        let first: Int32
        switch index(limits[0]) {
        case .failure(let error): return .failure(error)
        case .success(let value): first = value
        }
        guard limits.count == 2 else { return .success((first, first)) }
        switch index(limits[1]) {
        case .failure(let error): return .failure(error)
        case .success(let last):
            if first >= last { return .failure(IndexesFormatError("non-increasing order, previous: \(first), current: \(last)")) }
            return .success((first, last))
        }
    }

    struct IndexesFormatError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
