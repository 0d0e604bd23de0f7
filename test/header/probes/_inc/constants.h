/* Integer constant expressions and conditionals, checked against clang in preprocess.test.ts. */
#ifndef CONSTANTS_H
#define CONSTANTS_H

#define PPT_DEC 42
#define PPT_HEX 0xFFu
#define PPT_OCT 0755
#define PPT_BIN 0b1010
#define PPT_CHAR 'A'
#define PPT_ESC '\n'
#define PPT_HEXCHAR '\xff'
#define PPT_OCTCHAR '\101'
#define PPT_MULTI 'ab'
#define PPT_SUFFIX_UL 7UL
#define PPT_SUFFIX_ULL 0xFFFFFFFFFFFFFFFFULL
#define PPT_SUFFIX_LL -9223372036854775807LL
#define PPT_NOT0U (~0U)
#define PPT_NOT0 (~0)
#define PPT_NEG_U (-1U)
#define PPT_SHIFT31 (1 << 31)
#define PPT_SHIFT_U (1U << 31)
#define PPT_SHIFT_L (1L << 40)
#define PPT_MIXED (-1 < 0U)
#define PPT_MIXED_L (-1L < 0U)
#define PPT_DIV (-7 / 2)
#define PPT_MOD (-7 % 2)
#define PPT_UDIV (0xFFFFFFFF / 3)
#define PPT_ARITH ((3 + 4) * 5 - 6 / 2 % 4)
#define PPT_BITS ((0xF0 | 0x0F) & ~0x3C ^ 0x100)
#define PPT_LOGIC (1 && 0 || !0)
#define PPT_TERNARY (PPT_DEC > 40 ? 100 : 200)
#define PPT_TERNARY_MIX (1 ? -1 : 0U)
#define PPT_CMP (PPT_HEX >= 255) + (3 != 3) + (2 <= 1)
#define PPT_SIZEOF_STRUCT sizeof(struct ppt_s)
#define PPT_SIZEOF_INT sizeof(int)
#define PPT_SIZEOF_ARR sizeof(__u16[7])
#define PPT_ALIGNOF _Alignof(struct ppt_s)
#define PPT_OFFSETOF __builtin_offsetof(struct ppt_s, c)
#define PPT_CAST_U8 ((__u8)0x1234)
#define PPT_CAST_S8 ((__s8)0xFF)
#define PPT_CAST_U32 ((__u32)-1)
#define PPT_CAST_BOOL ((_Bool)42)
#define PPT_ENUM_SUM (PPT_E_B + PPT_E_C)
#define PPT_ALIAS PPT_DEC
#define PPT_NESTED (PPT_ALIAS * PPT_ARITH)
#define PPT_FUNC(x) ((x) * 2)
#define PPT_FROM_FUNC PPT_FUNC(21)
#define PPT_SHIFT_RIGHT_NEG (-16 >> 2)

struct ppt_s { char a; __u64 b; __u16 c; };
enum ppt_e { PPT_E_A = -3, PPT_E_B, PPT_E_C = 1 << 4, PPT_E_D };
enum { PPT_E_BIG = 0x100000000 };

#if PPT_DEC == 42 && defined PPT_HEX && !defined(PPT_NOPE)
#define PPT_IF_TAKEN 1
#else
#define PPT_IF_NOT_TAKEN 1
#endif

#if PPT_NOPE
#define PPT_UNDEF_IS_ZERO_WRONG 1
#elif (-1 < 0u) == 0
#define PPT_UINTMAX_COMPARE 1
#endif

#ifdef PPT_IF_TAKEN
# if 0
#  define PPT_INNER_ZERO 1
# elif 1
#  define PPT_INNER_ELIF 1
# else
#  define PPT_INNER_ELSE 1
# endif
#endif

#ifndef PPT_DEC
#define PPT_NDEF_WRONG 1
#endif

#if 0x7fffffffffffffff + 1 < 0
#define PPT_WRAPS 1
#endif

#if (2 > 1 ? 3 : 4) == 3 && (10 / 3 == 3) && (1 << 62) > 0
#define PPT_IF_ARITH 1
#endif

#define PPT_TEMP 1
#undef PPT_TEMP

#endif
