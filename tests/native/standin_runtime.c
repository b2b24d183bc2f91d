/*
 * The runtime linked into each API stand-in (computenetwork, vmcompute):
 * CoTaskMem-style blocks, UTF-16 <-> UTF-8, handles, call accounting,
 * injected failures, delays, received documents, and the test controls that
 * expose them (Standin*). Each stand-in library has its own copy of this
 * state, so counters are per library.
 */
#include "standin.h"
#include "standin_json.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <objbase.h>
#else
#include <time.h>
#endif

static standin_lock state_lock = STANDIN_LOCK_INIT;

/* ---- blocks ------------------------------------------------------------ */

static int64_t outstanding_blocks = 0;
static int64_t bad_releases = 0;

#ifdef STANDIN_SYSTEM_ALLOCATOR
/* Built to be installed in place of the real DLL (System32): its callers free
   the strings with the real ole32's CoTaskMemFree, so each is a plain
   CoTaskMemAlloc block, which this library cannot count. */
static void *standin_block_alloc(size_t size) {
  return CoTaskMemAlloc(size);
}
#else
static standin_block *live_blocks = NULL;

/* Released blocks are not handed back to the allocator at once: they wait,
   marked dead, in a quarantine (the newest QUARANTINE_BLOCKS, and no more
   than QUARANTINE_BYTES beyond the newest one). So a second CoTaskMemFree of
   the same pointer reads a dead block and is counted as a bad free, instead
   of reading memory that malloc reused or unmapped (a large string is its
   own mapping, and reading it after free() is a crash). */
#define QUARANTINE_BLOCKS 1024
#define QUARANTINE_BYTES ((size_t)16 << 20)
static standin_block *quarantine_oldest = NULL;
static standin_block *quarantine_newest = NULL;
static size_t quarantine_count = 0;
static size_t quarantine_bytes = 0;

/* Caller holds state_lock. */
static void quarantine(standin_block *block) {
  block->magic = STANDIN_BLOCK_DEAD;
  block->prev = NULL;
  block->next = NULL;
  if (quarantine_newest != NULL) quarantine_newest->next = block;
  else quarantine_oldest = block;
  quarantine_newest = block;
  quarantine_count++;
  quarantine_bytes += block->size;
  while (quarantine_count > 1 &&
         (quarantine_count > QUARANTINE_BLOCKS || quarantine_bytes > QUARANTINE_BYTES)) {
    standin_block *old = quarantine_oldest;
    quarantine_oldest = old->next;
    quarantine_count--;
    quarantine_bytes -= old->size;
    free(old);
  }
}

#if defined(__GNUC__) && !defined(_WIN32)
/* When the library is unloaded, the quarantined blocks go with it. */
__attribute__((destructor)) static void drop_quarantine(void) {
  while (quarantine_oldest != NULL) {
    standin_block *old = quarantine_oldest;
    quarantine_oldest = old->next;
    free(old);
  }
  quarantine_newest = NULL;
  quarantine_count = 0;
  quarantine_bytes = 0;
}
#endif

static void standin_release(standin_block *block) {
  standin_block *b;
  int found = 0;
  standin_lock_acquire(&state_lock);
  for (b = live_blocks; b != NULL; b = b->next) {
    if (b == block) {
      found = 1;
      break;
    }
  }
  if (!found) {
    bad_releases++;
    standin_lock_release(&state_lock);
    return;
  }
  if (block->prev != NULL) block->prev->next = block->next;
  else live_blocks = block->next;
  if (block->next != NULL) block->next->prev = block->prev;
  outstanding_blocks--;
  quarantine(block);
  standin_lock_release(&state_lock);
}

static void *standin_block_alloc(size_t size) {
  standin_block *block = malloc(sizeof(standin_block) + size);
  if (block == NULL) return NULL;
  block->magic = STANDIN_BLOCK_LIVE;
  block->size = size;
  block->release = standin_release;
  block->prev = NULL;
  standin_lock_acquire(&state_lock);
  block->next = live_blocks;
  if (live_blocks != NULL) live_blocks->prev = block;
  live_blocks = block;
  outstanding_blocks++;
  standin_lock_release(&state_lock);
  return block + 1;
}
#endif /* STANDIN_SYSTEM_ALLOCATOR */

