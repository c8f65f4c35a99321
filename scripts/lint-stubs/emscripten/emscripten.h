/* cfuture-lint stand-in: see ../emscripten.h */
#include "../emscripten.h"
