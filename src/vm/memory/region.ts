/**
 * The interpreter's address space. Every piece of memory a program can point at is a
 * region: a frame's stack, the packet, the context, one map value, a global data section,
 * a ring buffer record. A 64-bit address is `hi:lo` where `hi` names the region
 * (REGION_HI_BASE + index) and `lo` is the byte offset in it, so:
 *
 * - pointers into different regions never compare equal and order by region, and
 *   pointers into one region order by offset, as the verifier allows programs to compare
 *   them (`data + 14 > data_end`);
 * - no pointer is NULL, and small pointer arithmetic that leaves a region (data - 1)
 *   borrows from `hi` and lands outside every region, so the access fails;
 * - like the kernel's, the addresses are high (negative as s64).
 *
 * Map handles and code addresses (callbacks) are regions with no bytes: loads and stores
 * through them fail, helpers recognise them.
 */
export const REGION_HI_BASE = 0xff000000;

export type RegionKind =
  /** Plain bytes: stack, map value, global data, helper scratch. */
  | 'plain'
  /** The program context: loads and stores go through the context's access rules. */
  | 'ctx'
  /** No bytes: a `struct bpf_map *` or a function address. */
  | 'handle';

export interface Region {
  readonly index: number;
  readonly kind: RegionKind;
  /** For messages: "stack[0]", "packet", "map egress_sessions value", ... */
  readonly name: string;
  bytes: Uint8Array;
  view: DataView;
  /** Valid offsets are [start, end); a packet's window moves inside its frame. */
  start: number;
  end: number;
  readonly writable: boolean;
  /** One byte per byte of `bytes`: 1 when it was stored from a clock-derived register. */
  taint: Uint8Array | null;
  /** For 'handle' regions: what the address stands for. */
  readonly handle?: unknown;
  /** Makes the taint shadow when the first tainted byte is stored (map values keep theirs in the store). */
  readonly shadow?: () => Uint8Array;
}

export interface RegionExtra {
  readonly handle?: unknown;
  /** A view of `bytes` made earlier (pooled stacks), to save making another. */
  readonly view?: DataView;
  readonly taint?: Uint8Array | null;
  readonly shadow?: () => Uint8Array;
}

const NO_BYTES = new DataView(new ArrayBuffer(0));

export function makeRegion(
  index: number,
  kind: RegionKind,
  name: string,
  bytes: Uint8Array,
  writable: boolean,
  extra: RegionExtra = {},
): Region {
  return {
    index,
    kind,
    name,
    bytes,
    view: extra.view ?? (bytes.length === 0 ? NO_BYTES : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    start: 0,
    end: bytes.length,
    writable,
    taint: extra.taint ?? null,
    handle: extra.handle,
    shadow: extra.shadow,
  };
}

/** Replaces a region's bytes (a packet that grew or shrank); the window becomes all of it. */
export function replaceBytes(region: Region, bytes: Uint8Array): void {
  region.bytes = bytes;
  region.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  region.start = 0;
  region.end = bytes.length;
  region.taint = null;
}

export function formatAddress(lo: number, hi: number): string {
  return `0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`;
}
