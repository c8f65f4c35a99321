# fiber.cmake: wasm modules that use fiber tasks (include/cfuture/fiber.h).
# Included by wasm.cmake. Emscripten fibers need Asyncify, which grows and
# slows the code it instruments, so only modules linked with this function
# pay for it; cfuture_add_module stays Asyncify-free.
#
#   cfuture_add_fiber_module(<target> <sources...>)
#
# Flags, each with its reason:
#   -sASYNCIFY            emscripten_fiber_swap unwinds/rewinds wasm stacks
#                         (it is in emcc's default ASYNCIFY_IMPORTS, the
#                         only import of ours that switches, so that list
#                         is left alone)
#   -sASYNCIFY_STACK_SIZE the main Asyncify buffer of emscripten_sleep,
#                         unused by fibers (each has its own buffer, and
#                         src/wasm/fiber_em.c has one for the original
#                         stack): kept small
#   $CF_FIBER_ASYNCIFY_EXTRA user additions. An ASYNCIFY_ONLY list of the
#                         executor path has not worked yet (docs/fibers.md,
#                         "What Asyncify costs"), so every function with an
#                         indirect call is instrumented.
# Sources of fiber modules live outside the plain modules' globs
# (tests/wasm/fiber/, demo/fiber/): a fiber export linked into a plain
# module would not link (emscripten_fiber_swap needs Asyncify).
set(CF_FIBER_LINK_FLAGS
    -sASYNCIFY=1
    -sASYNCIFY_STACK_SIZE=1024)

function(cfuture_add_fiber_module target)
  cfuture_add_module(${target} ${ARGN})
  target_link_options(${target} PRIVATE ${CF_FIBER_LINK_FLAGS}
                      ${CF_FIBER_ASYNCIFY_EXTRA})
endfunction()

# The module tests/node/fiber.test.mjs loads.
file(GLOB CF_WASM_FIBER_TEST_SRC CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/tests/wasm/fiber/*.c)
if(CF_WASM_FIBER_TEST_SRC)
  cfuture_add_fiber_module(cfuture_fiber_test ${CF_WASM_FIBER_TEST_SRC}
                           ${CMAKE_CURRENT_LIST_DIR}/tests/wasm/t_support.c)
endif()

# The URL checker demo in fiber style (demo/fiber/), next to the stackless
# demo module (demo/demo.cmake links demo/*.c without Asyncify).
file(GLOB CF_DEMO_FIBER_SRC CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/demo/fiber/*.c)
if(CF_DEMO_FIBER_SRC)
  cfuture_add_fiber_module(cfuture_demo_fiber ${CF_DEMO_FIBER_SRC})
  set_target_properties(cfuture_demo_fiber PROPERTIES OUTPUT_NAME demo_fiber)
endif()
