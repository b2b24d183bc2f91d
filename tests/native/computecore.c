/*
 * Stand-in for computecore.dll (HCS v2). A modify or property query takes an
 * operation and returns at once; the stand-in's own thread does the work
 * after the configured delay (or when a hold ends) and then calls the
 * operation's completion callback, as HCS does from its own threads. The
 * result (HRESULT and result document) is read with HcsGetOperationResult or
 * HcsWaitForOperationResult; documents are local blocks (standin_local.h),
 * freed with LocalFree. The compute systems and the documents they accept
 * are standin_hcs.c's, the same as the vmcompute stand-in's.
 *
 * Built against Microsoft's <computecore.h> with MinGW, so every prototype is
 * checked. Thread-safe. What it counts for the tests, all zero after a clean
 * run: open operations, unfreed result documents, callbacks that would have
 * fired after their operation was closed, compute system handles closed while
 * an operation still used them, and misuse of operations (an unknown or
 * closed operation, one started twice, one closed while a thread waits on it).
 */
#ifdef _WIN32
#include "standin.h"
#include <computecore.h>
#else
#include "standin.h"
typedef void *HCS_OPERATION;
typedef void *HCS_SYSTEM;
typedef void *HANDLE;
typedef uint32_t DWORD;
#define CALLBACK
typedef void(CALLBACK *HCS_OPERATION_COMPLETION)(HCS_OPERATION operation, void *context);
#endif
#include "standin_hcs.h"
#include "standin_local.h"

#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
typedef CONDITION_VARIABLE standin_cond;
#define STANDIN_COND_INIT CONDITION_VARIABLE_INIT
#else
#include <errno.h>
#include <pthread.h>
#include <time.h>
typedef pthread_cond_t standin_cond;
#endif

#define E_NOTIMPL_HR ((HRESULT)0x80004001u)
#define E_ACCESSDENIED_HR ((HRESULT)0x80070005u)
#define STANDIN_HCS_E_OPERATION_NOT_STARTED ((HRESULT)0x80370115u)
#define STANDIN_HCS_E_OPERATION_ALREADY_STARTED ((HRESULT)0x80370116u)
#define STANDIN_HCS_E_OPERATION_PENDING ((HRESULT)0x80370117u)
#define STANDIN_HCS_E_OPERATION_TIMEOUT ((HRESULT)0x80370118u)
#define GENERIC_ALL_ACCESS 0x10000000u
#define INFINITE_WAIT 0xFFFFFFFFu

#define OP_CREATED 0
#define OP_PENDING 1
#define OP_COMPLETED 2
#define WORK_MODIFY 1
#define WORK_PROPERTIES 2

typedef struct operation {
  uintptr_t value; /* the HCS_OPERATION handed out; never reused */
  int state;
  int closed;      /* HcsCloseOperation ran */
  int waiters;     /* threads in HcsWaitForOperationResult */
  const void *context;
  HCS_OPERATION_COMPLETION callback;
  /* the work (a pending operation) */
  int work;
  const char *function;
  uintptr_t system; /* the HCS_SYSTEM it uses */
  char system_id[STANDIN_ID_CAPACITY];
  char *document;   /* UTF-8 */
  size_t length;
  standin_call call; /* its accounting and injected failure */
  uint64_t due_us;
  uint64_t held_since_us;
  /* the result */
  HRESULT result;
  char *result_document; /* UTF-8, or NULL */
  struct operation *bucket_next; /* the table of live operations */
  struct operation *prev, *next; /* the queue (due or held) */
} operation;

static standin_lock ops_lock = STANDIN_LOCK_INIT;
#ifdef _WIN32
static standin_cond ops_changed = STANDIN_COND_INIT;
#else
static standin_cond ops_changed;
#endif

#define BUCKETS 1024
static operation *buckets[BUCKETS];
static uintptr_t next_value = 0x7000000;
/* Pending operations by due time, and operations waiting in a hold. */
static operation *due_head = NULL, *due_tail = NULL;
static operation *held_head = NULL;
static int64_t open_operations = 0;
static int64_t callbacks_after_close = 0;
static int64_t closed_while_busy = 0;
static int64_t misuse = 0;
/* Callbacks called and not returned yet (the caller's code is running). */
static int64_t callbacks_running = 0;

/* ---- time, waits, the worker thread ------------------------------------ */

