/*
 * Stand-in for kernel32.dll: lstrlenW, the length in UTF-16 code units of a
 * NUL-terminated string (0 for NULL), as the real one returns it.
 */
#ifdef _WIN32
/* Build as kernel32 itself (no dllimport); <windows.h> declares lstrlenW. */
#define _KERNEL32_
#endif
#include "standin.h"

#include <stdint.h>

static standin_lock counter_lock = STANDIN_LOCK_INIT;
static int64_t calls = 0;

STANDIN_EXPORT int WINAPI lstrlenW(LPCWSTR lpString) {
  int n = 0;
  standin_lock_acquire(&counter_lock);
  calls++;
  standin_lock_release(&counter_lock);
  if (lpString == NULL) return 0;
  while (lpString[n] != 0) n++;
  return n;
}

/* How many times lstrlenW was called. */
STANDIN_EXPORT int64_t Kernel32StandinCalls(void) {
  int64_t n;
  standin_lock_acquire(&counter_lock);
  n = calls;
  standin_lock_release(&counter_lock);
  return n;
}
