import ArgumentParser
import BosunPluginHost
import Foundation

/// `bosun plugin`: tools for operator plugin libraries.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Inspect operator plugin libraries, or run one against an API server.",
        subcommands: [Inspect.self, PluginRunCommand.self]
    )

    /// `bosun plugin inspect PATH`: the handshake alone, without a control plane.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a plugin's descriptor and whether this bosun can load it.",
            discussion: """
                Opens the library, reads what its bosun_plugin_entry returns (name, version, plugin ABI, \
                BosunKit and Swift compiler it was built with) and checks it against this binary. The \
                plugin's registration does not run. Exits non-zero if the plugin cannot be loaded.
                """
        )

        @Argument(help: "The plugin library (.so).")
        var path: String

        func run() throws {
            do {
                let library = try PluginLibrary.open(path)
                print(library.info.summary)
                print("path:            \(library.path)")
                print("compatible:      yes (\(PluginHostBuild.summary))")
            } catch {
                FileHandle.standardError.write(Data("bosun: error: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
