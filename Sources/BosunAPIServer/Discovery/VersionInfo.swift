import BosunKit

/// `/version`. The minor version matters beyond display: the installed kubectl is a dispatcher
/// that runs the kubectl build matching the server's minor, so Bosun reports the Kubernetes
/// release whose API it implements.
enum VersionInfo {
    static let major = "1"
    static let minor = "32"
    /// Semantic-version build metadata marks the implementation without making it a prerelease.
    static let gitVersion = "v1.32.0+bosun"

    static var document: JSONValue {
        [
            "major": .string(major), "minor": .string(minor), "gitVersion": .string(gitVersion),
            "gitCommit": "", "gitTreeState": "clean", "buildDate": "1970-01-01T00:00:00Z",
            "goVersion": "", "compiler": "swift", "platform": .string(platform),
        ]
    }

    private static var platform: String {
        #if arch(x86_64)
        "linux/amd64"
        #elseif arch(arm64)
        "linux/arm64"
        #else
        "linux/unknown"
        #endif
    }
}
