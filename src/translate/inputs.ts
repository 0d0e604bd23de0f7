import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Bpf2pfError, fail, isBpf2pfError } from '../errors.js';
import type { BpfObject } from '../object/types.js';
import type { MapStateFile } from '../state/map-state.js';

/** An object of the command line, read and loaded. */
export interface LoadedInput {
  /** As given on the command line. */
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly object: BpfObject;
}

/** Loads every object; an error names the file it is about. */
export async function loadInputs(paths: readonly string[]): Promise<LoadedInput[]> {
  if (paths.length === 0) fail('USAGE', 'give at least one object');
  const { loadObject } = await import('../object/load-object.js');
  return paths.map((path) => {
    const bytes = readBytes(path);
    const object = aboutFile(path, () => loadObject(bytes));
    return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), object };
  });
}

/**
 * The objects of one translation are distinct, and so are their entry programs' names: the
 * profile attaches programs by name, and rule ids and pf labels are `<program>.<n>`. Two
 * objects with one entry program name used to fail deep in IR validation, on rule ids.
 */
export function checkDistinctObjects(inputs: readonly LoadedInput[], entryNames: (object: BpfObject) => readonly string[]): void {
  inputs.forEach((b, j) => {
    const same = inputs.slice(0, j).find((a) => a.sha256 === b.sha256);
    if (!same) return;
    fail('USAGE', same.path === b.path ? `${b.path}: given twice` : `${b.path}: the same object as ${same.path} (sha256 ${b.sha256.slice(0, 16)}...); give it once`);
  });
  const owner = new Map<string, string>();
  for (const i of inputs) {
    for (const name of entryNames(i.object)) {
      const first = owner.get(name);
      if (first !== undefined) fail('USAGE', `${i.path}: entry program ${name} is also in ${first}; the programs of one translation need distinct names (the profile attaches them and the rules are labelled by program name)`);
      owner.set(name, i.path);
    }
  }
}

/** Runs `body`, prefixing the message of a typed error with the file it concerns. */
export function aboutFile<T>(file: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (isBpf2pfError(e)) throw new Bpf2pfError(e.code, `${file}: ${e.message}`);
    throw e;
  }
}

export function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    return fail('IO', `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * A `--snapshot` file: map contents in the MapStateFile form (`bpf2pf run --maps`). Only
 * the shape is checked here; checkSnapshotFits checks it against the objects.
 */
export function readSnapshot(path: string): MapStateFile {
  const text = Buffer.from(readBytes(path)).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('SNAPSHOT_INVALID', `${path}: not JSON: ${(e as Error).message}`);
  }
  const bad = (why: string): never => fail('SNAPSHOT_INVALID', `${path}: ${why}`);
  if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== 1) bad('not a map state file ({ "version": 1, "maps": { ... } })');
  const order = (doc as { byteOrder?: unknown }).byteOrder;
  if (order !== undefined && order !== 'little' && order !== 'big') bad(`byteOrder must be "little" or "big", not ${JSON.stringify(order)}`);
  const maps = (doc as { maps?: unknown }).maps;
  if (typeof maps !== 'object' || maps === null || Array.isArray(maps)) bad('maps must be an object keyed by map name');
  for (const [name, contents] of Object.entries(maps as Record<string, unknown>)) checkContents(contents, `maps.${name}`, bad);
  return doc as MapStateFile;
}

/**
 * The snapshot against the objects it is given with: every map it names is a map (or data
 * section) of some object, and its entries are ones the kernel would take for every object
 * declaring that map: sizes, indexes, prefix lengths, inner maps, program names (the
 * checks of `run --maps`). An entry of the wrong size used to be skipped without a word,
 * leaving a sandbox's table empty.
 */
export async function checkSnapshotFits(path: string, snapshot: MapStateFile, inputs: readonly LoadedInput[]): Promise<void> {
  const { createMapStore } = await import('../vm/maps/store.js');
  const namesOf = (i: LoadedInput): Set<string> => new Set([...i.object.maps.map((m) => m.name), ...i.object.dataSections.map((d) => d.name)]);
  const declared = inputs.map((i) => ({ input: i, names: namesOf(i) }));
  const given = Object.keys(snapshot.maps).sort();
  for (const name of given) {
    if (!declared.some((d) => d.names.has(name))) fail('SNAPSHOT_INVALID', `${path}: map ${name} is in none of the objects (${inputs.map((i) => i.path).join(', ')})`);
  }
  for (const { input, names } of declared) {
    const own = given.filter((n) => names.has(n));
    if (own.length === 0) continue;
    try {
      createMapStore(input.object, { version: 1, ...(snapshot.byteOrder !== undefined && { byteOrder: snapshot.byteOrder }), maps: Object.fromEntries(own.map((n) => [n, snapshot.maps[n]])) });
    } catch (e) {
      if (isBpf2pfError(e)) fail('SNAPSHOT_INVALID', `${path}: does not fit ${input.path}: ${e.message}`);
      throw e;
    }
  }
}

function checkContents(contents: unknown, where: string, bad: (why: string) => never): void {
  const entries = (contents as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) bad(`${where}.entries must be a list`);
  (entries as unknown[]).forEach((e, i) => {
    const r = e as Record<string, unknown> | null;
    const at = `${where}.entries[${i}]`;
    if (typeof r !== 'object' || r === null || typeof r.key !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(r.key)) bad(`${at}.key must be hex bytes`);
    if ('value' in r!) {
      if (typeof r!.value !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(r!.value)) bad(`${at}.value must be hex bytes`);
    } else if ('inner' in r!) checkContents(r!.inner, `${at}.inner`, bad);
    else if (typeof r!.program !== 'string') bad(`${at} needs a value, inner or program`);
  });
}

/** `--target freebsd-15|freebsd-14` as a release; without the flag, the profile's. */
export function targetRelease(flag: string | undefined, profileTarget: { freebsd: string; supported: readonly string[] }): string {
  if (flag === undefined) return profileTarget.freebsd;
  if (flag === 'freebsd-15') return '15.0';
  if (flag === 'freebsd-14') {
    // The newest 14.x the profile supports, else the current 14 release.
    const fourteens = profileTarget.supported.filter((r) => r.startsWith('14.')).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    return fourteens.at(-1) ?? '14.3';
  }
  return fail('USAGE', `--target ${flag}: expected freebsd-15 or freebsd-14`);
}
