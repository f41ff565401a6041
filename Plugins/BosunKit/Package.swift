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
        .library(name: "BosunKit", type: .dynamic, targets: ["BosunKit"])
    ],
    targets: [
        .target(name: "BosunKit", swiftSettings: strictSettings)
    ],
    swiftLanguageModes: [.v6]
)
