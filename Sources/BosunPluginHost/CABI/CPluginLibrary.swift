import BosunKit
import BosunStore
import CPluginABI
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A plugin library built against the C plugin ABI (`Plugins/include/bosun_plugin.h`): opened
/// with `dlopen`, its descriptor checked, and each hook's function found and prepared for libffi.
///
/// Like Swift plugins, the library is never closed: the host keeps pointers into it.
struct CPluginLibrary: Sendable {
    static let entrySymbol = "bosun_c_plugin_entry"

    let path: String
    let name: String
    let version: String
    let abiVersion: UInt32
    let hooks: [(type: bosun_hook_type, hook: CAdmissionHook)]

    /// Whether the library at `path` is a C plugin (exports the C entry point). Opening it is
    /// harmless: a plugin library is opened once to be loaded either way.
    static func isCPlugin(_ path: String) -> Bool {
        guard (try? PluginLibrary.checkFile(path)) != nil, let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return false }
        return dlsym(handle, entrySymbol) != nil
    }

    /// What `bosun plugin inspect` prints for a C plugin: its descriptor and hooks, checked as
    /// loading checks them (the entry point runs; its hooks do not).
    static func summary(of path: String) throws(PluginLoadError) -> String {
        let library = try open(path, store: nil, logger: Logger(label: "bosun.plugin.inspect"))
        let hooks = library.hooks.map { type, hook in
            let kind = type == BOSUN_HOOK_MUTATING ? "mutating" : "validating"
            let resource = hook.resource.group.isEmpty ? hook.resource.resource : "\(hook.resource.resource).\(hook.resource.group)"
            return "\n  \(hook.name) (\(kind), \(resource))"
        }
        return """
            name:            \(library.name)
            version:         \(library.version)
            C plugin ABI:    v\(library.abiVersion)
            hooks:\(hooks.joined())
            """
    }

    /// Opens the library, calls its entry point with the host's services and reads its hooks.
    static func open(_ path: String, store: ObjectStore?, logger: Logger) throws(PluginLoadError) -> CPluginLibrary {
        try PluginLibrary.checkFile(path)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginLoadError(path: path, reason: .openFailed, message: "dlopen failed: \(reason)")
        }
        guard let symbol = dlsym(handle, entrySymbol) else {
            throw PluginLoadError(path: path, reason: .missingEntry,
                                  message: "the library exports neither bosun_plugin_entry (Swift) nor \(entrySymbol) (C); see docs/writing-a-plugin.md")
        }
        guard let services = CHostServices(path: path, logger: logger, store: store) else {
            throw PluginLoadError(path: path, reason: .openFailed, message: "libffi could not prepare the host services")
        }
        typealias Entry = @convention(c) (UnsafePointer<bosun_host>?) -> UnsafePointer<bosun_c_plugin>?
        guard let descriptor = unsafeBitCast(symbol, to: Entry.self)(services.table)?.pointee else {
            throw PluginLoadError(path: path, reason: .registrationFailed,
                                  message: "\(entrySymbol) returned NULL: the plugin refused to load (its log says why)")
        }
        let name = descriptor.name.map { String(cString: $0) } ?? path
        services.name.withLock { $0 = name }
        guard descriptor.abi_version == BOSUN_C_PLUGIN_ABI_VERSION else {
            throw PluginLoadError(
                path: path, plugin: name, reason: .abiMismatch,
                message: "the plugin speaks C plugin ABI v\(descriptor.abi_version), this host speaks v\(BOSUN_C_PLUGIN_ABI_VERSION); rebuild it against the host's Plugins/include/bosun_plugin.h")
        }
        var hooks: [(bosun_hook_type, CAdmissionHook)] = []
        for index in 0..<descriptor.hook_count {
            guard let declared = descriptor.hooks?[index] else { break }
            hooks.append(try hook(declared, handle: handle, path: path, plugin: name))
        }
        return CPluginLibrary(
            path: path, name: name, version: descriptor.version.map { String(cString: $0) } ?? "",
            abiVersion: descriptor.abi_version, hooks: hooks)
    }

    /// One declared hook, checked: a known type, operations and parameter kinds, and an exported
    /// function.
    private static func hook(_ h: bosun_hook, handle: UnsafeMutableRawPointer, path: String, plugin: String) throws(PluginLoadError) -> (bosun_hook_type, CAdmissionHook) {
        let name = h.name.map { String(cString: $0) } ?? ""
        func refuse(_ why: String) -> PluginLoadError {
            PluginLoadError(path: path, plugin: plugin, reason: .registrationFailed, message: "hook \"\(name)\": \(why)")
        }
        guard !name.isEmpty else { throw refuse("a hook needs a name") }
        guard h.type == BOSUN_HOOK_MUTATING || h.type == BOSUN_HOOK_VALIDATING else {
            throw refuse("unknown hook type \(h.type.rawValue); use BOSUN_HOOK_MUTATING or BOSUN_HOOK_VALIDATING")
        }
        var operations: Set<AdmissionRequest.Operation> = []
        if h.operations & BOSUN_OP_CREATE != 0 { operations.insert(.create) }
        if h.operations & BOSUN_OP_UPDATE != 0 { operations.insert(.update) }
        guard !operations.isEmpty, h.operations & ~(BOSUN_OP_CREATE | BOSUN_OP_UPDATE) == 0 else {
            throw refuse("operations must be BOSUN_OP_CREATE, BOSUN_OP_UPDATE or both")
        }
        let resource = h.resource.map { String(cString: $0) } ?? ""
        guard !resource.isEmpty else { throw refuse("a hook names the resource (plural) it applies to") }
        let symbol = h.symbol.map { String(cString: $0) } ?? ""
        guard let address = dlsym(handle, symbol) else { throw refuse("the library does not export its function \"\(symbol)\"") }
        var arguments: [bosun_arg] = []
        var types: [ForeignSignature.CType] = []
        for i in 0..<h.arg_count {
            guard let argument = h.args?[i] else { break }
            switch argument {
            case BOSUN_ARG_OBJECT_LENGTH: types.append(.size)
            case BOSUN_ARG_OBJECT, BOSUN_ARG_OLD_OBJECT, BOSUN_ARG_OPERATION, BOSUN_ARG_NAMESPACE, BOSUN_ARG_NAME,
                 BOSUN_ARG_USER_DATA, BOSUN_ARG_RESULT:
                types.append(.pointer)
            default:
                throw refuse("parameter \(i + 1) has unknown kind \(argument.rawValue)")
            }
            arguments.append(argument)
        }
        guard let signature = ForeignSignature(parameters: types, result: .int32) else {
            throw refuse("libffi could not prepare a call with these parameters")
        }
        let hook = CAdmissionHook(
            name: name, resource: GroupResource(group: h.group.map { String(cString: $0) } ?? "", resource: resource),
            operations: operations, function: ForeignFunction(address: UnsafeRawPointer(address), signature: signature),
            arguments: arguments, userData: h.user_data)
        return (h.type, hook)
    }
}
