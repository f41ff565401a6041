import BosunRuntime

/// kube-controller-manager's controller history (`pkg/controller/history`): the snapshots of a
/// workload's pod template that StatefulSets and DaemonSets keep as ControllerRevisions, owned
/// by the workload, numbered in order of use.
///
/// A revision's `data` is a strategic merge patch that puts the template back
/// (`{"spec":{"template":{…,"$patch":"replace"}}}`), so reverting a workload to an old template
/// finds the old revision again and renumbers it rather than creating another.
public enum ControllerHistory {
    /// The label carrying a revision's own hash (`ControllerRevisionHashLabel`).
    public static let hashLabel = "controller.kubernetes.io/hash"
    /// The label on a StatefulSet's or DaemonSet's pods naming the revision they were made from:
    /// the revision's name for a StatefulSet, its hash for a DaemonSet.
    public static let podRevisionLabel = "controller-revision-hash"
    /// How many revisions beyond the live ones are kept when `revisionHistoryLimit` is unset.
    public static let defaultHistoryLimit: Int32 = 10

    /// `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays a valid name
    /// (upstream `ControllerRevisionName`).
    public static func name(prefix: String, hash: String) -> String {
        let maxPrefix = 223
        let cut = prefix.utf8.count > maxPrefix ? String(decoding: prefix.utf8.prefix(maxPrefix), as: UTF8.self) : prefix
        return cut + "-" + hash
    }

    /// The revision data that restores `template`.
    public static func templatePatch(_ template: PodTemplateSpec) -> JSONValue {
        var body = template.jsonValue()
        if case .object(var object) = body {
            object["$patch"] = .string("replace")
            body = .object(object)
        }
        return ["spec": ["template": body]]
    }

    /// The template `revision` restores, or `nil` when its data holds none.
    public static func template(in revision: ControllerRevision) -> PodTemplateSpec? {
        guard case .object(var object)? = revision.data?[path: ["spec", "template"]] else { return nil }
        object["$patch"] = nil
        return try? PodTemplateSpec(json: .object(object))
    }

    /// A revision of `owner` holding `data` (upstream `NewControllerRevision`): the template's
    /// labels plus ``hashLabel``, owned by `owner` as its controller, named
    /// `<owner>-<hash of data and collisionCount>`, in the owner's namespace.
    public static func newRevision(
        of owner: some Resource, templateLabels: [String: String]?, data: JSONValue, revision: Int64, collisionCount: Int32?
    ) -> ControllerRevision {
        let hash = RevisionHash.revision(data: data, collisionCount: collisionCount)
        var labels = templateLabels ?? [:]
        labels[hashLabel] = hash
        return ControllerRevision(
            metadata: ObjectMeta(
                labels: labels, name: name(prefix: owner.name, hash: hash), namespace: owner.metadata.namespace,
                ownerReferences: [owner.controllerReference]),
            revision: revision, data: data)
    }

    /// Oldest first: by revision number, then creation time, then name (upstream
    /// `SortControllerRevisions`).
    public static func sorted(_ revisions: [ControllerRevision]) -> [ControllerRevision] {
        revisions.sorted { a, b in
            if a.revision != b.revision { return a.revision < b.revision }
            let createdA = a.metadata.creationTimestamp ?? .zero, createdB = b.metadata.creationTimestamp ?? .zero
            if createdA != createdB { return createdA < createdB }
            return a.name < b.name
        }
    }

    /// Whether two revisions restore the same state: equal hash labels (when both carry one) and
    /// equal data (upstream `EqualRevision`).
    public static func equal(_ a: ControllerRevision, _ b: ControllerRevision) -> Bool {
        if let hashA = a.metadata.labels?[hashLabel], let hashB = b.metadata.labels?[hashLabel], hashA != hashB { return false }
        return a.data == b.data
    }

    /// The revisions of `revisions` equal to `needle`, in their order (upstream `FindEqualRevisions`).
    public static func equalRevisions(_ revisions: [ControllerRevision], to needle: ControllerRevision) -> [ControllerRevision] {
        revisions.filter { equal($0, needle) }
    }

    /// One past the highest revision number of `sorted` (oldest first), or 1 (upstream `nextRevision`).
    public static func nextRevision(_ sorted: [ControllerRevision]) -> Int64 {
        (sorted.last?.revision ?? 0) + 1
    }
}
