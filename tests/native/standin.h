/*
 * Shared declarations of the podnet stand-in libraries: portable Windows
 * types, the export macro, locks, and the runtime every stand-in links in
 * (CoTaskMem-style allocations, UTF-16 conversion, handles, call accounting,
 * injected failures and delays).
 *
 * Built two ways:
 *   - here (Linux, macOS): shared objects, Windows types defined below with
 *     the same sizes and layouts (WCHAR is 16-bit, HRESULT is int32_t);
 *   - with MinGW (_WIN32): the real <windows.h> and <computenetwork.h>, so the
 *     compiler checks every prototype against Microsoft's declarations. With
 *     STANDIN_SYSTEM_ALLOCATOR (the build installed in place of the real DLL,
 *     standin_build.ts), returned strings are plain CoTaskMemAlloc blocks
 *     for the real ole32's CoTaskMemFree, and are not counted.
 */
#ifndef PODNET_STANDIN_H
#define PODNET_STANDIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef _WIN32
#include <windows.h>
#define STANDIN_EXPORT __declspec(dllexport)
#else
typedef int32_t HRESULT;
typedef uint16_t WCHAR;
typedef WCHAR *PWSTR;
typedef const WCHAR *PCWSTR;
typedef const WCHAR *LPCWSTR;
typedef void *LPVOID;
typedef struct _GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} GUID;
typedef const GUID *REFGUID;
#define WINAPI
#define STANDIN_EXPORT __attribute__((visibility("default")))
#endif

#define STANDIN_S_OK ((HRESULT)0)
#define STANDIN_E_POINTER ((HRESULT)0x80004003u)
#define STANDIN_E_FAIL ((HRESULT)0x80004005u)
#define STANDIN_E_HANDLE ((HRESULT)0x80070006u)
#define STANDIN_E_OUTOFMEMORY ((HRESULT)0x8007000Eu)
#define STANDIN_E_INVALIDARG ((HRESULT)0x80070057u)
#define STANDIN_ERROR_ALREADY_EXISTS ((HRESULT)0x800700B7u)
#define STANDIN_ERROR_NOT_FOUND ((HRESULT)0x80070490u)
#define STANDIN_HCN_E_ENDPOINT_NOT_FOUND ((HRESULT)0x803B0002u)
#define STANDIN_HCN_E_INVALID_JSON ((HRESULT)0x803B001Bu)
#define STANDIN_HCS_E_UNKNOWN_MESSAGE ((HRESULT)0xC037010Bu)
#define STANDIN_HCS_E_INVALID_JSON ((HRESULT)0xC037010Du)
#define STANDIN_HCS_E_SYSTEM_NOT_FOUND ((HRESULT)0xC037010Eu)
#define STANDIN_HCS_E_SYSTEM_ALREADY_STOPPED ((HRESULT)0xC0370110u)
#define STANDIN_HCS_E_CONNECT_FAILED ((HRESULT)0x80370108u)
#define STANDIN_HCS_E_CONNECTION_CLOSED ((HRESULT)0x8037010Au)

/* ---- locks ------------------------------------------------------------- */
#ifdef _WIN32
typedef SRWLOCK standin_lock;
#define STANDIN_LOCK_INIT SRWLOCK_INIT
#define standin_lock_acquire(l) AcquireSRWLockExclusive(l)
#define standin_lock_release(l) ReleaseSRWLockExclusive(l)
#else
#include <pthread.h>
typedef pthread_mutex_t standin_lock;
#define STANDIN_LOCK_INIT PTHREAD_MUTEX_INITIALIZER
#define standin_lock_acquire(l) pthread_mutex_lock(l)
#define standin_lock_release(l) pthread_mutex_unlock(l)
#endif

/* ---- CoTaskMem-style blocks -------------------------------------------- */
/*
 * Every string a stand-in returns is one block: this header, then the
 * payload. The stand-in ole32 CoTaskMemFree checks the magic and hands the
 * block back to the library that allocated it (`release`), which counts it.
 * So the allocating library knows exactly how many of its strings are still
 * outstanding, and a pointer that is not a live block is counted as a bad
 * free instead of corrupting the heap. Released blocks stay allocated, marked
 * dead, for a while (standin_runtime.c: the quarantine), so that a double
 * free reads a dead header rather than freed memory.
 */
