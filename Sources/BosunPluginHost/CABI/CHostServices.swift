import BosunKit
import BosunStore
import CPluginABI
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The services one C plugin gets (``bosun_host``): logging under its name and reads from the
/// store, as plain C function pointers bound to this object by libffi closures.
///
/// Lives for the life of the process (the plugin may keep the pointers), so it is retained once
/// and never released.
final class CHostServices: Sendable {
    let path: String
    /// The plugin's name once its descriptor said it; its path until then.
    let name: Mutex<String>
    let logger: Logger
    /// `nil` when the plugin is only inspected: reads find nothing.
    let store: ObjectStore?
    /// What the plugin's entry point receives.
    nonisolated(unsafe) let table: UnsafeMutablePointer<bosun_host>

    private static let logSignature = ForeignSignature(parameters: [.int32, .pointer], result: .void)
    private static let getSignature = ForeignSignature(parameters: [.pointer, .pointer, .pointer, .pointer], result: .pointer)

    init?(path: String, logger: Logger, store: ObjectStore?) {
        self.path = path
        self.name = Mutex(path)
        self.logger = logger
        self.store = store
        table = .allocate(capacity: 1)
        let context = Unmanaged.passRetained(self).toOpaque()
        guard let logSignature = Self.logSignature, let getSignature = Self.getSignature,
              let log = ForeignClosure(signature: logSignature, context: context, handler: Self.log),
              let get = ForeignClosure(signature: getSignature, context: context, handler: Self.getObject)
        else {
            Unmanaged<CHostServices>.fromOpaque(context).release()
            return nil
        }
        table.initialize(to: bosun_host(
            abi_version: BOSUN_C_PLUGIN_ABI_VERSION,
            log: unsafeBitCast(log.code, to: (@convention(c) (Int32, UnsafePointer<CChar>?) -> Void).self),
            get_object: unsafeBitCast(get.code, to: (@convention(c) (
                UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
            ) -> UnsafeMutablePointer<CChar>?).self)))
    }

    private static func services(_ context: UnsafeMutableRawPointer?) -> CHostServices {
        Unmanaged<CHostServices>.fromOpaque(context!).takeUnretainedValue()
    }

    /// The `index`th argument, a C string (empty when NULL).
    private static func string(_ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ index: Int) -> String {
        guard let slot = args?[index], let text = slot.load(as: UnsafePointer<CChar>?.self) else { return "" }
        return String(cString: text)
    }

    /// `void log(int level, const char *message)`
    private static let log: ForeignClosure.Handler = { _, _, args, context in
        let services = services(context)
        let level = args?[0]?.load(as: Int32.self) ?? BOSUN_LOG_INFO
        let message = Logger.Message(stringLiteral: string(args, 1))
        let metadata: Logger.Metadata = ["plugin": "\(services.name.withLock { $0 })"]
        switch level {
        case BOSUN_LOG_ERROR: services.logger.error(message, metadata: metadata)
        case BOSUN_LOG_WARNING: services.logger.warning(message, metadata: metadata)
        default: services.logger.info(message, metadata: metadata)
        }
    }

    /// `char *get_object(const char *group, const char *resource, const char *namespace, const char *name)`
    private static let getObject: ForeignClosure.Handler = { _, result, args, context in
        let services = services(context)
        let resource = GroupResource(group: string(args, 0), resource: string(args, 1))
        let namespace = string(args, 2)
        var copy: UnsafeMutablePointer<CChar>?
        if let stored = try? services.store?.get(resource, namespace: namespace.isEmpty ? nil : namespace, name: string(args, 3)) {
            copy = mallocCString(stored.bytes)
        }
        result?.storeBytes(of: copy, as: UnsafeMutablePointer<CChar>?.self)
    }

    /// `bytes` and a NUL in memory from malloc, which the plugin frees.
    static func mallocCString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        guard let memory = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
        bytes.withUnsafeBytes { buffer in
            if let base = buffer.baseAddress { memcpy(memory, base, buffer.count) }
        }
        memory[bytes.count] = 0
        return memory
    }
}
