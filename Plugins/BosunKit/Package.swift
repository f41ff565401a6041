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
        .library(name: "BosunKit", type: .dynamic, targets: ["BosunKit", "BosunStore"])
    ],
    targets: [
        .target(name: "BosunKit", swiftSettings: strictSettings),
        // The object store: Kubernetes' object semantics over a storage backend. Part of the SDK
        // so that the in-process test environment runs the same store as `bosun up`.
        .target(name: "BosunStore", dependencies: ["BosunKit"], swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
