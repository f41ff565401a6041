import BosunKit
import BosunPlugin
import BosunPluginHost
import BosunRuntime
import BosunScheduler
import Testing

/// A QueueSort that keeps the handle it was made with: first in, first out.
struct FifoSort: QueueSortPlugin {
    static let pluginName = "FifoSort"
    var name: String { Self.pluginName }
    let handle: FrameworkHandle
    func less(_ a: QueuedPodInfo, _ b: QueuedPodInfo) -> Bool { a.timestamp < b.timestamp }
}

/// Registers FifoSort, made from the scheduler's handle, as the profile's QueueSort.
struct FifoPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "fifo", version: "1.0.0")
    func register(_ registrar: PluginRegistrar) throws {
        registrar.addSchedulerPlugin(named: FifoSort.pluginName, sortsQueue: true) { FifoSort(handle: $0) }
    }
}

/// Wants to sort the queue too, under another plugin name.
struct RivalSortPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "rival-sort", version: "1.0.0")
    func register(_ registrar: PluginRegistrar) throws {
        registrar.addSchedulerPlugin(named: "OtherSort", sortsQueue: true) { _ in PrioritySort() }
    }
}

/// Registers a plugin under a name that is not the plugin's.
struct MisnamedPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "misnamed", version: "1.0.0")
    func register(_ registrar: PluginRegistrar) throws {
        registrar.addSchedulerPlugin(named: "Expected") { FifoSort(handle: $0) }
    }
}

/// Scheduler plugins made by factories from the scheduler's handle, and the QueueSort a plugin
/// may replace.
@Suite("Scheduler plugin registration")
struct SchedulerPluginRegistrationTests {
    @Test("a factory gets the scheduler's handle, and sortsQueue makes the plugin the QueueSort")
    func factoryAndQueueSort() async throws {
        let env = try await TestEnvironment.start()
        let report = await PluginRegistrationTests.install([PluginRegistrationTests.opened(FifoPlugin.self)], in: env)
        #expect(report.failures.isEmpty)
        #expect(report.loaded.map(\.schedulerPlugins) == [[FifoSort.pluginName]])
        let handle = FrameworkHandle(clock: env.clock)
        let profile = try report.schedulerProfile(handle: handle, bind: { _, _ in })
        let sort = try #require(profile.queueSort as? FifoSort)
        #expect(sort.handle === handle)
        #expect(profile.plugins.contains { $0.name == FifoSort.pluginName })
    }

    @Test("without a plugin asking, the QueueSort stays PrioritySort")
    func defaultQueueSort() throws {
        let profile = try PluginLoadReport().schedulerProfile(handle: FrameworkHandle(clock: ManualClock()), bind: { _, _ in })
        #expect(profile.queueSort.name == PrioritySort.pluginName)
    }

    @Test("two plugins asking to sort the queue: the second is refused")
    func queueSortConflict() async throws {
        let env = try await TestEnvironment.start()
        let report = await PluginRegistrationTests.install(
            [PluginRegistrationTests.opened(FifoPlugin.self), PluginRegistrationTests.opened(RivalSortPlugin.self)], in: env)
        #expect(report.loaded.map(\.info.name) == ["fifo"])
        #expect(report.failures.map(\.description) == [
            "plugin \"rival-sort\" (in-test/rival-sort): the scheduler's QueueSort is already claimed by plugin \"fifo\"; load only one of the two, or rename one",
        ])
    }

    @Test("a plugin made under another name than it registered is refused when the profile is built")
    func misnamed() async throws {
        let env = try await TestEnvironment.start()
        let report = await PluginRegistrationTests.install([PluginRegistrationTests.opened(MisnamedPlugin.self)], in: env)
        #expect(throws: PluginRegistrationError.self) {
            try report.schedulerProfile(handle: FrameworkHandle(clock: env.clock), bind: { _, _ in })
        }
    }
}
