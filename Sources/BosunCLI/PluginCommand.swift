import ArgumentParser
import BosunPluginHost
import Foundation

/// `bosun plugin`: tools for operator plugin libraries.
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Write, inspect and run operator plugin libraries.",
        subcommands: [Init.self, Inspect.self]
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
                if PluginHost.isCPlugin(path) {
                    print(try PluginHost.describeCPlugin(path))
                    print("path:            \(path)")
                    print("compatible:      yes (C plugin ABI v\(PluginHost.cPluginABIVersion))")
                    return
                }
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

    /// `bosun plugin init NAME`: a new plugin package, from nothing to a loadable `.so`.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new plugin package: a custom kind, its controller and a test.",
            discussion: """
                Writes a SwiftPM package whose dynamic library serves the custom kind NAME \
                (example.com/v1, plural NAME lowercased + s) with a controller keeping a ConfigMap per \
                object, and a test on the in-process test environment. `swift build` in it gives \
                .build/debug/lib<NAME>Plugin.so for `bosun up --plugin`. See docs/writing-a-plugin.md.
                """
        )

        @Argument(help: "The custom kind, in upper camel case (e.g. Greeter).")
        var name: String

        @Option(help: "Where to write the package (default: ./<name>-plugin).")
        var directory: String?

        @Option(name: .customLong("bosunkit"), help: "The BosunKit package this bosun was built from (default: the source tree this binary was built in).")
        var bosunKit: String?

        func run() throws {
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Plugins/BosunKit").path
            let bosunKit = bosunKit ?? source
            guard FileManager.default.fileExists(atPath: bosunKit + "/Package.swift") else {
                FileHandle.standardError.write(Data("bosun: error: no BosunKit package at \(bosunKit); pass --bosunkit PATH (the Plugins/BosunKit folder of the bosun source this binary was built from)\n".utf8))
                throw ExitCode.failure
            }
            let target = URL(fileURLWithPath: directory ?? "\(name.lowercased())-plugin")
            do {
                let files = try PluginTemplate.write(name: name, bosunKitPath: bosunKit, into: target)
                print("wrote \(target.path):")
                for file in files.sorted() { print("  \(file)") }
                print("next: cd \(target.path) && swift build && bosun up --plugin .build/debug/lib\(name)Plugin.so")
            } catch {
                FileHandle.standardError.write(Data("bosun: error: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
