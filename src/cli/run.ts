import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../errors.js';
import type { SkbContextIn } from '../vm/run-types.js';
import { LOOPBACK, type VmDevice } from '../vm/options.js';
import { readInput } from './inspect.js';
import { runCommand } from './exit.js';

/** `bpf2pf run <obj>`: wiring only; the interpreter is src/vm. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run one program of an object on packets with the interpreter')
    .argument('<object>', 'clang-compiled eBPF object (.o)')
    .option('--program <name>', 'program to run (default: the only packet program)')
    .option('--packet <hex>', 'an Ethernet frame in hex; repeatable, runs in order on the same maps', collect, [])
    .option('--pcap <file>', 'run every frame of a pcap file (Ethernet)')
    .option('--maps <state.json>', 'map contents to start from (the MapStateFile JSON form)')
    .option('--ctx <field=value>', 'a __sk_buff field: mark, priority, ifindex, ingress_ifindex, tstamp, wire_len, cb=a,b,c,d,e; repeatable', collect, [])
    .option('--now <ns>', 'the clock (ns) for bpf_ktime_get_ns')
    .option('--device <ifindex[:name[:mtu]]>', 'an Ethernet device that exists (besides lo, and the ones --ctx ifindex/ingress_ifindex name); repeatable', collect, [])
    .option('--trace', 'print every instruction executed')
    .option('--json', 'print the results as JSON')
    .action((file: string, opts: RunOptions) => runCommand(file, () => runAction(file, opts)));
}

interface RunOptions {
  program?: string;
  packet: string[];
  pcap?: string;
  maps?: string;
  ctx: string[];
  device: string[];
  now?: string;
  trace?: boolean;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseHex(s: string): Uint8Array {
  const clean = s.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) fail('USAGE', `--packet ${s.slice(0, 20)}...: not an even number of hex digits`);
  return Uint8Array.from(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

function parseNumber(field: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) fail('USAGE', `--ctx ${field}=${v}: not a 32-bit unsigned number`);
  return n;
}

/**
 * The devices of a run: lo, each `--device`, and the interfaces the ctx puts the packet
 * on (test_run refuses an ifindex no device has: naming one says it exists). A device
 * not described is an Ethernet device with MTU 1500, forwarding on, MAC 02:00:00:00:hi:lo
 * of its ifindex.
 */
export function runDevices(items: readonly string[], ctx: SkbContextIn | undefined): VmDevice[] {
  const out = new Map<number, VmDevice>([[LOOPBACK.ifindex, LOOPBACK]]);
  const ethernet = (ifindex: number, name = `eth${ifindex}`, mtu = 1500): VmDevice => ({
    ifindex,
    name,
    mtu,
    hardHeaderLen: 14,
    mac: [2, 0, 0, 0, (ifindex >> 8) & 0xff, ifindex & 0xff],
    forwarding: true,
  });
  for (const item of items) {
    const m = /^(\d+)(?::([A-Za-z0-9_.-]{1,15}))?(?::(\d+))?$/.exec(item);
    if (!m) fail('USAGE', `--device ${item}: expected IFINDEX[:NAME[:MTU]], e.g. 2:eth0:1500`);
    const ifindex = parseNumber('device', m[1]);
    if (ifindex === 0 || out.has(ifindex)) fail('USAGE', `--device ${item}: ifindex ${ifindex} ${ifindex === 0 ? 'is no device' : 'is given twice'}`);
    const mtu = m[3] === undefined ? 1500 : parseNumber('device mtu', m[3]);
    if (mtu < 68 || mtu > 65536) fail('USAGE', `--device ${item}: MTU ${mtu} is outside 68..65536`);
    out.set(ifindex, ethernet(ifindex, m[2], mtu));
  }
  for (const ifindex of [ctx?.ifindex, ctx?.ingressIfindex]) if (ifindex !== undefined && ifindex !== 0 && !out.has(ifindex)) out.set(ifindex, ethernet(ifindex));
  return [...out.values()];
}

