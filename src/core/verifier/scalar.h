/* The verifier's numeric domain, in one place: tnums (tnum.h) and the
 * 64/32-bit signed/unsigned bounds of a scalar or of a pointer's variable
 * offset (bounds.h). Every other verifier file reaches them through this
 * header, which gives the register state its bounds type and the condition
 * numbering branches use. */
#ifndef BPFRT_VERIFIER_SCALAR_H
#define BPFRT_VERIFIER_SCALAR_H

#include "core/verifier/bounds.h"
#include "core/verifier/tnum.h"

/* Conditions for branch analysis are enum bpfrt_cond (JEQ ... JSLE) plus
 * the false side of JSET. */
#define VCOND_JEQ BPFRT_JEQ
#define VCOND_JNE BPFRT_JNE
#define VCOND_JGT BPFRT_JGT
#define VCOND_JGE BPFRT_JGE
#define VCOND_JLT BPFRT_JLT
#define VCOND_JLE BPFRT_JLE

#endif
