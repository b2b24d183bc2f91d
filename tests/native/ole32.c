/*
 * Stand-in for ole32.dll: CoTaskMemFree. Every block the other stand-ins
 * return carries a header (standin.h) naming the library that allocated it;
 * this hands the block back to that library, which counts it. A pointer that
 * is not a live block (a double free, a foreign pointer) is counted here as a
 * bad free and otherwise ignored.
 */
#ifdef _WIN32
/* Build as ole32 itself (no dllimport), against Microsoft's declaration. */
#define _OLE32_
#endif
#include "standin.h"

#ifdef _WIN32
#include <objbase.h>
#endif

#include <stdint.h>

static standin_lock counter_lock = STANDIN_LOCK_INIT;
static int64_t frees = 0;
static int64_t bad_frees = 0;

STANDIN_EXPORT void WINAPI CoTaskMemFree(LPVOID pv) {
  standin_block *block;
  if (pv == NULL) return;
  block = (standin_block *)pv - 1;
  standin_lock_acquire(&counter_lock);
  if (block->magic != STANDIN_BLOCK_LIVE) {
    bad_frees++;
    standin_lock_release(&counter_lock);
    return;
  }
  frees++;
  standin_lock_release(&counter_lock);
  block->release(block);
}

/* ---- test controls ----------------------------------------------------- */

/* How many blocks were freed. */
STANDIN_EXPORT int64_t Ole32StandinFrees(void) {
  int64_t n;
  standin_lock_acquire(&counter_lock);
  n = frees;
  standin_lock_release(&counter_lock);
  return n;
}

/* How many frees were of something that is not a live block. */
STANDIN_EXPORT int64_t Ole32StandinBadFrees(void) {
  int64_t n;
  standin_lock_acquire(&counter_lock);
  n = bad_frees;
  standin_lock_release(&counter_lock);
  return n;
}