#define STANDIN_BLOCK_LIVE 0x4C49564553544E44ull /* "DNTSEVIL" */
#define STANDIN_BLOCK_DEAD 0x44414544DEADDEADull

typedef struct standin_block {
  uint64_t magic;
  size_t size; /* of the payload, in bytes */
  void (*release)(struct standin_block *block);
  struct standin_block *prev;
  struct standin_block *next;
} standin_block;

/* ---- runtime (standin_runtime.c, linked into each API stand-in) -------- */

/* Returns a new block holding `utf8` converted to NUL-terminated UTF-16. */
PWSTR standin_wide_from_utf8(const char *utf8, size_t length);
/* Converts NUL-terminated UTF-16 to a malloc'd UTF-8 string; NULL on a lone
   surrogate. `*length` receives the byte length. */
char *standin_utf8_from_wide(PCWSTR text, size_t *length);

/* One API call in progress: counts it, applies the delay, and takes the
   failure injected for it, if any. */
typedef struct standin_call {
  const char *function;
  int injected;
  int after_work; /* the injected code is returned after the work is done */
  HRESULT hresult;
  char *record;
} standin_call;

/* A malloc'd copy of a NUL-terminated text; NULL for NULL or out of memory. */
char *standin_copy(const char *text);

void standin_enter(standin_call *call, const char *function);
/* standin_enter for a call that carries `document` (UTF-8, may be NULL): a
   failure injected for documents containing some text is taken only here. */
void standin_enter_with(standin_call *call, const char *function, const char *document);
void standin_leave(standin_call *call);
/* The longest a call waits in a hold: a test that fails before releasing it
   must not hang the run. */
#define STANDIN_HOLD_LIMIT_MS 10000
/* The start of an asynchronous call (an HCS v2 operation): counts it as
   standin_enter does and takes its injected failure, but neither sleeps nor
   waits in a hold. Returns the delay for the caller to apply; the caller asks
   standin_held() before doing the work and ends with standin_leave(). */
uint32_t standin_begin(standin_call *call, const char *function);
/* standin_begin for a call that carries `document` (see standin_enter_with). */
uint32_t standin_begin_with(standin_call *call, const char *function, const char *document);
/* Whether calls of `function` are held now. */
int standin_held(const char *function);
/* Adds delta to the count of calls waiting in a hold (StandinHeldCalls). */
void standin_count_held(int delta);
/* Sets *out (when out is not NULL) to a new block holding `record`, returns hr. */
HRESULT standin_fail(PWSTR *out, HRESULT hr, const char *record);
/* Builds an HNS-style error record; returns hr. */
HRESULT standin_fail_hcn(PWSTR *out, HRESULT hr, const char *message);
/* Builds an HCS ResultError document with one event; returns hr. */
HRESULT standin_fail_hcs(PWSTR *out, HRESULT hr, const char *message);
/* Applies an injected failure due before the work: returns 1 when the call
   must fail with it (without doing the work). */
int standin_injected_failure(standin_call *call, PWSTR *out, HRESULT *hr);
/* After the work succeeded with `hr`: the HRESULT the call returns. That is
   an injected success code (S_FALSE...) or an injected failure due after the
   work, with its record attached, the outputs left in place; else `hr`. */
HRESULT standin_injected_result(standin_call *call, PWSTR *out, HRESULT hr);
/* Remembers a document a call received (UTF-8). */
void standin_record_document(const char *function, const char *utf8, size_t length);

/* Handles: opaque, never reused, so use after close is always detected. The
   object ID (a GUID, or a compute system ID such as "<64 hex>@vm") is kept
   whole: up to STANDIN_ID_CAPACITY - 1 bytes; a longer one is refused (NULL),
   never truncated. */
#define STANDIN_ID_CAPACITY 128
void *standin_handle_open(int kind, const char *object_id);
/* Copies the object ID of a live handle of that kind into id (up to
   `capacity` bytes with the NUL); returns 0 when the handle is not live. */
int standin_handle_get(void *handle, int kind, char *id, size_t capacity);
int standin_handle_close(void *handle, int kind);

/* GUID helpers. */
void standin_guid_format(const GUID *guid, char out[37]);
/* Lower-cases a canonical 36-character GUID into out; returns 0 when `text`
   is not one. */
int standin_guid_canonical(const char *text, size_t length, char out[37]);
/* Same, also accepting the braced form "{...}". */
int standin_guid_normalize(const char *text, size_t length, char out[37]);

#endif
