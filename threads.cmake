# threads.cmake: the threaded wasm flavour (cfuture/blocking.h on Emscripten
# pthreads = Web Workers sharing the module's memory). Included by
# wasm.cmake (one OPTIONAL line). Opt-in: such a module needs
# SharedArrayBuffer, which browsers give only to cross-origin-isolated
# pages (docs/threads.md); the default modules stay thread-free.
#
#   cfuture_add_threads_module(<target> <sources...>)
#
# The flags, each with its reason, are the "threads" flavour of
# scripts/emcc-flags.json (the one list, also read by scripts/emcc-flags.mjs
# --threads): its "compile" list (-pthread: atomics in every object, so the
# library is compiled again as cfuture_threads) and its "link" list
# (-pthread, -sPTHREAD_POOL_SIZE=0: no Worker before the first spawn,
# -Wno-pthreads-mem-growth), on top of the common link list.
cf_flags_from_json(CF_THREADS_COMPILE_FLAGS "web,worker,node" flavours threads compile)
cf_flags_from_json(CF_THREADS_LINK_FLAGS "web,worker,node" flavours threads link)

add_library(cfuture_threads STATIC ${CF_CORE_SOURCES} ${CF_PLATFORM_SOURCES})
target_include_directories(cfuture_threads PUBLIC include PRIVATE src)
target_compile_options(cfuture_threads PRIVATE ${CF_WARNINGS}
                       ${CF_THREADS_COMPILE_FLAGS})

# Threaded modules go to <build>/threads/, which holds a package.json of
# {"type": "commonjs"}: emcc 3.1.6 writes <name>.worker.js as CommonJS, and
# inside this project (or any "type": "module" package) Node would load a
# .js file as an ES module and fail on its require().
set(CF_THREADS_OUT ${CMAKE_BINARY_DIR}/threads)
file(MAKE_DIRECTORY ${CF_THREADS_OUT})
file(WRITE ${CF_THREADS_OUT}/package.json "{ \"type\": \"commonjs\" }\n")

function(cfuture_add_threads_module target)
  cfuture_add_module(${target} LIBRARY cfuture_threads ${ARGN})
  target_compile_options(${target} PRIVATE ${CF_THREADS_COMPILE_FLAGS})
  target_link_options(${target} PRIVATE ${CF_THREADS_LINK_FLAGS})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CF_THREADS_OUT})
endfunction()

# The module tests/node/threads.test.mjs loads.
file(GLOB CF_WASM_THREADS_TEST_SRC CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/tests/wasm/threads/*.c)
if(CF_WASM_THREADS_TEST_SRC)
  cfuture_add_threads_module(cfuture_threads_test ${CF_WASM_THREADS_TEST_SRC}
                             ${CMAKE_CURRENT_LIST_DIR}/tests/wasm/t_support.c)
endif()

# The prebuilt threaded module (threads/cfuture.threads.mjs + .worker.js +
# .wasm):
# the runtime and the built-in exports, what loadRuntime({ threads: true })
# loads.
cfuture_add_threads_module(cfuture_module_threads
                           ${CMAKE_CURRENT_LIST_DIR}/src/wasm/builtins/builtins.c)
set_target_properties(cfuture_module_threads PROPERTIES OUTPUT_NAME
                      cfuture.threads)

# The "parallel" demo (demo/parallel/): a threaded module of its own.
include(${CMAKE_CURRENT_LIST_DIR}/demo/parallel/parallel.cmake OPTIONAL)
