/*
 * A small, strict JSON reader and writer for the stand-in libraries: RFC 8259
 * grammar, UTF-8 text, duplicate keys and nesting deeper than 64 rejected.
 */
#ifndef PODNET_STANDIN_JSON_H
#define PODNET_STANDIN_JSON_H

#include <stddef.h>

typedef enum sj_type {
  SJ_NULL,
  SJ_BOOL,
  SJ_NUMBER,
  SJ_STRING,
  SJ_ARRAY,
  SJ_OBJECT
} sj_type;

typedef struct sj_value {
  sj_type type;
  int boolean;
  double number;
  char *string; /* SJ_STRING: UTF-8, NUL-terminated (may contain NULs) */
  size_t length;
  struct sj_value **items; /* SJ_ARRAY and SJ_OBJECT */
  char **keys;             /* SJ_OBJECT */
  size_t count;
} sj_value;

/* Parses `length` bytes; NULL on error with a message in `error`. */
sj_value *sj_parse(const char *text, size_t length, char *error, size_t capacity);
void sj_free(sj_value *value);
/* The member `key` of an object, or NULL. */
const sj_value *sj_get(const sj_value *object, const char *key);
/* Whether v is a string equal to s. */
int sj_string_is(const sj_value *v, const char *s);
/* Whether v is a number holding a safe integer (magnitude at most 2^53 - 1),
   as JavaScript's Number.isSafeInteger and zod's z.int() judge it. Checks the
   range before converting, so an out-of-range double is never converted to an
   integer type (undefined behaviour). */
int sj_is_safe_integer(const sj_value *v);

/* A growable UTF-8 buffer. */
typedef struct sj_buffer {
  char *data;
  size_t length;
  size_t capacity;
  int failed;
} sj_buffer;

void sj_append(sj_buffer *b, const char *text, size_t length);
void sj_append_text(sj_buffer *b, const char *text);
/* Appends `text` as a quoted, escaped JSON string. */
void sj_append_string(sj_buffer *b, const char *text, size_t length);
void sj_append_int(sj_buffer *b, long long value);
/* Appends a value re-serialized compactly. */
void sj_append_value(sj_buffer *b, const sj_value *value);
void sj_buffer_free(sj_buffer *b);

#endif
