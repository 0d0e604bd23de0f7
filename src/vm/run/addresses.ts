import type { FunctionTarget } from '../code/image.js';
import type { Machine } from '../machine.js';
import type { MapModel } from '../maps/model.js';
import type { TaintedValue } from '../maps/store.js';
import { addRegion, regionHi } from '../memory/memory.js';
import { REGION_HI_BASE, type Region } from '../memory/region.js';

/**
 * Addresses of the things a program holds pointers to, handed out once per run so the
 * same map, value or function always has the same address within a run.
 */
export function mapHandleRegion(m: Machine, model: MapModel): Region {
  let r = m.mapHandles.get(model);
  if (r === undefined) {
    const name = model.path.outerKey === undefined ? model.path.map : `${model.path.map}[${model.path.outerKey}]`;
    r = addRegion(m.mem, 'handle', `map ${name} (struct bpf_map)`, new Uint8Array(0), false, { handle: model });
    m.mapHandles.set(model, r);
  }
  return r;
}

/** The map a register points at as a map handle, or undefined. */
export function mapAt(m: Machine, lo: number, hi: number): MapModel | undefined {
  const r = m.mem.regions[hi - REGION_HI_BASE];
  if (r === undefined || r.kind !== 'handle' || lo !== 0) return undefined;
  const h = r.handle as { kind?: unknown } | undefined;
  return h !== undefined && typeof h.kind === 'string' && 'def' in h ? (h as MapModel) : undefined;
}

/**
 * The region of a map value buffer. Its clock taint lives in the store beside the buffer,
 * so it survives the run and is reported while the entry holds this buffer.
 */
export function valueRegion(m: Machine, model: MapModel, key: Uint8Array, buffer: Uint8Array, writable: boolean): Region {
  let r = m.valueRegions.get(buffer);
  if (r === undefined) {
    const store = m.store;
    const name = model.path.outerKey === undefined ? model.path.map : `${model.path.map}[${model.path.outerKey}]`;
    r = addRegion(m.mem, 'plain', `map ${name} value`, buffer, writable, {
      taint: store.taint.get(buffer) ?? null,
      shadow: () => {
        const t = new Uint8Array(buffer.length);
        store.taint.set(buffer, t);
        const owner: TaintedValue = { model, key: key.slice(), buffer };
        store.tainted.set(buffer, owner);
        return t;
      },
    });
    m.valueRegions.set(buffer, r);
  }
  return r;
}

export function codeRegion(m: Machine, target: FunctionTarget): Region {
  const id = `${target.section}:${target.slot}`;
  let r = m.codeRegions.get(id);
  if (r === undefined) {
    r = addRegion(m.mem, 'handle', `function ${target.name}`, new Uint8Array(0), false, { handle: target });
    m.codeRegions.set(id, r);
  }
  return r;
}

/** The function a register holds the address of (a callback argument), or undefined. */
export function codeAt(m: Machine, lo: number, hi: number): FunctionTarget | undefined {
  const r = m.mem.regions[hi - REGION_HI_BASE];
  if (r === undefined || r.kind !== 'handle' || lo !== 0) return undefined;
  const h = r.handle as Partial<FunctionTarget> | undefined;
  return h !== undefined && typeof h.section === 'string' && typeof h.slot === 'number' ? (h as FunctionTarget) : undefined;
}

export function setRegAddress(m: Machine, reg: number, region: Region, offset: number): void {
  m.regs.lo[reg] = offset >>> 0;
  m.regs.hi[reg] = regionHi(region);
  m.regs.taint[reg] = 0;
}
