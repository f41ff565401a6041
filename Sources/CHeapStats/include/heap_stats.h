#ifndef BOSUN_HEAP_STATS_H
#define BOSUN_HEAP_STATS_H
#include <stddef.h>

/// Bytes the C heap has handed out and not taken back (glibc's mallinfo2(): arena plus mmapped
/// blocks): what a
/// benchmark reads before and after building a structure to learn its size.
size_t bosun_heap_bytes_in_use(void);

/// Bytes the C heap's arenas hold free (mallinfo2's fordblks): freed by the program, kept by
/// malloc for reuse, resident or not.
size_t bosun_heap_bytes_free(void);

/// Gives the free pages of every arena back to the kernel (glibc's malloc_trim(0)), not only
/// those at an arena's top; 1 if any memory was released.
int bosun_heap_trim(void);

#endif
