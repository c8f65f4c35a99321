# demo/parallel/parallel.cmake: the "parallel" demo module (parallel.c) in
# the threaded flavour (cfuture_add_threads_module, threads.cmake), copied
# after each build to dist/parallel/ (parallel.mjs, parallel.worker.js,
# parallel.wasm and a package.json of {"type": "commonjs"} for the
# CommonJS .worker.js), where the demo server and the CLI find it. Included
# by threads.cmake; not part of the npm package (dist/threads/ is).
cfuture_add_threads_module(cfuture_demo_parallel
                           ${CMAKE_CURRENT_LIST_DIR}/parallel.c)
set_target_properties(cfuture_demo_parallel PROPERTIES OUTPUT_NAME parallel)
add_custom_command(TARGET cfuture_demo_parallel POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_SOURCE_DIR}/dist/parallel
  COMMAND ${CMAKE_COMMAND} -E copy
          ${CF_THREADS_OUT}/parallel.mjs
          ${CF_THREADS_OUT}/parallel.worker.js
          ${CF_THREADS_OUT}/parallel.wasm
          ${CF_THREADS_OUT}/package.json
          ${PROJECT_SOURCE_DIR}/dist/parallel/
  VERBATIM)
