/**
 * A seeded pseudo-random generator (sfc32, seeded through splitmix32) and the draws the
 * generators need. Every generator takes one of these as an argument: the same seed
 * gives the same states and packets on every machine, and nothing reads Math.random.
 */
export interface Rng {
  /** Uniform in [0, 2^32). */
  u32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
  /** One of `choices`, each with its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T;
  bytes(n: number): Uint8Array;
  /** An independent generator derived from this one and a label. */
  fork(label: string): Rng;
}

export function createRng(seed: number | string): Rng {
  let s = typeof seed === 'number' ? seed >>> 0 : hashText(seed);
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  const int = (n: number): number => {
    if (n <= 0) throw new Error(`rng.int(${n})`);
    return n <= 0x100000000 ? Math.floor((u32() / 0x100000000) * n) : Math.floor((u32() * 0x100000000 + u32()) / 2 ** 64 * n);
  };
  const rng: Rng = {
    u32,
    int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    chance: (p) => u32() / 0x100000000 < p,
    pick: <T>(xs: readonly T[]): T => {
      if (xs.length === 0) throw new Error('rng.pick from an empty list');
      return xs[int(xs.length)];
    },
    weighted: <T>(choices: readonly (readonly [T, number])[]): T => {
      const total = choices.reduce((n, [, w]) => n + w, 0);
      let x = (u32() / 0x100000000) * total;
      for (const [v, w] of choices) {
        if (x < w) return v;
        x -= w;
      }
      return choices[choices.length - 1][0];
    },
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 255;
      return out;
    },
    fork: (label) => createRng((u32() ^ hashText(label)) >>> 0),
  };
  return rng;
}

/** FNV-1a over the UTF-16 code units: stable seeds from labels. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
