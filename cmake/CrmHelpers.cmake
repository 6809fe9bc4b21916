# Helpers that declare a component's targets in one call (after abseil's absl_cc_library).

set(CRM_WARNINGS -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wno-unused-parameter)

function(crm_apply_common TARGET)
  target_compile_options(${TARGET} PRIVATE ${CRM_WARNINGS})
  if(CRM_SANITIZE)
    target_compile_options(${TARGET} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${TARGET} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# crm_cc_library(NAME SRCS a.cc b.cc DEPS crm_core ...)
# Public headers live in <component>/include, private ones beside the sources.
function(crm_cc_library NAME)
  cmake_parse_arguments(A "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${NAME} STATIC ${A_SRCS})
  target_include_directories(${NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  crm_apply_common(${NAME})
endfunction()

# crm_cc_binary(NAME SRCS main.cc DEPS crm_cib ... [COMPONENT web]) — an installed
# program, in the cluster package unless COMPONENT names another (packaging/).
function(crm_cc_binary NAME)
  cmake_parse_arguments(A "" "COMPONENT" "SRCS;DEPS" ${ARGN})
  if(NOT A_COMPONENT)
    set(A_COMPONENT ${CMAKE_INSTALL_DEFAULT_COMPONENT_NAME})
  endif()
  add_executable(${NAME} ${A_SRCS})
  target_link_libraries(${NAME} PRIVATE ${A_DEPS})
  set_target_properties(${NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
  crm_apply_common(${NAME})
  install(TARGETS ${NAME} RUNTIME DESTINATION sbin COMPONENT ${A_COMPONENT})
endfunction()

# crm_cc_test(NAME SRCS x_test.cc DEPS crm_cib LABELS unit) — a GoogleTest binary run by ctest.
function(crm_cc_test NAME)
  cmake_parse_arguments(A "" "TIMEOUT" "SRCS;DEPS;LABELS;ENV" ${ARGN})
  add_executable(${NAME} ${A_SRCS})
  target_link_libraries(${NAME} PRIVATE ${A_DEPS} GTest::gmock GTest::gtest_main)
  target_include_directories(${NAME} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${NAME} PRIVATE CRM_SHARED_DIR="${CRM_SHARED_DIR}"
                             CRM_SCHEMA_DIR="${CRM_SCHEMA_DIR}" CRM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                             CRM_BINARY_DIR="${CMAKE_BINARY_DIR}")
  set_target_properties(${NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  crm_apply_common(${NAME})
  add_test(NAME ${NAME} COMMAND ${NAME})
  if(NOT A_LABELS)
    set(A_LABELS unit)
  endif()
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  set_tests_properties(${NAME} PROPERTIES LABELS "${A_LABELS}" TIMEOUT ${A_TIMEOUT} ENVIRONMENT "${A_ENV}")
endfunction()

# crm_bench(NAME SRCS b.cc DEPS ...) — prints figures; never asserts on time. Not run by ctest.
function(crm_bench NAME)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${NAME} ${A_SRCS})
  target_link_libraries(${NAME} PRIVATE ${A_DEPS})
  target_compile_definitions(${NAME} PRIVATE CRM_SHARED_DIR="${CRM_SHARED_DIR}" CRM_SCHEMA_DIR="${CRM_SCHEMA_DIR}"
                             CRM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" CRM_BINARY_DIR="${CMAKE_BINARY_DIR}")
  set_target_properties(${NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  crm_apply_common(${NAME})
  if(NOT TARGET bench)
    add_custom_target(bench)
  endif()
  add_dependencies(bench ${NAME})
endfunction()
