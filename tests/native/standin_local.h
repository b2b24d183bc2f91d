/*
 * The strings computecore.dll returns (result documents), which the caller
 * frees with LocalFree (kernel32), as Microsoft documents. Like the
 * CoTaskMem strings of the other stand-ins (standin.h), each is a block with
 * a header, marked as a local block: the stand-in kernel32's LocalFree hands
 * it back to the library that allocated it, which counts it. A CoTaskMem
 * block given to LocalFree, or a local block given to CoTaskMemFree, is a bad
 * free. Built with STANDIN_SYSTEM_ALLOCATOR (installed in place of the real
 * DLL, whose callers free with the real LocalFree), documents are plain
 * LocalAlloc blocks instead, and are not counted.
 */
#ifndef PODNET_STANDIN_LOCAL_H
#define PODNET_STANDIN_LOCAL_H

#include "standin.h"

/* A header block that LocalFree (not CoTaskMemFree) takes: "DNTLOCAL". */
#define STANDIN_LOCAL_LIVE 0x4C41434F4C544E44ull
#define STANDIN_LOCAL_DEAD 0x4C41434F4CDEADDEull

/* Returns a new local block holding `utf8` as NUL-terminated UTF-16, or NULL. */
PWSTR standin_local_wide_from_utf8(const char *utf8, size_t length);
/* Local blocks handed out and not freed yet. */
int64_t standin_local_outstanding(void);
/* LocalFree calls that reached this library with a block it does not hold. */
int64_t standin_local_bad_releases(void);

#endif
