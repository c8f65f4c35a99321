# wasm.cmake: the Emscripten link of cfuture modules (included by
# CMakeLists.txt when EMSCRIPTEN). A module is an ES module `<name>.mjs`
# plus `<name>.wasm`, linked against the `cfuture` static library with the
# JS libraries bindings/lib/*.js (+ the generated bindings/gen/contract_lib.js);
# bindings/index.mjs loads it.
#
# For users: cfuture_add_module(<target> <sources...>) links their own C
# async functions into a module (after add_subdirectory / include of this
# project); outside CMake, scripts/emcc-flags.mjs prints the same flags.

set(CF_BINDINGS_DIR ${CMAKE_CURRENT_LIST_DIR}/bindings)
# The JS side of the contract (error codes, record layouts, the export
# list) is generated from the C sources; see scripts/gen-contract.mjs.
find_program(CF_NODE node REQUIRED)
execute_process(COMMAND ${CF_NODE} ${CMAKE_CURRENT_LIST_DIR}/scripts/gen-contract.mjs
                RESULT_VARIABLE CF_GEN_RC)
if(NOT CF_GEN_RC EQUAL 0)
  message(FATAL_ERROR "scripts/gen-contract.mjs failed")
endif()
file(STRINGS ${CF_BINDINGS_DIR}/gen/exports.txt CF_WASM_EXPORTS)
list(JOIN CF_WASM_EXPORTS "," CF_WASM_EXPORTS_CSV)
file(GLOB CF_JS_LIBRARIES CONFIGURE_DEPENDS ${CF_BINDINGS_DIR}/lib/*.js)
list(SORT CF_JS_LIBRARIES)
list(PREPEND CF_JS_LIBRARIES ${CF_BINDINGS_DIR}/gen/contract_lib.js)
set(CF_JS_LIBRARY_FLAGS)
foreach(lib ${CF_JS_LIBRARIES})
  # SHELL: keeps each pair together (CMake de-duplicates repeated options)
  list(APPEND CF_JS_LIBRARY_FLAGS "SHELL:--js-library ${lib}")
endforeach()

set(CF_WASM_LINK_FLAGS
    -sMODULARIZE=1
    -sEXPORT_ES6=1
    -sEXPORT_NAME=createCfutureModule
    --no-entry
    -sALLOW_MEMORY_GROWTH=1
    -sENVIRONMENT=web,worker,node
    -sNODEJS_CATCH_EXIT=0
    -sNODEJS_CATCH_REJECTION=0
    "-sEXPORTED_FUNCTIONS=${CF_WASM_EXPORTS_CSV}"
    ${CF_JS_LIBRARY_FLAGS}
    --extern-pre-js ${CF_BINDINGS_DIR}/node_shim.js)

# Debian's emcc links through node scripts that need NODE_PATH (see
# shared/notes/emscripten-3.1.6.md): bake it into the link so that a plain
# `cmake --build` works without the caller exporting it.
set(CF_EMCC_NODE_PATH "$ENV{NODE_PATH}")
if(NOT CF_EMCC_NODE_PATH AND EXISTS /usr/share/nodejs)
  set(CF_EMCC_NODE_PATH /usr/share/nodejs)
endif()

function(cfuture_add_module target)
  add_executable(${target} ${ARGN})
  target_link_libraries(${target} PRIVATE cfuture)
  target_compile_options(${target} PRIVATE ${CF_WARNINGS})
  set_target_properties(${target} PROPERTIES SUFFIX ".mjs")
  if(CF_EMCC_NODE_PATH)
    set_target_properties(${target} PROPERTIES C_LINKER_LAUNCHER
      "${CMAKE_COMMAND};-E;env;NODE_PATH=${CF_EMCC_NODE_PATH}")
  endif()
  target_link_options(${target} PRIVATE ${CF_WASM_LINK_FLAGS})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
               ${CF_JS_LIBRARIES}
               ${CF_BINDINGS_DIR}/node_shim.js
               ${CF_BINDINGS_DIR}/gen/exports.txt)
endfunction()

# The default prebuilt module: the runtime plus the built-in exports
# ("sleep", "fetch_text") so JS alone can use it; users' own C async
# functions go in their own module.
cfuture_add_module(cfuture_module
                   ${CMAKE_CURRENT_LIST_DIR}/src/wasm/builtins/builtins.c)
set_target_properties(cfuture_module PROPERTIES OUTPUT_NAME cfuture)

# The module the Node tests load: the runtime plus tests/wasm/*.c.
file(GLOB CF_WASM_TEST_SRC CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/tests/wasm/*.c)
if(CF_WASM_TEST_SRC)
  cfuture_add_module(cfuture_test ${CF_WASM_TEST_SRC})
endif()

# Fiber modules (Asyncify): cfuture_add_fiber_module, see fiber.cmake.
include(${CMAKE_CURRENT_LIST_DIR}/fiber.cmake OPTIONAL)
