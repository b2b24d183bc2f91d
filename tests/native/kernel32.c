/*
 * Stand-in for kernel32.dll: lstrlenW, the length in UTF-16 code units of a
 * NUL-terminated string (0 for NULL), as the real one returns it; and
 * LocalFree, which frees the result documents of the computecore stand-in
 * (standin_local.h) and counts anything else as a bad free.
 */
#ifndef _WIN32
typedef void *HLOCAL;
#endif
#ifdef _WIN32
/* Build as kernel32 itself (no dllimport); <windows.h> declares these. */
#define _KERNEL32_
#endif
#include "standin.h"
#include "standin_local.h"

#include <stdint.h>

static standin_lock counter_lock = STANDIN_LOCK_INIT;
static int64_t calls = 0;
static int64_t local_frees = 0;
static int64_t bad_local_frees = 0;

STANDIN_EXPORT int WINAPI lstrlenW(LPCWSTR lpString) {
  int n = 0;
  standin_lock_acquire(&counter_lock);
  calls++;
  standin_lock_release(&counter_lock);
  if (lpString == NULL) return 0;
  while (lpString[n] != 0) n++;
  return n;
}

static void count_free(int good) {
  standin_lock_acquire(&counter_lock);
  if (good) local_frees++;
  else bad_local_frees++;
  standin_lock_release(&counter_lock);
}

/* Hands a local block back to the library that allocated it; anything else
   is counted as a bad free and returned, as LocalFree returns a handle it
   could not free. */
STANDIN_EXPORT HLOCAL WINAPI LocalFree(HLOCAL hMem) {
  standin_block *block;
  if (hMem == NULL) return NULL;
  block = (standin_block *)hMem - 1;
  if (block->magic != STANDIN_LOCAL_LIVE) {
    count_free(0);
    return hMem;
  }
  count_free(1);
  block->release(block);
  return NULL;
}

/* How many times lstrlenW was called. */
STANDIN_EXPORT int64_t Kernel32StandinCalls(void) {
  int64_t n;
  standin_lock_acquire(&counter_lock);
  n = calls;
  standin_lock_release(&counter_lock);
  return n;
}

/* How many local blocks LocalFree freed. */
STANDIN_EXPORT int64_t Kernel32StandinLocalFrees(void) {
  int64_t n;
  standin_lock_acquire(&counter_lock);
  n = local_frees;
  standin_lock_release(&counter_lock);
  return n;
}

/* How many LocalFree calls were of something that is not a live local block. */
STANDIN_EXPORT int64_t Kernel32StandinBadLocalFrees(void) {
  int64_t n;
  standin_lock_acquire(&counter_lock);
  n = bad_local_frees;
  standin_lock_release(&counter_lock);
  return n;
}
