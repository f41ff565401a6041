// swift-tools-version: 6.1
import PackageDescription

// BosunKit is the SDK that the host and every operator plugin link against.
// Its product is dynamic on purpose: a host and a plugin that both link this one
// `libBosunKit.so` share type metadata and globals, so a value made in a plugin
// casts to its BosunKit type in the host. See docs/architecture.md.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "BosunKit",
    products: [
        .library(name: "BosunKit", type: .dynamic, targets: ["BosunKit", "BosunStore", "BosunRuntime", "BosunScheduler", "BosunNodes", "BosunPlugin"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // `swift package generate-documentation`: the DocC reference of the SDK (a command
        // plugin only; nothing of it is linked into BosunKit).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        .target(name: "BosunKit", swiftSettings: strictSettings),
        // The object store: Kubernetes' object semantics over a storage backend. Part of the SDK
        // so that the in-process test environment runs the same store as `bosun up`.
        .target(name: "BosunStore", dependencies: ["BosunKit"], swiftSettings: strictSettings),
        // The controller runtime: clients, shared informers, workqueues, reconcilers, leader
        // election, events. What every controller, built-in or plugin, is written against.
        .target(
            name: "BosunRuntime",
            dependencies: [
                "BosunKit", "BosunStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The scheduler framework and default plugins; plugins add to it at every extension point.
        .target(name: "BosunScheduler", dependencies: ["BosunRuntime"], swiftSettings: strictSettings),
        // Node runtimes: the protocol, and the simulated kubelet.
        .target(name: "BosunNodes", dependencies: ["BosunRuntime"], swiftSettings: strictSettings),
        // What an operator plugin exports and registers: the entry descriptor and the registrar.
        .target(
            name: "BosunPlugin", dependencies: ["BosunRuntime", "BosunScheduler", "BosunNodes"],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
