// The gang-scheduling sample: scheduler-plugins' coscheduling on Bosun's scheduler framework.
// This module holds all of it; the GangScheduling module wraps it as the plugin library
// (libGangScheduling.so). See docs/gang-scheduling.md.

import BosunKit
import BosunPlugin
import BosunRuntime
import BosunScheduler

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