static uint64_t now_us(void) {
#ifdef _WIN32
  LARGE_INTEGER count, frequency;
  QueryPerformanceCounter(&count);
  QueryPerformanceFrequency(&frequency);
  return (uint64_t)(count.QuadPart / frequency.QuadPart) * 1000000u +
         (uint64_t)(count.QuadPart % frequency.QuadPart) * 1000000u / (uint64_t)frequency.QuadPart;
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
#endif
}

#ifndef _WIN32
/* The condition variable waits on the monotonic clock, like the due times. */
__attribute__((constructor)) static void init_cond(void) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&ops_changed, &attr);
  pthread_condattr_destroy(&attr);
}
#endif

/* Waits on ops_changed (ops_lock held) for at most `us` microseconds. */
static void wait_changed(uint64_t us) {
#ifdef _WIN32
  DWORD ms = us >= (uint64_t)INFINITE_WAIT * 1000u ? INFINITE : (DWORD)((us + 999u) / 1000u);
  SleepConditionVariableSRW(&ops_changed, &ops_lock, ms, 0);
#else
  struct timespec ts;
  uint64_t until = now_us() + us;
  ts.tv_sec = (time_t)(until / 1000000u);
  ts.tv_nsec = (long)(until % 1000000u) * 1000L;
  pthread_cond_timedwait(&ops_changed, &ops_lock, &ts);
#endif
}

static void signal_changed(void) {
#ifdef _WIN32
  WakeAllConditionVariable(&ops_changed);
#else
  pthread_cond_broadcast(&ops_changed);
#endif
}

/* Up to WORKERS threads complete operations, as HCS's own thread pool does:
   a thread that calls a completion callback may wait until the caller has
   run it, and the others go on meanwhile. */
#define WORKERS 4
static int workers_running = 0;
static int worker_stop = 0;
/* Workers waiting with nothing due soon, and how many ops are queued. */
static int workers_idle = 0;
static int64_t queued_operations = 0;
/* Threads in HcsWaitForOperationResult: a completion wakes them. */
static int waiting_threads = 0;
#ifndef _WIN32
static pthread_t worker_threads[WORKERS];
static int workers_started = 0;
#endif

static void run_due_operations(void);

/* A worker: runs operations when they are due and their hold has ended.
   On Windows it exits when nothing is queued, holding a reference to this
   library until then (FreeLibraryAndExitThread), so the library cannot be
   unloaded under it. Elsewhere it runs until the library is unloaded (the
   destructor stops and joins the workers). */
#ifdef _WIN32
static DWORD WINAPI worker_main(LPVOID module) {
  run_due_operations();
  FreeLibraryAndExitThread((HMODULE)module, 0);
  return 0;
}
#else
static void *worker_main(void *unused) {
  (void)unused;
  run_due_operations();
  return NULL;
}
#endif

/* Starts another worker when every running one may be busy; ops_lock held.
   Returns 0 when there is none and none can be started. */
static int ensure_worker(void) {
  if (workers_running > 0 && (workers_running >= WORKERS || queued_operations < workers_running)) {
    return 1;
  }
#ifdef _WIN32
  {
    HMODULE module = NULL;
    HANDLE thread;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
                            (LPCWSTR)(void *)&ops_lock, &module)) {
      return 0;
    }
    thread = CreateThread(NULL, 0, worker_main, module, 0, NULL);
    if (thread == NULL) {
      FreeLibrary(module);
      return 0;
    }
    CloseHandle(thread);
  }
#else
  /* Workers are started once and run until the library is unloaded. */
  if (worker_stop || workers_started == WORKERS) return workers_running > 0;
  if (pthread_create(&worker_threads[workers_started], NULL, worker_main, NULL) != 0) {
    return workers_running > 0;
  }
  workers_started++;
#endif
  workers_running++;
  return 1;
}

#if defined(__GNUC__) && !defined(_WIN32)
__attribute__((destructor)) static void stop_workers(void) {
  int i, started;
  standin_lock_acquire(&ops_lock);
  worker_stop = 1;
  started = workers_started;
  signal_changed();
  standin_lock_release(&ops_lock);
  for (i = 0; i < started; i++) pthread_join(worker_threads[i], NULL);
}
#endif

/* ---- the table of operations ------------------------------------------- */

static operation **bucket_of(uintptr_t value) {
  return &buckets[(value >> 4) % BUCKETS];
}

