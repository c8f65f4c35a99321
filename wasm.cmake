# wasm.cmake: the Emscripten link of cfuture modules (included by
# CMakeLists.txt when EMSCRIPTEN). A module is an ES module `<name>.mjs`
# plus `<name>.wasm`, linked against the `cfuture` static library with the
# JS libraries under bindings/; bindings/index.mjs loads it.
#
# The link flags are not written here: they live, each with its reason, in
# scripts/emcc-flags.json (also read by scripts/emcc-flags.mjs, i.e.
# `npx cfuture-emcc-flags`, and by bench/wasm/build.mjs).
#
# For users: cfuture_add_module(<target> [FLAVOUR default|web] [ENVIRONMENT <envs>]
# [LIBRARY <static lib>] <sources...>)
# links their own C async functions into a module (after add_subdirectory /
# include of this project).
if(CMAKE_VERSION VERSION_LESS 3.19)
  message(FATAL_ERROR "cfuture's wasm build reads scripts/emcc-flags.json with string(JSON): CMake >= 3.19 needed")
endif()

set(CF_BINDINGS_DIR ${CMAKE_CURRENT_LIST_DIR}/bindings)
set(CF_FLAGS_JSON ${CMAKE_CURRENT_LIST_DIR}/scripts/emcc-flags.json)
file(READ ${CF_FLAGS_JSON} CF_FLAGS_JSON_TEXT)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CF_FLAGS_JSON})

# The JS side of the contract (error codes, record layouts, the export
# list) is generated from the C sources into bindings/gen/; see
# scripts/gen-contract.mjs.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/scripts/gen-contract.mjs)
  find_program(CF_NODE node REQUIRED)
  execute_process(COMMAND ${CF_NODE} ${CMAKE_CURRENT_LIST_DIR}/scripts/gen-contract.mjs
                  RESULT_VARIABLE CF_GEN_RC)
  if(NOT CF_GEN_RC EQUAL 0)
    message(FATAL_ERROR "scripts/gen-contract.mjs failed")
  endif()
endif()
set(CF_EXPORTS_TXT ${CF_BINDINGS_DIR}/gen/exports.txt)
if(NOT EXISTS ${CF_EXPORTS_TXT})
  message(FATAL_ERROR "${CF_EXPORTS_TXT} is generated: run node scripts/gen-contract.mjs")
endif()
file(STRINGS ${CF_EXPORTS_TXT} CF_WASM_EXPORTS)
list(JOIN CF_WASM_EXPORTS "," CF_WASM_EXPORTS_CSV)

