/* A small, strict JSON reader and writer (see standin_json.h). */
#include "standin_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SJ_MAX_DEPTH 64

typedef struct sj_reader {
  const char *p;
  const char *end;
  char *error;
  size_t capacity;
  int depth;
} sj_reader;

static void sj_error(sj_reader *r, const char *what) {
  if (r->error != NULL && r->capacity > 0 && r->error[0] == '\0') {
    snprintf(r->error, r->capacity, "%s", what);
  }
}

static void sj_skip_space(sj_reader *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) {
    r->p++;
  }
}

static sj_value *sj_new(sj_type type) {
  sj_value *v = calloc(1, sizeof(sj_value));
  if (v != NULL) v->type = type;
  return v;
}

void sj_free(sj_value *v) {
  size_t i;
  if (v == NULL) return;
  for (i = 0; i < v->count; i++) {
    sj_free(v->items[i]);
    if (v->keys != NULL) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->string);
  free(v);
}

static int sj_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int sj_read_u4(sj_reader *r, unsigned *out) {
  unsigned v = 0;
  int i;
  if (r->end - r->p < 4) return 0;
  for (i = 0; i < 4; i++) {
    int h = sj_hex(r->p[i]);
    if (h < 0) return 0;
    v = (v << 4) | (unsigned)h;
  }
  r->p += 4;
  *out = v;
  return 1;
}

