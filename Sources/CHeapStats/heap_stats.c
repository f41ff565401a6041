#include "heap_stats.h"
#include <dlfcn.h>
#include <malloc.h>
#include <stdint.h>

// The `bosun` executable links jemalloc (docs/architecture.md, "Memory allocator"); test
// binaries and other hosts of BosunHost keep glibc's malloc. Which one is in use is learnt at
// run time: jemalloc exports mallctl, glibc does not.
typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);

static mallctl_fn jemalloc_ctl(void) {
    static mallctl_fn ctl;
    static int looked;
    if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&ctl, (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl"), __ATOMIC_RELAXED);
        __atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&ctl, __ATOMIC_RELAXED);
}

// jemalloc's statistics are a snapshot taken when its epoch advances.
static size_t jemalloc_stat(mallctl_fn ctl, const char *name) {
    uint64_t epoch = 1;
    size_t length = sizeof(epoch);
    ctl("epoch", &epoch, &length, &epoch, length);
    size_t value = 0;
    length = sizeof(value);
    if (ctl(name, &value, &length, NULL, 0) != 0) return 0;
    return value;
}

const char *bosun_heap_allocator(void) {
    return jemalloc_ctl() ? "jemalloc" : "glibc";
}

size_t bosun_heap_bytes_in_use(void) {
    mallctl_fn ctl = jemalloc_ctl();
    if (ctl) return jemalloc_stat(ctl, "stats.allocated");
    struct mallinfo2 info = mallinfo2();
    // Large blocks are mmapped and counted apart from the arena's.
    return info.uordblks + info.hblkhd;
}

size_t bosun_heap_bytes_free(void) {
    mallctl_fn ctl = jemalloc_ctl();
    if (ctl) {
        size_t resident = jemalloc_stat(ctl, "stats.resident");
        size_t allocated = jemalloc_stat(ctl, "stats.allocated");
        return resident > allocated ? resident - allocated : 0;
    }
    struct mallinfo2 info = mallinfo2();
    return info.fordblks;
}

int bosun_heap_trim(void) {
    mallctl_fn ctl = jemalloc_ctl();
    // 4096 is MALLCTL_ARENAS_ALL: purge the unused dirty pages of every arena.
    if (ctl) return ctl("arena.4096.purge", NULL, NULL, NULL, 0) == 0;
    return malloc_trim(0);
}
