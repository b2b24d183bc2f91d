/*
 * Stand-in for kernel32.dll: lstrlenW, the length in UTF-16 code units of a
 * NUL-terminated string (0 for NULL), as the real one returns it; and
 * LocalFree, which frees the result documents of the computecore stand-in
 * (standin_local.h) and counts anything else as a bad free.
 */
#ifdef _WIN32
/* Build as kernel32 itself (no dllimport); <windows.h> declares these. */
#define _KERNEL32_
#endif
#include "standin.h"
#include "standin_local.h"

#ifdef _WIN32
#include <psapi.h>
#endif

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

#ifdef _WIN32

typedef int32_t(*release_fn)(void *block);
typedef HLOCAL(WINAPI *local_free_fn)(HLOCAL block);

/* Asks every loaded module that exports StandinLocalRelease whether `block`
   is one of its live blocks (the one that says yes forgets it). */
static int owned_by_a_standin(void *block) {
  HMODULE modules[512];
  DWORD needed = 0, i, count;
  if (!K32EnumProcessModules(GetCurrentProcess(), modules, sizeof(modules), &needed)) return 0;
  count = needed / sizeof(HMODULE);
  if (count > sizeof(modules) / sizeof(modules[0])) count = sizeof(modules) / sizeof(modules[0]);
  for (i = 0; i < count; i++) {
    release_fn release = (release_fn)(void (*)(void))GetProcAddress(modules[i], "StandinLocalRelease");
    if (release != NULL && release(block)) return 1;
  }
  return 0;
}

STANDIN_EXPORT HLOCAL WINAPI LocalFree(HLOCAL hMem) {
  local_free_fn real;
  if (hMem == NULL) return NULL;
  if (!owned_by_a_standin(hMem)) {
    count_free(0);
    return hMem;
  }
  count_free(1);
  /* The system's LocalFree (this library is loaded under a name of its own). */
  real = (local_free_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"kernel32.dll"),
                                                        "LocalFree");
  if (real != NULL && real != LocalFree) return real(hMem);
  HeapFree(GetProcessHeap(), 0, hMem);
  return NULL;
}

#else

STANDIN_EXPORT void *LocalFree(void *hMem) {
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

#endif

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
