/* Enums: values, implicit increments, negatives, 64-bit values, packed, typedefs, members. */
// expect-types: enum en_plain, enum en_neg, enum en_big, enum en_unsigned_big, enum en_packed_small, enum en_packed_neg, enum en_neg64, en_typedef, struct en_user
enum en_plain { EP_A, EP_B, EP_C = 10, EP_D, EP_E = EP_B + EP_D };
enum en_neg { EN_A = -1, EN_B, EN_C = 5 };
enum en_big { EB_A = 0x100000000, EB_B };
enum en_unsigned_big { EU_A = 0xffffffff };
enum __attribute__((packed)) en_packed_small { PS_A = 1, PS_B = 200 };
enum __attribute__((packed)) en_packed_neg { PN_A = -1, PN_B = 300 };
enum en_neg64 { E64_A = -0x100000000LL };
typedef enum { ET_X = 1 << 3, ET_Y = 'A', ET_Z = ~0U >> 28 } en_typedef;
struct en_user { enum en_plain p; en_typedef t; enum en_packed_small s; enum en_big b; };
