// swift-tools-version: 6.1
import PackageDescription

// BosunRemote: BosunRuntime's `Client` over HTTPS, from a kubeconfig. A package of its own, not a
// module of the BosunKit package: SwiftPM links a target's in-package dependencies statically
// into whatever links it, so a BosunKit-package module would carry a second copy of
// BosunRuntime next to libBosunKit.so (two type identities; see docs/architecture.md). Depending
// on the dynamic BosunKit product keeps one copy, and plugins that run in-process never link an
// HTTP stack. See docs/remote-client.md.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "BosunRemote",
    products: [
        .library(name: "BosunRemote", targets: ["BosunRemote"])
    ],
    dependencies: [
        .package(name: "BosunKit", path: "../BosunKit"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "BosunRemote",
            dependencies: [
                .product(name: "BosunKit", package: "BosunKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        )
    ],
    swiftLanguageModes: [.v6]
)
