import BosunPlugin
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a plugin's descriptor says, copied out of the library.
public struct PluginDescriptorInfo: Sendable, Hashable {
    public var abiVersion: UInt32
    public var bosunKitVersion: String
    public var swiftCompiler: String
    public var name: String
    public var version: String

    public init(abiVersion: UInt32, bosunKitVersion: String, swiftCompiler: String, name: String, version: String) {
        self.abiVersion = abiVersion
        self.bosunKitVersion = bosunKitVersion
        self.swiftCompiler = swiftCompiler
        self.name = name
        self.version = version
    }

    init(_ d: BosunPluginDescriptor) {
        abiVersion = d.abiVersion
        bosunKitVersion = String(cString: d.bosunKitVersion)
        swiftCompiler = String(cString: d.swiftCompiler)
        name = String(cString: d.name)
        version = String(cString: d.version)
    }

    /// The lines `bosun plugin inspect` prints.
    public var summary: String {
        """
        name:            \(name)
        version:         \(version)
        plugin ABI:      v\(abiVersion)
        BosunKit:        \(bosunKitVersion)
        Swift compiler:  \(swiftCompiler)
        """
    }
}

/// A plugin library opened with `dlopen`, whose descriptor passed the handshake.
///
/// Libraries stay loaded for the life of the process: `dlclose` of a Swift library is not safe
/// (its type metadata and conformances stay registered with the runtime), so there is no close.
public struct PluginLibrary: @unchecked Sendable {
    public let path: String
    public let info: PluginDescriptorInfo
    /// Points into the library, which is never unloaded.
    let descriptor: UnsafePointer<BosunPluginDescriptor>

    /// Opens the library at `path`, reads its descriptor and checks it against this host.
    public static func open(_ path: String) throws(PluginLoadError) -> PluginLibrary {
        try checkFile(path)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginLoadError(
                path: path, reason: .openFailed,
                message: "dlopen failed: \(reason); a plugin must link the host's libBosunKit.so (\(PluginLoadError.hostBuild)) and find it on its rpath — rebuild it against the host's BosunKit")
        }
        guard let symbol = dlsym(handle, PluginABI.entrySymbol) else {
            throw PluginLoadError(
                path: path, reason: .missingEntry,
                message: "the library does not export \(PluginABI.entrySymbol); a plugin declares it with @_cdecl(\"\(PluginABI.entrySymbol)\") returning BosunPluginEntry.descriptor(for:) (see docs/writing-a-plugin.md)")
        }
        typealias Entry = @convention(c) () -> UnsafeRawPointer?
        guard let raw = unsafeBitCast(symbol, to: Entry.self)() else {
            throw PluginLoadError(path: path, reason: .missingEntry,
                                  message: "\(PluginABI.entrySymbol) returned no descriptor; it must return BosunPluginEntry.descriptor(for:)")
        }
        return try accept(raw.assumingMemoryBound(to: BosunPluginDescriptor.self), path: path)
    }

    /// Checks a descriptor against this host: the ABI version first (the other fields' meaning
    /// depends on it), then the toolchain and the BosunKit release.
    public static func accept(_ descriptor: UnsafePointer<BosunPluginDescriptor>, path: String) throws(PluginLoadError) -> PluginLibrary {
        let info = PluginDescriptorInfo(descriptor.pointee)
        if info.abiVersion != PluginABI.version {
            throw PluginLoadError(
                path: path, plugin: info.name, reason: .abiMismatch,
                message: "the plugin speaks plugin ABI v\(info.abiVersion), this host speaks v\(PluginABI.version); rebuild the plugin against the host's BosunKit (\(PluginLoadError.hostBuild))")
        }
        if info.swiftCompiler != PluginABI.swiftCompilerVersion {
            throw PluginLoadError(
                path: path, plugin: info.name, reason: .toolchainMismatch,
                message: "the plugin was built with Swift \(info.swiftCompiler), this host with Swift \(PluginABI.swiftCompilerVersion); Swift has no stable ABI on Linux — rebuild the plugin with the host's toolchain (Swift \(PluginABI.swiftCompilerVersion))")
        }
        if info.bosunKitVersion != PluginABI.bosunKitVersion {
            throw PluginLoadError(
                path: path, plugin: info.name, reason: .bosunKitMismatch,
                message: "the plugin was built against BosunKit \(info.bosunKitVersion), this host runs BosunKit \(PluginABI.bosunKitVersion); rebuild the plugin against BosunKit \(PluginABI.bosunKitVersion)")
        }
        return PluginLibrary(path: path, info: info, descriptor: descriptor)
    }

    /// Refuses a path that is not there or is not an ELF shared object before `dlopen` sees it,
    /// so the message says which.
    static func checkFile(_ path: String) throws(PluginLoadError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PluginLoadError(path: path, reason: .fileMissing,
                                  message: "no such file; build the plugin (swift build) and pass the path of its .so")
        }
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw PluginLoadError(path: path, reason: .fileMissing, message: "the file cannot be read; check its permissions")
        }
        defer { try? file.close() }
        // e_ident's magic, then e_type at offset 16: ET_DYN (3) is a shared object.
        let header = [UInt8]((try? file.read(upToCount: 18)) ?? Data())
        guard header.count == 18, header[0..<4] == [0x7f, 0x45, 0x4c, 0x46], header[16] == 3, header[17] == 0 else {
            throw PluginLoadError(path: path, reason: .notSharedObject,
                                  message: "not an ELF shared object; pass the plugin's .so, built by a dynamic library product (type: .dynamic)")
        }
    }

    /// Runs the plugin's registration on `registrar`.
    func register(on registrar: PluginRegistrar) throws(PluginLoadError) {
        let d = descriptor.pointee
        let opaque = Unmanaged.passUnretained(registrar).toOpaque()
        let failure = withExtendedLifetime(registrar) { d.register(d.context, opaque) }
        if let failure {
            let message = String(cString: failure)
            free(failure)
            throw PluginLoadError(path: path, plugin: info.name, reason: .registrationFailed,
                                  message: "registration failed: \(message)")
        }
    }
}
