import { describePacket } from '../packet/describe.js';
import { packetText } from '../packet/describe-text.js';
import type { MapContents, MapStateFile } from '../state/map-state.js';
import type { SkbContextIn } from './run-types.js';
import type { VmResult } from './options.js';

const TC_ACT: Record<number, string> = {
  0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE', 4: 'TC_ACT_STOLEN',
  5: 'TC_ACT_QUEUED', 6: 'TC_ACT_REPEAT', 7: 'TC_ACT_REDIRECT', 8: 'TC_ACT_TRAP', 0xffffffff: 'TC_ACT_UNSPEC',
};
const XDP: Record<number, string> = { 0: 'XDP_ABORTED', 1: 'XDP_DROP', 2: 'XDP_PASS', 3: 'XDP_TX', 4: 'XDP_REDIRECT' };

export function verdictName(retval: number, xdp: boolean): string {
  return (xdp ? XDP : TC_ACT)[retval] ?? `${retval}`;
}

/** Entries added, removed and changed between two dumps, one line each. */
export function mapChanges(before: MapStateFile, after: MapStateFile): string[] {
  const out: string[] = [];
  const names = [...new Set([...Object.keys(before.maps), ...Object.keys(after.maps)])].sort();
  for (const name of names) {
    const lines = entryChanges(before.maps[name], after.maps[name]);
    for (const l of lines) out.push(`${name}: ${l}`);
  }
  return out;
}

function entryText(e: MapContents['entries'][number]): string {
  if ('value' in e) return e.value;
  if ('program' in e) return `program ${e.program}`;
  return `inner map (${e.inner.entries.length} entries)`;
}

function entryChanges(a: MapContents | undefined, b: MapContents | undefined): string[] {
  const before = new Map((a?.entries ?? []).map((e) => [e.key, e]));
  const after = new Map((b?.entries ?? []).map((e) => [e.key, e]));
  const out: string[] = [];
  for (const [k, e] of after) {
    const old = before.get(k);
    if (!old) out.push(`+ ${k} = ${entryText(e)}`);
    else if (JSON.stringify(old) !== JSON.stringify(e)) {
      if ('inner' in old && 'inner' in e) out.push(...entryChanges(old.inner, e.inner).map((l) => `[${k}] ${l}`));
      else out.push(`~ ${k} = ${entryText(old)} -> ${entryText(e)}`);
    }
  }
  for (const [k, e] of before) if (!after.has(k)) out.push(`- ${k} (was ${entryText(e)})`);
  return out;
}

/** Byte offsets where the packet changed, as ranges: "26-29, 34-35". */
export function changedRanges(a: Uint8Array, b: Uint8Array): string {
  const ranges: [number, number][] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else ranges.push([i, i]);
  }
  return ranges.map(([x, y]) => (x === y ? `${x}` : `${x}-${y}`)).join(', ');
}

/** What `bpf2pf run` prints for one packet. */
export function runReport(index: number, input: Uint8Array, ctx: SkbContextIn | undefined, r: VmResult, before: MapStateFile, after: MapStateFile): string {
  const xdp = Boolean(r.xdp);
  const out: string[] = [];
  out.push(`packet ${index}: ${packetText(describePacket(input))}`);
  const redirect = r.redirect ? ` -> ${r.redirect.kind} to ifindex ${r.redirect.ifindex}${r.redirect.flags & 1 ? ' (ingress)' : ''}` : '';
  out.push(`  verdict: ${verdictName(r.retval, xdp)} (${r.retval})${redirect}`);
  const changed = changedRanges(input, r.packet);
  out.push(changed ? `  packet out: ${packetText(describePacket(r.packet))}\n    changed bytes: ${changed}` : '  packet out: unchanged');
  for (const c of r.clones) out.push(`  clone to ifindex ${c.ifindex}: ${packetText(describePacket(c.packet))}`);
  if (r.ctx && ctx !== undefined) {
    const fields: (keyof SkbContextIn & keyof typeof r.ctx)[] = ['mark', 'priority', 'tstamp'];
    for (const f of fields) {
      const was = ctx[f] ?? 0;
      const now = r.ctx[f];
      if (String(was) !== String(now)) out.push(`  ctx.${f}: ${was} -> ${now}`);
    }
  }
  const changes = mapChanges(before, after);
  out.push(changes.length ? `  maps:\n${changes.map((c) => `    ${c}`).join('\n')}` : '  maps: unchanged');
  for (const p of r.printk) out.push(`  trace_printk: ${p}`);
  if (r.hostDependent.length) out.push(`  depends on the host: ${r.hostDependent.join(', ')}`);
  out.push(`  instructions: ${r.instructions}`);
  if (r.trace) out.push(...r.trace.map((t) => `    ${t}`));
  return out.join('\n');
}
