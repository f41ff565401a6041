import BosunKit
import Synchronization

/// Serving custom resources from their CustomResourceDefinitions.
enum CRDRegistration {
    static let resource = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")

    /// Set for good once a CRD names a built-in resource (in any store of the process): from
    /// then on, lookups of built-in resources go through each store's table.
    static let claimedBuiltin = Atomic(false)

    /// One served resource per served version of the CRD.
    static func servedResources(for crd: CustomResourceDefinition) -> [ServedResource] {
        let names = crd.spec.names
        if ServedResource.builtins[GroupResource(group: crd.spec.group, resource: names.plural)] != nil {
            claimedBuiltin.store(true, ordering: .releasing)
        }
        return crd.spec.versions.filter(\.served).map { version in
            var subresources: [String] = []
            if version.subresources?.status != nil { subresources.append("status") }
            if version.subresources?.scale != nil { subresources.append("scale") }
            let descriptor = ResourceDescriptor(
                group: crd.spec.group, version: version.name, kind: names.kind, plural: names.plural,
                singular: names.singular ?? names.kind.lowercased(), namespaced: crd.spec.scope == "Namespaced",
                shortNames: names.shortNames ?? [], categories: names.categories ?? [], subresources: subresources)
            let scale = version.subresources?.scale.map { scale in
                ServedResource.ScalePaths(
                    specReplicas: ServedResource.ScalePaths.path(scale.specReplicasPath),
                    statusReplicas: ServedResource.ScalePaths.path(scale.statusReplicasPath),
                    labelSelector: scale.labelSelectorPath.map(ServedResource.ScalePaths.path))
            }
            return ServedResource(descriptor: descriptor, builtinType: nil, customSchema: CustomResourceSchema(version.schema),
                                  scalePaths: scale)
        }
    }
}

/// Admission for custom resources, as apiextensions-apiserver does it: on decode, fields the
/// schema does not declare are pruned and schema defaults applied; then object metadata and the
/// schema are validated.
enum CustomResourceAdmission {
    static func defaulted(_ object: JSONObject, served: ServedResource) -> JSONObject {
        guard let schema = served.customSchema else { return object }
        return schema.normalize(.object(object)).objectValue ?? object
    }

    static func validate(_ object: JSONObject, old: JSONObject?, served: ServedResource) -> FieldErrorList {
        let meta = (try? ObjectMeta(json: object["metadata"] ?? .null)) ?? ObjectMeta()
        var errors: FieldErrorList
        if let old {
            let oldMeta = (try? ObjectMeta(json: old["metadata"] ?? .null)) ?? ObjectMeta()
            errors = Validation.validateObjectMetaUpdate(meta, old: oldMeta)
        } else {
            errors = Validation.validateObjectMeta(meta, namespaced: served.descriptor.namespaced)
        }
        if let schema = served.customSchema { errors += schema.validate(.object(object)) }
        return errors
    }
}
