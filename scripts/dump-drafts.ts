/**
 * Developer tool: the normalised steps of every path of one program and the drafts
 * (first-match rules before matches are built), to see why a rule came out as it did.
 *   npx vite-node scripts/dump-drafts.ts corpus/coppice/nodenic.o from_world
 */
import { readFileSync } from 'node:fs';
import { loadObject } from '../src/object/load-object.js';
import { helperEnv, liftObjectProgram } from '../src/lift/lift-object.js';
import { classifyCache, viewPath, type ClassifyCache } from '../src/lift/view/path-view.js';
import { lookupRoles, type MapRole } from '../src/lift/synth/roles.js';
import { normalisePath, stepKey } from '../src/lift/synth/steps.js';
import { draftRules } from '../src/lift/synth/tree.js';

const [file, name] = process.argv.slice(2);
const obj = loadObject(new Uint8Array(readFileSync(file)));
const program = obj.programs.find((p) => p.name === name);
if (!program) throw new Error(`no program ${name}`);
const lifted = liftObjectProgram(obj, program);
const env = helperEnv(obj, program);
const cache: ClassifyCache = classifyCache();
const views = lifted.paths.map((p) => viewPath(p, env, cache)).filter((v) => v.feasible);
const roles = lookupRoles(views);
for (const r of roles.all.values()) console.log('role', JSON.stringify(r));
const inner = new Map<string, MapRole & { kind: 'set' }>();
for (const r of roles.all.values()) if (r.kind === 'set' && r.inner) inner.set(r.map, r);
const norm = views.map((v) => normalisePath(v, roles.of(v), inner));
const end = (v: (typeof views)[number]): string => (v.path.end.kind === 'return' ? JSON.stringify(v.path.end.value, (_k, x) => (typeof x === "bigint" ? String(x) : x)).slice(0, 60) : `abandoned ${v.path.end.reason}`);
for (const n of norm) if (n.kind !== 'rule') console.log(n.kind, n.kind === 'l2' ? n.why : `${n.by}: ${n.why}`, 'path', n.view.path.id);
const drafts = draftRules(norm.filter((n): n is Extract<typeof n, { kind: 'rule' }> => n.kind === 'rule'));
drafts.forEach((d, i) => {
  console.log(`draft ${i + 1}: ${d.steps.map(stepKey).join(' & ') || '(all)'}  implied: ${d.implied.map(stepKey).join(' & ')}`);
  for (const p of d.paths.slice(0, 4)) console.log(`    path ${p.view.path.id} -> ${end(p.view)} runtime=${p.runtime.length} stateful=${p.stateful.join(',')}`);
  if (d.paths.length > 4) console.log(`    ... ${d.paths.length - 4} more`);
});
