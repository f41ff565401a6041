import BosunKit
import BosunNodes
import BosunRuntime
import BosunScheduler
import Synchronization

/// What a plugin asks the host to add. The registrar only records: the host checks the whole
/// set against every other plugin (two plugins claiming one kind or one hook name are refused)
/// and applies it only if the plugin's ``BosunPlugin/register(_:)`` returned without throwing.
public final class PluginRegistrar: Sendable {
    /// A custom resource kind: its definition, and the Swift type that decodes it, if any.
    public struct CustomKind: Sendable {
        public var definition: CustomResourceDefinition
        public var type: (any Resource.Type)?
        /// `plural.group`, the name of the CustomResourceDefinition.
        public var name: String { definition.metadata.name ?? "" }
    }

    /// A controller: its name and how to build it on the host's manager.
    public struct ControllerRegistration: Sendable {
        public var name: String
        public var build: @Sendable (Manager) throws -> Void
    }

    /// A plugin for the default scheduler profile, with its Score weight. It is made once the
    /// scheduler's ``FrameworkHandle`` exists (upstream `PluginFactory`), so that it can reach the
    /// pods waiting at Permit and activate pods.
    public struct SchedulerPluginRegistration: Sendable {
        public typealias Factory = @Sendable (FrameworkHandle) throws -> any SchedulerPlugin

        /// The plugin's ``SchedulerPlugin/name``; the host checks that the made plugin has it.
        public var name: String
        public var weight: Int64?
        /// Whether the plugin is the profile's QueueSort in place of `PrioritySort` (it must
        /// conform to ``QueueSortPlugin``); one plugin at most may be.
        public var sortsQueue: Bool
        public var make: Factory
    }

    /// Everything a plugin registered.
    public struct Registrations: Sendable {
        public var customKinds: [CustomKind] = []
        public var controllers: [ControllerRegistration] = []
        public var schedulerPlugins: [SchedulerPluginRegistration] = []
        public var mutatingHooks: [any MutatingAdmissionHook] = []
        public var validatingHooks: [any ValidatingAdmissionHook] = []
        public var nodeRuntimes: [any NodeRuntime] = []
    }

    /// The name of the plugin registering.
    public let pluginName: String
    private let recorded = Mutex(Registrations())

    public init(pluginName: String) {
        self.pluginName = pluginName
    }

    /// What has been registered so far.
    public var registrations: Registrations { recorded.withLock { $0 } }

    /// Serves a custom resource kind from its CustomResourceDefinition. The host creates the
    /// definition (or updates one left by an earlier run) before any controller starts.
    public func addCustomResource(_ definition: CustomResourceDefinition) throws {
        guard let name = definition.metadata.name, !name.isEmpty else {
            throw PluginRegistrationError("plugin \(pluginName): a CustomResourceDefinition needs metadata.name (plural.group)")
        }
        recorded.withLock { $0.customKinds.append(CustomKind(definition: definition, type: nil)) }
    }

    /// Serves `type`'s kind from `definition` and lets clients decode it as `type`. The
    /// definition must name the type's group, kind and plural.
    public func addCustomResource<R: CustomResource>(_ type: R.Type, definition: CustomResourceDefinition) throws {
        let d = R.resource
        let spec = definition.spec
        guard spec.group == d.group, spec.names.kind == d.kind, spec.names.plural == d.plural,
              definition.metadata.name == d.groupResource
        else {
            throw PluginRegistrationError(
                "plugin \(pluginName): the CustomResourceDefinition \(definition.metadata.name ?? "") does not serve \(d.kind) "
                    + "(\(d.groupResource)): its metadata.name, group, names.kind and names.plural must match the type's resource")
        }
        recorded.withLock { $0.customKinds.append(CustomKind(definition: definition, type: type)) }
    }

    /// Adds a controller, built on the host's manager with its ``ControllerBuilder`` when the
    /// plugin is applied: `registrar.addController("cm-gen") { try $0.controller(for: X.self)...reconcile(...) }`.
    public func addController(_ name: String, _ build: @escaping @Sendable (Manager) throws -> Void) {
        recorded.withLock { $0.controllers.append(ControllerRegistration(name: name, build: build)) }
    }

    /// Adds `plugin` to the default scheduler profile, before the binder; it serves every
    /// extension point whose protocol it conforms to. `weight` applies if it scores.
    public func addSchedulerPlugin(_ plugin: any SchedulerPlugin, weight: Int64? = nil) {
        addSchedulerPlugin(named: plugin.name, weight: weight) { _ in plugin }
    }

    /// Adds the plugin `make` builds from the scheduler's handle (as kube-scheduler's plugin
    /// factories do) to the default profile, before the binder. With `sortsQueue`, the plugin
    /// also replaces `PrioritySort` as the profile's QueueSort (gang scheduling keeps a group's
    /// pods together in the active queue this way); a second plugin asking for that is refused.
    public func addSchedulerPlugin(
        named name: String, weight: Int64? = nil, sortsQueue: Bool = false,
        _ make: @escaping SchedulerPluginRegistration.Factory
    ) {
        recorded.withLock {
            $0.schedulerPlugins.append(SchedulerPluginRegistration(name: name, weight: weight, sortsQueue: sortsQueue, make: make))
        }
    }

    /// Adds a mutating admission hook; it may apply to any kind, built-in ones included.
    public func addMutatingHook(_ hook: any MutatingAdmissionHook) {
        recorded.withLock { $0.mutatingHooks.append(hook) }
    }

    /// Adds a validating admission hook; it may apply to any kind, built-in ones included.
    public func addValidatingHook(_ hook: any ValidatingAdmissionHook) {
        recorded.withLock { $0.validatingHooks.append(hook) }
    }

    /// Adds a node runtime: the Nodes labelled `bosun.dev/runtime=<its name>` become its nodes.
    public func addNodeRuntime(_ runtime: any NodeRuntime) {
        recorded.withLock { $0.nodeRuntimes.append(runtime) }
    }
}

/// A registration the registrar refuses.
public struct PluginRegistrationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
