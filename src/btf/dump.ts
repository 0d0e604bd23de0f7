import { assertNever, type Btf, type BtfType } from './types.js';

/**
 * The text of `bpftool btf dump file X format raw` (bpftool 7.1) for the same BTF, byte
 * for byte, so `inspect --btf` can be diffed against the tool people already trust.
 *
 * bpftool's spellings reproduced here: empty names print as `(anon)`; the VAR line has a
 * comma before `linkage`; enum values print signed or unsigned by kind_flag, and ENUM64
 * values carry `LL`/`ULL` suffixes; a varargs FUNC_PROTO lists its `{0, 0}` marker as an
 * `(anon)` parameter of type 0 and counts it in vlen; DATASEC entries end with the kind
 * and name of the type they point at.
 *
 * DATASEC offsets and sizes print as stored in the file (what bpftool shows of a file),
 * or with `{ values: 'effective' }` as in effect after `withDatasecFixups` (what bpftool
 * shows of BTF a loader has fixed up and loaded).
 */
export function formatBtfRaw(btf: Btf, options: { values: 'file' | 'effective' } = { values: 'file' }): string {
  const effective = options.values === 'effective';
  let out = '';
  for (let id = 1; id < btf.types.length; id++) out += formatType(btf, btf.types[id], effective) + '\n';
  return out;
}

const KIND_LABEL: Record<Exclude<BtfType['kind'], 'void'>, string> = {
  int: 'INT', ptr: 'PTR', array: 'ARRAY', struct: 'STRUCT', union: 'UNION', enum: 'ENUM',
  fwd: 'FWD', typedef: 'TYPEDEF', volatile: 'VOLATILE', const: 'CONST', restrict: 'RESTRICT',
  func: 'FUNC', func_proto: 'FUNC_PROTO', var: 'VAR', datasec: 'DATASEC', float: 'FLOAT',
  decl_tag: 'DECL_TAG', type_tag: 'TYPE_TAG', enum64: 'ENUM64',
};

function kindLabel(t: BtfType): string {
  return t.kind === 'void' ? 'UNKNOWN' : KIND_LABEL[t.kind];
}

function shown(name: string): string {
  return name === '' ? '(anon)' : name;
}

function intEncoding(e: number): string {
  switch (e) {
    case 0: return '(none)';
    case 1: return 'SIGNED';
    case 2: return 'CHAR';
    case 4: return 'BOOL';
    default: return 'UNKN';
  }
}

function linkageName(l: number): string {
  return ['static', 'global', 'extern'][l] ?? '(unknown)';
}

function formatType(btf: Btf, t: BtfType, effective: boolean): string {
  const head = `[${t.id}] ${kindLabel(t)} '${shown(t.name)}'`;
  switch (t.kind) {
    case 'void':
      return head;
    case 'int':
      return `${head} size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return `${head} type_id=${t.type}`;
    case 'array':
      return `${head} type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case 'struct':
    case 'union':
      return head + ` size=${t.size} vlen=${t.members.length}` + t.members
        .map((m) => `\n\t'${shown(m.name)}' type_id=${m.type} bits_offset=${m.bitOffset}` +
          (m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ''))
        .join('');
    case 'enum':
    case 'enum64': {
      const suffix = t.kind === 'enum' ? '' : t.signed ? 'LL' : 'ULL';
      return head + ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}` +
        t.values.map((v) => `\n\t'${shown(v.name)}' val=${v.value}${suffix}`).join('');
    }
    case 'fwd':
      return `${head} fwd_kind=${t.union ? 'union' : 'struct'}`;
    case 'func':
      return `${head} type_id=${t.type} linkage=${linkageName(t.linkage)}`;
    case 'func_proto': {
      const params = t.varargs ? [...t.params, { name: '', type: 0 }] : t.params;
      return head + ` ret_type_id=${t.returnType} vlen=${params.length}` +
        params.map((p) => `\n\t'${shown(p.name)}' type_id=${p.type}`).join('');
    }
    case 'var':
      return `${head} type_id=${t.type}, linkage=${linkageName(t.linkage)}`;
    case 'datasec':
      return head + ` size=${effective ? t.size : t.rawSize} vlen=${t.vars.length}` + t.vars
        .map((v) => {
          const vt = btf.types[v.type];
          return `\n\ttype_id=${v.type} offset=${effective ? v.offset : v.rawOffset} size=${v.size} (${kindLabel(vt)} '${shown(vt.name)}')`;
        })
        .join('');
    case 'float':
      return `${head} size=${t.size}`;
    case 'decl_tag':
      return `${head} type_id=${t.type} component_idx=${t.componentIdx}`;
    default:
      return assertNever(t);
  }
}
