/* args_internal.h: the layout of cf_args_t, shared by args.c (accessors,
 * cfw_args_*) and export.c (the call task, which owns the args until the
 * call settles). */
#ifndef CF_WASM_ARGS_INTERNAL_H
#define CF_WASM_ARGS_INTERNAL_H

#include <stddef.h>

#include "cfuture/export.h"

typedef struct arg {
  cf_js_type_t type;
  double number;
  char *data; /* NUL-terminated copy (len + 1 bytes), cf_malloc'd by JS */
  size_t len;
} arg_t;

struct cf_args {
  size_t n;
  char err[CF_CALL_ERROR_MAX]; /* why init refused (cf_args_fail), or "" */
  arg_t v[];
};

/* The message recorded by cf_args_fail, or NULL. */
const char *cf__args_error(const cf_args_t *a);

/* JS entry points (declared in exports.h for the wasm build). */
cf_args_t *cfw_args_new(size_t n);
int cfw_args_set(cf_args_t *a, size_t i, int type, double number, char *data,
                 size_t len);
void cfw_args_free(cf_args_t *a);

#endif
