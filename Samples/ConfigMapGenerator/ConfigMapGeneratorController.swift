import BosunRuntime

/// Registers the ConfigMapGenerator controller with `manager`: it reconciles every generator and
/// is woken by changes to the ConfigMaps they control. The CRD must be served before the manager
/// runs (see ``ConfigMapGenerator/installDefinition(using:)``).
@discardableResult
public func registerConfigMapGenerator(with manager: Manager) throws -> Controller {
    try manager.controller(for: ConfigMapGenerator.self)
        .owns(ConfigMap.self)
        .reconcile(ConfigMapGeneratorController.reconcile)
}

/// The reconcile of a ConfigMapGenerator, step by step:
///
/// 1. The ``finalizer`` goes on the generator before anything is created.
/// 2. A ConfigMap of the generator's name is created (controlled by the generator through an
///    ownerReference) or updated to hold `spec.content` under `spec.key`. A ConfigMap of that name
///    that the generator does not control is left alone and reported.
/// 3. `status.observedGeneration` and the `Ready` condition say what was done; they are written
///    only when they change, so the status write's own watch event ends in a no-op.
/// 4. On deletion, the cleanup deletes the ConfigMap (where a garbage collector runs it would do so
///    too, through the ownerReference) and records an event; then the finalizer comes off.
///
/// Every step reads the current state and is safe to repeat: the controller is level-triggered.
public enum ConfigMapGeneratorController {
    public static let finalizer = Finalizer("samples.bosun.dev/cleanup")

    /// Event reasons this controller records.
    public enum Reason {
        public static let created = "Created"
        public static let updated = "Updated"
        public static let conflict = "ConfigMapExists"
        public static let cleanedUp = "CleanedUp"
    }

    public static func reconcile(_ generator: ConfigMapGenerator, _ context: ReconcileContext) async throws -> ReconcileResult {
        let outcome = try await finalizer.reconcile(generator, client: context.client) { generator in
            try await apply(generator, context)
        } cleanup: { generator in
            try await cleanup(generator, context)
        }
        return outcome.value ?? .done
    }

    /// Makes the ConfigMap match the generator, then reports it in the status.
    static func apply(_ generator: ConfigMapGenerator, _ context: ReconcileContext) async throws -> ReconcileResult {
        let client = context.client
        let data = [generator.configMapKey: generator.spec.content]
        switch try await client.getIfPresent(ConfigMap.self, namespace: generator.namespace, name: generator.name) {
        case nil:
            let configMap = ConfigMap(
                metadata: ObjectMeta(
                    name: generator.name, namespace: generator.namespace,
                    ownerReferences: [generator.controllerReference]),
                data: data)
            _ = try await client.create(configMap)
            context.logger.info("created ConfigMap")
            context.events.event(
                for: generator, type: .normal, reason: Reason.created, message: "Created ConfigMap \(generator.name)")
        case let current? where !current.isControlled(by: generator):
            let message = "ConfigMap \(generator.name) exists and is not controlled by this generator"
            context.events.event(for: generator, type: .warning, reason: Reason.conflict, message: message)
            try await writeStatus(of: generator, ready: false, reason: Reason.conflict, message: message, context)
            // Nothing wakes this controller when a ConfigMap it does not control goes away: look again later.
            return .requeue(after: .seconds(60))
        case var current? where current.data != data:
            current.data = data
            _ = try await client.update(current)
            context.logger.info("updated ConfigMap")
            context.events.event(
                for: generator, type: .normal, reason: Reason.updated, message: "Updated ConfigMap \(generator.name)")
        case .some:
            break
        }
        try await writeStatus(
            of: generator, ready: true, reason: "ConfigMapSynced",
            message: "ConfigMap \(generator.name) holds the content under \"\(generator.configMapKey)\"", context)
        return .done
    }

    /// Deletes the ConfigMap if this generator controls it. May run more than once for one
    /// generator, so a ConfigMap that is gone already is success.
    static func cleanup(_ generator: ConfigMapGenerator, _ context: ReconcileContext) async throws -> ReconcileResult {
        let client = context.client
        if let configMap = try await client.getIfPresent(ConfigMap.self, namespace: generator.namespace, name: generator.name),
           configMap.isControlled(by: generator) {
            do {
                try await client.delete(configMap)
            } catch let error as APIError where error.code == 404 {
                // Gone already: what cleanup wants.
            }
        }
        context.logger.info("cleaned up")
        context.events.event(
            for: generator, type: .normal, reason: Reason.cleanedUp, message: "Deleted ConfigMap \(generator.name)")
        return .done
    }

    /// Writes `status.observedGeneration` and the `Ready` condition, if they changed.
    static func writeStatus(
        of generator: ConfigMapGenerator, ready: Bool, reason: String, message: String, _ context: ReconcileContext
    ) async throws {
        var status = generator.status ?? ConfigMapGenerator.Status()
        status.observedGeneration = generator.metadata.generation
        var conditions = status.conditions ?? []
        conditions.set(
            Condition(message: message, reason: reason, status: ready ? "True" : "False", type: "Ready",
                      observedGeneration: generator.metadata.generation),
            now: context.clock.now())
        status.conditions = conditions
        guard status != generator.status else { return }
        var updated = generator
        updated.status = status
        _ = try await context.client.updateStatus(updated)
    }
}
