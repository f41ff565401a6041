// The gang-scheduling sample plugin: scheduler-plugins' coscheduling on Bosun's scheduler
// framework. Built as libGangScheduling.so; load it with `bosun up --plugin PATH`.
// See docs/gang-scheduling.md.

import BosunKit
import BosunPlugin
import BosunRuntime
import BosunScheduler

/// The plugin the host instantiates: it serves the PodGroup kind, runs the PodGroup controller
/// and adds ``Coscheduling`` to the default scheduler profile as its QueueSort too.
public struct GangSchedulingPlugin: BosunPlugin {
    public static let descriptor = PluginInfo(name: "gang-scheduling", version: "0.1.0")

    public init() {}

    public func register(_ registrar: PluginRegistrar) throws {
        try GangScheduling().register(registrar)
    }
}

/// One gang scheduler: the state its scheduler plugin and its controller share.
public final class GangScheduling: Sendable {
    public let state = GangState()
    public let arguments: CoschedulingArguments

    public init(arguments: CoschedulingArguments = CoschedulingArguments()) {
        self.arguments = arguments
    }

    /// Registers the kind, the controller and the scheduler plugin with a plugin host.
    public func register(_ registrar: PluginRegistrar) throws {
        try registrar.addCustomResource(PodGroup.self, definition: PodGroup.customResourceDefinition)
        registrar.addController(PodGroupController.name) { manager in
            try self.registerController(with: manager)
        }
        registrar.addSchedulerPlugin(named: Coscheduling.pluginName, sortsQueue: true) { handle in
            self.schedulerPlugin(handle: handle)
        }
    }

    /// The PodGroup controller on `manager` (it also feeds the state the scheduler plugin reads).
    public func registerController(with manager: Manager) throws {
        try PodGroupController.register(with: manager, state: state)
    }

    /// The scheduler plugin for the scheduler whose handle this is; one per scheduler.
    public func schedulerPlugin(handle: FrameworkHandle) -> Coscheduling {
        state.attach(handle)
        return Coscheduling(state: state, handle: handle, arguments: arguments)
    }
}

/// The one C symbol the host looks up.
@_cdecl("bosun_plugin_entry")
public func bosunPluginEntry() -> UnsafeRawPointer {
    BosunPluginEntry.descriptor(for: GangSchedulingPlugin.self)
}
