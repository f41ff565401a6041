import BosunHost
import Foundation
import Testing

@Suite("Heap trimmer")
struct HeapTrimmerTests {
    @Test("a pass gives back the pages freed in the middle of the heap, which glibc keeps resident")
    func givesBackFreedPages() {
        // 128 MiB in 16 KiB blocks, each written so that its pages are resident, and one more
        // block after them that stays: it keeps the freed run off the top of the arena, from
        // where glibc would return it by itself.
        let size = 16 << 10
        let blocks = (0..<8192).map { _ in malloc(size)! }
        let pin = malloc(size)!
        defer { free(pin) }
        for block in blocks { memset(block, 1, size) }
        for block in blocks { free(block) }

        let given = HeapTrimmer().trim()

        // Other tests allocate meanwhile and may take some of the run back: half is enough to
        // tell a pass that trims from one that does not.
        #expect(given >= 64 << 20, "gave back \(given) bytes of the 128 MiB freed")
    }

}