static void sj_put_utf8(sj_buffer *b, unsigned cp) {
  char tmp[4];
  size_t n;
  if (cp < 0x80) {
    tmp[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    tmp[0] = (char)(0xC0 | (cp >> 6));
    tmp[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    tmp[0] = (char)(0xE0 | (cp >> 12));
    tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    tmp[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    tmp[0] = (char)(0xF0 | (cp >> 18));
    tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    tmp[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  sj_append(b, tmp, n);
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t sj_utf8_sequence(const unsigned char *p, const unsigned char *end) {
  unsigned cp;
  size_t n, i;
  if (p[0] < 0x80) return 1;
  if (p[0] >= 0xC2 && p[0] <= 0xDF) {
    n = 2;
    cp = p[0] & 0x1F;
  } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
    n = 3;
    cp = p[0] & 0x0F;
  } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
    n = 4;
    cp = p[0] & 0x07;
  } else {
    return 0;
  }
  if ((size_t)(end - p) < n) return 0;
  for (i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

static int sj_read_string(sj_reader *r, char **out, size_t *out_length) {
  sj_buffer b = {0};
  r->p++; /* opening quote */
  while (r->p < r->end && *r->p != '"') {
    unsigned char c = (unsigned char)*r->p;
    if (c < 0x20) {
      sj_error(r, "control character in string");
      sj_buffer_free(&b);
      return 0;
    }
    if (c == '\\') {
      r->p++;
      if (r->p >= r->end) break;
      switch (*r->p) {
        case '"': sj_append(&b, "\"", 1); r->p++; break;
        case '\\': sj_append(&b, "\\", 1); r->p++; break;
        case '/': sj_append(&b, "/", 1); r->p++; break;
        case 'b': sj_append(&b, "\b", 1); r->p++; break;
        case 'f': sj_append(&b, "\f", 1); r->p++; break;
        case 'n': sj_append(&b, "\n", 1); r->p++; break;
        case 'r': sj_append(&b, "\r", 1); r->p++; break;
        case 't': sj_append(&b, "\t", 1); r->p++; break;
        case 'u': {
          unsigned cp, low;
          r->p++;
          if (!sj_read_u4(r, &cp)) {
            sj_error(r, "bad \\u escape");
            sj_buffer_free(&b);
            return 0;
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u') {
              sj_error(r, "lone surrogate escape");
              sj_buffer_free(&b);
              return 0;
            }
            r->p += 2;
            if (!sj_read_u4(r, &low) || low < 0xDC00 || low > 0xDFFF) {
              sj_error(r, "lone surrogate escape");
              sj_buffer_free(&b);
              return 0;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            sj_error(r, "lone surrogate escape");
            sj_buffer_free(&b);
            return 0;
          }
          sj_put_utf8(&b, cp);
          break;
        }
        default:
          sj_error(r, "bad escape");
          sj_buffer_free(&b);
          return 0;
      }
    } else {
      size_t n = sj_utf8_sequence((const unsigned char *)r->p, (const unsigned char *)r->end);
      if (n == 0) {
        sj_error(r, "invalid UTF-8");
        sj_buffer_free(&b);
        return 0;
      }
      sj_append(&b, r->p, n);
      r->p += n;
    }
  }
  if (r->p >= r->end) {
    sj_error(r, "unterminated string");
    sj_buffer_free(&b);
    return 0;
  }
  r->p++; /* closing quote */
  sj_append(&b, "", 1); /* NUL terminator */
  if (b.failed) {
    sj_error(r, "out of memory");
    sj_buffer_free(&b);
    return 0;
  }
  *out = b.data;
  *out_length = b.length - 1;
  return 1;
}

static sj_value *sj_read_value(sj_reader *r);

static int sj_push(sj_value *v, sj_value *item, char *key) {
  sj_value **items = realloc(v->items, (v->count + 1) * sizeof(sj_value *));
  if (items == NULL) return 0;
  v->items = items;
  if (v->type == SJ_OBJECT) {
    char **keys = realloc(v->keys, (v->count + 1) * sizeof(char *));
    if (keys == NULL) return 0;
    v->keys = keys;
    v->keys[v->count] = key;
  }
  v->items[v->count++] = item;
  return 1;
}

static sj_value *sj_read_container(sj_reader *r, sj_type type) {
  char close = type == SJ_ARRAY ? ']' : '}';
  sj_value *v = sj_new(type);
  if (v == NULL) return NULL;
  if (++r->depth > SJ_MAX_DEPTH) {
    sj_error(r, "nesting too deep");
    sj_free(v);
    return NULL;
  }
  r->p++;
  sj_skip_space(r);
  if (r->p < r->end && *r->p == close) {
    r->p++;
    r->depth--;
    return v;
  }
  for (;;) {
    char *key = NULL;
    sj_value *item;
    sj_skip_space(r);
    if (type == SJ_OBJECT) {
      size_t key_length, i;
      if (r->p >= r->end || *r->p != '"') {
        sj_error(r, "expected a member name");
        sj_free(v);
        return NULL;
      }
      if (!sj_read_string(r, &key, &key_length)) {
        sj_free(v);
        return NULL;
      }
      for (i = 0; i < v->count; i++) {
        if (strcmp(v->keys[i], key) == 0) {
          sj_error(r, "duplicate member name");
          free(key);
          sj_free(v);
          return NULL;
        }
      }
      sj_skip_space(r);
      if (r->p >= r->end || *r->p != ':') {
        sj_error(r, "expected ':'");
        free(key);
        sj_free(v);
        return NULL;
      }
      r->p++;
    }
    item = sj_read_value(r);
    if (item == NULL) {
      free(key);
      sj_free(v);
      return NULL;
    }
    if (!sj_push(v, item, key)) {
      sj_error(r, "out of memory");
      free(key);
      sj_free(item);
      sj_free(v);
      return NULL;
    }
    sj_skip_space(r);
    if (r->p < r->end && *r->p == ',') {
      r->p++;
      continue;
    }
    if (r->p < r->end && *r->p == close) {
      r->p++;
      r->depth--;
      return v;
    }
    sj_error(r, type == SJ_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
    sj_free(v);
    return NULL;
  }
}

static sj_value *sj_read_number(sj_reader *r) {
  const char *start = r->p;
  char tmp[64];
  sj_value *v;
  size_t n;
  if (r->p < r->end && *r->p == '-') r->p++;
  if (r->p >= r->end) goto bad;
  if (*r->p == '0') {
    r->p++;
  } else if (*r->p >= '1' && *r->p <= '9') {
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
  } else {
    goto bad;
  }
  if (r->p < r->end && *r->p == '.') {
    r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') goto bad;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
  }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
    r->p++;
    if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') goto bad;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
  }
  n = (size_t)(r->p - start);
  if (n >= sizeof(tmp)) goto bad;
  memcpy(tmp, start, n);
  tmp[n] = '\0';
  v = sj_new(SJ_NUMBER);
  if (v == NULL) return NULL;
  v->number = strtod(tmp, NULL);
  return v;
bad:
  sj_error(r, "bad number");
  return NULL;
}

static int sj_literal(sj_reader *r, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return 0;
  r->p += n;
  return 1;
}

static sj_value *sj_read_value(sj_reader *r) {
  sj_value *v;
  sj_skip_space(r);
  if (r->p >= r->end) {
    sj_error(r, "unexpected end of text");
    return NULL;
  }
  switch (*r->p) {
    case '{': return sj_read_container(r, SJ_OBJECT);
    case '[': return sj_read_container(r, SJ_ARRAY);
    case '"':
      v = sj_new(SJ_STRING);
      if (v == NULL) return NULL;
      if (!sj_read_string(r, &v->string, &v->length)) {
        sj_free(v);
        return NULL;
      }
      return v;
    case 't':
    case 'f':
      v = sj_new(SJ_BOOL);
      if (v == NULL) return NULL;
      if (sj_literal(r, "true")) {
        v->boolean = 1;
        return v;
      }
      if (sj_literal(r, "false")) return v;
      sj_free(v);
      sj_error(r, "bad literal");
      return NULL;
    case 'n':
      if (sj_literal(r, "null")) return sj_new(SJ_NULL);
      sj_error(r, "bad literal");
      return NULL;
    default:
      return sj_read_number(r);
  }
}

sj_value *sj_parse(const char *text, size_t length, char *error, size_t capacity) {
  sj_reader r;
  sj_value *v;
  if (error != NULL && capacity > 0) error[0] = '\0';
  r.p = text;
  r.end = text + length;
  r.error = error;
  r.capacity = capacity;
  r.depth = 0;
  v = sj_read_value(&r);
  if (v == NULL) {
    sj_error(&r, "invalid JSON");
    return NULL;
  }
  sj_skip_space(&r);
  if (r.p != r.end) {
    sj_error(&r, "text after the JSON value");
    sj_free(v);
    return NULL;
  }
  return v;
}

const sj_value *sj_get(const sj_value *object, const char *key) {
  size_t i;
  if (object == NULL || object->type != SJ_OBJECT) return NULL;
  for (i = 0; i < object->count; i++) {
    if (strcmp(object->keys[i], key) == 0) return object->items[i];
  }
  return NULL;
}

int sj_string_is(const sj_value *v, const char *s) {
  return v != NULL && v->type == SJ_STRING && strlen(s) == v->length &&
         memcmp(v->string, s, v->length) == 0;
}

int sj_is_safe_integer(const sj_value *v) {
  const double max_safe = 9007199254740991.0;
  double n;
  if (v == NULL || v->type != SJ_NUMBER) return 0;
  n = v->number;
  if (!(n >= -max_safe && n <= max_safe)) return 0; /* NaN fails here too */
  return n == (double)(long long)n;
}

void sj_append(sj_buffer *b, const char *text, size_t length) {
  if (b->failed) return;
  if (b->length + length + 1 > b->capacity) {
    size_t capacity = b->capacity == 0 ? 256 : b->capacity;
    char *data;
    while (capacity < b->length + length + 1) capacity *= 2;
    data = realloc(b->data, capacity);
    if (data == NULL) {
      b->failed = 1;
      return;
    }
    b->data = data;
    b->capacity = capacity;
  }
  memcpy(b->data + b->length, text, length);
  b->length += length;
  b->data[b->length] = '\0';
}

void sj_append_text(sj_buffer *b, const char *text) { sj_append(b, text, strlen(text)); }

void sj_append_string(sj_buffer *b, const char *text, size_t length) {
  size_t i, run = 0;
  sj_append(b, "\"", 1);
  for (i = 0; i < length; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\' || c < 0x20) {
      char esc[8];
      sj_append(b, text + run, i - run);
      if (c == '"') {
        sj_append(b, "\\\"", 2);
      } else if (c == '\\') {
        sj_append(b, "\\\\", 2);
      } else {
        snprintf(esc, sizeof(esc), "\\u%04x", c);
        sj_append(b, esc, 6);
      }
      run = i + 1;
    }
  }
  sj_append(b, text + run, length - run);
  sj_append(b, "\"", 1);
}

void sj_append_int(sj_buffer *b, long long value) {
  char tmp[32];
  snprintf(tmp, sizeof(tmp), "%lld", value);
  sj_append_text(b, tmp);
}

void sj_append_value(sj_buffer *b, const sj_value *v) {
  size_t i;
  char tmp[40];
  switch (v->type) {
    case SJ_NULL: sj_append_text(b, "null"); break;
    case SJ_BOOL: sj_append_text(b, v->boolean ? "true" : "false"); break;
    case SJ_NUMBER:
      snprintf(tmp, sizeof(tmp), "%.17g", v->number);
      sj_append_text(b, tmp);
      break;
    case SJ_STRING: sj_append_string(b, v->string, v->length); break;
    case SJ_ARRAY:
    case SJ_OBJECT:
      sj_append_text(b, v->type == SJ_ARRAY ? "[" : "{");
      for (i = 0; i < v->count; i++) {
        if (i > 0) sj_append_text(b, ",");
        if (v->type == SJ_OBJECT) {
          sj_append_string(b, v->keys[i], strlen(v->keys[i]));
          sj_append_text(b, ":");
        }
        sj_append_value(b, v->items[i]);
      }
      sj_append_text(b, v->type == SJ_ARRAY ? "]" : "}");
      break;
  }
}

void sj_buffer_free(sj_buffer *b) {
  free(b->data);
  b->data = NULL;
  b->length = 0;
  b->capacity = 0;
  b->failed = 0;
}
