#if canImport(Glibc)
import Glibc
#endif

/// Builds the descriptor a plugin's `bosun_plugin_entry` returns.
public enum BosunPluginEntry {
    /// The descriptor for `plugin`, allocated for the life of the process (a library's entry is
    /// called once per load).
    ///
    /// Emitted into the plugin, so the versions it reports are the plugin's own, and it calls
    /// nothing in BosunKit: the host has not checked the versions yet when it runs.
    @_alwaysEmitIntoClient
    public static func descriptor<P: BosunPlugin>(for plugin: P.Type) -> UnsafeRawPointer {
        let context = UnsafeMutablePointer<any BosunPlugin.Type>.allocate(capacity: 1)
        context.initialize(to: plugin)
        let info = P.descriptor
        let descriptor = UnsafeMutablePointer<BosunPluginDescriptor>.allocate(capacity: 1)
        descriptor.initialize(to: BosunPluginDescriptor(
            abiVersion: PluginABI.version,
            bosunKitVersion: UnsafePointer(strdup(PluginABI.bosunKitVersion)!),
            swiftCompiler: UnsafePointer(strdup(PluginABI.swiftCompilerVersion)!),
            name: UnsafePointer(strdup(info.name)!),
            version: UnsafePointer(strdup(info.version)!),
            context: UnsafeMutableRawPointer(context),
            register: { context, registrar in BosunPluginEntry.register(context, registrar) }))
        return UnsafeRawPointer(descriptor)
    }

    /// The registration entry: runs the plugin type's ``BosunPlugin/register(_:)`` on the host's
    /// registrar. Returns `nil`, or the error's description in `malloc`ed memory.
    public static func register(_ context: UnsafeMutableRawPointer?, _ registrar: UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>? {
        guard let context else { return strdup("the plugin's descriptor has no context") }
        let type = context.assumingMemoryBound(to: (any BosunPlugin.Type).self).pointee
        let registrar = Unmanaged<PluginRegistrar>.fromOpaque(registrar).takeUnretainedValue()
        do {
            try type.init().register(registrar)
            return nil
        } catch {
            return strdup(String(describing: error))
        }
    }
}
