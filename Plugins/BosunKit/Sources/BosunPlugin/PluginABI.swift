// The handshake between the host and a plugin library. Swift has no stable ABI on Linux, so a
// Swift plugin works only when it was compiled by the host's compiler against the host's BosunKit;
// the descriptor says what the plugin was built with, and the host compares before it calls any
// Swift code of the plugin.

/// Versions of the plugin contract.
public enum PluginABI {
    /// The layout of ``BosunPluginDescriptor`` and the meaning of its registration entry. Bumped
    /// whenever either changes.
    ///
    /// Emitted into the caller, like the versions below: a stored constant would live in
    /// libBosunKit.so, and a plugin reading it would report the host's value.
    @_alwaysEmitIntoClient
    public static var version: UInt32 { 1 }

    /// The C symbol every plugin library exports (see ``BosunPluginEntry``).
    public static let entrySymbol = "bosun_plugin_entry"

    /// The BosunKit release this code was compiled against.
    ///
    /// Emitted into the caller: a plugin carries the version of the BosunKit it was built with,
    /// not the one it happens to be loaded beside.
    @_alwaysEmitIntoClient
    public static var bosunKitVersion: String { "0.1.0" }

    /// The Swift compiler that compiled the caller, as `major.minor.patch`.
    ///
    /// Emitted into the caller, and BosunKit is always compiled from source by the same compiler
    /// as the package using it, so a plugin reports its own compiler and the host its own.
    @_alwaysEmitIntoClient
    public static var swiftCompilerVersion: String {
#if compiler(>=6.5)
        return "6.5 or newer"
#elseif compiler(>=6.4.5)
        return "6.4.5"
#elseif compiler(>=6.4.4)
        return "6.4.4"
#elseif compiler(>=6.4.3)
        return "6.4.3"
#elseif compiler(>=6.4.2)
        return "6.4.2"
#elseif compiler(>=6.4.1)
        return "6.4.1"
#elseif compiler(>=6.4.0)
        return "6.4.0"
#elseif compiler(>=6.3.5)
        return "6.3.5"
#elseif compiler(>=6.3.4)
        return "6.3.4"
#elseif compiler(>=6.3.3)
        return "6.3.3"
#elseif compiler(>=6.3.2)
        return "6.3.2"
#elseif compiler(>=6.3.1)
        return "6.3.1"
#elseif compiler(>=6.3.0)
        return "6.3.0"
#elseif compiler(>=6.2.5)
        return "6.2.5"
#elseif compiler(>=6.2.4)
        return "6.2.4"
#elseif compiler(>=6.2.3)
        return "6.2.3"
#elseif compiler(>=6.2.2)
        return "6.2.2"
#elseif compiler(>=6.2.1)
        return "6.2.1"
#elseif compiler(>=6.2.0)
        return "6.2.0"
#elseif compiler(>=6.1.5)
        return "6.1.5"
#elseif compiler(>=6.1.4)
        return "6.1.4"
#elseif compiler(>=6.1.3)
        return "6.1.3"
#elseif compiler(>=6.1.2)
        return "6.1.2"
#elseif compiler(>=6.1.1)
        return "6.1.1"
#elseif compiler(>=6.1.0)
        return "6.1.0"
#elseif compiler(>=6.0.5)
        return "6.0.5"
#elseif compiler(>=6.0.4)
        return "6.0.4"
#elseif compiler(>=6.0.3)
        return "6.0.3"
#elseif compiler(>=6.0.2)
        return "6.0.2"
#elseif compiler(>=6.0.1)
        return "6.0.1"
#elseif compiler(>=6.0.0)
        return "6.0.0"
#else
        return "older than 6.0"
#endif
    }
}

/// What `bosun_plugin_entry` returns, laid out as the C struct
///
/// ```c
/// struct bosun_plugin_descriptor {
///     uint32_t abi_version;
///     const char *bosunkit_version;
///     const char *swift_compiler;
///     const char *name;
///     const char *version;
///     void *context;
///     char *(*register_plugin)(void *context, void *registrar);
/// };
/// ```
///
/// The first five fields keep their place in every ABI version, so a host can always say which
/// plugin it refuses and why. `register_plugin` returns `NULL` on success, or a `malloc`ed message
/// that the host frees. A plugin calls nothing of BosunKit to build this: the host checks the
/// versions first.
public struct BosunPluginDescriptor {
    public var abiVersion: UInt32
    public var bosunKitVersion: UnsafePointer<CChar>
    public var swiftCompiler: UnsafePointer<CChar>
    public var name: UnsafePointer<CChar>
    public var version: UnsafePointer<CChar>
    public var context: UnsafeMutableRawPointer?
    public var register: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>?

    public init(
        abiVersion: UInt32, bosunKitVersion: UnsafePointer<CChar>, swiftCompiler: UnsafePointer<CChar>,
        name: UnsafePointer<CChar>, version: UnsafePointer<CChar>, context: UnsafeMutableRawPointer?,
        register: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>?
    ) {
        self.abiVersion = abiVersion
        self.bosunKitVersion = bosunKitVersion
        self.swiftCompiler = swiftCompiler
        self.name = name
        self.version = version
        self.context = context
        self.register = register
    }
}