/* ---- UTF-16 <-> UTF-8 -------------------------------------------------- */

/* Decodes one UTF-8 sequence (input produced by this library or checked). */
static unsigned utf8_next(const unsigned char **p, const unsigned char *end) {
  const unsigned char *s = *p;
  unsigned cp;
  size_t n, i;
  if (s[0] < 0x80) {
    *p = s + 1;
    return s[0];
  }
  if ((s[0] & 0xE0) == 0xC0) {
    n = 2;
    cp = s[0] & 0x1F;
  } else if ((s[0] & 0xF0) == 0xE0) {
    n = 3;
    cp = s[0] & 0x0F;
  } else if ((s[0] & 0xF8) == 0xF0) {
    n = 4;
    cp = s[0] & 0x07;
  } else {
    *p = s + 1;
    return 0xFFFD;
  }
  if ((size_t)(end - s) < n) {
    *p = end;
    return 0xFFFD;
  }
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *p = s + i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  *p = s + n;
  return cp;
}

PWSTR standin_wide_from_utf8(const char *utf8, size_t length) {
  const unsigned char *p = (const unsigned char *)utf8;
  const unsigned char *end = p + length;
  size_t units = 0;
  WCHAR *out, *w;
  while (p < end) units += utf8_next(&p, end) >= 0x10000 ? 2 : 1;
  out = standin_block_alloc((units + 1) * sizeof(WCHAR));
  if (out == NULL) return NULL;
  w = out;
  p = (const unsigned char *)utf8;
  while (p < end) {
    unsigned cp = utf8_next(&p, end);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      *w++ = (WCHAR)(0xD800 + (cp >> 10));
      *w++ = (WCHAR)(0xDC00 + (cp & 0x3FF));
    } else {
      *w++ = (WCHAR)cp;
    }
  }
  *w = 0;
  return out;
}

char *standin_utf8_from_wide(PCWSTR text, size_t *length) {
  size_t units = 0, i, n = 0;
  char *out;
  while (text[units] != 0) units++;
  out = malloc(units * 3 + 1);
  if (out == NULL) return NULL;
  for (i = 0; i < units; i++) {
    unsigned cp = text[i];
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 1 >= units || text[i + 1] < 0xDC00 || text[i + 1] > 0xDFFF) {
        free(out);
        return NULL;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (text[i + 1] - 0xDC00u);
      i++;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      free(out);
      return NULL;
    }
    if (cp < 0x80) {
      out[n++] = (char)cp;
    } else if (cp < 0x800) {
      out[n++] = (char)(0xC0 | (cp >> 6));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out[n++] = (char)(0xE0 | (cp >> 12));
      out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
      out[n++] = (char)(0xF0 | (cp >> 18));
      out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    }
  }
  out[n] = '\0';
  *length = n;
  return out;
}

/* ---- calls: counts, delays, injected failures -------------------------- */

#define MAX_FUNCTIONS 32

typedef struct function_stats {
  char name[64];
  int64_t calls;
  uint32_t delay_ms;
  int held;
} function_stats;

typedef struct injection {
  char function[64];
  HRESULT hresult;
  int after_work;
  char *record;
  char *match; /* NULL, or text the call's document must contain */
  struct injection *next;
} injection;

static function_stats functions[MAX_FUNCTIONS];
static size_t function_count = 0;
static uint32_t delay_all_ms = 0;
static injection *injections = NULL;
static int64_t in_flight = 0;
static int64_t max_in_flight = 0;
static int hold_all = 0;
static int64_t held_calls = 0;

static function_stats *stats_for(const char *function) {
  size_t i;
  for (i = 0; i < function_count; i++) {
    if (strcmp(functions[i].name, function) == 0) return &functions[i];
  }
  if (function_count == MAX_FUNCTIONS || strlen(function) >= sizeof(functions[0].name)) {
    return NULL;
  }
  memset(&functions[function_count], 0, sizeof(function_stats));
  strcpy(functions[function_count].name, function);
  return &functions[function_count++];
}