/* The live (not closed) operation with this handle, or NULL; ops_lock held. */
static operation *find_operation(HCS_OPERATION handle) {
  operation *op;
  for (op = *bucket_of((uintptr_t)handle); op != NULL; op = op->bucket_next) {
    if (op->value == (uintptr_t)handle) return op;
  }
  return NULL;
}

static void unlist_operation(operation *op) {
  operation **link;
  for (link = bucket_of(op->value); *link != NULL; link = &(*link)->bucket_next) {
    if (*link == op) {
      *link = op->bucket_next;
      return;
    }
  }
}

static void free_operation(operation *op) {
  free(op->document);
  free(op->result_document);
  free(op->call.record);
  free(op);
}

/* Queues a pending operation by due time (usually at the tail); ops_lock held. */
static void enqueue(operation *op) {
  operation *after = due_tail;
  while (after != NULL && after->due_us > op->due_us) after = after->prev;
  op->prev = after;
  op->next = after != NULL ? after->next : due_head;
  if (op->next != NULL) op->next->prev = op;
  else due_tail = op;
  if (after != NULL) after->next = op;
  else due_head = op;
}

static void unqueue(operation **head, operation *op) {
  if (op->prev != NULL) op->prev->next = op->next;
  else *head = op->next;
  if (op->next != NULL) op->next->prev = op->prev;
  else if (head == &due_head) due_tail = op->prev;
  op->prev = op->next = NULL;
}

/* ---- the work ---------------------------------------------------------- */

/* Does an operation's work (no lock held) and sets its result. */
static void do_work(operation *op) {
  standin_call *call = &op->call;
  char id[STANDIN_ID_CAPACITY];
  char *record = NULL;
  char *properties = NULL;
  HRESULT hr;
  if (call->injected && !call->after_work && call->hresult < 0) {
    op->result = call->hresult;
    op->result_document = standin_copy(call->record);
    return;
  }
  if (!standin_handle_get((void *)op->system, STANDIN_KIND_SYSTEM, id, sizeof(id))) {
    /* The handle was closed under the operation (counted at the close). */
    op->result = standin_hcs_error(&record, STANDIN_E_HANDLE,
                                   "The compute system handle was closed during the operation");
    op->result_document = record;
    return;
  }
  if (op->work == WORK_MODIFY) {
    hr = standin_hcs_modify(id, op->document, op->length, &record);
  } else {
    hr = standin_hcs_check_running(id, &record);
    if (hr >= 0) hr = standin_hcs_properties(id, op->document, op->length, &properties, &record);
  }
  if (hr >= 0 && call->injected) {
    /* An injected code after the work: a failure comes with its record as
       the result document, and so does a success code of a modify; a
       property query that succeeds keeps its properties. */
    if (call->hresult < 0 || properties == NULL) {
      free(properties);
      properties = NULL;
      free(record);
      record = standin_copy(call->record);
    }
    hr = call->hresult;
  }
  op->result = hr;
  if (hr >= 0 && properties != NULL) {
    op->result_document = properties;
    free(record);
  } else {
    op->result_document = record;
    free(properties);
  }
}

/* Completes an operation whose work is done; called without ops_lock. */
static void complete(operation *op) {
  HCS_OPERATION_COMPLETION callback = NULL;
  const void *context = NULL;
  uintptr_t value;
  int release = 0;
  standin_leave(&op->call);
  standin_lock_acquire(&ops_lock);
  op->state = OP_COMPLETED;
  value = op->value;
  if (op->closed) {
    /* Closed while pending: HCS drops the result. A callback now would call
       into code the caller may have released: count it instead of firing. */
    if (op->callback != NULL) callbacks_after_close++;
    release = op->waiters == 0;
  } else {
    callback = op->callback;
    context = op->context;
    if (callback != NULL) callbacks_running++;
  }
  if (waiting_threads > 0) signal_changed();
  standin_lock_release(&ops_lock);
  if (release) free_operation(op);
  /* The callback may close the operation before it returns: op is not used
     after this point. */
  if (callback == NULL) return;
  callback((HCS_OPERATION)value, (void *)context);
  standin_lock_acquire(&ops_lock);
  callbacks_running--;
  standin_lock_release(&ops_lock);
}

