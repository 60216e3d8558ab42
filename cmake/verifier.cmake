# The verifier's CLI test runs `bpfrt verify` on assembly and corpus objects.
if(TARGET test_verifier_cli AND TARGET bpfrt_cli)
  add_dependencies(test_verifier_cli bpfrt_cli)
  if(TARGET bpfrt_progs)
    add_dependencies(test_verifier_cli bpfrt_progs)
  endif()
endif()

# The JSON log and unprivileged-mode tests run `bpfrt verify/prog/run` too.
foreach(t test_verifier_json test_verifier_unpriv)
  if(TARGET ${t} AND TARGET bpfrt_cli)
    add_dependencies(${t} bpfrt_cli)
    if(TARGET bpfrt_progs)
      add_dependencies(${t} bpfrt_progs)
    endif()
  endif()
endforeach()
