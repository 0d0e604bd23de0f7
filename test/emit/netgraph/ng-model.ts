/**
 * A model of what an `ngctl -f` script does to netgraph, written from the reference
 * (ngbpf-cbpf.md §1.1, §1.7, §2.1-2.5): ng_ether nodes named after their interfaces with
 * hooks lower and upper; mkpeer, name, connect, msg ... setprogram, shutdown; a new
 * ng_bpf hook gets the drop-all default program; setprogram needs the hook to exist; a
 * node's hooks go when it shuts down. Lines are split as ngctl splits them (at most 511
 * words, `#` in column 1 is a comment); the first failing line stops the script.
 */
import { parseHookProg, type ParsedHookProg } from './ng-parse.js';

interface HookEnd {
  readonly node: number;
  readonly hook: string;
}

interface NgNode {
  readonly id: number;
  readonly type: 'ether' | 'bpf';
  name: string | null;
  readonly hooks: Map<string, HookEnd>;
  /** ng_bpf: per hook, null for the drop-all default a new hook gets. */
  readonly programs: Map<string, ParsedHookProg | null>;
}

export type Flow = 'normal' | 'filtered' | 'cut';

export class Netgraph {
  private readonly nodes = new Map<number, NgNode>();
  private nextId = 1;

  constructor(interfaces: readonly string[]) {
    for (const i of interfaces) this.add('ether', i);
  }

  private add(type: NgNode['type'], name: string | null): NgNode {
    const n: NgNode = { id: this.nextId++, type, name, hooks: new Map(), programs: new Map() };
    this.nodes.set(n.id, n);
    return n;
  }

  private byName(name: string): NgNode {
    const n = [...this.nodes.values()].find((x) => x.name === name);
    if (!n) throw new Error(`ENOENT: no node ${name}`);
    return n;
  }

  /** `name:` or `name:hook` (the node at the other end of hook). */
  private resolve(path: string): NgNode {
    const m = /^([^:.[\]]+):([^:.]*)$/.exec(path);
    if (!m) throw new Error(`EINVAL: path ${path}`);
    const node = this.byName(m[1]);
    if (m[2] === '') return node;
    const end = node.hooks.get(m[2]);
    if (!end) throw new Error(`ENOENT: ${m[1]} has no hook ${m[2]}`);
    return this.nodes.get(end.node)!;
  }

  private link(a: NgNode, ah: string, b: NgNode, bh: string): void {
    if (a.hooks.has(ah) || b.hooks.has(bh)) throw new Error(`EISCONN: ${a.name ?? a.id}:${ah} or ${b.name ?? b.id}:${bh} is connected`);
    a.hooks.set(ah, { node: b.id, hook: bh });
    b.hooks.set(bh, { node: a.id, hook: ah });
    for (const [n, h] of [[a, ah], [b, bh]] as const) if (n.type === 'bpf') n.programs.set(h, null);
  }

  private shutdown(n: NgNode): void {
    for (const [h, end] of n.hooks) {
      const peer = this.nodes.get(end.node)!;
      peer.hooks.delete(end.hook);
      peer.programs.delete(end.hook);
      n.hooks.delete(h);
    }
    this.nodes.delete(n.id);
  }

  /** Runs one line; throws as ngctl would fail it. */
  run(line: string): void {
    const words = line.split(/[ \t\r\n\v\f]+/).filter((w) => w !== '');
    if (words.length > 511) throw new Error(`line has ${words.length} words; ngctl would drop words past 511`);
    const [cmd, ...args] = words;
    switch (cmd) {
      case 'mkpeer': {
        const [path, type, hook, peerHook] = args;
        if (args.length !== 4 || type !== 'bpf') throw new Error(`unexpected mkpeer ${args.join(' ')}`);
        const node = this.resolve(path);
        if (node.hooks.has(hook)) throw new Error(`EISCONN: ${path}${hook} is connected`);
        this.link(node, hook, this.add('bpf', null), peerHook);
        return;
      }
      case 'name': {
        const [path, name] = args;
        if (args.length !== 2) throw new Error('name takes a path and a name');
        if ([...this.nodes.values()].some((x) => x.name === name)) throw new Error(`EADDRINUSE: ${name}`);
        this.resolve(path).name = name;
        return;
      }
      case 'connect': {
        const [path, rel, hook, peerHook] = args;
        if (args.length !== 4) throw new Error('connect takes path relpath hook peerhook');
        this.link(this.resolve(path), hook, this.resolve(rel), peerHook);
        return;
      }
      case 'msg': {
        const [path, what, ...rest] = args;
        if (what !== 'setprogram') throw new Error(`ENOSYS: ${what}`);
        const node = this.resolve(path);
        if (node.type !== 'bpf') throw new Error('setprogram to a node that is not ng_bpf');
        // ngctl joins the remaining words with single spaces.
        const hp = parseHookProg(rest.join(' '));
        if (!node.hooks.has(hp.thisHook)) throw new Error(`ENOENT: no hook ${hp.thisHook}`);
        node.programs.set(hp.thisHook, hp);
        return;
      }
      case 'shutdown': {
        if (args.length !== 1) throw new Error('shutdown takes a path');
        this.shutdown(this.resolve(args[0]));
        return;
      }
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  /** Runs a script; the index of the first failing line (stopping there), or -1. */
  runScript(text: string, after?: (line: string) => void): { failedAt: number; error?: string } {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.trim() === '' || line.startsWith('#')) continue;
      try {
        this.run(line);
      } catch (e) {
        return { failedAt: i, error: (e as Error).message };
      }
      after?.(line);
    }
    return { failedAt: -1 };
  }

  /** What happens to frames from the wire ('in') or from the host ('out') on an interface. */
  flow(ifname: string, dir: 'in' | 'out'): Flow {
    const ether = this.byName(ifname);
    const src = dir === 'in' ? 'lower' : 'upper';
    const dst = dir === 'in' ? 'upper' : 'lower';
    const end = ether.hooks.get(src);
    if (!end) return 'normal';
    const bpf = this.nodes.get(end.node)!;
    const prog = bpf.programs.get(end.hook);
    if (!prog) return 'cut';
    const dests = [prog.ifMatch, prog.ifNotMatch].filter((h) => h !== '');
    if (dests.length === 0) return 'cut';
    for (const d of dests) {
      const out = bpf.hooks.get(d);
      if (!out || out.node !== ether.id || out.hook !== dst) return 'cut';
    }
    return 'filtered';
  }

  /** The program frames arriving on `ifname`'s `hook` side run through, with its destinations. */
  programOf(ifname: string, hook: 'lower' | 'upper'): ParsedHookProg | null {
    const end = this.byName(ifname).hooks.get(hook);
    return end ? (this.nodes.get(end.node)!.programs.get(end.hook) ?? null) : null;
  }

  nodeAt(ifname: string, hook: 'lower' | 'upper'): string | null {
    const end = this.byName(ifname).hooks.get(hook);
    return end ? (this.nodes.get(end.node)!.name ?? `[${end.node}]`) : null;
  }

  /** Nodes, names and links, comparable with toEqual. */
  snapshot(): unknown {
    return [...this.nodes.values()]
      .map((n) => ({ type: n.type, name: n.name, hooks: [...n.hooks.entries()].map(([h, e]) => `${h}->${this.nodes.get(e.node)!.name ?? '?'}:${e.hook}`).sort() }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }
}
