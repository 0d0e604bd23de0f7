/**
 * Grammar of pf.conf statements, for the subset the emitter prints: macro definitions,
 * tables (`persist`, `const`, `counters`, `file "..."`, `{ ... }`), `set` options,
 * legacy `nat`/`rdr`/`binat` rules, `anchor`/`nat-anchor`/`rdr-anchor`/`binat-anchor`
 * rules, and `pass`/`block`/`match` rules with route-to, ports, flags, icmp-type, tags,
 * state, labels, dnpipe and nat-to/rdr-to/binat-to. FreeBSD word order (pf.md §2.1):
 * route-to comes right after `on`; options after the addresses in any order.
 *
 * It parses one statement at a time (src/pf/parse.ts splits the text and expands macros
 * first), so errors carry the statement's line and column.
 */
import type { IToken } from 'chevrotain';
import type {
  PfAnchorRule, PfFilterOptions, PfFilterRule, PfIcmpType, PfIfSpec, PfPool, PfRoute, PfRouteHost, PfSetOption, PfStatement, PfTableDefinition, PfTranslationRule,
} from './pf-ast.js';
import { PfHostsParser } from './pf-hosts.js';
import * as T from './pf-tokens.js';
import { flagsOf, icmpTypeOf, imageOf, numberOf, posOf, unquote } from './pf-values.js';

type Mutable<X> = { -readonly [K in keyof X]: X[K] };

function emptyOptions(): Mutable<PfFilterOptions> {
  return {
    flags: null, icmpType: null, tagged: null, tag: null, state: null, stateOptions: [], labels: [], dnpipe: null, dnqueue: null,
    fragment: false, allowOpts: false, rtable: null, natTo: null, rdrTo: null, binatTo: null,
  };
}

class PfParser extends PfHostsParser {
  constructor() {
    super(T.ALL_TOKENS);
    this.performSelfAnalysis();
  }

  statement = this.RULE('statement', (): PfStatement =>
    this.OR([
      { ALT: () => this.SUBRULE(this.macroDef) },
      { ALT: () => this.SUBRULE(this.tableDef) },
      { ALT: () => this.SUBRULE(this.setStatement) },
      { ALT: () => this.SUBRULE(this.translationRule) },
      { ALT: () => this.SUBRULE(this.anchorRule) },
      { ALT: () => this.SUBRULE(this.filterRule) },
    ]),
  );

  macroDef = this.RULE('macroDef', (): PfStatement => {
    const name = this.CONSUME(T.Word);
    this.CONSUME(T.Equals);
    const value = this.CONSUME(T.StringLit);
    return { kind: 'macro', pos: posOf(name), name: name.image, value: unquote(value) };
  });

