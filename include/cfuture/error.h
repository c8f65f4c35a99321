/* cfuture/error.h: error codes.
 *
 * Every fallible function returns an int: 0 on success or a negative CF_E*
 * code. Futures report their outcome in `cf_future_t.rc` with the same codes.
 * The table below is the single source of truth: names, numbers and messages
 * come from it (an X-macro), so cf_strerror and cf_err_name never drift.
 * Numbers that have a POSIX errno twin use its Linux value, negated.
 */
#ifndef CFUTURE_ERROR_H
#define CFUTURE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, message) */
#define CF_ERRNO_MAP(X)                                                        \
  X(ENOENT, -2, "no such entry")                                               \
  X(EAGAIN, -11, "resource temporarily unavailable")                           \
  X(ENOMEM, -12, "out of memory")                                              \
  X(EBUSY, -16, "resource busy")                                               \
  X(EINVAL, -22, "invalid argument")                                           \
  X(ERANGE, -34, "value out of range")                                         \
  X(EDEADLK, -35, "operation would deadlock")                                  \
  X(EMSGSIZE, -90, "message or body too large")                                \
  X(ENOTSUP, -95, "not supported in this build")                               \
  X(ESHUTDOWN, -108, "runtime is being freed")                                 \
  X(ECONNREFUSED, -111, "connection refused")                                  \
  X(ETIMEDOUT, -110, "timed out")                                              \
  X(ECANCELED, -125, "operation canceled")                                     \
  X(ECLOSED, -1001, "channel or resource closed")                              \
  X(ELAGGED, -1002, "receiver lagged behind and missed messages")              \
  X(EPOLLED, -1003, "future polled after it returned ready")                   \
  X(EMOVED, -1004, "future moved after it was pinned")                         \
  X(ENETWORK, -1005, "network error")                                          \
  X(EJS, -1006, "JavaScript promise rejected")                                 \
  X(EEMPTY, -1007, "nothing to wait for")                                      \
  X(EHOST, -1008, "host operation failed")                                     \
  X(ENOTFIBER, -1020, "not running on a fiber stack")

enum cf_errno {
#define CF__ERR_ENUM(name, value, msg) CF_##name = (value),
  CF_ERRNO_MAP(CF__ERR_ENUM)
#undef CF__ERR_ENUM
};

/* Human-readable message for an error code ("success" for 0, "unknown
 * error" for a value outside the table). Never NULL; static storage. */
const char *cf_strerror(int err);

/* Symbolic name of an error code ("CF_ETIMEDOUT"), "CF_OK" for 0,
 * "CF_EUNKNOWN" outside the table. Never NULL; static storage. */
const char *cf_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
