/** `enum bpf_map_type` (include/uapi/linux/bpf.h), by number. */
export const MAP_TYPE_NAMES: readonly string[] = [
  'unspec', 'hash', 'array', 'prog_array', 'perf_event_array', 'percpu_hash', 'percpu_array',
  'stack_trace', 'cgroup_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'array_of_maps',
  'hash_of_maps', 'devmap', 'sockmap', 'cpumap', 'xskmap', 'sockhash', 'cgroup_storage',
  'reuseport_sockarray', 'percpu_cgroup_storage', 'queue', 'stack', 'sk_storage',
  'devmap_hash', 'struct_ops', 'ringbuf', 'inode_storage', 'task_storage', 'bloom_filter',
  'user_ringbuf', 'cgrp_storage', 'arena', 'insn_array', 'rhash',
];

export const MapType = {
  UNSPEC: 0, HASH: 1, ARRAY: 2, PROG_ARRAY: 3, PERF_EVENT_ARRAY: 4, PERCPU_HASH: 5,
  PERCPU_ARRAY: 6, STACK_TRACE: 7, CGROUP_ARRAY: 8, LRU_HASH: 9, LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11, ARRAY_OF_MAPS: 12, HASH_OF_MAPS: 13, DEVMAP: 14, SOCKMAP: 15, CPUMAP: 16,
  XSKMAP: 17, SOCKHASH: 18, CGROUP_STORAGE: 19, REUSEPORT_SOCKARRAY: 20,
  PERCPU_CGROUP_STORAGE: 21, QUEUE: 22, STACK: 23, SK_STORAGE: 24, DEVMAP_HASH: 25,
  STRUCT_OPS: 26, RINGBUF: 27, INODE_STORAGE: 28, TASK_STORAGE: 29, BLOOM_FILTER: 30,
  USER_RINGBUF: 31, CGRP_STORAGE: 32, ARENA: 33, INSN_ARRAY: 34, RHASH: 35,
} as const;

/** 'hash', or 'type_42' for a number this table does not know. */
export function mapTypeName(type: number): string {
  return MAP_TYPE_NAMES[type] ?? `type_${type}`;
}

/** The C enumerator spelling, BPF_MAP_TYPE_HASH, to its number; undefined if unknown. */
export function mapTypeFromEnumerator(name: string): number | undefined {
  const m = /^BPF_MAP_TYPE_([A-Z0-9_]+)$/.exec(name);
  if (!m) return undefined;
  const i = MAP_TYPE_NAMES.indexOf(m[1].toLowerCase());
  return i < 0 ? undefined : i;
}

/** Map-create flags (BPF_F_*), for display. */
export const MAP_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [0x1, 'no_prealloc'], [0x2, 'no_common_lru'], [0x4, 'numa_node'], [0x8, 'rdonly'],
  [0x10, 'wronly'], [0x20, 'stack_build_id'], [0x40, 'zero_seed'], [0x80, 'rdonly_prog'],
  [0x100, 'wronly_prog'], [0x200, 'clone'], [0x400, 'mmapable'], [0x800, 'preserve_elems'],
  [0x1000, 'inner_map'], [0x2000, 'link'], [0x4000, 'path_fd'], [0x8000, 'vtype_btf_obj_fd'],
  [0x10000, 'token_fd'], [0x20000, 'segv_on_fault'], [0x40000, 'no_user_conv'],
];

export function mapFlagNames(flags: number): string[] {
  const out: string[] = [];
  let rest = flags >>> 0;
  for (const [bit, name] of MAP_FLAG_NAMES) {
    if (rest & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out;
}