# The JS libraries, in load order (as scripts/emcc-flags.mjs computes them):
# the generated bindings/gen/contract_lib.js, then every bindings/lib/*.js
# sorted by file name.
file(GLOB CF_JS_LIBRARIES CONFIGURE_DEPENDS ${CF_BINDINGS_DIR}/lib/*.js)
list(SORT CF_JS_LIBRARIES)
list(PREPEND CF_JS_LIBRARIES ${CF_BINDINGS_DIR}/gen/contract_lib.js)

# cf_flags_from_json(<out> <environment> <json path members...>): expand one
# flag array of emcc-flags.json (see its $comment for the placeholders).
function(cf_flags_from_json out environment)
  string(JSON n LENGTH "${CF_FLAGS_JSON_TEXT}" ${ARGN})
  set(flags "")
  math(EXPR last "${n} - 1")
  string(REPLACE "," ";" envs "${environment}")
  foreach(i RANGE ${last})
    string(JSON env ERROR_VARIABLE no_env GET "${CF_FLAGS_JSON_TEXT}" ${ARGN} ${i} env)
    if(NOT no_env AND NOT env IN_LIST envs)
      continue()
    endif()
    string(JSON each ERROR_VARIABLE no_each GET "${CF_FLAGS_JSON_TEXT}" ${ARGN} ${i} forEach)
    if(no_each)
      set(values "-")
    elseif(each STREQUAL "jsLibrary")
      set(values ${CF_JS_LIBRARIES})
    else()
      message(FATAL_ERROR "emcc-flags.json: unknown forEach ${each}")
    endif()
    string(JSON nargs LENGTH "${CF_FLAGS_JSON_TEXT}" ${ARGN} ${i} args)
    math(EXPR alast "${nargs} - 1")
    foreach(v ${values})
      set(entry "")
      foreach(j RANGE ${alast})
        string(JSON a GET "${CF_FLAGS_JSON_TEXT}" ${ARGN} ${i} args ${j})
        string(REPLACE "\${bindings}" "${CF_BINDINGS_DIR}" a "${a}")
        string(REPLACE "\${exports}" "${CF_WASM_EXPORTS_CSV}" a "${a}")
        string(REPLACE "\${environment}" "${environment}" a "${a}")
        string(REPLACE "\${jsLibrary}" "${v}" a "${a}")
        if(a MATCHES "\\\${")
          message(FATAL_ERROR "emcc-flags.json: unknown placeholder in ${a}")
        endif()
        list(APPEND entry "${a}")
      endforeach()
      # An option with a value stays one "SHELL:" item: CMake de-duplicates
      # repeated options, which would tear --js-library pairs apart.
      list(LENGTH entry n_entry)
      if(n_entry GREATER 1)
        list(JOIN entry "\" \"" joined)
        list(APPEND flags "SHELL:\"${joined}\"")
      else()
        list(APPEND flags ${entry})
      endif()
      set(entry "")
    endforeach()
  endforeach()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

# Debian's emcc links through node scripts that need NODE_PATH (see
# shared/notes/emscripten-3.1.6.md): bake it into the link so that a plain
# `cmake --build` works without the caller exporting it.
set(CF_EMCC_NODE_PATH "$ENV{NODE_PATH}")
if(NOT CF_EMCC_NODE_PATH AND EXISTS /usr/share/nodejs)
  set(CF_EMCC_NODE_PATH /usr/share/nodejs)
endif()

function(cfuture_add_module target)
  cmake_parse_arguments(CFM "" "ENVIRONMENT;FLAVOUR;LIBRARY" "" ${ARGN})
  if(NOT CFM_LIBRARY)
    set(CFM_LIBRARY cfuture)
  endif()
  if(NOT CFM_FLAVOUR)
    set(CFM_FLAVOUR default)
  endif()
  if(NOT CFM_ENVIRONMENT)
    string(JSON CFM_ENVIRONMENT GET "${CF_FLAGS_JSON_TEXT}" flavours ${CFM_FLAVOUR} environment)
  endif()
  cf_flags_from_json(link_flags "${CFM_ENVIRONMENT}" link)
  add_executable(${target} ${CFM_UNPARSED_ARGUMENTS})
  target_link_libraries(${target} PRIVATE ${CFM_LIBRARY})
  target_compile_options(${target} PRIVATE ${CF_WARNINGS})
  set_target_properties(${target} PROPERTIES SUFFIX ".mjs")
  if(CF_EMCC_NODE_PATH)
    set_target_properties(${target} PROPERTIES C_LINKER_LAUNCHER
      "${CMAKE_COMMAND};-E;env;NODE_PATH=${CF_EMCC_NODE_PATH}")
  endif()
  target_link_options(${target} PRIVATE ${link_flags})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
               ${CF_JS_LIBRARIES}
               ${CF_BINDINGS_DIR}/node_shim.js
               ${CF_BINDINGS_DIR}/node_pre.js
               ${CF_EXPORTS_TXT}
               ${CF_FLAGS_JSON})
endfunction()

# The prebuilt module shipped in dist/: the runtime plus the built-in
# exports ("sleep", "fetch_text") so JS alone can use it, built for size
# (emcc-flags.json "prebuilt": -Os, LTO) from its own copy of the library,
# so that dist/libcfuture.a stays plain wasm objects. Two flavours with the
# same .wasm: cfuture.mjs (web,worker,node) and web/cfuture.mjs (web,worker).
cf_flags_from_json(CF_PREBUILT_COMPILE "" prebuilt compile)
cf_flags_from_json(CF_PREBUILT_LINK "" prebuilt link)
add_library(cfuture_prebuilt STATIC ${CF_CORE_SOURCES} ${CF_PLATFORM_SOURCES})
target_include_directories(cfuture_prebuilt PUBLIC include PRIVATE src)
target_compile_options(cfuture_prebuilt PRIVATE ${CF_WARNINGS} ${CF_PREBUILT_COMPILE})
foreach(flavour default web)
  set(t cfuture_module)
  if(NOT flavour STREQUAL "default")
    set(t cfuture_module_${flavour})
  endif()
  cfuture_add_module(${t} FLAVOUR ${flavour} LIBRARY cfuture_prebuilt
                     ${CMAKE_CURRENT_LIST_DIR}/src/wasm/builtins/builtins.c)
  set_target_properties(${t} PROPERTIES OUTPUT_NAME cfuture)
  target_compile_options(${t} PRIVATE ${CF_PREBUILT_COMPILE})
  target_link_options(${t} PRIVATE ${CF_PREBUILT_LINK})
  if(NOT flavour STREQUAL "default")
    set_target_properties(${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${flavour})
  endif()
endforeach()

# The module the Node tests load: the runtime plus tests/wasm/*.c.
file(GLOB CF_WASM_TEST_SRC CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/tests/wasm/*.c)
if(CF_WASM_TEST_SRC)
  cfuture_add_module(cfuture_test ${CF_WASM_TEST_SRC})
endif()

# Fiber modules (Asyncify): cfuture_add_fiber_module, see fiber.cmake.
include(${CMAKE_CURRENT_LIST_DIR}/fiber.cmake OPTIONAL)

# The threaded flavour (cfuture_add_threads_module), see threads.cmake.
include(${CMAKE_CURRENT_LIST_DIR}/threads.cmake OPTIONAL)
