/*
 * The strings computecore.dll returns (result documents): LocalAlloc blocks,
 * which the caller frees with LocalFree (kernel32), as Microsoft documents.
 *
 *   - Windows: real LocalAlloc blocks, so Windows' own LocalFree frees them.
 *     The allocating stand-in also lists them, and exports
 *     StandinLocalRelease; the stand-in kernel32 (loaded under a name of its
 *     own) asks every module that exports it who owns a block before freeing
 *     it, so each stand-in copy counts exactly its own blocks.
 *   - Elsewhere: blocks with a header (standin.h) marked as local blocks; the
 *     stand-in kernel32's LocalFree hands them back. A CoTaskMem block given to
 *     LocalFree, or a local block given to CoTaskMemFree, is a bad free.
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
/* Frees of something that was not a live local block of this library. */
int64_t standin_local_bad_releases(void);

#endif
