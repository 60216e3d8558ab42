/* The switch at the heart of alu32_mix.bpf.c, in one place for both of its
 * compilers: clang -target bpf builds it into the program under test, gcc
 * builds it natively into test_corpus.c as the reference it is checked
 * against. The includer provides the __u8.. __s32 types and may define
 * ALU32_CLASSIFY_ATTR (the BPF side makes it a real call). */
#ifndef ALU32_CLASSIFY_H
#define ALU32_CLASSIFY_H

#ifndef ALU32_CLASSIFY_ATTR
#define ALU32_CLASSIFY_ATTR
#endif

static ALU32_CLASSIFY_ATTR __u32 alu32_classify(__u32 b, __u32 acc)
{
    switch (b & 0x1f) {
    case 0: return acc + 0x11;
    case 1: return acc ^ 0xdeadbeef;
    case 2: return acc * 33;
    case 3: return acc - 0x7fffffff;
    case 4: return acc << 3;
    case 5: return acc >> 5;
    case 6: return (__u32)((__s32)acc >> 7);
    case 7: return ~acc;
    case 8: return -acc;
    case 9: return acc | 0x80000001;
    case 10: return acc & 0x0ff0ff0f;
    case 11: return __builtin_bswap32(acc);
    case 12: return acc / 7;
    case 13: return acc % 13;
    case 14: return acc + (b << 24);
    case 16: return acc * 0x9e3779b1;
    case 17: return (acc << 13) | (acc >> 19);
    case 18: return acc ^ (acc >> 16);
    case 20: return acc + (__u32)(__s8)b;
    case 21: return acc - (__u32)(__s16)(b << 9);
    case 23: return acc == 0 ? 1 : acc;
    case 24: return (__u16)acc;
    case 25: return (__u8)(acc >> 8);
    case 27: return acc > 0x80000000 ? acc - 0x80000000 : acc + 0x40000000;
    case 28: return (__s32)acc < 0 ? 0 : acc;
    case 30: return acc * acc;
    default: return acc + b;
    }
}

#endif
