import BosunKit

/// The served resources arranged as discovery presents them: the core group, then the named
/// groups in kube-apiserver's order, each with its versions in preference order.
struct ServedGroups: Sendable {
    struct Version: Sendable {
        var version: String
        var resources: [ResourceDescriptor]
    }

    struct Group: Sendable {
        var name: String
        /// Most preferred first.
        var versions: [Version]
        var preferred: Version { versions[0] }
    }

    /// The core group (`/api`), if anything in it is served.
    var core: Group?
    /// The named groups (`/apis`).
    var groups: [Group]

    init(_ descriptors: [ResourceDescriptor]) {
        var byGroup: [String: [String: [ResourceDescriptor]]] = [:]
        for d in descriptors { byGroup[d.group, default: [:]][d.version, default: []].append(d) }
        var all: [Group] = []
        for (name, versions) in byGroup {
            let ordered = versions.keys.sorted(by: Self.versionPrecedes).map { v in
                Version(version: v, resources: versions[v]!.sorted { $0.plural < $1.plural })
            }
            all.append(Group(name: name, versions: ordered))
        }
        core = all.first { $0.name.isEmpty }
        groups = all.filter { !$0.name.isEmpty }.sorted { Self.groupPrecedes($0.name, $1.name) }
    }

    func group(_ name: String) -> Group? {
        name.isEmpty ? core : groups.first { $0.name == name }
    }

    func version(group: String, version: String) -> Version? {
        self.group(group)?.versions.first { $0.version == version }
    }

    /// kube-apiserver's order of its own groups in `/apis` (the aggregator's group priorities);
    /// other groups, custom resources' among them, follow alphabetically.
    static let builtinGroupOrder = [
        "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
        "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
        "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io",
    ]

    static func groupPrecedes(_ a: String, _ b: String) -> Bool {
        let ia = builtinGroupOrder.firstIndex(of: a) ?? Int.max
        let ib = builtinGroupOrder.firstIndex(of: b) ?? Int.max
        return ia != ib ? ia < ib : a < b
    }

    /// Kubernetes' version priority (`version.CompareKubeAwareVersionStrings`): GA before beta
    /// before alpha, higher numbers first within each; versions not of that shape come last,
    /// alphabetically.
    static func versionPrecedes(_ a: String, _ b: String) -> Bool {
        switch (KubeVersion(a), KubeVersion(b)) {
        case let (x?, y?): return x.precedes(y)
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }
}

/// `v<major>[(alpha|beta)<minor>]`.
private struct KubeVersion {
    var major: Int
    /// 2 for GA, 1 for beta, 0 for alpha.
    var stability: Int
    var minor: Int

    init?(_ text: String) {
        guard text.hasPrefix("v") else { return nil }
        let rest = text.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let major = Int(digits), major > 0 else { return nil }
        self.major = major
        let tail = rest.dropFirst(digits.count)
        if tail.isEmpty {
            stability = 2
            minor = 0
            return
        }
        let label: Substring
        if tail.hasPrefix("beta") { (stability, label) = (1, tail.dropFirst(4)) } else if tail.hasPrefix("alpha") {
            (stability, label) = (0, tail.dropFirst(5))
        } else { return nil }
        guard let minor = Int(label), minor > 0 else { return nil }
        self.minor = minor
    }

    func precedes(_ other: KubeVersion) -> Bool {
        if stability != other.stability { return stability > other.stability }
        if major != other.major { return major > other.major }
        return minor > other.minor
    }
}