/* The worker's loop; see worker_main. */
static void run_due_operations(void) {
  for (;;) {
    operation *op, *ready = NULL;
    uint64_t now, wait_us = (uint64_t)-1;
    int idle;
    standin_lock_acquire(&ops_lock);
    for (;;) {
      if (worker_stop) {
        workers_running--;
        standin_lock_release(&ops_lock);
        return;
      }
      now = now_us();
      /* A held operation goes on when its hold ends, or after the limit. */
      for (op = held_head; op != NULL; op = op->next) {
        if (!standin_held(op->function) ||
            now - op->held_since_us >= (uint64_t)STANDIN_HOLD_LIMIT_MS * 1000u) {
          unqueue(&held_head, op);
          standin_count_held(-1);
          ready = op;
          break;
        }
      }
      if (ready != NULL) break;
      /* The next due operation: held ones wait aside. */
      while (due_head != NULL && due_head->due_us <= now) {
        op = due_head;
        unqueue(&due_head, op);
        if (standin_held(op->function)) {
          op->held_since_us = now;
          op->next = held_head;
          if (held_head != NULL) held_head->prev = op;
          held_head = op;
          standin_count_held(1);
          continue;
        }
        ready = op;
        break;
      }
      if (ready != NULL) break;
      if (due_head == NULL && held_head == NULL) {
#ifdef _WIN32
        /* Idle: exit (and let go of the library). */
        workers_running--;
        standin_lock_release(&ops_lock);
        return;
#endif
        wait_us = (uint64_t)-1 / 2;
      } else {
        wait_us = due_head != NULL ? due_head->due_us - now : (uint64_t)-1 / 2;
        if (held_head != NULL && wait_us > 1000u) wait_us = 1000u; /* poll holds every ms */
      }
      /* A worker with nothing due is woken by the next operation queued; one
         waiting for the head of the queue wakes up by itself. */
      idle = due_head == NULL;
      if (idle) workers_idle++;
      wait_changed(wait_us);
      if (idle) workers_idle--;
    }
    queued_operations--;
    standin_lock_release(&ops_lock);
    do_work(ready);
    complete(ready);
  }
}

/* ---- computecore.dll exports ------------------------------------------- */

STANDIN_EXPORT HCS_OPERATION WINAPI HcsCreateOperation(const void *context,
                                                       HCS_OPERATION_COMPLETION callback) {
  standin_call call;
  operation *op;
  standin_begin(&call, "HcsCreateOperation");
  if (call.injected && call.hresult < 0) {
    /* Out of resources: NULL, as documented. */
    standin_leave(&call);
    return NULL;
  }
  standin_leave(&call);
  op = calloc(1, sizeof(operation));
  if (op == NULL) return NULL;
  op->context = context;
  op->callback = callback;
  op->state = OP_CREATED;
  standin_lock_acquire(&ops_lock);
  next_value += 0x10;
  op->value = next_value;
  op->bucket_next = *bucket_of(op->value);
  *bucket_of(op->value) = op;
  open_operations++;
  standin_lock_release(&ops_lock);
  return (HCS_OPERATION)op->value;
}

STANDIN_EXPORT void WINAPI HcsCloseOperation(HCS_OPERATION operation_handle) {
  standin_call call;
  operation *op;
  int release = 0;
  standin_begin(&call, "HcsCloseOperation");
  standin_leave(&call);
  standin_lock_acquire(&ops_lock);
  op = find_operation(operation_handle);
  if (op == NULL) {
    misuse++;
  } else {
    unlist_operation(op);
    op->closed = 1;
    open_operations--;
    if (op->waiters > 0) misuse++;
    /* A pending operation is freed when its work ends. */
    release = op->state != OP_PENDING && op->waiters == 0;
  }
  standin_lock_release(&ops_lock);
  if (release) free_operation(op);
}

STANDIN_EXPORT HRESULT WINAPI HcsSetOperationCallback(HCS_OPERATION operation_handle,
                                                      const void *context,
                                                      HCS_OPERATION_COMPLETION callback) {
  standin_call call;
  operation *op;
  HRESULT hr = STANDIN_S_OK;
  standin_begin(&call, "HcsSetOperationCallback");
  standin_leave(&call);
  standin_lock_acquire(&ops_lock);
  op = find_operation(operation_handle);
  if (op == NULL) {
    misuse++;
    hr = STANDIN_E_HANDLE;
  } else if (op->state != OP_CREATED) {
    hr = STANDIN_HCS_E_OPERATION_ALREADY_STARTED;
  } else {
    op->context = context;
    op->callback = callback;
  }
  standin_lock_release(&ops_lock);
  return hr;
}

