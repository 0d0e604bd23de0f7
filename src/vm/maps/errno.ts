/** Linux errno values helpers return negated. */
export const E = {
  PERM: 1,
  NOENT: 2,
  E2BIG: 7,
  AGAIN: 11,
  NOMEM: 12,
  ACCES: 13,
  FAULT: 14,
  BUSY: 16,
  EXIST: 17,
  NODEV: 19,
  INVAL: 22,
  NOSPC: 28,
  ERANGE: 34,
  DEADLK: 35,
  OPNOTSUPP: 95,
  AFNOSUPPORT: 97,
  ALREADY: 114,
  /** The kernel-internal ENOTSUPP, which helpers do return. */
  NOTSUPP: 524,
} as const;

/** Map update flags. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;
