/* error.c: cf_strerror and cf_err_name, generated from the one X-macro
 * table in cfuture/error.h. Pure functions over static strings. */
#include "cfuture/error.h"

const char *cf_strerror(int err) {
  if (err == 0)
    return "success";
  switch (err) {
#define CF__ERR_MSG(name, value, msg)                                          \
  case value:                                                                  \
    return msg;
    CF_ERRNO_MAP(CF__ERR_MSG)
#undef CF__ERR_MSG
  default:
    return "unknown error";
  }
}

const char *cf_err_name(int err) {
  if (err == 0)
    return "CF_OK";
  switch (err) {
#define CF__ERR_NAME(name, value, msg)                                         \
  case value:                                                                  \
    return "CF_" #name;
    CF_ERRNO_MAP(CF__ERR_NAME)
#undef CF__ERR_NAME
  default:
    return "CF_EUNKNOWN";
  }
}