/* Hands out the result of a completed operation (ops_lock held). */
static HRESULT give_result(operation *op, PWSTR *resultDocument) {
  if (resultDocument != NULL && op->result_document != NULL) {
    *resultDocument =
        standin_local_wide_from_utf8(op->result_document, strlen(op->result_document));
  }
  return op->result;
}

STANDIN_EXPORT HRESULT WINAPI HcsGetOperationResult(HCS_OPERATION operation_handle,
                                                    PWSTR *resultDocument) {
  standin_call call;
  operation *op;
  HRESULT hr;
  if (resultDocument != NULL) *resultDocument = NULL;
  standin_begin(&call, "HcsGetOperationResult");
  if (call.injected && call.hresult < 0) {
    hr = call.hresult;
    standin_leave(&call);
    return hr;
  }
  standin_leave(&call);
  standin_lock_acquire(&ops_lock);
  op = find_operation(operation_handle);
  if (op == NULL) {
    misuse++;
    hr = STANDIN_E_HANDLE;
  } else if (op->state == OP_CREATED) {
    hr = STANDIN_HCS_E_OPERATION_NOT_STARTED;
  } else if (op->state == OP_PENDING) {
    hr = STANDIN_HCS_E_OPERATION_PENDING;
  } else {
    hr = give_result(op, resultDocument);
  }
  standin_lock_release(&ops_lock);
  return hr;
}

STANDIN_EXPORT HRESULT WINAPI HcsWaitForOperationResult(HCS_OPERATION operation_handle,
                                                        DWORD timeoutMs,
                                                        PWSTR *resultDocument) {
  standin_call call;
  operation *op;
  HRESULT hr;
  uint64_t until;
  if (resultDocument != NULL) *resultDocument = NULL;
  standin_begin(&call, "HcsWaitForOperationResult");
  standin_leave(&call);
  until = timeoutMs == INFINITE_WAIT ? (uint64_t)-1 : now_us() + (uint64_t)timeoutMs * 1000u;
  standin_lock_acquire(&ops_lock);
  op = find_operation(operation_handle);
  if (op == NULL) {
    misuse++;
    standin_lock_release(&ops_lock);
    return STANDIN_E_HANDLE;
  }
  if (op->state == OP_CREATED) {
    standin_lock_release(&ops_lock);
    return STANDIN_HCS_E_OPERATION_NOT_STARTED;
  }
  op->waiters++;
  waiting_threads++;
  while (op->state != OP_COMPLETED) {
    uint64_t now = now_us();
    if (now >= until) break;
    wait_changed(until == (uint64_t)-1 ? (uint64_t)-1 / 2 : until - now);
  }
  waiting_threads--;
  op->waiters--;
  hr = op->state == OP_COMPLETED ? give_result(op, resultDocument) : STANDIN_HCS_E_OPERATION_TIMEOUT;
  if (op->closed && op->waiters == 0 && op->state == OP_COMPLETED) {
    standin_lock_release(&ops_lock);
    free_operation(op);
    return hr;
  }
  standin_lock_release(&ops_lock);
  return hr;
}

STANDIN_EXPORT HRESULT WINAPI HcsCancelOperation(HCS_OPERATION operation_handle) {
  standin_call call;
  (void)operation_handle;
  standin_begin(&call, "HcsCancelOperation");
  standin_leave(&call);
  /* As Microsoft documents it: not implemented. */
  return E_NOTIMPL_HR;
}

STANDIN_EXPORT HRESULT WINAPI HcsOpenComputeSystem(PCWSTR id, DWORD requestedAccess,
                                                   HCS_SYSTEM *computeSystem) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  char *text = NULL;
  char *record = NULL;
  char key[STANDIN_ID_CAPACITY];
  size_t length;
  if (computeSystem == NULL) return STANDIN_E_POINTER;
  *computeSystem = NULL;
  standin_enter(&call, "HcsOpenComputeSystem");
  if (call.injected && !call.after_work && call.hresult < 0) {
    hr = call.hresult;
    goto done;
  }
  if (requestedAccess != GENERIC_ALL_ACCESS) {
    hr = E_ACCESSDENIED_HR; /* the stand-in grants what podnet asks for: GENERIC_ALL */
    goto done;
  }
  if (id == NULL || (text = standin_utf8_from_wide(id, &length)) == NULL) {
    hr = STANDIN_E_INVALIDARG;
    goto done;
  }
  standin_record_document("HcsOpenComputeSystem", text, length);
  hr = standin_hcs_open(text, length, key, &record);
  if (hr < 0) goto done;
  *computeSystem = standin_handle_open(STANDIN_KIND_SYSTEM, key);
  if (*computeSystem == NULL) {
    hr = STANDIN_E_OUTOFMEMORY;
    goto done;
  }
  if (call.injected) hr = call.hresult; /* after the work: the handle stays out */
