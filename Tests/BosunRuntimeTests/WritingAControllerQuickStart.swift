// The quick start of docs/writing-a-controller.md, with exactly the imports the page shows;
// WritingAControllerTests.swift runs it. Change both together.

import BosunRuntime

struct Greeting: CustomResource {
    static let resource = ResourceDescriptor(
        group: "example.com", version: "v1", kind: "Greeting", plural: "greetings", namespaced: true)
    var metadata = ObjectMeta()
    var spec = Spec()
    struct Spec: Codable, Hashable, Sendable { var message = "" }
}

func registerGreetings(with manager: Manager) throws {
    try manager.controller(for: Greeting.self)
        .owns(ConfigMap.self)
        .reconcile { greeting, context in
            let data = ["message": greeting.spec.message]
            let client = context.client
            if var configMap = try await client.getIfPresent(ConfigMap.self, namespace: greeting.namespace, name: greeting.name) {
                guard configMap.data != data else { return .done }
                configMap.data = data
                _ = try await client.update(configMap)
            } else {
                _ = try await client.create(ConfigMap(
                    metadata: ObjectMeta(name: greeting.name, namespace: greeting.namespace,
                                         ownerReferences: [greeting.controllerReference]),
                    data: data))
            }
            context.events.event(for: greeting, type: .normal, reason: "Synced", message: "ConfigMap \(greeting.name) written")
            return .done
        }
}

let greetingCRD = CustomResourceDefinition(
    metadata: ObjectMeta(name: "greetings.example.com"),
    spec: CustomResourceDefinitionSpec(
        group: "example.com", names: CustomResourceDefinitionNames(kind: "Greeting", plural: "greetings"),
        scope: "Namespaced",
        versions: [CustomResourceDefinitionVersion(
            name: "v1", served: true, storage: true,
            schema: CustomResourceValidation(
                openAPIV3Schema: JSONSchemaProps(type: "object", xKubernetesPreserveUnknownFields: true)))]))
