/*
 * Stand-in for vmcompute.dll (HCS v1 entry points): every call does its work
 * before it returns, on the caller's thread. The compute systems and the
 * documents they accept are standin_hcs.c's. No public header declares these
 * functions; the prototypes are the ones hcsshim uses. Thread-safe.
 */
#include "standin_hcs.h"

#include <stdlib.h>
#include <string.h>

typedef void *HCS_SYSTEM;

/* Hands a UTF-8 record (freed here) to the caller as a CoTaskMem string. */
static void give_record(PWSTR *out, HRESULT hr, char *record) {
  if (record != NULL) standin_fail(out, hr, record);
  free(record);
}

STANDIN_EXPORT HRESULT WINAPI HcsOpenComputeSystem(PCWSTR Id, HCS_SYSTEM *ComputeSystem,
                                                   PWSTR *Result) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  char *text = NULL;
  char *record = NULL;
  char id[STANDIN_ID_CAPACITY];
  size_t length;
  if (ComputeSystem == NULL || Result == NULL) return STANDIN_E_POINTER;
  *ComputeSystem = NULL;
  *Result = NULL;
  standin_enter(&call, "HcsOpenComputeSystem");
  if (standin_injected_failure(&call, Result, &hr)) goto done;
  if (Id == NULL || (text = standin_utf8_from_wide(Id, &length)) == NULL) {
    hr = standin_fail_hcs(Result, STANDIN_E_INVALIDARG, "The ID is not valid UTF-16");
    goto done;
  }
  standin_record_document("HcsOpenComputeSystem", text, length);
  hr = standin_hcs_open(text, length, id, &record);
  give_record(Result, hr, record);
  if (hr < 0) goto done;
  *ComputeSystem = standin_handle_open(STANDIN_KIND_SYSTEM, id);
  if (*ComputeSystem == NULL) {
    hr = standin_fail_hcs(Result, STANDIN_E_OUTOFMEMORY, "Out of memory");
    goto done;
  }
  hr = standin_injected_result(&call, Result, hr);
done:
  free(text);
  standin_leave(&call);
  return hr;
}

STANDIN_EXPORT HRESULT WINAPI HcsModifyComputeSystem(HCS_SYSTEM ComputeSystem,
                                                     PCWSTR Configuration, PWSTR *Result) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  char id[STANDIN_ID_CAPACITY];
  char *text = NULL;
  char *record = NULL;
  size_t length;
  if (Result == NULL) return STANDIN_E_POINTER;
  *Result = NULL;
  if (Configuration != NULL) text = standin_utf8_from_wide(Configuration, &length);
  standin_enter_with(&call, "HcsModifyComputeSystem", text);
  if (standin_injected_failure(&call, Result, &hr)) goto done;
  if (!standin_handle_get(ComputeSystem, STANDIN_KIND_SYSTEM, id, sizeof(id))) {
    hr = standin_fail_hcs(Result, STANDIN_E_HANDLE, "The compute system handle is not open");
    goto done;
  }
  if (text == NULL) {
    hr = standin_fail_hcs(Result, STANDIN_E_INVALIDARG, "The configuration is not valid UTF-16");
    goto done;
  }
  standin_record_document("HcsModifyComputeSystem", text, length);
  hr = standin_hcs_modify(id, text, length, &record);
  give_record(Result, hr, record);
  if (hr >= 0) hr = standin_injected_result(&call, Result, hr);
done:
  free(text);
  standin_leave(&call);
  return hr;
}

STANDIN_EXPORT HRESULT WINAPI HcsGetComputeSystemProperties(HCS_SYSTEM ComputeSystem,
                                                            PCWSTR PropertyQuery,
                                                            PWSTR *Properties, PWSTR *Result) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  char id[STANDIN_ID_CAPACITY];
  char *text = NULL;
  char *record = NULL;
  char *properties = NULL;
  size_t length;
  if (Properties == NULL || Result == NULL) return STANDIN_E_POINTER;
  *Properties = NULL;
  *Result = NULL;
  standin_enter(&call, "HcsGetComputeSystemProperties");
  if (standin_injected_failure(&call, Result, &hr)) goto done;
  if (!standin_handle_get(ComputeSystem, STANDIN_KIND_SYSTEM, id, sizeof(id))) {
    hr = standin_fail_hcs(Result, STANDIN_E_HANDLE, "The compute system handle is not open");
    goto done;
  }
  hr = standin_hcs_check_running(id, &record);
  give_record(Result, hr, record);
  if (hr < 0) goto done;
  if (PropertyQuery == NULL || (text = standin_utf8_from_wide(PropertyQuery, &length)) == NULL) {
    hr = standin_fail_hcs(Result, STANDIN_E_INVALIDARG, "The query is not valid UTF-16");
    goto done;
  }
  standin_record_document("HcsGetComputeSystemProperties", text, length);
  record = NULL;
  hr = standin_hcs_properties(id, text, length, &properties, &record);
  give_record(Result, hr, record);
  if (hr < 0) goto done;
  *Properties = standin_wide_from_utf8(properties, strlen(properties));
  hr = standin_injected_result(&call, Result, hr);
done:
  free(properties);
  free(text);
  standin_leave(&call);
  return hr;
}

STANDIN_EXPORT HRESULT WINAPI HcsCloseComputeSystem(HCS_SYSTEM ComputeSystem) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  standin_enter(&call, "HcsCloseComputeSystem");
  if (standin_injected_failure(&call, NULL, &hr)) {
    standin_handle_close(ComputeSystem, STANDIN_KIND_SYSTEM);
  } else if (!standin_handle_close(ComputeSystem, STANDIN_KIND_SYSTEM)) {
    hr = STANDIN_E_HANDLE;
  } else {
    hr = standin_injected_result(&call, NULL, hr);
  }
  standin_leave(&call);
  return hr;
}
