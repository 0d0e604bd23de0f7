/**
 * The handlebars setup of every emitter (pf, dummynet, netgraph), for any set of
 * templates and helpers.
 *
 * The output is a configuration file, not HTML, so nothing is HTML-escaped (`noEscape`).
 * In exchange a template may print only through a helper that validates or encodes its
 * one argument for the place it prints to: a plain `{{value}}`, a triple-stash, a helper
 * with other than one argument, or a block other than each/if/unless is refused when the
 * templates are loaded, so no template can let an object string through unchecked.
 */
import Handlebars from 'handlebars';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../errors.js';
import { commentText } from '../ir/names.js';

/** A helper takes exactly the value it prints; handlebars adds its options object last. */
export type TemplateHelper = (v: unknown) => string;

export interface SafeTemplates<N extends string> {
  readonly dir: string;
  render(name: N, view: object): string;
  /** Each template and partial loaded, compiled ahead: digest -> handlebars spec (JavaScript). */
  precompiled(): Record<string, string>;
}

/**
 * Templates compiled ahead by the build (scripts/precompile-templates.mjs), beside the CLI
 * bundle: checking and compiling the pf, dummynet and netgraph templates took ~40 ms of
 * every translate. An entry is used only for a template whose digest (its text, the
 * helpers it may print through, whether partials are allowed) matches, so an edited
 * template is checked and compiled as ever; without the file (running from dist/src or
 * src) every template is.
 */
export const PRECOMPILED_FILE = 'templates.precompiled.json';

function readPrecompiled(): ReadonlyMap<string, string> {
  const file = join(dirname(fileURLToPath(import.meta.url)), PRECOMPILED_FILE);
  if (!existsSync(file)) return new Map();
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
}

function templateDigest(source: string, helpers: Readonly<Record<string, TemplateHelper>>, partials: boolean): string {
  return createHash('sha256').update(JSON.stringify([Handlebars.VERSION, Object.keys(helpers).sort(), partials, source])).digest('hex');
}

const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

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

/** templates/<target> of the package (works from src/, dist/src/ and the CLI bundle). */
export function packageTemplatesDir(target: string): string {
  return join(packageRoot(), 'templates', target);
}

export function helperError(name: string, v: unknown): never {
  fail('EMIT_TEMPLATE', `helper ${name} got ${typeof v === 'string' ? JSON.stringify(v) : typeof v}`);
}

export function stringArg(name: string, v: unknown): string {
  return typeof v === 'string' ? v : helperError(name, v);
}

/**
 * Longest comment line the emitters write. dnctl (ipfw's file reader) and older ngctl
 * read lines with fgets into fixed buffers (4096 and LINE_MAX 2048 bytes); a longer line
 * would be read as two, and its tail run as a command. Longer comments are wrapped.
 */
export const MAX_COMMENT_LINE = 160;

/**
 * `# text`, encoded by commentText (nothing can leave the comment) and wrapped at spaces
 * (or, for a long word, anywhere but inside a %XX escape) into lines of at most
 * MAX_COMMENT_LINE characters, each starting with `#` in column 1; continuation lines
 * keep the first line's indentation plus two spaces.
 */
export function commentLines(text: string): string {
  const t = commentText(text);
  if (t === '') return '#';
  const indent = /^ */.exec(t)![0].slice(0, 8);
  const lines: string[] = [];
  let rest = t;
  let prefix = '# ';
  let keep = indent.length; // a break inside the first line's indentation is no break
  while (prefix.length + rest.length > MAX_COMMENT_LINE) {
    const room = MAX_COMMENT_LINE - prefix.length;
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= keep) {
      cut = room;
      const pct = rest.lastIndexOf('%', cut);
      if (pct > cut - 3 && pct > 0) cut = pct;
    }
    lines.push(`${prefix}${rest.slice(0, cut)}`.trimEnd());
    rest = rest.slice(cut).trimStart();
    prefix = `# ${indent}  `;
    keep = 0;
  }
  lines.push(`${prefix}${rest}`);
  return lines.join('\n');
}

