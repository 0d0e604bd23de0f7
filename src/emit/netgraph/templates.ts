/**
 * The templates of templates/netgraph and the only helpers they print through: `comment`
 * (encoded `#` lines, wrapped; ngctl skips lines whose first character is `#`) and `ngctl`
 * (one command, every name validated and the line held to ngctl's limits).
 */
import { commentLines, helperError, loadSafeTemplates, packageTemplatesDir, stringArg, type SafeTemplates, type TemplateHelper } from '../safe-templates.js';
import { renderNgctl, type NgctlCommand } from './commands.js';

export const NETGRAPH_TEMPLATE_NAMES = ['netgraph.ngctl', 'netgraph-teardown.ngctl'] as const;
export type NetgraphTemplateName = (typeof NETGRAPH_TEMPLATE_NAMES)[number];
export type NetgraphTemplates = SafeTemplates<NetgraphTemplateName>;

const COMMAND_KINDS = new Set(['mkpeer', 'name', 'connect', 'setprogram', 'shutdown']);

const HELPERS: Readonly<Record<string, TemplateHelper>> = {
  comment: (v) => commentLines(stringArg('comment', v)),
  ngctl: (v) => {
    if (typeof v !== 'object' || v === null || !('kind' in v) || !COMMAND_KINDS.has(String((v as { kind: unknown }).kind))) return helperError('ngctl', v);
    return renderNgctl(v as NgctlCommand);
  },
};

export function defaultNetgraphTemplatesDir(): string {
  return packageTemplatesDir('netgraph');
}

export function loadNetgraphTemplates(dir: string = defaultNetgraphTemplatesDir()): NetgraphTemplates {
  return loadSafeTemplates(dir, NETGRAPH_TEMPLATE_NAMES, HELPERS);
}
