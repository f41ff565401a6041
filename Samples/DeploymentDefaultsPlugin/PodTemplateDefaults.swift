import BosunKit

/// Annotates the pod template of every Deployment written with who defaulted it, unless the
/// user set the annotation. Idempotent, as a mutating hook must be: an update runs it again.
public struct PodTemplateDefaults: MutatingAdmissionHook {
    public static let annotation = "samples.bosun.dev/defaulted-by"
    public static let value = "deployment-defaults"

    public var name: String { "deployment-defaults.samples.bosun.dev" }

    public init() {}

    public func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.kind.group == "apps" && request.kind.kind == "Deployment" && request.subresource == nil
            && request.operation != .delete
    }

    public func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied) {
        var deployment: Deployment
        do { deployment = try Deployment(json: .object(object.object)) } catch {
            throw AdmissionDenied("deployment-defaults cannot read the Deployment: \(error)")
        }
        var annotations = deployment.spec.template.metadata?.annotations ?? [:]
        guard annotations[Self.annotation] == nil else { return }
        annotations[Self.annotation] = Self.value
        var metadata = deployment.spec.template.metadata ?? ObjectMeta()
        metadata.annotations = annotations
        deployment.spec.template.metadata = metadata
        guard let json = deployment.jsonValue().objectValue else { return }
        object = UnstructuredObject(json)
    }
}
