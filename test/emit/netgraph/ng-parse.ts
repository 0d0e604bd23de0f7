/**
 * A reader of ng_parse's ASCII form for `struct ng_bpf_hookprog`, written from the
 * reference (ngbpf-cbpf.md §2.1), not from the emitter: `{ } [ ] =` and double-quoted
 * strings are tokens of their own, a word runs to whitespace or one of those, whitespace
 * between tokens is optional; struct fields come in any order, unknown or repeated ones
 * are errors, missing ones are zero or empty; numbers are read as strtol base 0 would,
 * and a leading zero (octal) is refused here because the emitter must never write one;
 * the array must hold exactly bpf_prog_len items.
 */
export interface ParsedInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export interface ParsedHookProg {
  readonly thisHook: string;
  readonly ifMatch: string;
  readonly ifNotMatch: string;
  readonly bpf_prog_len: number;
  readonly bpf_prog: readonly ParsedInsn[];
}

type Token = { kind: 'punct'; text: '{' | '}' | '[' | ']' | '=' } | { kind: 'string'; text: string } | { kind: 'word'; text: string };

function tokens(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if ('{}[]='.includes(c)) {
      out.push({ kind: 'punct', text: c as '{' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\') throw new Error('escapes are not expected in hook names');
        text += s[j++];
      }
      if (j >= s.length) throw new Error('unterminated string');
      out.push({ kind: 'string', text });
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && !/\s/.test(s[j]) && !'{}[]="'.includes(s[j])) j++;
      out.push({ kind: 'word', text: s.slice(i, j) });
      i = j;
    }
  }
  return out;
}

function num(t: Token | undefined, min: number, max: number, what: string): number {
  if (t?.kind !== 'word') throw new Error(`${what}: expected a number`);
  const m = /^(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.exec(t.text);
  if (!m) throw new Error(`${what}: ${t.text} is not a decimal or 0x number (a leading 0 would be octal)`);
  const v = Number(t.text);
  if (v < min || v > max) throw new Error(`${what}: ${v} outside ${min}..${max}`);
  return v;
}

class Reader {
  private at = 0;
  constructor(private readonly toks: Token[]) {}
  next(): Token | undefined {
    return this.toks[this.at++];
  }
  peek(): Token | undefined {
    return this.toks[this.at];
  }
  expect(text: string): void {
    const t = this.next();
    if (t?.kind !== 'punct' || t.text !== text) throw new Error(`expected ${text}, got ${t ? t.text : 'end'}`);
  }
  done(): boolean {
    return this.at >= this.toks.length;
  }
}

/** `{ name=value ... }` with the value parser per field name. */
function struct(r: Reader, fields: Readonly<Record<string, (r: Reader) => unknown>>): Record<string, unknown> {
  r.expect('{');
  const got: Record<string, unknown> = {};
  for (;;) {
    const t = r.next();
    if (t?.kind === 'punct' && t.text === '}') return got;
    if (t?.kind !== 'word') throw new Error(`expected a field name, got ${t ? t.text : 'end'}`);
    if (!(t.text in fields)) throw new Error(`ENOENT: unknown field ${t.text}`);
    if (t.text in got) throw new Error(`EALREADY: field ${t.text} twice`);
    r.expect('=');
    got[t.text] = fields[t.text](r);
  }
}

function str(r: Reader): string {
  const t = r.next();
  if (t?.kind !== 'string') throw new Error('EINVAL: a hook name must be a quoted string');
  if (t.text.length > 31) throw new Error('E2BIG: hook name over 31 characters');
  return t.text;
}

function insn(r: Reader): ParsedInsn {
  const f = struct(r, {
    code: (q) => num(q.next(), 0, 0xffff, 'code'),
    jt: (q) => num(q.next(), 0, 255, 'jt'),
    jf: (q) => num(q.next(), 0, 255, 'jf'),
    k: (q) => num(q.next(), 0, 0xffffffff, 'k'),
  });
  return { code: (f.code as number) ?? 0, jt: (f.jt as number) ?? 0, jf: (f.jf as number) ?? 0, k: (f.k as number) ?? 0 };
}

function array(r: Reader): ParsedInsn[] {
  r.expect('[');
  const out: ParsedInsn[] = [];
  for (;;) {
    const t = r.peek();
    if (t?.kind === 'punct' && t.text === ']') {
      r.next();
      return out;
    }
    out.push(insn(r));
  }
}

export function parseHookProg(text: string): ParsedHookProg {
  const r = new Reader(tokens(text));
  const f = struct(r, {
    thisHook: str,
    ifMatch: str,
    ifNotMatch: str,
    bpf_prog_len: (q) => num(q.next(), 0, 0x7fffffff, 'bpf_prog_len'),
    bpf_prog: array,
  });
  if (!r.done()) throw new Error('text after the struct');
  const len = (f.bpf_prog_len as number) ?? 0;
  const prog = (f.bpf_prog as ParsedInsn[]) ?? [];
  if (prog.length > len) throw new Error(`E2BIG: ${prog.length} items for bpf_prog_len=${len}`);
  if (prog.length < len) throw new Error(`${len - prog.length} items missing: they would be zero-filled`);
  return { thisHook: (f.thisHook as string) ?? '', ifMatch: (f.ifMatch as string) ?? '', ifNotMatch: (f.ifNotMatch as string) ?? '', bpf_prog_len: len, bpf_prog: prog };
}
