/* Forced first into every core file (CMakeLists.txt: -include): every
 * declaration from here on is hidden unless a public header says otherwise
 * (include/bpfrt/ wraps its API in `visibility push(default)`).
 * -fvisibility=hidden covers only definitions: without this, position-
 * independent code reaches every global the core declares `extern` (the
 * opcode table bpfrt_op_info, the JIT's and the interpreter's tables)
 * through the GOT. A static link relaxes those loads away; libbpfrt.so
 * keeps them, one more dependent load on each access. Nothing the
 * libraries export changes. */
#pragma GCC visibility push(hidden)
