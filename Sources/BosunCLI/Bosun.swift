import ArgumentParser

/// `bosun`: the control plane, its tools and its benchmarks.
@main
struct Bosun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun",
        abstract: "A Kubernetes control plane on one machine, extensible at run time.",
        subcommands: [UpCommand.self, ValidateCommand.self, BenchCommand.self, PluginCommand.self]
    )
}
