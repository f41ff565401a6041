#include "heap_stats.h"
#include <malloc.h>

size_t bosun_heap_bytes_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    // Large blocks are mmapped and counted apart from the arena's.
    return info.uordblks + info.hblkhd;
}

size_t bosun_heap_bytes_free(void) {
    struct mallinfo2 info = mallinfo2();
    return info.fordblks;
}

int bosun_heap_trim(void) {
    return malloc_trim(0);
}