const BLOCK_HELPERS = new Set(['each', 'if', 'unless']);

/** Refuses a template that prints anything except through a helper with one argument; its syntax tree. */
function checkTemplate(file: string, source: string, helpers: Readonly<Record<string, TemplateHelper>>, partials: boolean): hbs.AST.Program {
  const ast = Handlebars.parse(source);
  const problems: string[] = [];
  class Check extends Handlebars.Visitor {
    override MustacheStatement(m: hbs.AST.MustacheStatement): void {
      const name = m.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression).original : m.path.type;
      if (!Object.hasOwn(helpers, name) || m.params.length !== 1 || !m.escaped) {
        problems.push(`line ${m.loc.start.line}: {{${name}${m.params.length ? ' ...' : ''}}} does not print through a validating helper with one argument`);
      }
    }
    override BlockStatement(b: hbs.AST.BlockStatement): void {
      const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : b.path.type;
      if (!BLOCK_HELPERS.has(name)) problems.push(`line ${b.loc.start.line}: block {{#${name}}} is not one of ${[...BLOCK_HELPERS].join(', ')}`);
      super.BlockStatement(b);
    }
    override PartialStatement(p: hbs.AST.PartialStatement): void {
      // A partial is one of the checked templates of partials/, printing the same way.
      if (!partials) problems.push(`line ${p.loc.start.line}: partials are not used by these templates`);
    }
  }
  new Check().accept(ast);
  if (problems.length > 0) fail('EMIT_TEMPLATE', `${file}: ${problems.join('; ')}`);
  return ast;
}

function read(path: string): string {
  if (!existsSync(path)) fail('EMIT_TEMPLATE', `template ${path} is missing`);
  return readFileSync(path, 'utf8');
}

/**
 * Loads `<dir>/<name>.hbs` for every name, checked, with only `helpers` to print through.
 * With `partials`, the templates of `<dir>/partials/` (checked alike) may be included.
 */
export function loadSafeTemplates<N extends string>(
  dir: string,
  names: readonly N[],
  helpers: Readonly<Record<string, TemplateHelper>>,
  options: { readonly partials?: boolean; readonly precompiled?: ReadonlyMap<string, string> } = {},
): SafeTemplates<N> {
  const partials = options.partials ?? false;
  const ahead = options.precompiled ?? readPrecompiled();
  // What precompiled() gives: the spec read, or the checked tree to compile ahead on request.
  const loaded = new Map<string, string | hbs.AST.Program>();
  const env = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, (v: unknown) => fn(v));
  // Checked and compiled with the same options whether ahead of time or now.
  const compile = (file: string, source: string): HandlebarsTemplateDelegate => {
    const digest = templateDigest(source, helpers, partials);
    const spec = ahead.get(digest);
    if (spec !== undefined) {
      loaded.set(digest, spec);
      return env.template(new Function(`return (${spec});`)() as TemplateSpecification);
    }
    const ast = checkTemplate(file, source, helpers, partials);
    loaded.set(digest, ast);
    return env.compile(ast, COMPILE_OPTIONS);
  };
  const partialsDir = join(dir, 'partials');
  if (partials && existsSync(partialsDir)) {
    for (const f of readdirSync(partialsDir).filter((n) => n.endsWith('.hbs')).sort()) {
      env.registerPartial(f.slice(0, -'.hbs'.length), compile(`partials/${f}`, read(join(partialsDir, f))));
    }
  }
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  for (const name of names) compiled.set(name, compile(`${name}.hbs`, read(join(dir, `${name}.hbs`))));
  return {
    dir,
    render(name, view) {
      const t = compiled.get(name);
      if (!t) return fail('EMIT_TEMPLATE', `no template ${name}`);
      return t(view);
    },
    precompiled: () => Object.fromEntries([...loaded].map(([digest, t]) => [digest, typeof t === 'string' ? t : String(Handlebars.precompile(t, COMPILE_OPTIONS))])),
  };
}
