#ifndef BOSUN_HEAP_STATS_H
#define BOSUN_HEAP_STATS_H
#include <stddef.h>

// The C heap's statistics and trimming, for glibc's malloc or jemalloc, whichever the process
// runs with (the `bosun` executable links jemalloc).

/// "jemalloc" or "glibc".
const char *bosun_heap_allocator(void);

/// Bytes the C heap has handed out and not taken back (jemalloc's stats.allocated; glibc's
/// mallinfo2(), arena plus mmapped blocks): what a benchmark reads before and after building a
/// structure to learn its size.
size_t bosun_heap_bytes_in_use(void);

/// Bytes the heap holds beyond those handed out: glibc's free arena bytes (mallinfo2's
/// fordblks, resident or not); jemalloc's resident bytes less those allocated.
size_t bosun_heap_bytes_free(void);

/// Gives free pages back to the kernel: glibc's malloc_trim(0) (every arena's free pages, not
/// only those at an arena's top), jemalloc's purge of every arena. 1 if it did.
int bosun_heap_trim(void);

#endif
