/*
 * bosun_plugin.h — Bosun's C plugin ABI, version 1.
 *
 * A plugin written in C, Rust, Zig or anything else that can export a C function is a shared
 * library exporting `bosun_c_plugin_entry`. Unlike Swift plugins it needs no particular
 * toolchain: this header is the whole contract, and it only grows by new versions.
 *
 * Objects cross the boundary as JSON text (NUL-terminated UTF-8), exactly as the API serves them.
 * Strings the plugin returns to the host are allocated with malloc(3); the host frees them.
 * Everything the descriptor points to must stay valid while the library is loaded (static data).
 *
 * See docs/writing-a-plugin.md, "Plugins in C and other languages", and Samples/CPlugin.
 */
#ifndef BOSUN_PLUGIN_H
#define BOSUN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOSUN_C_PLUGIN_ABI_VERSION 1u

/* The one symbol a C plugin exports. */
#define BOSUN_C_PLUGIN_ENTRY bosun_c_plugin_entry

/* What a hook function receives, declared per hook in the order the function takes them: the
 * host builds the call from this list at load time (with libffi), so a hook takes only what it
 * needs, in the order it likes. */
typedef enum bosun_arg {
    BOSUN_ARG_OBJECT = 1,        /* const char *: the object being written, as JSON */
    BOSUN_ARG_OBJECT_LENGTH = 2, /* size_t: its length in bytes, without the NUL */
    BOSUN_ARG_OLD_OBJECT = 3,    /* const char *: the stored object on UPDATE; NULL on CREATE */
    BOSUN_ARG_OPERATION = 4,     /* const char *: "CREATE" or "UPDATE" */
    BOSUN_ARG_NAMESPACE = 5,     /* const char *: "" for cluster-scoped objects */
    BOSUN_ARG_NAME = 6,          /* const char *: may be "" on CREATE with generateName */
    BOSUN_ARG_USER_DATA = 7,     /* void *: the hook's user_data */
    BOSUN_ARG_RESULT = 8         /* char **: out, starts NULL; see bosun_hook */
} bosun_arg;

typedef enum bosun_hook_type {
    /* Returns 0 to admit; may set *result to a JSON merge patch (RFC 7386) that the host applies
     * to the object. Nonzero denies the write, with *result as the reason. */
    BOSUN_HOOK_MUTATING = 1,
    /* Returns 0 to admit; nonzero denies, with *result as the reason. */
    BOSUN_HOOK_VALIDATING = 2
} bosun_hook_type;

#define BOSUN_OP_CREATE 1u
#define BOSUN_OP_UPDATE 2u

/* An admission hook. Its function returns int and takes the declared arguments. */
typedef struct bosun_hook {
    const char *name;          /* unique among every plugin's hooks, e.g. "deny-privileged.example.com" */
    bosun_hook_type type;
    const char *group;         /* API group of the kind, "" for the core group */
    const char *resource;      /* its plural, e.g. "deployments" */
    uint32_t operations;       /* BOSUN_OP_CREATE | BOSUN_OP_UPDATE */
    const char *symbol;        /* the exported hook function */
    const bosun_arg *args;     /* its parameters, in order */
    size_t arg_count;
    void *user_data;           /* passed as BOSUN_ARG_USER_DATA */
} bosun_hook;

/* What the plugin describes itself with. */
typedef struct bosun_c_plugin {
    uint32_t abi_version;      /* BOSUN_C_PLUGIN_ABI_VERSION */
    const char *name;
    const char *version;
    const bosun_hook *hooks;
    size_t hook_count;
} bosun_c_plugin;

#define BOSUN_LOG_INFO 0
#define BOSUN_LOG_WARNING 1
#define BOSUN_LOG_ERROR 2

/* Services the host lends the plugin: plain function pointers bound to this plugin, valid for
 * the life of the process; callable from hooks, from any thread. */
typedef struct bosun_host {
    uint32_t abi_version;      /* the host's BOSUN_C_PLUGIN_ABI_VERSION */
    /* Logs a line under the plugin's name. */
    void (*log)(int level, const char *message);
    /* The stored object as malloc'ed JSON, or NULL when there is none. namespace is "" for
     * cluster-scoped kinds. */
    char *(*get_object)(const char *group, const char *resource, const char *namespace_, const char *name);
} bosun_host;

/* The entry point. `host` stays valid for the life of the process. Returns the descriptor, or
 * NULL to refuse to load (after logging why). */
const bosun_c_plugin *BOSUN_C_PLUGIN_ENTRY(const bosun_host *host);

#ifdef __cplusplus
}
#endif

#endif /* BOSUN_PLUGIN_H */