/* Whether calls of `function` are held now; caller holds state_lock. */
static int is_held(const char *function) {
  size_t i;
  if (hold_all) return 1;
  for (i = 0; i < function_count; i++) {
    if (strcmp(functions[i].name, function) == 0) return functions[i].held;
  }
  return 0;
}

static void sleep_ms(uint32_t ms) {
#ifdef _WIN32
  Sleep(ms);
#else
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0) {
  }
#endif
}

/* Whether `item` is meant for a call of `function` with `document`. */
static int injection_fits(const injection *item, const char *function, const char *document) {
  if (strcmp(item->function, function) != 0) return 0;
  return item->match == NULL || (document != NULL && strstr(document, item->match) != NULL);
}

uint32_t standin_begin(standin_call *call, const char *function) {
  return standin_begin_with(call, function, NULL);
}

uint32_t standin_begin_with(standin_call *call, const char *function, const char *document) {
  function_stats *stats;
  injection **link;
  uint32_t delay;
  call->function = function;
  call->injected = 0;
  call->after_work = 0;
  call->hresult = STANDIN_S_OK;
  call->record = NULL;
  standin_lock_acquire(&state_lock);
  in_flight++;
  if (in_flight > max_in_flight) max_in_flight = in_flight;
  stats = stats_for(function);
  delay = delay_all_ms;
  if (stats != NULL) {
    stats->calls++;
    if (stats->delay_ms > delay) delay = stats->delay_ms;
  }
  for (link = &injections; *link != NULL; link = &(*link)->next) {
    if (injection_fits(*link, function, document)) {
      injection *hit = *link;
      *link = hit->next;
      call->injected = 1;
      call->after_work = hit->after_work;
      call->hresult = hit->hresult;
      call->record = hit->record;
      free(hit->match);
      free(hit);
      break;
    }
  }
  standin_lock_release(&state_lock);
  return delay;
}

int standin_held(const char *function) {
  int held;
  standin_lock_acquire(&state_lock);
  held = is_held(function);
  standin_lock_release(&state_lock);
  return held;
}

void standin_count_held(int delta) {
  standin_lock_acquire(&state_lock);
  held_calls += delta;
  standin_lock_release(&state_lock);
}

void standin_enter(standin_call *call, const char *function) {
  standin_enter_with(call, function, NULL);
}

void standin_enter_with(standin_call *call, const char *function, const char *document) {
  uint32_t delay = standin_begin_with(call, function, document);
  if (delay > 0) sleep_ms(delay);
  standin_lock_acquire(&state_lock);
  if (is_held(function)) {
    uint32_t waited = 0;
    held_calls++;
    while (is_held(function) && waited < STANDIN_HOLD_LIMIT_MS) {
      standin_lock_release(&state_lock);
      sleep_ms(1);
      waited++;
      standin_lock_acquire(&state_lock);
    }
    held_calls--;
  }
  standin_lock_release(&state_lock);
}

void standin_leave(standin_call *call) {
  free(call->record);
  call->record = NULL;
  standin_lock_acquire(&state_lock);
  in_flight--;
  standin_lock_release(&state_lock);
}

HRESULT standin_fail(PWSTR *out, HRESULT hr, const char *record) {
  if (out != NULL && record != NULL) {
    if (*out != NULL) {
      /* keep the first record only */
    } else {
      *out = standin_wide_from_utf8(record, strlen(record));
    }
  }
  return hr;
}

HRESULT standin_fail_hcn(PWSTR *out, HRESULT hr, const char *message) {
  sj_buffer b = {0};
  HRESULT result;
  sj_append_text(&b, "{\"Success\":false,\"Error\":");
  sj_append_string(&b, message, strlen(message));
  sj_append_text(&b, ",\"ErrorCode\":");
  sj_append_int(&b, (long long)(uint32_t)hr);
  sj_append_text(&b, "}");
  result = standin_fail(out, hr, b.failed ? NULL : b.data);
  sj_buffer_free(&b);
  return result;
}

