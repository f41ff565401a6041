import BosunKit
import BosunRuntime

/// Keeps, for each Widget, a ConfigMap of the same name holding its message. The ConfigMap is
/// owned by the Widget, so the garbage collector deletes it with the Widget.
public enum WidgetController {
    public static let name = "widget"

    /// Registers the controller: it reconciles every Widget and is woken by changes to the
    /// ConfigMaps it owns.
    public static func register(with manager: Manager) throws {
        _ = try manager.controller(for: Widget.self)
            .named(name)
            .owns(ConfigMap.self)
            .reconcile(reconcile)
    }

    /// Level-triggered: reads what is there and makes it match, so it is safe to repeat.
    public static func reconcile(_ widget: Widget, _ context: ReconcileContext) async throws -> ReconcileResult {
        let client = context.client
        let data = ["message": widget.spec.message]
        if var current = try await client.getIfPresent(ConfigMap.self, namespace: widget.namespace, name: widget.name) {
            guard current.isControlled(by: widget) else {
                context.events.event(for: widget, type: .warning, reason: "ConfigMapExists",
                                     message: "ConfigMap \(widget.name) exists and is not owned by this widget")
                return .done
            }
            if current.data != data {
                current.data = data
                _ = try await client.update(current)
            }
        } else {
            _ = try await client.create(ConfigMap(
                metadata: ObjectMeta(name: widget.name, namespace: widget.namespace, ownerReferences: [widget.controllerReference]),
                data: data))
            context.events.event(for: widget, type: .normal, reason: "Created", message: "Created ConfigMap \(widget.name)")
        }
        if widget.status?.observedGeneration != widget.metadata.generation {
            var updated = widget
            updated.status = Widget.Status(observedGeneration: widget.metadata.generation)
            _ = try await client.updateStatus(updated)
        }
        return .done
    }
}
