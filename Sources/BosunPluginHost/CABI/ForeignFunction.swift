import CPluginABI

/// A C function type known only at run time: libffi's call interface (`ffi_cif`), prepared once.
///
/// A foreign plugin declares each hook's parameters in its descriptor (``bosun_arg`` values in
/// the order its function takes them), so the host cannot name the function's type in Swift;
/// and the host's services must reach the plugin as plain C function pointers that still know
/// which plugin they serve, which a `@convention(c)` Swift function cannot (it captures
/// nothing). libffi answers both: ``ForeignFunction`` calls through a signature, and
/// ``ForeignClosure`` makes a C function pointer with context from one.
final class ForeignSignature: @unchecked Sendable {
    /// The C types a parameter or result can have at this boundary.
    enum CType {
        case pointer, int32, size, void

        var ffiType: UnsafeMutablePointer<ffi_type> {
            switch self {
            case .pointer: bosun_ffi_type_pointer()
            case .int32: bosun_ffi_type_sint32()
            case .size: bosun_ffi_type_size()
            case .void: bosun_ffi_type_void()
            }
        }
    }

    let parameters: [CType]
    // libffi keeps pointers to both for as long as the signature is used.
    let cif: UnsafeMutablePointer<ffi_cif>
    private let types: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>

    init?(parameters: [CType], result: CType) {
        self.parameters = parameters
        cif = .allocate(capacity: 1)
        types = .allocate(capacity: max(1, parameters.count))
        for (i, type) in parameters.enumerated() { types[i] = type.ffiType }
        guard bosun_ffi_prep_cif(cif, UInt32(parameters.count), result.ffiType, types) == FFI_OK else {
            cif.deallocate()
            types.deallocate()
            return nil
        }
    }

    deinit {
        cif.deallocate()
        types.deallocate()
    }
}

/// A C function of a plugin, called through its ``ForeignSignature``.
struct ForeignFunction: @unchecked Sendable {
    let address: UnsafeRawPointer
    let signature: ForeignSignature

    /// Calls the function with one machine word per parameter (a pointer's bits or a size) and
    /// returns its `int` result.
    func callReturningInt32(_ arguments: [UInt64]) -> Int32 {
        precondition(arguments.count == signature.parameters.count, "one value per declared parameter")
        var values = arguments
        var result: UInt64 = 0  // ffi_arg: results narrower than a word come back widened to one
        values.withUnsafeMutableBufferPointer { buffer in
            var pointers = (0..<buffer.count).map { UnsafeMutableRawPointer(buffer.baseAddress! + $0) as UnsafeMutableRawPointer? }
            pointers.withUnsafeMutableBufferPointer { argv in
                ffi_call(signature.cif, unsafeBitCast(address, to: (@convention(c) () -> Void).self), &result, argv.baseAddress)
            }
        }
        return Int32(truncatingIfNeeded: Int64(bitPattern: result))
    }
}

/// A C function pointer that calls back into Swift with a context: a libffi closure.
///
/// Never freed: the pointer is handed to a plugin library, which is never unloaded.
struct ForeignClosure: @unchecked Sendable {
    typealias Handler = @convention(c) (
        UnsafeMutablePointer<ffi_cif>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutableRawPointer?
    ) -> Void

    /// The executable address to hand out as a C function pointer.
    let code: UnsafeMutableRawPointer

    init?(signature: ForeignSignature, context: UnsafeMutableRawPointer, handler: Handler) {
        var code: UnsafeMutableRawPointer?
        guard let closure = ffi_closure_alloc(MemoryLayout<ffi_closure>.size, &code), let code else { return nil }
        let prepared = ffi_prep_closure_loc(closure.assumingMemoryBound(to: ffi_closure.self), signature.cif, handler, context, code)
        guard prepared == FFI_OK else {
            ffi_closure_free(closure)
            return nil
        }
        self.code = code
    }
}
