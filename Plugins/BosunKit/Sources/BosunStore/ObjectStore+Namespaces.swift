import BosunKit

/// Namespaces' lifecycle as kube-apiserver's namespace storage keeps it. A new namespace gets
/// the `kubernetes` finalizer in `spec.finalizers`; deleting it sets it `Terminating`, and it
/// goes only once every `spec.finalizers` entry has been removed through the `finalize`
/// subresource (by kube-controller-manager's namespace controller, after it emptied the
/// namespace) and its `metadata.finalizers` are gone too.
extension ObjectStore {
    static let namespaces = GroupResource(group: "", resource: "namespaces")
    /// The finalizer the namespace controller removes once the namespace is empty.
    static let kubernetesFinalizer = "kubernetes"

    /// A namespace's `spec.finalizers`.
    static func specFinalizers(of namespace: JSONObject) -> [String] {
        (try? [String](json: namespace[path: ["spec", "finalizers"]] ?? .null)) ?? []
    }

    /// The namespace strategy's rule for updates of the main resource: `spec.finalizers` stays
    /// as stored; only `/finalize` changes it (and `/finalize`, like every write but `/status`,
    /// keeps the stored status).
    static func keepSpecFinalizers(_ object: inout JSONObject, old: JSONObject) {
        var spec = object["spec"]?.objectValue ?? JSONObject()
        spec["finalizers"] = old[path: ["spec", "finalizers"]]
        object["spec"] = .object(spec)
    }

    /// On create a namespace always carries the `kubernetes` finalizer, after any it asked for.
    static func addKubernetesFinalizer(_ namespace: inout JSONObject) {
        var finalizers = specFinalizers(of: namespace)
        guard !finalizers.contains(kubernetesFinalizer) else { return }
        finalizers.append(kubernetesFinalizer)
        var spec = namespace["spec"]?.objectValue ?? JSONObject()
        spec["finalizers"] = finalizers.jsonValue()
        namespace["spec"] = .object(spec)
    }
}
