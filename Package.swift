// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Bosun",
    products: [
        .executable(name: "bosun", targets: ["BosunCLI"]),
        // A minimal plugin used by the tests to prove that host and plugin share one BosunKit.
        .library(name: "IdentityProbePlugin", type: .dynamic, targets: ["IdentityProbePlugin"]),
        // The sample operator plugin that extends Deployments (docs/writing-a-plugin.md).
        .library(name: "DeploymentDefaultsPlugin", type: .dynamic, targets: ["DeploymentDefaultsPlugin"]),
        // A plugin whose controller crashes its process on demand: the isolated mode's sample.
        .library(name: "CrashOnDemandPlugin", type: .dynamic, targets: ["CrashOnDemandPlugin"]),
        // The gang-scheduling sample plugin: PodGroups and coscheduling (docs/gang-scheduling.md).
        .library(name: "GangScheduling", type: .dynamic, targets: ["GangScheduling"]),
        // The plugin `bosun plugin init` starts from.
        .library(name: "WidgetPlugin", type: .dynamic, targets: ["WidgetPlugin"]),
    ],
    dependencies: [
        .package(name: "BosunKit", path: "Plugins/BosunKit"),
        .package(name: "BosunRemote", path: "Plugins/BosunRemote"),
        // Already in the graph through BosunRemote (AsyncHTTPClient); BosunEtcd speaks gRPC to
        // etcd over it (docs/distributed.md says why not grpc-swift).
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // swift-certificates' own dependency; named so certificate code can build ASN.1 values.
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "BosunManifests",
            dependencies: [
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BosunSQLite",
            dependencies: [
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // The store's backend on an etcd cluster, for control planes that share one (docs/distributed.md).
        .target(
            name: "BosunEtcd",
            dependencies: [
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            swiftSettings: strictSettings
        ),
        // A child process for the crash test: writes in a loop and reports each acknowledged write.
        .executableTarget(
            name: "StoreCrashProbe",
            dependencies: ["BosunSQLite", .product(name: "BosunKit", package: "BosunKit")],
            path: "Tests/Support/StoreCrashProbe",
            swiftSettings: strictSettings
        ),
        // The built-in controllers (kube-controller-manager's), on BosunKit's public API only.
        .target(
            name: "BosunControllers",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        // fork + exec with a new process group and a parent-death signal, which posix_spawn cannot.
        .target(name: "CProcessSpawn"),
        // Containers as real processes: spawn, capture output, stop (the local node's runtime).
        .target(
            name: "BosunProcesses",
            dependencies: [
                "CProcessSpawn", .product(name: "BosunKit", package: "BosunKit"),
                // httpGet and tcpSocket probes.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // The Kubernetes API over HTTP/1.1 (SwiftNIO): routing, discovery, every verb, watch
        // streaming, TLS with generated certificates, bearer-token auth, the kubeconfig.
        .target(
            name: "BosunAPIServer",
            dependencies: [
                "BosunManifests",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The dashboard's files, embedded by Tools/generate-dashboard.py.
            exclude: ["Dashboard/Site"],
            swiftSettings: strictSettings
        ),
        // Operator plugins loaded in-process with dlopen: the handshake, the registration, conflicts.
        .target(
            name: "BosunPluginHost",
            dependencies: [
                "CPluginABI",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // One process's control plane assembled: store, scheduler, node runtimes, controllers.
        .target(
            name: "BosunHost",
            dependencies: [
                "BosunControllers", "BosunProcesses", "BosunSQLite", "BosunEtcd", "BosunPluginHost", "CHeapStats",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The C plugin ABI (Plugins/include/bosun_plugin.h) and libffi, which calls the hooks a
        // C plugin declares at load time and hands it host callbacks as plain C function pointers.
        .systemLibrary(name: "CPluginABI", pkgConfig: "libffi", providers: [.apt(["libffi-dev"])]),
        // glibc's heap statistics, which Swift's Glibc module does not expose.
        .target(name: "CHeapStats"),
        .target(
            name: "BosunBench",
            dependencies: [
                "BosunHost",
                "BosunPluginHost",
                "BosunAPIServer",
                "BosunSQLite",
                "CHeapStats",
                // The plugin template compiled in, beside its .so, for plugin-reconcile.
                "WidgetPlugin",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "BosunRemote", package: "BosunRemote"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BosunCLI",
            dependencies: [
                "BosunHost",
                "BosunPluginHost",
                "BosunAPIServer",
                "BosunProcesses",
                "BosunManifests",
                "BosunBench",
                "BosunSQLite",
                "BosunEtcd",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "BosunRemote", package: "BosunRemote"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings,
            // jemalloc instead of glibc's malloc: a third less CPU per object the store takes in,
            // from per-thread caches and extents instead of arenas grown a page per mprotect
            // (docs/architecture.md, "Memory allocator"). Debian's libjemalloc-dev.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        .target(
            name: "IdentityProbePlugin",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/IdentityProbePlugin",
            swiftSettings: strictSettings
        ),
        .target(
            name: "DeploymentDefaultsPlugin",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/DeploymentDefaultsPlugin",
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        // The gang-scheduling sample: all of it in GangSchedulingCore (which its tests link), and the
        // plugin's entry point alone in GangScheduling, the library product.
        .target(
            name: "GangSchedulingCore",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/GangScheduling/Core",
            swiftSettings: strictSettings
        ),
        .target(
            name: "GangScheduling",
            dependencies: ["GangSchedulingCore", .product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/GangScheduling/Plugin",
            swiftSettings: strictSettings
        ),
        // What `bosun plugin init` writes, with Widget renamed: compiled and tested here so the
        // template always builds (Tools/generate-plugin-template.py embeds it in the CLI).
        .target(
            name: "WidgetPlugin",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/PluginTemplate/Sources/WidgetPlugin",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WidgetPluginTests",
            dependencies: ["WidgetPlugin", .product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/PluginTemplate/Tests/WidgetPluginTests",
            swiftSettings: strictSettings
        ),
        // A sample operator (kube-rs's configmapgen_controller) on BosunKit's public API only.
        .target(
            name: "ConfigMapGenerator",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/ConfigMapGenerator",
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunKitTests",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunManifestsTests",
            dependencies: ["BosunManifests", .product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunSQLiteTests",
            dependencies: [
                "BosunSQLite",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunEtcdTests",
            dependencies: ["BosunEtcd", "BosunHost", .product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunStoreTests",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunRuntimeTests",
            dependencies: [
                "ConfigMapGenerator",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunControllersTests",
            dependencies: ["BosunControllers", .product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunProcessesTests",
            dependencies: ["BosunProcesses", "BosunControllers", .product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunSchedulerTests",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunNodesTests",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunHostTests",
            dependencies: ["BosunHost", "BosunProcesses", .product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunAPIServerTests",
            dependencies: [
                "BosunAPIServer",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PluginHostTests",
            dependencies: ["BosunPluginHost", "BosunHost", .product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CrashOnDemandPlugin",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            path: "Samples/CrashOnDemandPlugin",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BosunRemoteTests",
            dependencies: [
                "BosunAPIServer", "BosunPluginHost", "ConfigMapGenerator",
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "BosunRemote", package: "BosunRemote"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GangSchedulingTests",
            // BosunControllers: the StatefulSet controller makes the members of StatefulSet gangs.
            dependencies: ["GangSchedulingCore", "BosunControllers", .product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PluginIdentityTests",
            dependencies: [.product(name: "BosunKit", package: "BosunKit")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