HRESULT standin_fail_hcs(PWSTR *out, HRESULT hr, const char *message) {
  sj_buffer b = {0};
  HRESULT result;
  sj_append_text(&b, "{\"Error\":");
  sj_append_int(&b, (long long)hr);
  sj_append_text(&b, ",\"ErrorMessage\":");
  sj_append_string(&b, message, strlen(message));
  sj_append_text(&b, ",\"ErrorEvents\":[{\"Message\":");
  sj_append_string(&b, message, strlen(message));
  sj_append_text(&b,
                 ",\"Provider\":\"17103e3f-3c6e-4677-bb17-3b267eb5be57\",\"EventId\":12345,"
                 "\"Source\":\"vmcompute stand-in\"}]}");
  result = standin_fail(out, hr, b.failed ? NULL : b.data);
  sj_buffer_free(&b);
  return result;
}

int standin_injected_failure(standin_call *call, PWSTR *out, HRESULT *hr) {
  if (!call->injected || call->after_work || call->hresult >= 0) return 0;
  *hr = standin_fail(out, call->hresult, call->record);
  return 1;
}

HRESULT standin_injected_result(standin_call *call, PWSTR *out, HRESULT hr) {
  if (!call->injected || (call->hresult < 0 && !call->after_work)) return hr;
  return standin_fail(out, call->hresult, call->record);
}

/* ---- received documents ------------------------------------------------ */

typedef struct document {
  char function[64];
  char *text;
  size_t length;
} document;

static document *documents = NULL;
static size_t document_count = 0;

void standin_record_document(const char *function, const char *utf8, size_t length) {
  char *copy = malloc(length + 1);
  document *grown;
  if (copy == NULL) return;
  memcpy(copy, utf8, length);
  copy[length] = '\0';
  standin_lock_acquire(&state_lock);
  grown = realloc(documents, (document_count + 1) * sizeof(document));
  if (grown == NULL) {
    standin_lock_release(&state_lock);
    free(copy);
    return;
  }
  documents = grown;
  snprintf(documents[document_count].function, sizeof(documents[0].function), "%s", function);
  documents[document_count].text = copy;
  documents[document_count].length = length;
  document_count++;
  standin_lock_release(&state_lock);
}

/* ---- handles ----------------------------------------------------------- */

typedef struct handle_entry {
  uintptr_t value;
  int kind;
  char id[STANDIN_ID_CAPACITY];
} handle_entry;

static handle_entry *handles = NULL;
static size_t handle_count = 0;
static uintptr_t next_handle = 0x10000;

void *standin_handle_open(int kind, const char *object_id) {
  handle_entry *grown;
  uintptr_t value;
  if (strlen(object_id) >= STANDIN_ID_CAPACITY) return NULL;
  standin_lock_acquire(&state_lock);
  grown = realloc(handles, (handle_count + 1) * sizeof(handle_entry));
  if (grown == NULL) {
    standin_lock_release(&state_lock);
    return NULL;
  }
  handles = grown;
  next_handle += 0x10;
  value = next_handle;
  handles[handle_count].value = value;
  handles[handle_count].kind = kind;
  snprintf(handles[handle_count].id, sizeof(handles[0].id), "%s", object_id);
  handle_count++;
  standin_lock_release(&state_lock);
  return (void *)value;
}

int standin_handle_get(void *handle, int kind, char *id, size_t capacity) {
  size_t i;
  int found = 0;
  standin_lock_acquire(&state_lock);
  for (i = 0; i < handle_count; i++) {
    if (handles[i].value == (uintptr_t)handle && handles[i].kind == kind) {
      snprintf(id, capacity, "%s", handles[i].id);
      found = 1;
      break;
    }
  }
  standin_lock_release(&state_lock);
  return found;
}

int standin_handle_close(void *handle, int kind) {
  size_t i;
  int found = 0;
  standin_lock_acquire(&state_lock);
  for (i = 0; i < handle_count; i++) {
    if (handles[i].value == (uintptr_t)handle && handles[i].kind == kind) {
      handles[i] = handles[handle_count - 1];
      handle_count--;
      found = 1;
      break;
    }
  }
  standin_lock_release(&state_lock);
  return found;
}

/* ---- GUIDs ------------------------------------------------------------- */

