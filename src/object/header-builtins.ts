/**
 * What a header gets from the system headers bpf2pf does not read (`<linux/bpf.h>`,
 * `<bpf/bpf_helpers.h>`, `<iproute2/bpf_elf.h>`, `<stdbool.h>`): the kernel's integer
 * typedefs, the kernel structs a map value can embed, the legacy map-definition structs,
 * the libbpf declaration macros, and the enum constants of map types, flags and pinning.
 * Each typedef chain and struct layout here is the one clang's BTF shows for the real
 * header (checked by test/header/probes.test.ts); a header may redefine any of them.
 */
import { MAP_FLAG_NAMES, MAP_TYPE_NAMES } from './map-types.js';
import type { CInt } from './header-const-expr.js';

export const PRELUDE = String.raw`
typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u16 __le16;
typedef __u32 __le32;
typedef __u64 __le64;
typedef __u16 __sum16;
typedef __u32 __wsum;
typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;

struct bpf_spin_lock { __u32 val; };
struct bpf_timer { __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_dynptr { __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_lpm_trie_key { __u32 prefixlen; __u8 data[0]; };
struct bpf_lpm_trie_key_hdr { __u32 prefixlen; };
struct bpf_lpm_trie_key_u8 {
  union { struct bpf_lpm_trie_key_hdr hdr; __u32 prefixlen; };
  __u8 data[];
};
struct bpf_cgroup_storage_key { __u64 cgroup_inode_id; __u32 attach_type; };

struct bpf_map_def {
  unsigned int type;
  unsigned int key_size;
  unsigned int value_size;
  unsigned int max_entries;
  unsigned int map_flags;
};
struct bpf_elf_map {
  __u32 type;
  __u32 size_key;
  __u32 size_value;
  __u32 max_elem;
  __u32 flags;
  __u32 id;
  __u32 pinning;
  __u32 inner_id;
  __u32 inner_idx;
};

#define __bpf__ 1
#define __BPF__ 1
#define __clang__ 1
#define __STDC__ 1
#define __STDC_VERSION__ 201710L
#define __CHAR_BIT__ 8
#define __SIZEOF_POINTER__ 8
#define __SIZEOF_LONG__ 8
#define __SIZEOF_INT__ 4
#define __ORDER_LITTLE_ENDIAN__ 1234
#define __ORDER_BIG_ENDIAN__ 4321
#define __BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__

#define __signed__ signed
#define __signed signed
#define __const const
#define __const__ const
#define __volatile volatile
#define __volatile__ volatile
#define __restrict restrict
#define __restrict__ restrict
#define __inline inline
#define __inline__ inline
#define __typeof__ typeof
#define __typeof typeof
#define __attribute __attribute__
#define __extension__
#define bool _Bool
#define true 1
#define false 0
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)

#define SEC(name) __attribute__((section(name), used))
#define __section(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define ___bpf2pf_concat(a, b) a##b
#define ___bpf2pf_unique(a, b) ___bpf2pf_concat(a, b)
#define __ulong(name, val) enum { ___bpf2pf_unique(__bpf2pf_ulong_, __COUNTER__) = val } name
#define __always_inline inline __attribute__((always_inline))
#define __noinline __attribute__((noinline))
#define __weak __attribute__((weak))
#define __hidden __attribute__((visibility("hidden")))
#define __kconfig __attribute__((section(".kconfig")))
#define __ksym __attribute__((section(".ksyms")))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __bitwise
#define __force
#define __user
#define __kernel
#define __rcu
#define __percpu
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
`;

/** Enumerators from the prelude's `__ulong` start with this; they are not header constants. */
export const INTERNAL_NAME_PREFIX = '__bpf2pf_';

const int = (v: number): CInt => ({ value: BigInt(v), bits: 32, signed: true });

/**
 * Enum constants of <linux/bpf.h> and <bpf/libbpf.h> (enumerators there, so they are not
 * macros: `#ifdef BPF_F_NO_PREALLOC` is false in C as well) and iproute2's pinning macros.
 */
export function builtinConstants(): ReadonlyMap<string, CInt> {
  const out = new Map<string, CInt>();
  MAP_TYPE_NAMES.forEach((name, i) => out.set(`BPF_MAP_TYPE_${name.toUpperCase()}`, int(i)));
  for (const [bit, name] of MAP_FLAG_NAMES) out.set(`BPF_F_${name.toUpperCase()}`, int(bit));
  out.set('BPF_ANY', int(0));
  out.set('BPF_NOEXIST', int(1));
  out.set('BPF_EXIST', int(2));
  out.set('BPF_F_LOCK', int(4));
  out.set('LIBBPF_PIN_NONE', int(0));
  out.set('LIBBPF_PIN_BY_NAME', int(1));
  out.set('PIN_NONE', int(0));
  out.set('PIN_OBJECT_NS', int(1));
  out.set('PIN_GLOBAL_NS', int(2));
  return out;
}
