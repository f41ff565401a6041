// The C plugin ABI (Plugins/include/bosun_plugin.h) and libffi, for the plugin host.
#include <ffi.h>
#include "../../Plugins/include/bosun_plugin.h"

// libffi's type descriptors are mutable C globals, which Swift 6 will not read; these hand
// out their addresses instead. FFI_DEFAULT_ABI is a macro Swift cannot see.
static inline ffi_type *bosun_ffi_type_pointer(void) { return &ffi_type_pointer; }
static inline ffi_type *bosun_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *bosun_ffi_type_size(void) { return sizeof(size_t) == 8 ? &ffi_type_uint64 : &ffi_type_uint32; }
static inline ffi_type *bosun_ffi_type_void(void) { return &ffi_type_void; }

static inline ffi_status bosun_ffi_prep_cif(ffi_cif *cif, unsigned int count, ffi_type *result, ffi_type **arguments) {
    return ffi_prep_cif(cif, FFI_DEFAULT_ABI, count, result, arguments);
}
