/* emscripten.h stand-in for cfuture-lint (scripts/lint.mjs): gcc checks
 * wasm sources with -D__EMSCRIPTEN__ but without Emscripten's headers; the
 * macros a cfuture module uses are declared here as plain C. Not for
 * building anything. */
#ifndef CFUTURE_LINT_EMSCRIPTEN_H
#define CFUTURE_LINT_EMSCRIPTEN_H
#define EMSCRIPTEN_KEEPALIVE
#define EM_JS(ret, name, params, ...) ret name params;
#define EM_ASYNC_JS(ret, name, params, ...) ret name params;
#define EM_ASM(...) ((void)0)
#define EM_ASM_INT(...) 0
#define EM_ASM_DOUBLE(...) 0.0
#endif
