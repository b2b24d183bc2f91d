/* Local blocks (see standin_local.h). */
#include "standin_local.h"

#include <stdlib.h>
#include <string.h>

static standin_lock local_lock = STANDIN_LOCK_INIT;
static int64_t outstanding = 0;
static int64_t bad_releases = 0;

/* UTF-8 to UTF-16 code units (the input is this library's own, well formed). */
static size_t utf16_units(const unsigned char *p, const unsigned char *end, WCHAR *out) {
  size_t n = 0;
  while (p < end) {
    unsigned cp;
    size_t extra, i;
    if (p[0] < 0x80) {
      cp = p[0];
      extra = 0;
    } else if ((p[0] & 0xE0) == 0xC0) {
      cp = p[0] & 0x1F;
      extra = 1;
    } else if ((p[0] & 0xF0) == 0xE0) {
      cp = p[0] & 0x0F;
      extra = 2;
    } else {
      cp = p[0] & 0x07;
      extra = 3;
    }
    if ((size_t)(end - p) <= extra) extra = (size_t)(end - p) - 1;
    for (i = 1; i <= extra; i++) cp = (cp << 6) | (p[i] & 0x3F);
    p += extra + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      if (out != NULL) {
        out[n] = (WCHAR)(0xD800 + (cp >> 10));
        out[n + 1] = (WCHAR)(0xDC00 + (cp & 0x3FF));
      }
      n += 2;
    } else {
      if (out != NULL) out[n] = (WCHAR)cp;
      n += 1;
    }
  }
  return n;
}

static void *local_alloc(size_t size);

PWSTR standin_local_wide_from_utf8(const char *utf8, size_t length) {
  const unsigned char *p = (const unsigned char *)utf8;
  size_t units = utf16_units(p, p + length, NULL);
  WCHAR *out = local_alloc((units + 1) * sizeof(WCHAR));
  if (out == NULL) return NULL;
  utf16_units(p, p + length, out);
  out[units] = 0;
  return out;
}

int64_t standin_local_outstanding(void) {
  int64_t n;
  standin_lock_acquire(&local_lock);
  n = outstanding;
  standin_lock_release(&local_lock);
  return n;
}

int64_t standin_local_bad_releases(void) {
  int64_t n;
  standin_lock_acquire(&local_lock);
  n = bad_releases;
  standin_lock_release(&local_lock);
  return n;
}

#ifdef STANDIN_SYSTEM_ALLOCATOR

/* Installed in place of the real DLL: plain LocalAlloc blocks, which the real
   LocalFree frees and this library cannot count. */
static void *local_alloc(size_t size) {
  return LocalAlloc(LMEM_FIXED, size);
}

#else

/* ---- header blocks, kept dead for a while after release ---------------- */

static standin_block *live_blocks = NULL;
/* The newest released blocks stay allocated, marked dead, so a double free
   reads a dead header, not freed memory. */
#define QUARANTINE 256
static standin_block *quarantine[QUARANTINE];
static size_t quarantine_next = 0;

static void local_release(standin_block *block) {
  standin_block *b;
  standin_lock_acquire(&local_lock);
  for (b = live_blocks; b != NULL && b != block; b = b->next) {
  }
  if (b == NULL) {
    bad_releases++;
    standin_lock_release(&local_lock);
    return;
  }
  if (block->prev != NULL) block->prev->next = block->next;
  else live_blocks = block->next;
  if (block->next != NULL) block->next->prev = block->prev;
  outstanding--;
  block->magic = STANDIN_LOCAL_DEAD;
  free(quarantine[quarantine_next]);
  quarantine[quarantine_next] = block;
  quarantine_next = (quarantine_next + 1) % QUARANTINE;
  standin_lock_release(&local_lock);
}

static void *local_alloc(size_t size) {
  standin_block *block = malloc(sizeof(standin_block) + size);
  if (block == NULL) return NULL;
  block->magic = STANDIN_LOCAL_LIVE;
  block->size = size;
  block->release = local_release;
  block->prev = NULL;
  standin_lock_acquire(&local_lock);
  block->next = live_blocks;
  if (live_blocks != NULL) live_blocks->prev = block;
  live_blocks = block;
  outstanding++;
  standin_lock_release(&local_lock);
  return block + 1;
}

#if defined(__GNUC__) && !defined(_WIN32)
__attribute__((destructor)) static void drop_quarantine(void) {
  size_t i;
  for (i = 0; i < QUARANTINE; i++) {
    free(quarantine[i]);
    quarantine[i] = NULL;
  }
}
#endif

#endif