done:
  free(record);
  free(text);
  standin_leave(&call);
  return hr;
}

STANDIN_EXPORT void WINAPI HcsCloseComputeSystem(HCS_SYSTEM computeSystem) {
  standin_call call;
  operation *op;
  int busy = 0;
  standin_enter(&call, "HcsCloseComputeSystem");
  standin_lock_acquire(&ops_lock);
  for (op = due_head; op != NULL; op = op->next) busy |= op->system == (uintptr_t)computeSystem;
  for (op = held_head; op != NULL; op = op->next) busy |= op->system == (uintptr_t)computeSystem;
  if (busy) closed_while_busy++;
  standin_lock_release(&ops_lock);
  if (!standin_handle_close(computeSystem, STANDIN_KIND_SYSTEM)) {
    standin_lock_acquire(&ops_lock);
    misuse++;
    standin_lock_release(&ops_lock);
  }
  standin_leave(&call);
}

/* ---- starting an operation --------------------------------------------- */

typedef struct start_failure {
  char function[64];
  HRESULT hresult;
  char *record;
  struct start_failure *next;
} start_failure;

static start_failure *start_failures = NULL;

/* Takes the start failure injected for `function`, if any; ops_lock held. */
static start_failure *take_start_failure(const char *function) {
  start_failure **link;
  for (link = &start_failures; *link != NULL; link = &(*link)->next) {
    if (strcmp((*link)->function, function) == 0) {
      start_failure *hit = *link;
      *link = hit->next;
      return hit;
    }
  }
  return NULL;
}

/* The shared start of HcsModifyComputeSystem and HcsGetComputeSystemProperties. */
static HRESULT start(const char *function, int work, HCS_SYSTEM computeSystem,
                     HCS_OPERATION operation_handle, PCWSTR document) {
  standin_call call;
  uint32_t delay;
  char id[STANDIN_ID_CAPACITY];
  char *text = NULL;
  char *record = NULL;
  size_t length = 0;
  operation *op;
  start_failure *failure;
  HRESULT hr = STANDIN_S_OK;
  if (document != NULL) text = standin_utf8_from_wide(document, &length);
  delay = standin_begin_with(&call, function, text);
  if (text != NULL) standin_record_document(function, text, length);
  standin_lock_acquire(&ops_lock);
  op = find_operation(operation_handle);
  if (op == NULL) {
    misuse++;
    hr = STANDIN_E_HANDLE;
    goto refused;
  }
  if (op->state != OP_CREATED) {
    misuse++;
    hr = STANDIN_HCS_E_OPERATION_ALREADY_STARTED;
    goto refused;
  }
  failure = take_start_failure(function);
  if (failure != NULL) {
    hr = failure->hresult;
    record = failure->record;
    free(failure);
  } else if (!standin_handle_get(computeSystem, STANDIN_KIND_SYSTEM, id, sizeof(id))) {
    hr = standin_hcs_error(&record, STANDIN_E_HANDLE, "The compute system handle is not open");
  } else if (text == NULL) {
    hr = standin_hcs_error(&record, STANDIN_E_INVALIDARG, "The document is not valid UTF-16");
  }
  if (hr < 0) {
    /* Not started: the operation holds the failure, no callback comes. */
    op->state = OP_COMPLETED;
    op->result = hr;
    op->result_document = record;
    goto refused;
  }
  if (!ensure_worker()) {
    hr = STANDIN_E_OUTOFMEMORY;
    goto refused;
  }
  op->state = OP_PENDING;
  op->work = work;
  op->function = function;
  op->system = (uintptr_t)computeSystem;
  memcpy(op->system_id, id, sizeof(id));
  op->document = text;
  op->length = length;
  op->call = call;
  op->due_us = now_us() + (uint64_t)delay * 1000u;
  queued_operations++;
  enqueue(op);
  /* Wake the workers when this is the next operation due, or one is idle. */
  if (due_head == op || workers_idle > 0) signal_changed();
  standin_lock_release(&ops_lock);
  return STANDIN_S_OK;
refused:
  standin_lock_release(&ops_lock);
  free(text);
  standin_leave(&call);
  return hr;
}