void standin_guid_format(const GUID *g, char out[37]) {
  snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)g->Data1,
           (unsigned)g->Data2, (unsigned)g->Data3, g->Data4[0], g->Data4[1], g->Data4[2],
           g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

int standin_guid_canonical(const char *text, size_t length, char out[37]) {
  size_t i;
  if (length != 36) return 0;
  for (i = 0; i < 36; i++) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return 0;
      out[i] = c;
    } else if (c >= '0' && c <= '9') {
      out[i] = c;
    } else if (c >= 'a' && c <= 'f') {
      out[i] = c;
    } else if (c >= 'A' && c <= 'F') {
      out[i] = (char)(c - 'A' + 'a');
    } else {
      return 0;
    }
  }
  out[36] = '\0';
  return 1;
}

int standin_guid_normalize(const char *text, size_t length, char out[37]) {
  if (length == 38 && text[0] == '{' && text[37] == '}') {
    return standin_guid_canonical(text + 1, 36, out);
  }
  return standin_guid_canonical(text, length, out);
}

/* ---- test controls ----------------------------------------------------- */

/* Forgets injected failures, delays, holds (held calls go on), call counts,
   the in-flight maximum and the received documents. Outstanding blocks and
   open handles are kept: they must drain through the API. */
STANDIN_EXPORT void StandinReset(void) {
  size_t i;
  standin_lock_acquire(&state_lock);
  while (injections != NULL) {
    injection *next = injections->next;
    free(injections->record);
    free(injections->match);
    free(injections);
    injections = next;
  }
  function_count = 0;
  delay_all_ms = 0;
  hold_all = 0;
  max_in_flight = in_flight;
  for (i = 0; i < document_count; i++) free(documents[i].text);
  free(documents);
  documents = NULL;
  document_count = 0;
  standin_lock_release(&state_lock);
}

char *standin_copy(const char *text) {
  size_t n;
  char *copy;
  if (text == NULL) return NULL;
  n = strlen(text);
  copy = malloc(n + 1);
  if (copy != NULL) memcpy(copy, text, n + 1);
  return copy;
}

static void add_injection(const char *function, const char *match, int32_t hresult,
                          const char *record, int after_work) {
  injection *item = calloc(1, sizeof(injection));
  injection **link;
  if (item == NULL) return;
  snprintf(item->function, sizeof(item->function), "%s", function);
  item->hresult = hresult;
  item->after_work = after_work;
  if ((record != NULL && (item->record = standin_copy(record)) == NULL) ||
      (match != NULL && (item->match = standin_copy(match)) == NULL)) {
    free(item->record);
    free(item);
    return;
  }
  standin_lock_acquire(&state_lock);
  for (link = &injections; *link != NULL; link = &(*link)->next) {
  }
  *link = item;
  standin_lock_release(&state_lock);
}

/* The next call of `function` returns `hresult` and, when `record` is not
   NULL, that error record. A failure is returned before any work is done; a
   success code (S_OK, S_FALSE...) still does the work, then is returned with
   the record attached. */
STANDIN_EXPORT void StandinFailNext(const char *function, int32_t hresult, const char *record) {
  add_injection(function, NULL, hresult, record, 0);
}

/* As StandinFailNext, for the next call of `function` whose document
   contains `match` (HcsModifyComputeSystem's configuration, in both HCS
   stand-ins; computecore's HcsGetComputeSystemProperties query too); other
   calls pass it by. Tests use it where
   concurrent calls of one function come in no fixed order. */
STANDIN_EXPORT void StandinFailNextMatching(const char *function, const char *match,
                                            int32_t hresult, const char *record) {
  add_injection(function, match, hresult, record, 0);
}

/* The next call of `function` does its work (opens the handle, writes the
   result), then returns `hresult` with `record`, leaving its outputs in
   place: a DLL that hands back a handle or a string with a failure. */
STANDIN_EXPORT void StandinFailNextAfterWork(const char *function, int32_t hresult,
                                             const char *record) {
  add_injection(function, NULL, hresult, record, 1);
}

/* Every later call of `function` (NULL or "*": of every function) sleeps
   `milliseconds` first. */