export function parseContext(items: readonly string[]): SkbContextIn | undefined {
  if (!items.length) return undefined;
  const ctx: { -readonly [K in keyof SkbContextIn]: SkbContextIn[K] } = {};
  for (const item of items) {
    const m = /^([a-z_]+)=(.+)$/.exec(item);
    if (!m) fail('USAGE', `--ctx ${item}: expected field=value`);
    const [, field, v] = m;
    switch (field) {
      case 'mark':
        ctx.mark = parseNumber(field, v);
        break;
      case 'priority':
        ctx.priority = parseNumber(field, v);
        break;
      case 'ifindex':
        ctx.ifindex = parseNumber(field, v);
        break;
      case 'ingress_ifindex':
        ctx.ingressIfindex = parseNumber(field, v);
        break;
      case 'wire_len':
        ctx.wireLen = parseNumber(field, v);
        break;
      case 'tstamp':
        ctx.tstamp = BigInt(v);
        break;
      case 'cb': {
        const parts = v.split(',').map((x) => parseNumber('cb', x));
        if (parts.length !== 5) fail('USAGE', '--ctx cb=a,b,c,d,e takes five numbers');
        ctx.cb = parts as unknown as [number, number, number, number, number];
        break;
      }
      default:
        fail('USAGE', `--ctx ${field}: not a field a test run can set (mark, priority, ifindex, ingress_ifindex, tstamp, wire_len, cb)`);
    }
  }
  return ctx;
}

async function runAction(file: string, opts: RunOptions): Promise<number> {
  const { loadObject } = await import('../object/load-object.js');
  const { isPacketProgram } = await import('../object/program-types.js');
  const { createMapStore, dumpMaps, runProgram } = await import('../vm/index.js');
  const { runReport } = await import('../vm/report-run.js');
  const obj = loadObject(readInput(file));
  const candidates = obj.programs.filter((p) => isPacketProgram(p.kind.type));
  const program = opts.program
    ? (obj.programs.find((p) => p.name === opts.program) ?? fail('USAGE', `no program ${opts.program}; it has ${obj.programs.map((p) => p.name).join(', ')}`))
    : candidates.length === 1
      ? candidates[0]
      : fail('USAGE', `choose a program with --program: ${candidates.map((p) => p.name).join(', ')}`);
  const frames = [...opts.packet.map(parseHex)];
  if (opts.pcap) {
    const { readPcap } = await import('../packet/pcap.js');
    frames.push(...readPcap(readInput(opts.pcap)).records.map((r) => r.bytes));
  }
  if (!frames.length) fail('USAGE', 'give a frame with --packet HEX or --pcap FILE');
  let state;
  if (opts.maps) {
    try {
      state = JSON.parse(readFileSync(opts.maps, 'utf8'));
    } catch (e) {
      fail('IO', `${opts.maps}: ${(e as Error).message}`);
    }
  }
  const store = createMapStore(obj, state);
  const ctx = parseContext(opts.ctx);
  const devices = runDevices(opts.device, ctx);
  const now = opts.now !== undefined ? BigInt(opts.now) : undefined;
  const reports: string[] = [];
  const json: unknown[] = [];
  for (let i = 0; i < frames.length; i++) {
    const before = dumpMaps(obj, store);
    const r = runProgram(obj, store, { program: program.name, packet: frames[i], ...(ctx && { ctx }) }, { ...(now !== undefined && { now }), trace: Boolean(opts.trace), devices });
    const after = dumpMaps(obj, store);
    if (opts.json) json.push(toJson(r, after));
    else reports.push(runReport(i + 1, frames[i], ctx, r, before, after));
  }
  process.stdout.write(opts.json ? `${JSON.stringify(json, (_, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v), 2)}\n` : `${reports.join('\n')}\n`);
  return 0;
}

function toJson(r: { retval: number; packet: Uint8Array; redirect?: unknown; ctx?: unknown; instructions: number; hostDependent: string[] }, maps: unknown): unknown {
  return { retval: r.retval, packet: r.packet, redirect: r.redirect ?? null, ctx: r.ctx ?? null, instructions: r.instructions, hostDependent: r.hostDependent, maps };
}
