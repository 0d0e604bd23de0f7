/* typedef chains; typedefs of structs, unions, enums, arrays and pointers; forward declarations. */
// expect-incomplete: struct td_fwd
// expect-types: struct td_fwd, struct td_node, td_node_t, td_chain1, td_chain2, td_chain3, td_mac, struct td_user, td_anon, td_anon_union, td_ptr, td_arr2, struct td_late, td_late_t, td_pair, td_en
struct td_fwd;
struct td_node { struct td_node *next; struct td_fwd *opaque; void *any; };
typedef struct td_node td_node_t;
typedef __u32 td_chain1;
typedef td_chain1 td_chain2;
typedef const td_chain2 td_chain3;
typedef __u8 td_mac[6];
typedef struct { __u32 a; td_mac mac; } td_anon;
typedef union { __u32 x; __u16 y; } td_anon_union;
typedef struct td_node *td_ptr;
typedef td_mac td_arr2[2];
typedef struct td_late td_late_t;
struct td_late { td_chain3 c; };
typedef struct { td_late_t l; td_chain2 v; } td_pair;
typedef enum { TD_ONE = 1 } td_en;
struct td_user { td_node_t n; td_chain3 c3; td_mac m; td_anon a; td_anon_union u; td_ptr p; td_arr2 aa; td_late_t late; td_pair pair; td_en e; };
