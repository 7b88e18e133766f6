# Installs siverify from BUILD into a temporary prefix, builds examples/external_claim against it
# and runs its claim X1 with mutants: X1.hull must hold, its mutant be refuted, and the claim
# appear in the report. Run by ctest: cmake -DBUILD=.. -DSOURCE=.. -DWORK=.. [-DLAUNCHER=..]
# [-DTORCH=ON] [-DCXX=compiler] -P
foreach(var BUILD SOURCE WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "external_claim.cmake needs -D${var}=...")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

# A fresh install each run; the example builds incrementally against it.
file(REMOVE_RECURSE ${WORK}/prefix ${WORK}/report)
run("install" ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
set(configure ${CMAKE_COMMAND} -S ${SOURCE}/examples/external_claim -B ${WORK}/build
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${WORK}/prefix)
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
if(CXX)  # the compiler siverify was built with (a sanitized build's runtimes are clang's)
  list(APPEND configure -DCMAKE_CXX_COMPILER=${CXX})
endif()
run("configure the example" ${configure})
run("build the example" ${CMAKE_COMMAND} --build ${WORK}/build)
run("verify X1" ${WORK}/build/hull_verify verify --claims X1 --mutants --profile quick
    --out ${WORK}/report)
message("${output}")

foreach(expected "X1.hull +linear +holds" "X1.hull +trig +holds" "X1.hull +mutant nearest +refuted")
  if(NOT output MATCHES "${expected}")
    message(FATAL_ERROR "verify output does not match '${expected}'")
  endif()
endforeach()
# The report lists the claim: summary.json's first group is X1.hull, and report.md names it.
file(READ ${WORK}/report/summary.json summary)
string(JSON first_check GET "${summary}" groups 0 check)
string(JSON first_expected GET "${summary}" groups 0 as_expected)
if(NOT first_check STREQUAL "X1.hull" OR NOT first_expected)
  message(FATAL_ERROR "summary.json: first group is ${first_check} (as expected: ${first_expected})")
endif()
file(READ ${WORK}/report/report.md report)
if(NOT report MATCHES "X1.hull")
  message(FATAL_ERROR "X1.hull is missing from ${WORK}/report/report.md")
endif()

# A siverify built with libtorch (-DTORCH=ON) installs libsiverify_torch.so and the example bundles
# it: a model command gets as far as opening the (missing) model file, not "built without libtorch".
if(TORCH)
  if(NOT EXISTS ${WORK}/prefix/bin/libsiverify_torch.so OR NOT EXISTS ${WORK}/build/libsiverify_torch.so)
    message(FATAL_ERROR "libsiverify_torch.so is not installed in ${WORK}/prefix/bin or not bundled")
  endif()
  file(WRITE ${WORK}/data.csv "0.1,0.2\n0.3,0.4\n0.5,0.9\n")
  execute_process(COMMAND ${WORK}/build/hull_verify verify --model ${WORK}/missing.pt
                          --data ${WORK}/data.csv --profile quick
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "cannot open the file")
    message(FATAL_ERROR "the bundled libsiverify_torch.so did not load (${rc}):\n${out}\n${err}")
  endif()
endif()
