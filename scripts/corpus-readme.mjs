#!/usr/bin/env node
// Regenerates the tables of corpus/README.md (between the `<!-- generated:NAME -->`
// markers) from corpus/build-manifest.json, corpus/idioms/idioms.json and the
// corpus/hostile/*.expect files. `--check` exits 1 when the README is out of date.
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(root, 'corpus/README.md');

const COPPICE = {
  mvmtap: 'from_cube (tc ingress, every sandbox TAP): proxy ARP, registration, source rewrite, gateway filtering, port-mapping replies, allow/deny hash-of-LPM policy, L7 marks, EDT rate limit, DNS query tail-call chain, SNAT with spin-locked port waterline and NOEXIST reservation, TCP states',
  nodenic: 'from_world (tc ingress, host NIC): host-port DNAT, reverse NAT through ingress/egress sessions, TCP states, DNS answer tail-call chain learning A records into allow_out',
  localgw: 'from_envoy (tc egress, cube-dev): host-to-sandbox DNAT/SNAT and redirect by mvmip_to_ifindex',
};

function objectsTable(manifest, idioms) {
  const what = (o) => {
    const coppice = /coppice\/src\/(\w+)\.bpf\.c$/.exec(o.source);
    if (coppice) return (o.set === 'coppice-renamed' ? 'renamed build (every map, function, global and struct renamed by rename.h) of ' : '') + COPPICE[coppice[1]];
    const idiom = idioms.find((i) => `corpus/idioms/${i.source}` === o.source);
    return idiom ? idiom.becomes.split(';')[0] : '';
  };
  const rows = manifest.objects.map((o) => {
    const flags = `${o.arch} ${o.mcpu} -${o.opt}${o.btf ? ' -g' : ' (no -g: no BTF)'}${o.set === 'coppice-renamed' ? ' -include rename.h' : ''}`;
    return `| \`${o.object.replace(/^corpus\//, '')}\` | ${o.compiler} | ${flags} | ${what(o).replace(/\|/g, '\\|')} |`;
  });
  return ['| object | compiler | build | what it exercises |', '|---|---|---|---|', ...rows].join('\n');
}

function hostileTable() {
  const dir = join(root, 'corpus/hostile');
  const rows = readdirSync(dir).filter((f) => f.endsWith('.expect')).sort().map((f) => {
    const [code, why, from] = readFileSync(join(dir, f), 'utf8').split('\n');
    return `| \`hostile/${f.replace(/\.expect$/, '.o')}\` | \`${code}\` | ${why} | ${from.replace(/^from: /, '')} |`;
  });
  return ['| object | expected error | what is wrong | made from |', '|---|---|---|---|', ...rows].join('\n');
}

function compilersList(manifest) {
  return Object.entries(manifest.compilers).map(([k, v]) => `- \`${k}\`: ${v}`).join('\n');
}

function replaceSection(text, name, content) {
  const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
  if (!re.test(text)) throw new Error(`corpus/README.md has no generated:${name} markers`);
  return text.replace(re, (_, open, close) => `${open}${content}\n${close}`);
}

export function renderReadme(text) {
  const manifest = JSON.parse(readFileSync(join(root, 'corpus/build-manifest.json'), 'utf8'));
  const idioms = JSON.parse(readFileSync(join(root, 'corpus/idioms/idioms.json'), 'utf8'));
  let out = replaceSection(text, 'compilers', compilersList(manifest));
  out = replaceSection(out, 'objects', objectsTable(manifest, idioms));
  out = replaceSection(out, 'hostile', hostileTable());
  return out;
}

const current = readFileSync(readme, 'utf8');
const next = renderReadme(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    process.stderr.write('corpus/README.md is out of date: run npm run corpus:build\n');
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(`${readme}.tmp`, next);
  renameSync(`${readme}.tmp`, readme);
}
