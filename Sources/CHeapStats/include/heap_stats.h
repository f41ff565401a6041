#ifndef BOSUN_HEAP_STATS_H
#define BOSUN_HEAP_STATS_H
#include <stddef.h>

/// Bytes the C heap has handed out and not taken back (glibc's mallinfo2(): arena plus mmapped
/// blocks): what a
/// benchmark reads before and after building a structure to learn its size.
size_t bosun_heap_bytes_in_use(void);

#endif
