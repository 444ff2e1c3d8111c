# Helpers that make every module a CMake library and hold the allowed dependency direction.
# A module may only link (and include) the modules listed for it here; tools/check_deps
# checks the #include lines against the same table.

set(PHASEOUT_ALLOWED_core "")
set(PHASEOUT_ALLOWED_model "core")
set(PHASEOUT_ALLOWED_net "core;model")
set(PHASEOUT_ALLOWED_probes "core;model")
set(PHASEOUT_ALLOWED_fingerprint "core;model")
set(PHASEOUT_ALLOWED_policy "core;model")
set(PHASEOUT_ALLOWED_screening "core;model;policy")
set(PHASEOUT_ALLOWED_imports "core;model")
set(PHASEOUT_ALLOWED_inventory "core;model;policy")
set(PHASEOUT_ALLOWED_engine "core;model;net;probes;fingerprint;policy")
set(PHASEOUT_ALLOWED_report "core;model;policy;screening")
set(PHASEOUT_ALLOWED_agent "core;model;net")
set(PHASEOUT_ALLOWED_lab "core;model;net")
set(PHASEOUT_ALLOWED_server "core;model;net;policy;screening;inventory;report")

# phaseout_module(NAME SOURCES a.cc b.cc DEPS core model LIBS fmt::fmt)
# Creates the static library phaseout_NAME; fails the configure step if DEPS names a module
# the dependency direction does not allow.
function(phaseout_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  foreach(dep IN LISTS M_DEPS)
    if(NOT dep IN_LIST PHASEOUT_ALLOWED_${name})
      message(FATAL_ERROR "layering: module '${name}' may not depend on '${dep}' "
                          "(allowed: ${PHASEOUT_ALLOWED_${name}}); see docs/architecture.md")
    endif()
  endforeach()
  add_library(phaseout_${name} STATIC ${M_SOURCES})
  target_include_directories(phaseout_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(dep_targets "")
  foreach(dep IN LISTS M_DEPS)
    list(APPEND dep_targets phaseout_${dep})
  endforeach()
  target_link_libraries(phaseout_${name} PUBLIC ${dep_targets} ${M_LIBS})
endfunction()

# phaseout_test(NAME SOURCES a_test.cc LIBS phaseout_x [NETNS])
# One gtest binary; each TEST becomes a ctest entry. NETNS marks tests that open sockets:
# they get the `netns` label and refuse to run outside a private network namespace.
function(phaseout_test name)
  if(NOT PHASEOUT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "NETNS" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE ${PHASEOUT_SOURCE_DATA_DEFINITION})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
  # Socket tests share one network namespace (scripts/netns-run wraps the whole ctest run) and
  # fixed 127.x addresses and nftables tables, so they hold one lock: they never run at once.
  if(T_NETNS)
    set(props LABELS netns RESOURCE_LOCK phaseout_netns)
  else()
    set(props LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       PROPERTIES ${props} TIMEOUT 300)
endfunction()

# phaseout_fuzz(NAME SOURCES x_fuzz.cc LIBS phaseout_x): a libFuzzer target plus a ctest smoke
# run over its seed corpus fuzz/corpus/NAME (only in fuzz builds).
function(phaseout_fuzz name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT PHASEOUT_BUILD_FUZZ)
    return()
  endif()
  add_executable(${name} ${F_SOURCES})
  set_property(GLOBAL APPEND PROPERTY PHASEOUT_FUZZ_TARGETS ${name})
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  file(MAKE_DIRECTORY ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
  # New inputs go to a scratch directory under the build tree (libFuzzer writes to its first
  # corpus directory); the seed corpus in the source tree is only read.
  set(work ${PROJECT_BINARY_DIR}/fuzz-work/${name})
  add_test(NAME fuzz_smoke_${name}
           COMMAND sh -c "mkdir -p '${work}' && exec '$<TARGET_FILE:${name}>' -runs=20000 -max_total_time=10 -max_len=65536 -rss_limit_mb=2048 '${work}' '${PROJECT_SOURCE_DIR}/fuzz/corpus/${name}'")
  set_tests_properties(fuzz_smoke_${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()