STANDIN_EXPORT HRESULT WINAPI HcsModifyComputeSystem(HCS_SYSTEM computeSystem,
                                                     HCS_OPERATION operation,
                                                     PCWSTR configuration, HANDLE identity) {
  if (identity != NULL) return STANDIN_E_INVALIDARG; /* podnet never passes one */
  return start("HcsModifyComputeSystem", WORK_MODIFY, computeSystem, operation, configuration);
}

STANDIN_EXPORT HRESULT WINAPI HcsGetComputeSystemProperties(HCS_SYSTEM computeSystem,
                                                            HCS_OPERATION operation,
                                                            PCWSTR propertyQuery) {
  return start("HcsGetComputeSystemProperties", WORK_PROPERTIES, computeSystem, operation,
               propertyQuery);
}

/* ---- test controls ----------------------------------------------------- */

/* The next start of `function` (HcsModifyComputeSystem or
   HcsGetComputeSystemProperties) fails with `hresult`: the call returns it,
   the operation is never started and holds it with `record` (if not NULL) as
   its result document; no callback comes. (StandinFailNext instead makes
   the operation fail when it completes.) */
STANDIN_EXPORT void ComputecoreStandinFailStart(const char *function, int32_t hresult,
                                                const char *record) {
  start_failure *item = calloc(1, sizeof(start_failure));
  start_failure **link;
  if (item == NULL) return;
  strncpy(item->function, function, sizeof(item->function) - 1);
  item->hresult = hresult;
  item->record = standin_copy(record);
  standin_lock_acquire(&ops_lock);
  for (link = &start_failures; *link != NULL; link = &(*link)->next) {
  }
  *link = item;
  standin_lock_release(&ops_lock);
}

/* Operations created and not closed. */
STANDIN_EXPORT int64_t ComputecoreStandinOpenOperations(void) {
  int64_t n;
  standin_lock_acquire(&ops_lock);
  n = open_operations;
  standin_lock_release(&ops_lock);
  return n;
}

/* Operations started and not completed yet (waiting for their delay or hold). */
STANDIN_EXPORT int64_t ComputecoreStandinPendingOperations(void) {
  int64_t n = 0;
  operation *op;
  standin_lock_acquire(&ops_lock);
  for (op = due_head; op != NULL; op = op->next) n++;
  for (op = held_head; op != NULL; op = op->next) n++;
  standin_lock_release(&ops_lock);
  return n;
}

/* Worker threads running. On Windows they exit when idle, each letting go of
   its reference to this library; elsewhere they run until it is unloaded. */
STANDIN_EXPORT int64_t ComputecoreStandinWorkers(void) {
  int64_t n;
  standin_lock_acquire(&ops_lock);
  n = workers_running;
  standin_lock_release(&ops_lock);
  return n;
}

/* Callbacks called and not returned yet: the caller must not unload what they
   run until this is 0. */
STANDIN_EXPORT int64_t ComputecoreStandinCallbacksRunning(void) {
  int64_t n;
  standin_lock_acquire(&ops_lock);
  n = callbacks_running;
  standin_lock_release(&ops_lock);
  return n;
}

/* Result documents handed out and not freed with LocalFree. */
STANDIN_EXPORT int64_t ComputecoreStandinUnfreedDocuments(void) {
  return standin_local_outstanding();
}

/* Completions of operations closed while pending, that had a callback. */
STANDIN_EXPORT int64_t ComputecoreStandinCallbacksAfterClose(void) {
  int64_t n;
  standin_lock_acquire(&ops_lock);
  n = callbacks_after_close;
  standin_lock_release(&ops_lock);
  return n;
}

/* Compute system handles closed while an operation still used them. */
STANDIN_EXPORT int64_t ComputecoreStandinClosedWhileBusy(void) {
  int64_t n;
  standin_lock_acquire(&ops_lock);
  n = closed_while_busy;
  standin_lock_release(&ops_lock);
  return n;
}

/* Misuse: an unknown or closed operation or handle, a second start, a close
   while a thread waits on the operation; plus bad local frees. */
STANDIN_EXPORT int64_t ComputecoreStandinMisuse(void) {
  int64_t n;
  standin_lock_acquire(&ops_lock);
  n = misuse;
  standin_lock_release(&ops_lock);
  return n + standin_local_bad_releases();
}
