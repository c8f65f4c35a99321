# demo/demo.cmake: builds the demo programs (the seed examples in C).
# Included at the end of the top-level CMakeLists.txt (after wasm.cmake).
#   - wasm: one module `demo.mjs` + `demo.wasm` with every demo/*.c linked
#     against the runtime (cfuture_add_module from wasm.cmake), copied to
#     dist/ after each build so the demo server and the CLI find it;
#   - native: the demos that need no fetch (join, lazy, spawn, stress) as
#     executables, checked by ctest against their expected lines.
set(CF_DEMO_DIR ${CMAKE_CURRENT_LIST_DIR})

if(EMSCRIPTEN)
  if(COMMAND cfuture_add_module)
    file(GLOB CF_DEMO_SRC CONFIGURE_DEPENDS ${CF_DEMO_DIR}/*.c)
    cfuture_add_module(cfuture_demo ${CF_DEMO_SRC})
    set_target_properties(cfuture_demo PROPERTIES OUTPUT_NAME demo)
    target_include_directories(cfuture_demo PRIVATE ${CF_DEMO_DIR})
    add_custom_command(TARGET cfuture_demo POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_SOURCE_DIR}/dist
      COMMAND ${CMAKE_COMMAND} -E copy
              $<TARGET_FILE_DIR:cfuture_demo>/demo.mjs
              $<TARGET_FILE_DIR:cfuture_demo>/demo.wasm
              ${PROJECT_SOURCE_DIR}/dist/
      VERBATIM)
  endif()
else()
  add_library(cf_demo_common STATIC ${CF_DEMO_DIR}/common.c)
  target_link_libraries(cf_demo_common PUBLIC cfuture)
  target_compile_options(cf_demo_common PRIVATE ${CF_WARNINGS})
  target_compile_definitions(cf_demo_common PRIVATE _POSIX_C_SOURCE=200809L)
  find_library(CF_LIBM m)
  if(CF_LIBM)
    target_link_libraries(cf_demo_common PUBLIC ${CF_LIBM})
  endif()
  foreach(d join lazy spawn stress)
    add_executable(demo_${d} ${CF_DEMO_DIR}/${d}.c)
    target_link_libraries(demo_${d} PRIVATE cf_demo_common)
    target_compile_options(demo_${d} PRIVATE ${CF_WARNINGS})
  endforeach()
  if(CF_TESTS)
    # The expected lines, in order (the same as web/examples.mjs).
    add_test(NAME demo_lazy COMMAND demo_lazy)
    set_tests_properties(demo_lazy PROPERTIES PASS_REGULAR_EXPRESSION
      "^hello\nworld\nStarting program\\.\nFinished program\\.\nmy_task was dropped unawaited: polled 0 times, never printed\\.\n$")
    add_test(NAME demo_join COMMAND demo_join 0.1)
    set_tests_properties(demo_join PROPERTIES PASS_REGULAR_EXPRESSION
      "^Fetching data concurrently\\.\\.\\.\nProduct data fetched after 100 ms\\.\nUser data fetched after 300 ms\\.\nTotal execution time is ~3s, not 4s\\.\nResult 1: User\nResult 2: Product\n$")
    add_test(NAME demo_spawn COMMAND demo_spawn 0.1)
    set_tests_properties(demo_spawn PROPERTIES PASS_REGULAR_EXPRESSION
      "^spawned workers a \\(30 ms\\), b \\(20 ms\\), c \\(10 ms\\)\nworker c done\nworker b done\nworker a done\njoined: a=300 b=200 c=100\naborted long task: CF_ECANCELED\nprimes below 3000000: 216816 \\(150 slices\\)\nticker ran [1-9][0-9]* times during the computation\n$")
    add_test(NAME demo_stress COMMAND demo_stress 20000)
    set_tests_properties(demo_stress PROPERTIES PASS_REGULAR_EXPRESSION
      "all 20000 tasks joined, 0 failed\n$")
  endif()
endif()
