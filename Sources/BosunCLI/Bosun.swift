import ArgumentParser

/// `bosun`: the control plane, its tools and its benchmarks.
@main
struct Bosun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bosun",
        abstract: "A Kubernetes control plane on one machine, extensible at run time.",
        discussion: """
            Start with `bosun up --sim-nodes 3`, then use kubectl with the kubeconfig it prints \
            (docs/getting-started.md). Shell completion: `bosun --generate-completion-script bash` \
            (or zsh, fish) prints a script to source.
            """,
        subcommands: [UpCommand.self, StatusCommand.self, ValidateCommand.self, PluginCommand.self, BenchCommand.self]
    )
}
