import BosunRuntime

/// Turns what a namespace deletion pass met into the namespace's conditions, as upstream's
/// `namespaceConditionUpdater`: each of the five condition types is True with what went wrong,
/// or False with its "all is well" reason and message.
struct NamespaceConditionUpdater {
    static let discoveryFailure = "NamespaceDeletionDiscoveryFailure"
    static let groupVersionParsingFailure = "NamespaceDeletionGroupVersionParsingFailure"
    static let contentFailure = "NamespaceDeletionContentFailure"
    static let contentRemaining = "NamespaceContentRemaining"
    static let finalizersRemaining = "NamespaceFinalizersRemaining"

    /// The condition types, in the order they are written.
    static let types = [discoveryFailure, groupVersionParsingFailure, contentFailure, contentRemaining, finalizersRemaining]

    static let okReasons = [
        discoveryFailure: "ResourcesDiscovered",
        groupVersionParsingFailure: "ParsedGroupVersions",
        contentFailure: "ContentDeleted",
        contentRemaining: "ContentRemoved",
        finalizersRemaining: "ContentRemoved",
    ]

    static let okMessages = [
        discoveryFailure: "All resources successfully discovered",
        groupVersionParsingFailure: "All legacy kube types successfully parsed",
        contentFailure: "All content successfully deleted, may be waiting on finalization",
        contentRemaining: "All content successfully removed",
        finalizersRemaining: "All content successfully removed",
    ]

    private var failures: [String: (reason: String, message: String)] = [:]
    private var deleteContentErrors: [String] = []

    mutating func discoveryFailed(_ error: any Error) {
        failures[Self.discoveryFailure] = ("DiscoveryFailed", "\(error)")
    }

    mutating func deleteContentFailed(_ error: String) {
        deleteContentErrors.append(error)
    }

    mutating func contentRemaining(_ remaining: ContentRemaining) {
        if !remaining.byResource.isEmpty {
            let resources = remaining.byResource.filter { $0.value > 0 }
                .map { "\($0.key.plural).\($0.key.group) has \($0.value) resource instances" }.sorted()
            failures[Self.contentRemaining] = ("SomeResourcesRemain", "Some resources are remaining: " + resources.joined(separator: ", "))
        }
        if !remaining.byFinalizer.isEmpty {
            let finalizers = remaining.byFinalizer.filter { $0.value > 0 }
                .map { "\($0.key) in \($0.value) resource instances" }.sorted()
            failures[Self.finalizersRemaining] = ("SomeFinalizerRemain", "Some finalizers are remaining: " + finalizers.joined(separator: ", "))
        }
    }

    /// Writes the conditions into `status`; returns whether any changed. A condition's
    /// transition time moves only when its status does.
    func update(_ status: inout NamespaceStatus, now: Time) -> Bool {
        var failures = failures
        if failures[Self.contentFailure] == nil, !deleteContentErrors.isEmpty {
            let messages = deleteContentErrors.sorted()
            failures[Self.contentFailure] = (
                "ContentDeletionFailed",
                "Failed to delete all resource types, \(messages.count) remaining: " + messages.joined(separator: ", "))
        }
        let now = now.truncatedToSeconds
        var conditions = status.conditions ?? []
        var changed = false
        for type in Self.types {
            let wanted = failures[type].map { NamespaceCondition(status: "True", type: type, message: $0.message, reason: $0.reason) }
                ?? NamespaceCondition(status: "False", type: type, message: Self.okMessages[type], reason: Self.okReasons[type])
            guard let index = conditions.firstIndex(where: { $0.type == type }) else {
                var added = wanted
                added.lastTransitionTime = now
                conditions.append(added)
                changed = true
                continue
            }
            let old = conditions[index]
            guard old.status != wanted.status || old.message != wanted.message || old.reason != wanted.reason else { continue }
            var replaced = wanted
            replaced.lastTransitionTime = old.status != wanted.status ? now : old.lastTransitionTime
            conditions[index] = replaced
            changed = true
        }
        status.conditions = conditions
        return changed
    }
}
