/**
 * The handlebars templates of templates/pf, loaded from a directory (by default the
 * package's own, found from this module's location, which works from src/, dist/src/
 * and the dist/cli bundle alike).
 *
 * Output is pf.conf, not HTML, so nothing is HTML-escaped (`noEscape`). In exchange a
 * template may print only through the helpers below, each of which validates or quotes
 * its argument for the place it prints to: a plain `{{value}}` is refused when the
 * templates are loaded, so no template can forget.
 */
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../../errors.js';
import { assertName, commentText, quote } from '../../ir/names.js';
import { checkPrefix } from './address.js';
import type { PfStatement, PfTableDef } from './model.js';
import { renderStatement, tableRef } from './render.js';

export const TEMPLATE_NAMES = ['pf.conf', 'anchor.conf', 'table.txt', 'control-plane.md'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface PfTemplates {
  readonly dir: string;
  render(name: TemplateName, view: object): string;
}

/** Walks up from this module to the directory whose package.json names bpf2pf. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const name: unknown = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
      if (name === 'bpf2pf') return dir;
    }
    const up = dirname(dir);
    if (up === dir) fail('EMIT_TEMPLATE', `no bpf2pf package.json above ${from}: pass the templates directory explicitly`);
    dir = up;
  }
}

export function defaultTemplatesDir(): string {
  return join(packageRoot(), 'templates', 'pf');
}

function helperError(name: string, v: unknown): never {
  fail('EMIT_TEMPLATE', `helper ${name} got ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`);
}

function str(name: string, v: unknown): string {
  return typeof v === 'string' ? v : helperError(name, v);
}

/** Markdown text on one line, with the characters that would start markup escaped. */
function markdownText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`);
}

/** Every helper takes exactly the value it prints; handlebars adds its options object last. */
const HELPERS: Readonly<Record<string, (v: unknown) => string>> = {
  comment: (v) => {
    const t = commentText(str('comment', v));
    return t === '' ? '#' : `# ${t}`;
  },
  macroDef: (v) => {
    const m = v as { name?: unknown; value?: unknown };
    return `${assertName('macro', str('macroDef', m.name), 'macro')} = ${quote(assertName('interface', str('macroDef', m.value), 'macro value'))}`;
  },
  tableDef: (v) => {
    const t = v as PfTableDef;
    const w = ['table', tableRef(str('tableDef', t.name)), 'persist'];
    if (t.file !== null) w.push('file', quote(str('tableDef', t.file), 'table file'));
    if (t.entries !== null && t.entries.length > 0) w.push(`{ ${t.entries.map((e) => checkPrefix(e, `table <${t.name}>`).text).join(', ')} }`);
    return w.join(' ');
  },
  pfStatement: (v) => {
    if (typeof v !== 'object' || v === null || !('kind' in v)) return helperError('pfStatement', v);
    return renderStatement(v as PfStatement);
  },
  setTimeouts: (v) => `set timeout { ${settings('setTimeouts', v)} }`,
  setLimits: (v) => `set limit { ${settings('setLimits', v)} }`,
  address: (v) => checkPrefix(str('address', v), 'table entry').text,
  num: (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : helperError('num', v)),
  text: (v) => {
    const s = str('text', v);
    return /^[A-Za-z0-9 _.,:/+-]*$/.test(s) ? s : helperError('text', v);
  },
  md: (v) => markdownText(str('md', v)),
  code: (v) => {
    const s = str('code', v);
    return /[`\r\n]/.test(s) ? helperError('code', v) : `\`${s}\``;
  },
};

/** `name value, name value` for set timeout/limit; names are pf words, values integers. */
function settings(helper: string, v: unknown): string {
  if (!Array.isArray(v)) return helperError(helper, v);
  return v
    .map((e: unknown) => {
      const [k, n] = e as [unknown, unknown];
      if (typeof k !== 'string' || !/^[a-z][a-z0-9.-]*$/.test(k) || typeof n !== 'number' || !Number.isInteger(n) || n < 0) return helperError(helper, e);
      return `${k} ${n}`;
    })
    .join(', ');
}

const BLOCK_HELPERS = new Set(['each', 'if', 'unless']);

/** Refuses a template that prints anything except through a helper with an argument. */
function checkTemplate(file: string, source: string): void {
  const ast = Handlebars.parse(source);
  const problems: string[] = [];
  class Check extends Handlebars.Visitor {
    override MustacheStatement(m: hbs.AST.MustacheStatement): void {
      const name = m.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression).original : m.path.type;
      if (!(name in HELPERS) || m.params.length !== 1 || !m.escaped) {
        problems.push(`line ${m.loc.start.line}: {{${name}${m.params.length ? ' ...' : ''}}} does not print through a validating helper with one argument`);
      }
    }
    override BlockStatement(b: hbs.AST.BlockStatement): void {
      const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : b.path.type;
      if (!BLOCK_HELPERS.has(name)) problems.push(`line ${b.loc.start.line}: block {{#${name}}} is not one of ${[...BLOCK_HELPERS].join(', ')}`);
      super.BlockStatement(b);
    }
  }
  new Check().accept(ast);
  if (problems.length > 0) fail('EMIT_TEMPLATE', `${file}: ${problems.join('; ')}`);
}

function read(path: string): string {
  if (!existsSync(path)) fail('EMIT_TEMPLATE', `template ${path} is missing`);
  return readFileSync(path, 'utf8');
}

export function loadPfTemplates(dir: string = defaultTemplatesDir()): PfTemplates {
  const env = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) env.registerHelper(name, (v: unknown) => fn(v));
  const partialsDir = join(dir, 'partials');
  if (existsSync(partialsDir)) {
    for (const f of readdirSync(partialsDir).filter((n) => n.endsWith('.hbs')).sort()) {
      const source = read(join(partialsDir, f));
      checkTemplate(`partials/${f}`, source);
      // Compiled here so partials print with the same options (no escaping, strict).
      env.registerPartial(f.slice(0, -'.hbs'.length), env.compile(source, { noEscape: true, strict: true }));
    }
  }
  const compiled = new Map<TemplateName, HandlebarsTemplateDelegate>();
  for (const name of TEMPLATE_NAMES) {
    const source = read(join(dir, `${name}.hbs`));
    checkTemplate(`${name}.hbs`, source);
    compiled.set(name, env.compile(source, { noEscape: true, strict: true }));
  }
  return {
    dir,
    render(name, view) {
      const t = compiled.get(name);
      if (!t) return fail('EMIT_TEMPLATE', `no template ${name}`);
      return t(view);
    },
  };
}
