import { parseSchemaHeaders } from '../src/object/header-schema.js';
const files: Record<string, string> = {
'/h/a.h': `#pragma once
#include <linux/bpf.h>
#include "b.h"
#define MAXE (1 << 13)
#define mvm_meta zz_struct_1
struct mvm_meta { __u32 version; __u32 ip; __u8 uuid[64]; __u8 reserved[56]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, __u32); __type(value, struct mvm_meta); __uint(max_entries, MAXE); __uint(map_flags, BPF_F_NO_PREALLOC); __uint(pinning, LIBBPF_PIN_BY_NAME); } ifindex_to_mvmmeta SEC(".maps");
struct inner { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __type(key, struct k); __type(value, __u32); __uint(max_entries, 16); };
struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 8); __type(key, __u32); __ulong(map_extra, 0x123456789ULL); __array(values, struct inner); } outer SEC(".maps");
int p0(void *ctx);
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __array(values, int (void *)); } jmp SEC(".maps") = { .values = { [1] = &p0 } };
struct bpf_map_def SEC("maps") legacy = { .type = BPF_MAP_TYPE_ARRAY, .key_size = sizeof(__u32), .value_size = 8, .max_entries = 4 };
const volatile __u32 cfg = 1;
char LICENSE[] SEC("license") = "GPL";
enum color { RED, GREEN = 5, BLUE };
`,
'/h/b.h': `#ifndef B_H
#define B_H
struct k { __u32 prefixlen; __be32 ip; };
typedef struct { char a; int b:3; } anon_t;
#if defined(B_H) && (2 * 3 == 6)
#define OK 1
#else
#error nope
#endif
#endif
`};
const r = parseSchemaHeaders(['/h/a.h'], (p) => { const t = files[p]; if (t === undefined) throw new Error('ENOENT'); return t; });
console.log(JSON.stringify({ ...r, types: [...r.types], constants: [...r.constants], mapSlots: [...r.mapSlots] }, (k, v) => typeof v === 'bigint' ? `${v}n` : v, 1).slice(0, 6000));
