import BosunKit
import BosunNodes
import BosunPlugin
import BosunScheduler

/// Who claimed what among the plugins loaded so far: a kind, a hook name, a node runtime, a
/// scheduler plugin or a controller name belongs to one plugin.
struct PluginClaims {
    private var owners: [String: String] = [:]

    /// Records every claim of `r`, or none if one is taken already (or claimed twice by `r`).
    mutating func claim(_ r: PluginRegistrar.Registrations, by library: PluginLibrary) throws(PluginLoadError) {
        let wanted = r.customKinds.map { "kind \($0.name)" }
            + (r.mutatingHooks.map(\.name) + r.validatingHooks.map(\.name)).map { "admission hook \"\($0)\"" }
            + r.nodeRuntimes.map { "node runtime \"\($0.name)\"" }
            + r.schedulerPlugins.map { "scheduler plugin \"\($0.name)\"" }
            + (r.schedulerPlugins.contains { $0.sortsQueue } ? ["the scheduler's QueueSort"] : [])
            + r.controllers.map { "controller \"\($0.name)\"" }
        var mine = Set<String>()
        for claim in wanted {
            if let owner = owners[claim] {
                throw PluginLoadError(
                    path: library.path, plugin: library.info.name, reason: .conflict,
                    message: "\(claim) is already claimed by plugin \"\(owner)\"; load only one of the two, or rename one")
            }
            guard mine.insert(claim).inserted else {
                throw PluginLoadError(path: library.path, plugin: library.info.name, reason: .conflict,
                                      message: "it registers \(claim) twice")
            }
        }
        for claim in mine { owners[claim] = library.info.name }
    }

    /// Gives up every claim of the plugin named `plugin` (it is unloading).
    mutating func release(_ plugin: String) {
        owners = owners.filter { $0.value != plugin }
    }
}