STANDIN_EXPORT void StandinSetDelay(const char *function, uint32_t milliseconds) {
  standin_lock_acquire(&state_lock);
  if (function == NULL || strcmp(function, "*") == 0) {
    delay_all_ms = milliseconds;
  } else {
    function_stats *stats = stats_for(function);
    if (stats != NULL) stats->delay_ms = milliseconds;
  }
  standin_lock_release(&state_lock);
}

/* Every later call of `function` (NULL or "*": of every function) waits in
   the DLL, counted in flight, until StandinRelease lets it go (at most 10 s).
   Unlike a delay, a hold ends when the test says so, not after a time that a
   loaded machine may need for something else. */
STANDIN_EXPORT void StandinHold(const char *function) {
  standin_lock_acquire(&state_lock);
  if (function == NULL || strcmp(function, "*") == 0) {
    hold_all = 1;
  } else {
    function_stats *stats = stats_for(function);
    if (stats != NULL) stats->held = 1;
  }
  standin_lock_release(&state_lock);
}

/* Lets the held calls of `function` go, and later ones through (NULL or "*":
   ends every hold). */
STANDIN_EXPORT void StandinRelease(const char *function) {
  size_t i;
  standin_lock_acquire(&state_lock);
  if (function == NULL || strcmp(function, "*") == 0) {
    hold_all = 0;
    for (i = 0; i < function_count; i++) functions[i].held = 0;
  } else {
    function_stats *stats = stats_for(function);
    if (stats != NULL) stats->held = 0;
  }
  standin_lock_release(&state_lock);
}

/* Reads one counter under the state lock. */
static int64_t locked_read(const int64_t *counter) {
  int64_t n;
  standin_lock_acquire(&state_lock);
  n = *counter;
  standin_lock_release(&state_lock);
  return n;
}

/* How many calls are waiting in a hold now. */
STANDIN_EXPORT int64_t StandinHeldCalls(void) {
  return locked_read(&held_calls);
}

STANDIN_EXPORT int64_t StandinOutstandingAllocations(void) {
  return locked_read(&outstanding_blocks);
}

STANDIN_EXPORT int64_t StandinBadReleases(void) {
  return locked_read(&bad_releases);
}

STANDIN_EXPORT int64_t StandinOpenHandles(void) {
  int64_t n;
  standin_lock_acquire(&state_lock);
  n = (int64_t)handle_count;
  standin_lock_release(&state_lock);
  return n;
}

STANDIN_EXPORT int64_t StandinInFlight(void) {
  return locked_read(&in_flight);
}

STANDIN_EXPORT int64_t StandinMaxInFlight(void) {
  return locked_read(&max_in_flight);
}

STANDIN_EXPORT int64_t StandinCallCount(const char *function) {
  size_t i;
  int64_t n = 0;
  standin_lock_acquire(&state_lock);
  for (i = 0; i < function_count; i++) {
    if (strcmp(functions[i].name, function) == 0) n = functions[i].calls;
  }
  standin_lock_release(&state_lock);
  return n;
}

/* Writes the received documents as a JSON array of {"Call","Document"} into
   buffer (up to capacity bytes) and returns the full length in bytes. */
STANDIN_EXPORT size_t StandinDocuments(char *buffer, size_t capacity) {
  sj_buffer b = {0};
  size_t i, length;
  standin_lock_acquire(&state_lock);
  sj_append_text(&b, "[");
  for (i = 0; i < document_count; i++) {
    if (i > 0) sj_append_text(&b, ",");
    sj_append_text(&b, "{\"Call\":");
    sj_append_string(&b, documents[i].function, strlen(documents[i].function));
    sj_append_text(&b, ",\"Document\":");
    sj_append_string(&b, documents[i].text, documents[i].length);
    sj_append_text(&b, "}");
  }
  sj_append_text(&b, "]");
  standin_lock_release(&state_lock);
  if (b.failed) {
    sj_buffer_free(&b);
    return 0;
  }
  length = b.length;
  if (buffer != NULL) memcpy(buffer, b.data, length < capacity ? length : capacity);
  sj_buffer_free(&b);
  return length;
}
