# The verifier's CLI test runs `bpfrt verify` on assembly and corpus objects.
if(TARGET test_verifier_cli AND TARGET bpfrt_cli)
  add_dependencies(test_verifier_cli bpfrt_cli)
  if(TARGET bpfrt_progs)
    add_dependencies(test_verifier_cli bpfrt_progs)
  endif()
endif()
