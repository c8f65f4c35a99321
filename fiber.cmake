# fiber.cmake: wasm modules that use fiber tasks (include/cfuture/fiber.h).
# Included by wasm.cmake. Fiber switches need Asyncify, which grows and
# slows the code it instruments, so only modules linked with this function
# pay for it; cfuture_add_module stays Asyncify-free.
#
#   cfuture_add_fiber_module(<target> <sources...>)
#
# Flags: the "fibers" list of scripts/emcc-flags.json (each with its
# reason; the same list `npx cfuture-emcc-flags --fibers` adds: Asyncify
# with indirect calls ignored, no JS wrapper around the exports), then
# $CF_FIBER_ASYNCIFY_EXTRA (user additions, e.g. -sASYNCIFY_ADD for code
# that awaits through a function pointer; see docs/fibers.md, "What
# Asyncify costs").
# Sources of fiber modules live outside the plain modules' globs
# (tests/wasm/fiber/, demo/fiber/): a fiber export linked into a plain
# module would not link (the Asyncify runtime calls need the pass).
cf_flags_from_json(CF_FIBER_LINK_FLAGS "" fibers link)

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
  cfuture_add_fiber_module(cfuture_demo_fiber ${CF_DEMO_FIBER_SRC}
                           ${CMAKE_CURRENT_LIST_DIR}/demo/common.c)
  set_target_properties(cfuture_demo_fiber PROPERTIES OUTPUT_NAME demo_fiber)
  target_include_directories(cfuture_demo_fiber PRIVATE
                             ${CMAKE_CURRENT_LIST_DIR}/demo)
  # dist/ beside the stackless demo module (demo/demo.cmake): the page and
  # `npm run demo -- --cli urlcheck-fiber` load it from there.
  add_custom_command(TARGET cfuture_demo_fiber POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_SOURCE_DIR}/dist
    COMMAND ${CMAKE_COMMAND} -E copy
            $<TARGET_FILE_DIR:cfuture_demo_fiber>/demo_fiber.mjs
            $<TARGET_FILE_DIR:cfuture_demo_fiber>/demo_fiber.wasm
            ${PROJECT_SOURCE_DIR}/dist/
    VERBATIM)
endif()

# The prebuilt fiber module shipped in dist/ (cfuture-fibers.mjs,
# cfuture-fibers.web.mjs, cfuture-fibers.wasm; scripts/build-wasm.mjs):
# the prebuilt module (runtime + builtins, -Os, LTO) linked with Asyncify,
# plus the fiber builtin "fiber_sleep". The default prebuilt module stays
# Asyncify-free.
foreach(flavour default web)
  set(t cfuture_fiber_module)
  if(NOT flavour STREQUAL "default")
    set(t cfuture_fiber_module_${flavour})
  endif()
  cfuture_add_module(${t} FLAVOUR ${flavour} LIBRARY cfuture_prebuilt
                     ${CMAKE_CURRENT_LIST_DIR}/src/wasm/builtins/builtins.c
                     ${CMAKE_CURRENT_LIST_DIR}/src/wasm/builtins/builtins_fiber.c)
  set_target_properties(${t} PROPERTIES OUTPUT_NAME cfuture-fibers)
  target_compile_options(${t} PRIVATE ${CF_PREBUILT_COMPILE})
  target_link_options(${t} PRIVATE ${CF_PREBUILT_LINK} ${CF_FIBER_LINK_FLAGS}
                      ${CF_FIBER_ASYNCIFY_EXTRA})
  if(NOT flavour STREQUAL "default")
    set_target_properties(${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${flavour})
  endif()
endforeach()
