/*
 * The compute systems behind the two HCS stand-ins: vmcompute.c (HCS v1,
 * every call synchronous) and computecore.c (HCS v2, operations completed
 * on the stand-in's own thread). Both answer the same documents the same
 * way; only how a result travels differs. Documents in and out are UTF-8;
 * records and properties come back malloc'd (free them with free()).
 */
#ifndef PODNET_STANDIN_HCS_H
#define PODNET_STANDIN_HCS_H

#include "standin.h"

/* The handle kind of a compute system (standin_handle_open). */
#define STANDIN_KIND_SYSTEM 3

/* Sets *record (when NULL) to an HCS ResultError document with one event
   carrying `message`; returns hr. */
HRESULT standin_hcs_error(char **record, HRESULT hr, const char *message);
/* Finds the running system named by `length` bytes of UTF-8 (any case):
   S_OK with its key, or HCS_E_SYSTEM_NOT_FOUND / E_INVALIDARG and a record. */
HRESULT standin_hcs_open(const char *text, size_t length, char key[STANDIN_ID_CAPACITY],
                         char **record);
/* S_OK when system `key` exists and runs, else HCS_E_SYSTEM_ALREADY_STOPPED. */
HRESULT standin_hcs_check_running(const char *key, char **record);
/* Runs a modify document (host NIC request or guest request) on `key`. */
HRESULT standin_hcs_modify(const char *key, const char *text, size_t length, char **record);
/* Answers a property query on `key`: the properties document, or a failure. */
HRESULT standin_hcs_properties(const char *key, const char *text, size_t length,
                               char **properties, char **record);

#endif