  tableDef = this.RULE('tableDef', (): PfTableDefinition => {
    const kw = this.CONSUME(T.Table);
    this.CONSUME(T.Lt);
    const name = this.CONSUME(T.Word).image;
    this.CONSUME(T.Gt);
    const def: Mutable<PfTableDefinition> = { kind: 'table', pos: posOf(kw), name, persist: false, const: false, counters: false, files: [], entries: null };
    const files: string[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => { this.CONSUME(T.Persist); def.persist = true; } },
        { ALT: () => { this.CONSUME(T.Const); def.const = true; } },
        { ALT: () => { this.CONSUME(T.Counters); def.counters = true; } },
        { ALT: () => { this.CONSUME(T.File); files.push(unquote(this.CONSUME(T.StringLit))); } },
      ]);
    });
    this.OPTION(() => {
      const entries: { negate: boolean; text: string }[] = [];
      this.CONSUME(T.LCurly);
      this.MANY2(() => {
        const negate = this.OPTION2(() => this.CONSUME(T.Not)) !== undefined;
        entries.push({ negate, text: this.CONSUME2(T.Word).image });
        this.OPTION3(() => this.CONSUME(T.Comma));
      });
      this.CONSUME(T.RCurly);
      def.entries = entries;
    });
    def.files = files;
    return def;
  });

  setStatement = this.RULE('setStatement', (): PfStatement => {
    const kw = this.CONSUME(T.Set);
    const set = this.OR([
      {
        ALT: (): PfSetOption => {
          this.CONSUME(T.Skip);
          this.CONSUME(T.On);
          return { option: 'skip', interfaces: this.SUBRULE(this.ifSpec) };
        },
      },
      { ALT: (): PfSetOption => { this.CONSUME(T.Timeout); return { option: 'timeout', values: this.SUBRULE(this.settings) }; } },
      { ALT: (): PfSetOption => { this.CONSUME(T.Limit); return { option: 'limit', values: this.SUBRULE2(this.settings) }; } },
      {
        ALT: (): PfSetOption => {
          const name = this.CONSUME(T.Word).image;
          const values: string[] = [];
          this.AT_LEAST_ONE(() => {
            const t = this.OR2([
              { ALT: () => this.CONSUME2(T.Word) },
              { ALT: () => this.CONSUME(T.Drop) },
              { ALT: () => this.CONSUME(T.Return) },
              { ALT: () => this.CONSUME(T.No) },
              { ALT: () => this.CONSUME(T.StringLit) },
            ]);
            values.push(unquote(t));
          });
          return { option: 'other', name, values };
        },
      },
    ]);
    return { kind: 'set', pos: posOf(kw), set };
  });

  /** `name value` or `{ name value, ... }`. */
  settings = this.RULE('settings', (): { name: string; value: number }[] => {
    const out: { name: string; value: number }[] = [];
    const one = (name: IToken, value: IToken): void => {
      this.ACTION(() => out.push({ name: name.image, value: numberOf(value, 0, 0xffffffff, name.image) }));
    };
    this.OR([
      { ALT: () => one(this.CONSUME(T.Word), this.CONSUME2(T.Word)) },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            one(this.CONSUME3(T.Word), this.CONSUME4(T.Word));
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    return out;
  });

  /** What every rule kind may have between its head and its options. */
  ruleBody = this.RULE('ruleBody', () => {
    const on = this.OPTION(() => { this.CONSUME(T.On); return this.SUBRULE(this.ifSpec); }) ?? null;
    const af = this.OPTION2(() => this.OR([{ ALT: () => this.CONSUME(T.Inet6).image }, { ALT: () => this.CONSUME(T.Inet).image }]) as 'inet' | 'inet6') ?? null;
    const proto = this.OPTION3(() => this.SUBRULE(this.protoSpec)) ?? null;
    const hosts = this.OPTION4(() => this.SUBRULE(this.hosts)) ?? { from: { hosts: [], ports: [] }, to: { hosts: [], ports: [] } };
    return { on, af, proto, ...hosts };
  });

  translationRule = this.RULE('translationRule', (): PfTranslationRule => {
    const no = this.OPTION(() => this.CONSUME(T.No));
    const kw = this.OR([{ ALT: () => this.CONSUME(T.Nat) }, { ALT: () => this.CONSUME(T.Rdr) }, { ALT: () => this.CONSUME(T.Binat) }]);
    const pass = this.OPTION2(() => this.CONSUME(T.Pass)) !== undefined;
    const body = this.SUBRULE(this.ruleBody);
    let tag: string | null = null;
    let tagged: { tag: string; negate: boolean } | null = null;
    this.MANY(() => {
      this.OR2([
        { ALT: () => { this.CONSUME(T.Tag); tag = this.SUBRULE(this.tagName); } },
        {
          ALT: () => {
            const negate = this.OPTION3(() => this.CONSUME(T.Not)) !== undefined;
            this.CONSUME(T.Tagged);
            tagged = { tag: this.SUBRULE2(this.tagName), negate };
          },
        },
      ]);
    });
    const pool = this.OPTION4(() => { this.CONSUME(T.Arrow); return this.SUBRULE(this.pool); }) ?? null;
    return { kind: 'translation', pos: posOf(no ?? kw), type: imageOf(kw) as 'nat' | 'rdr' | 'binat', no: no !== undefined, pass, ...body, tag, tagged, pool };
  });

  anchorRule = this.RULE('anchorRule', (): PfAnchorRule => {
    const kw = this.OR([
      { ALT: () => this.CONSUME(T.Anchor) },
      { ALT: () => this.CONSUME(T.NatAnchor) },
      { ALT: () => this.CONSUME(T.RdrAnchor) },
      { ALT: () => this.CONSUME(T.BinatAnchor) },
    ]);
    const name = unquote(this.CONSUME(T.StringLit));
    const direction = this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(T.In).image }, { ALT: () => this.CONSUME(T.Out).image }]) as 'in' | 'out') ?? null;
    const quick = this.OPTION2(() => this.CONSUME(T.Quick)) !== undefined;
    const body = this.SUBRULE(this.ruleBody);
    return { kind: 'anchor', pos: posOf(kw), type: imageOf(kw) as PfAnchorRule['type'], name, direction, quick, ...body };
  });

  filterRule = this.RULE('filterRule', (): PfFilterRule => {
    let blockMode: 'drop' | 'return' | null = null;
    const head = this.OR([
      { ALT: () => this.CONSUME(T.Pass) },
      { ALT: () => this.CONSUME(T.Match) },
      {
        ALT: () => {
          const b = this.CONSUME(T.Block);
          this.OPTION(() => this.OR2([
            { ALT: () => { this.CONSUME(T.Drop); blockMode = 'drop'; } },
            { ALT: () => { this.CONSUME(T.Return); blockMode = 'return'; } },
          ]));
          return b;
        },
      },
    ]);
    const direction = this.OPTION2(() => this.OR3([{ ALT: () => this.CONSUME(T.In).image }, { ALT: () => this.CONSUME(T.Out).image }]) as 'in' | 'out') ?? null;
    let log = false;
    let quick = false;
    this.MANY(() => this.OR4([
      { ALT: () => { this.CONSUME(T.Log); log = true; } },
      { ALT: () => { this.CONSUME(T.Quick); quick = true; } },
    ]));
    const on = this.OPTION3(() => { this.CONSUME(T.On); return this.SUBRULE(this.ifSpec); }) ?? null;
    const route = this.OPTION4(() => this.SUBRULE(this.route)) ?? null;
    const af = this.OPTION5(() => this.OR5([{ ALT: () => this.CONSUME(T.Inet6).image }, { ALT: () => this.CONSUME(T.Inet).image }]) as 'inet' | 'inet6') ?? null;
    const proto = this.OPTION6(() => this.SUBRULE(this.protoSpec)) ?? null;
    const hosts = this.OPTION7(() => this.SUBRULE(this.hosts)) ?? { from: { hosts: [], ports: [] }, to: { hosts: [], ports: [] } };
    const options = emptyOptions();
    this.MANY2(() => {
      const o = this.SUBRULE(this.filterOption);
      this.ACTION(() => Object.assign(options, o, { labels: [...options.labels, ...(o.labels ?? [])] }));
    });
    return {
      kind: 'filter', pos: posOf(head), action: imageOf(head) as 'pass' | 'block' | 'match', blockMode, direction, log, quick,
      on: on as PfIfSpec | null, route, af, proto, ...hosts, options,
    };
  });

  route = this.RULE('route', (): PfRoute => {
    const kw = this.OR([{ ALT: () => this.CONSUME(T.RouteTo) }, { ALT: () => this.CONSUME(T.ReplyTo) }, { ALT: () => this.CONSUME(T.DupTo) }]);
    const hosts: PfRouteHost[] = [];
    this.OR2([
      { ALT: () => { hosts.push(this.SUBRULE(this.routeHost)); } },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            hosts.push(this.SUBRULE2(this.routeHost));
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    const type = this.OPTION2(() => this.SUBRULE(this.poolType)) ?? null;
    return { kind: imageOf(kw) as PfRoute['kind'], hosts, type };
  });

  routeHost = this.RULE('routeHost', (): PfRouteHost =>
    this.OR([
      { ALT: () => ({ interface: this.CONSUME(T.Word).image, nexthop: null }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const iface = this.CONSUME2(T.Word).image;
          const nexthop = this.OPTION(() => this.CONSUME3(T.Word).image) ?? null;
          this.CONSUME(T.RParen);
          return { interface: iface, nexthop };
        },
      },
    ]),
  );

  icmpTypes = this.RULE('icmpTypes', (v6: boolean): PfIcmpType[] => {
    const out: PfIcmpType[] = [];
    const item = (t: IToken, code: IToken | undefined): void => {
      this.ACTION(() => out.push({ type: icmpTypeOf(t, v6), code: code ? numberOf(code, 0, 255, 'icmp code') : null }));
    };
    this.OR([
      { ALT: () => item(this.CONSUME(T.Word), this.OPTION(() => { this.CONSUME(T.Code); return this.CONSUME2(T.Word); })) },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            item(this.CONSUME3(T.Word), this.OPTION2(() => { this.CONSUME2(T.Code); return this.CONSUME4(T.Word); }));
            this.OPTION3(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    return out;
  });

  /** `dnpipe 1`, `dnpipe (1, 2)`. */
  pipeNumbers = this.RULE('pipeNumbers', (): number[] => {
    const out: number[] = [];
    const one = (t: IToken): void => { this.ACTION(() => out.push(numberOf(t, 0, 65535, 'pipe'))); };
    this.OR([
      { ALT: () => one(this.CONSUME(T.Word)) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          one(this.CONSUME2(T.Word));
          this.OPTION(() => {
            this.OPTION2(() => this.CONSUME(T.Comma));
            one(this.CONSUME3(T.Word));
          });
          this.CONSUME(T.RParen);
        },
      },
    ]);
    return out;
  });

  stateOptions = this.RULE('stateOptions', (): string[] => {
    const out: string[] = [];
    this.CONSUME(T.LParen);
    this.MANY(() => {
      out.push(this.OR([{ ALT: () => this.CONSUME(T.Word).image }, { ALT: () => this.CONSUME(T.Comma).image }]));
    });
    this.CONSUME(T.RParen);
    return out.filter((w) => w !== ',');
  });

  /** One option after the addresses, as the fields it sets (labels accumulate). */
  filterOption = this.RULE('filterOption', (): Partial<PfFilterOptions> =>
    this.OR([
      {
        ALT: (): Partial<PfFilterOptions> => {
          this.CONSUME(T.Flags);
          return {
            flags: this.OR2([
              { ALT: () => { this.CONSUME(T.Any); return 'any' as const; } },
              { ALT: () => { const t = this.CONSUME(T.Word); return this.ACTION(() => flagsOf(t)); } },
            ]),
          };
        },
      },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.IcmpType); return { icmpType: { v6: false, types: this.SUBRULE(this.icmpTypes, { ARGS: [false] }) } }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.Icmp6Type); return { icmpType: { v6: true, types: this.SUBRULE2(this.icmpTypes, { ARGS: [true] }) } }; } },
      {
        ALT: (): Partial<PfFilterOptions> => {
          const negate = this.OPTION2(() => this.CONSUME(T.Not)) !== undefined;
          this.CONSUME(T.Tagged);
          return { tagged: { tag: this.SUBRULE(this.tagName), negate } };
        },
      },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.Tag); return { tag: this.SUBRULE2(this.tagName) }; } },
      {
        ALT: (): Partial<PfFilterOptions> => {
          const kind = this.OR3([{ ALT: () => this.CONSUME(T.Keep) }, { ALT: () => this.CONSUME(T.Modulate) }, { ALT: () => this.CONSUME(T.Synproxy) }]);
          this.CONSUME(T.State);
          const stateOptions = this.OPTION(() => this.SUBRULE(this.stateOptions)) ?? [];
          return { state: imageOf(kind) as 'keep' | 'modulate' | 'synproxy', stateOptions };
        },
      },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.No); this.CONSUME2(T.State); return { state: 'no' }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.Label); return { labels: [unquote(this.CONSUME(T.StringLit))] }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.Dnpipe); return { dnpipe: this.SUBRULE(this.pipeNumbers) }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.Dnqueue); return { dnqueue: this.SUBRULE2(this.pipeNumbers) }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.Fragment); return { fragment: true }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.AllowOpts); return { allowOpts: true }; } },
      {
        ALT: (): Partial<PfFilterOptions> => {
          this.CONSUME(T.Rtable);
          const t = this.CONSUME2(T.Word);
          return { rtable: this.ACTION(() => numberOf(t, 0, 65535, 'rtable')) };
        },
      },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.NatTo); return { natTo: this.SUBRULE(this.pool) }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.RdrTo); return { rdrTo: this.SUBRULE2(this.pool) }; } },
      { ALT: (): Partial<PfFilterOptions> => { this.CONSUME(T.BinatTo); return { binatTo: this.SUBRULE3(this.pool) }; } },
    ]),
  );
}

// Built once: chevrotain's grammar analysis is slow, and the instance holds no state
// between calls (input and errors are replaced by each call to parseStatementTokens).
const parser = new PfParser();

/** One statement's tokens (no newlines, macros expanded) to its AST node. */
export function parseStatementTokens(tokens: IToken[]): PfStatement | { error: IToken | undefined; message: string } {
  parser.input = tokens;
  const result = parser.statement();
  const err = parser.errors[0];
  parser.input = [];
  if (err) return { error: err.token, message: err.message };
  return result;
}
