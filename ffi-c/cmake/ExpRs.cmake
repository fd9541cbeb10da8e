# ExpRs.cmake: exp-rs's C library as a CMake target, built by cargo.
#
#   set(EXP_RS_ROOT /path/to/exp-rs)           # the checkout (default: this file's ../..)
#   set(EXP_RS_RUST_TARGET thumbv7em-none-eabihf)  # Cortex-M7; leave unset for the host
#   set(EXP_RS_F32 ON)                         # float instead of double (optional)
#   include(${EXP_RS_ROOT}/ffi-c/cmake/ExpRs.cmake)
#   target_link_libraries(app PRIVATE exp_rs::exp_rs)
#
# Every build runs `cargo build` (the `exp_rs_cargo` target is always out of
# date; cargo itself decides, in a fraction of a second, whether a Rust source
# changed), and a changed archive relinks the programs that use it. Cargo
# builds into this build tree (exp-rs-cargo/), so host and Cortex-M7, f64 and
# f32 builds never overwrite one another's archive. The target carries the
# header directory, EXP_RS_F32 when set (the header and the archive must
# agree: a mismatch does not link), and on a Linux host the system libraries
# a Rust static library needs.
#
# Options (cache variables):
#   EXP_RS_ROOT          exp-rs checkout
#   EXP_RS_RUST_TARGET   Rust target triple; empty: the host
#   EXP_RS_F32           ON: the `f32` feature and -DEXP_RS_F32
#   EXP_RS_PROFILE       cargo profile: release, thumb or dev (default:
#                        thumb for thumbv7em-none-eabihf, the size-optimised
#                        profile the firmware demo measures; release
#                        elsewhere)
#   EXP_RS_RUSTFLAGS     rustflags for EXP_RS_RUST_TARGET (default for
#                        thumbv7em-none-eabihf: -C target-cpu=cortex-m7, the
#                        double-precision FPU)
#   EXP_RS_FEATURES      more cargo features, comma-separated (default for
#                        thumbv7em-none-eabihf: arm-vsqrt, `sqrt` and the
#                        rounding functions with the FPU's VSQRT and VRINT;
#                        on a Cortex-M4F, whose FPU has
#                        single precision only, set it and EXP_RS_RUSTFLAGS
#                        to "")
#   EXP_RS_CARGO         the cargo program
include_guard(GLOBAL)
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "ExpRs.cmake needs CMake 3.20 or later")
endif()

# A cache option that a normal variable set before include() overrides
# (a plain set(CACHE) would drop that variable under CMake < 3.21).
macro(_exp_rs_option name default type doc)
  if(NOT DEFINED ${name})
    set(${name} "${default}" CACHE ${type} "${doc}")
  endif()
endmacro()

get_filename_component(_exp_rs_default_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
_exp_rs_option(EXP_RS_ROOT "${_exp_rs_default_root}" PATH "exp-rs checkout")
_exp_rs_option(EXP_RS_RUST_TARGET "" STRING "Rust target triple of the archive (empty: the host)")
_exp_rs_option(EXP_RS_F32 OFF BOOL "Build exp-rs with float instead of double")
if(EXP_RS_RUST_TARGET STREQUAL "thumbv7em-none-eabihf")
  set(_exp_rs_default_profile "thumb")
  set(_exp_rs_default_flags "-C target-cpu=cortex-m7")
  set(_exp_rs_default_features "arm-vsqrt")
else()
  set(_exp_rs_default_profile "release")
  set(_exp_rs_default_flags "")
  set(_exp_rs_default_features "")
endif()
_exp_rs_option(EXP_RS_PROFILE "${_exp_rs_default_profile}" STRING "cargo profile of the archive (release, thumb or dev)")
_exp_rs_option(EXP_RS_FEATURES "${_exp_rs_default_features}" STRING "more cargo features of exp-rs-ffi, comma-separated")
_exp_rs_option(EXP_RS_RUSTFLAGS "${_exp_rs_default_flags}" STRING "rustflags for EXP_RS_RUST_TARGET")
find_program(EXP_RS_CARGO cargo HINTS "$ENV{HOME}/.cargo/bin" REQUIRED)

set(_exp_rs_target_dir "${CMAKE_BINARY_DIR}/exp-rs-cargo")
set(_exp_rs_args build -p exp-rs-ffi --lib --target-dir "${_exp_rs_target_dir}")
set(_exp_rs_env "")
set(_exp_rs_dir "${_exp_rs_target_dir}")
if(EXP_RS_RUST_TARGET)
  list(APPEND _exp_rs_args --target ${EXP_RS_RUST_TARGET})
  set(_exp_rs_dir "${_exp_rs_dir}/${EXP_RS_RUST_TARGET}")
  if(EXP_RS_RUSTFLAGS)
    # Per-target rustflags (CARGO_TARGET_<TRIPLE>_RUSTFLAGS): build scripts
    # and proc macros on the host are not affected.
    string(TOUPPER "${EXP_RS_RUST_TARGET}" _exp_rs_triple)
    string(REPLACE "-" "_" _exp_rs_triple "${_exp_rs_triple}")
    list(APPEND _exp_rs_env "CARGO_TARGET_${_exp_rs_triple}_RUSTFLAGS=${EXP_RS_RUSTFLAGS}")
  endif()
endif()
if(EXP_RS_PROFILE STREQUAL "dev")
  set(_exp_rs_dir "${_exp_rs_dir}/debug")
else()
  list(APPEND _exp_rs_args --profile ${EXP_RS_PROFILE})
  set(_exp_rs_dir "${_exp_rs_dir}/${EXP_RS_PROFILE}")
endif()
set(_exp_rs_features "${EXP_RS_FEATURES}")
if(EXP_RS_F32)
  list(APPEND _exp_rs_features f32)
endif()
list(JOIN _exp_rs_features "," _exp_rs_features)
if(_exp_rs_features)
  list(APPEND _exp_rs_args --features ${_exp_rs_features})
endif()
set(EXP_RS_LIBRARY "${_exp_rs_dir}/libexp_rs_ffi.a")

add_custom_target(exp_rs_cargo
  COMMAND ${CMAKE_COMMAND} -E env ${_exp_rs_env} ${EXP_RS_CARGO} ${_exp_rs_args}
  WORKING_DIRECTORY "${EXP_RS_ROOT}"
  BYPRODUCTS "${EXP_RS_LIBRARY}"
  COMMENT "cargo build -p exp-rs-ffi: ${EXP_RS_LIBRARY}"
  USES_TERMINAL
  VERBATIM)

add_library(exp_rs STATIC IMPORTED GLOBAL)
add_library(exp_rs::exp_rs ALIAS exp_rs)
set_target_properties(exp_rs PROPERTIES
  IMPORTED_LOCATION "${EXP_RS_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${EXP_RS_ROOT}/ffi-c/include")
add_dependencies(exp_rs exp_rs_cargo)
if(EXP_RS_F32)
  set_property(TARGET exp_rs APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS EXP_RS_F32)
endif()
if(NOT EXP_RS_RUST_TARGET AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  # What a Rust static library needs from the system on Linux.
  set_property(TARGET exp_rs APPEND PROPERTY INTERFACE_LINK_LIBRARIES pthread dl m)
endif()
