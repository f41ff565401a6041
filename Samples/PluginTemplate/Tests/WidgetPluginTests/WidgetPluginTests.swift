import BosunKit
import BosunRuntime
import Testing
import WidgetPlugin

/// The controller against an in-process control plane: a real store and manager, no server.
@Suite("Widget")
struct WidgetPluginTests {
    @Test("a widget gets a ConfigMap holding its message, which follows it")
    func keepsConfigMap() async throws {
        let env = try await TestEnvironment.start()
        _ = try await env.api.create(Widget.definition)
        try WidgetController.register(with: env.manager)
        env.startManager()

        let widget = try await env.api.create(Widget(
            metadata: ObjectMeta(name: "hello", namespace: "default"), spec: Widget.Spec(message: "hello, world")))
        try await env.waitUntil("the ConfigMap holds the message") {
            try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "hello")?.data == ["message": "hello, world"]
        }
        let configMap = try await env.api.get(ConfigMap.self, namespace: "default", name: "hello")
        #expect(configMap.metadata.ownerReferences?.first?.uid == widget.metadata.uid)

        // The controller writes the widget's status meanwhile: an update from a stale read gets
        // a Conflict, and the usual answer is to read again and retry.
        try await env.waitUntil("the message is changed") {
            var changed = try await env.api.get(Widget.self, namespace: "default", name: "hello")
            changed.spec.message = "goodbye"
            do {
                _ = try await env.api.update(changed)
                return true
            } catch let error as APIError where error.reason == .conflict {
                return false
            }
        }
        try await env.waitUntil("the ConfigMap follows") {
            try await env.api.get(ConfigMap.self, namespace: "default", name: "hello").data == ["message": "goodbye"]
        }
        await env.stopManager()
    }
}
