import { fail } from '../errors.js';

/**
 * Classic libpcap capture files (not pcapng): a 24-byte global header, then a 16-byte
 * record header before each frame. Files are written little-endian with microsecond
 * stamps and LINKTYPE_ETHERNET; either byte order and nanosecond stamps are read.
 */
export const LINKTYPE_ETHERNET = 1;

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

export interface PcapRecord {
  readonly bytes: Uint8Array;
  /** Seconds since the epoch. */
  readonly seconds: number;
  /** Fraction of the second in nanoseconds (microsecond files give multiples of 1000). */
  readonly nanos: number;
  /** Length on the wire; more than `bytes.length` when the capture was cut at the snap length. */
  readonly originalLength: number;
}

export interface PcapFile {
  readonly linkType: number;
  readonly snapLength: number;
  readonly records: readonly PcapRecord[];
}

export interface PcapWriteOptions {
  readonly snapLength?: number;
  /** Stamp of the first frame in seconds; frames follow one microsecond apart. */
  readonly startSeconds?: number;
}

export function writePcap(frames: readonly Uint8Array[], options: PcapWriteOptions = {}): Uint8Array {
  const snap = options.snapLength ?? 65535;
  const total = 24 + frames.reduce((n, f) => n + 16 + Math.min(f.length, snap), 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC_US, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, snap, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  let off = 24;
  const start = options.startSeconds ?? 1_700_000_000;
  frames.forEach((f, i) => {
    const kept = Math.min(f.length, snap);
    v.setUint32(off, start + Math.floor(i / 1_000_000), true);
    v.setUint32(off + 4, i % 1_000_000, true);
    v.setUint32(off + 8, kept, true);
    v.setUint32(off + 12, f.length, true);
    out.set(f.subarray(0, kept), off + 16);
    off += 16 + kept;
  });
  return out;
}

export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < 24) fail('IO', `pcap file of ${bytes.length} bytes has no global header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = v.getUint32(0, true);
  const magicBe = v.getUint32(0, false);
  let le: boolean;
  let nanoFile: boolean;
  if (magicLe === MAGIC_US || magicLe === MAGIC_NS) {
    le = true;
    nanoFile = magicLe === MAGIC_NS;
  } else if (magicBe === MAGIC_US || magicBe === MAGIC_NS) {
    le = false;
    nanoFile = magicBe === MAGIC_NS;
  } else {
    return fail('IO', `not a pcap file (magic 0x${magicBe.toString(16).padStart(8, '0')}; pcapng is not supported)`);
  }
  const snapLength = v.getUint32(16, le);
  const linkType = v.getUint32(20, le) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) fail('IO', `pcap record header at byte ${off} is cut short`);
    const seconds = v.getUint32(off, le);
    const frac = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le);
    const orig = v.getUint32(off + 12, le);
    if (off + 16 + incl > bytes.length) fail('IO', `pcap record at byte ${off} claims ${incl} bytes, past the end of the file`);
    records.push({
      bytes: bytes.slice(off + 16, off + 16 + incl),
      seconds,
      nanos: nanoFile ? frac : frac * 1000,
      originalLength: orig,
    });
    off += 16 + incl;
  }
  return { linkType, snapLength, records };
}
