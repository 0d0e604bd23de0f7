/**
 * The parts of pf rules shared by filter, translation and anchor rules: interface specs,
 * protocols, `from ... to ...` with ports, address pools and pool types. The statement
 * rules are in pf.ts, which extends this parser.
 */
import { EmbeddedActionsParser, type TokenType } from 'chevrotain';
import { parserMessages } from './error-messages.js';
import type { PfAddress, PfHostItem, PfHostSpec, PfIfSpec, PfPool, PfPoolType, PfPortItem } from './pf-ast.js';
import * as T from './pf-tokens.js';
import { addressOf, dynamicOf, imageOf, portOf, protocolOf, syntaxError, unquote } from './pf-values.js';


export const messages = parserMessages('end of statement');

export class PfHostsParser extends EmbeddedActionsParser {
  constructor(tokens: readonly TokenType[]) {
    super(tokens as TokenType[], { maxLookahead: 3, recoveryEnabled: false, errorMessageProvider: messages });
  }

  /** `em0`, `! em0`, `{ em0, em1 }`. */
  ifSpec = this.RULE('ifSpec', (): PfIfSpec => {
    const negate = this.OPTION(() => this.CONSUME(T.Not)) !== undefined;
    const names: string[] = [];
    this.OR([
      { ALT: () => { names.push(this.SUBRULE(this.ifName)); } },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            names.push(this.SUBRULE2(this.ifName));
            this.OPTION2(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    return { negate, names };
  });

  ifName = this.RULE('ifName', (): string => this.OR([{ ALT: () => this.CONSUME(T.Word).image }, { ALT: () => this.CONSUME(T.Any).image }]));

  protoSpec = this.RULE('protoSpec', (): number[] => {
    this.CONSUME(T.Proto);
    const out: number[] = [];
    this.OR([
      { ALT: () => { const t = this.CONSUME(T.Word); this.ACTION(() => out.push(protocolOf(t))); } },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            const t = this.CONSUME2(T.Word);
            this.ACTION(() => out.push(protocolOf(t)));
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    return out;
  });

  /** An address in a rule or pool: any, a word, `<table>`, `(if)`. */
  address = this.RULE('address', (): PfAddress =>
    this.OR([
      { ALT: (): PfAddress => { this.CONSUME(T.Any); return { kind: 'any' }; } },
      {
        ALT: (): PfAddress => {
          this.CONSUME(T.Lt);
          const name = this.CONSUME(T.Word).image;
          this.CONSUME(T.Gt);
          return { kind: 'table', name };
        },
      },
      {
        ALT: (): PfAddress => {
          this.CONSUME(T.LParen);
          const t = this.CONSUME2(T.Word);
          this.CONSUME(T.RParen);
          return this.ACTION(() => dynamicOf(t));
        },
      },
      { ALT: (): PfAddress => { const t = this.CONSUME3(T.Word); return this.ACTION(() => addressOf(t)); } },
    ]),
  );

  hostItem = this.RULE('hostItem', (): PfHostItem => {
    const negate = this.OPTION(() => this.CONSUME(T.Not)) !== undefined;
    return { negate, address: this.SUBRULE(this.address) };
  });

  hostSpec = this.RULE('hostSpec', (): PfHostSpec => {
    const hosts: PfHostItem[] = [];
    this.OR([
      { ALT: () => { hosts.push(this.SUBRULE(this.hostItem)); } },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            hosts.push(this.SUBRULE2(this.hostItem));
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    const ports = this.OPTION2(() => this.SUBRULE(this.portSpec)) ?? [];
    return { hosts, ports };
  });

  portSpec = this.RULE('portSpec', (): PfPortItem[] => {
    this.CONSUME(T.Port);
    const out: PfPortItem[] = [];
    this.OR([
      { ALT: () => { out.push(this.SUBRULE(this.portItem)); } },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            out.push(this.SUBRULE2(this.portItem));
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    return out;
  });

  portItem = this.RULE('portItem', (): PfPortItem =>
    this.OR([
      {
        ALT: (): PfPortItem => {
          const op = imageOf(this.OR2([
            { ALT: () => this.CONSUME(T.Equals) },
            { ALT: () => this.CONSUME(T.NotEq) },
            { ALT: () => this.CONSUME(T.LtEq) },
            { ALT: () => this.CONSUME(T.GtEq) },
            { ALT: () => this.CONSUME(T.Lt) },
            { ALT: () => this.CONSUME(T.Gt) },
          ])) as '=' | '!=' | '<' | '<=' | '>' | '>=';
          const t = this.CONSUME(T.Word);
          return { op, port: this.ACTION(() => portOf(t)) };
        },
      },
      {
        ALT: (): PfPortItem => {
          const a = this.CONSUME2(T.Word);
          const binary = this.OPTION(() => {
            const op = imageOf(this.OR3([{ ALT: () => this.CONSUME(T.InRange) }, { ALT: () => this.CONSUME(T.OutRange) }])) as '><' | '<>';
            return { op, b: this.CONSUME3(T.Word) };
          });
          return this.ACTION((): PfPortItem => {
            if (binary) return { op: binary.op, from: portOf(a), to: portOf(binary.b) };
            const range = /^([0-9]+):([0-9]+)$/.exec(a.image);
            if (range) return { op: ':', from: portOf(a, range[1]), to: portOf(a, range[2]) };
            return { op: '=', port: portOf(a) };
          });
        },
      },
    ]),
  );

  /** `from A [port] to B [port]` (either side optional) or `all`. */
  hosts = this.RULE('hosts', (): { from: PfHostSpec; to: PfHostSpec } => {
    const anyside: PfHostSpec = { hosts: [], ports: [] };
    return this.OR([
      { ALT: () => { this.CONSUME(T.All); return { from: anyside, to: anyside }; } },
      {
        ALT: () => {
          this.CONSUME(T.From);
          const from = this.SUBRULE(this.hostSpec);
          const to = this.OPTION(() => { this.CONSUME(T.To); return this.SUBRULE2(this.hostSpec); }) ?? anyside;
          return { from, to };
        },
      },
      { ALT: () => { this.CONSUME2(T.To); return { from: anyside, to: this.SUBRULE3(this.hostSpec) }; } },
    ]);
  });

  poolType = this.RULE('poolType', (): PfPoolType =>
    this.OR([
      { ALT: (): PfPoolType => { this.CONSUME(T.RoundRobin); return 'round-robin'; } },
      { ALT: (): PfPoolType => { this.CONSUME(T.Random); return 'random'; } },
      { ALT: (): PfPoolType => { this.CONSUME(T.Bitmask); return 'bitmask'; } },
      {
        ALT: (): PfPoolType => {
          this.CONSUME(T.SourceHash);
          this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(T.Word) }, { ALT: () => this.CONSUME(T.StringLit) }]));
          return 'source-hash';
        },
      },
    ]),
  );

  /** A translation target: hosts, then `port`, pool type and flags in any order. */
  pool = this.RULE('pool', (): PfPool => {
    const hosts: PfAddress[] = [];
    this.OR([
      { ALT: () => { hosts.push(this.SUBRULE(this.address)); } },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.AT_LEAST_ONE(() => {
            hosts.push(this.SUBRULE2(this.address));
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
    let port: PfPool['port'] = null;
    let type: PfPoolType | null = null;
    let staticPort = false;
    let stickyAddress = false;
    this.MANY(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Port);
            const t = this.CONSUME(T.Word);
            port = this.ACTION(() => {
              const m = /^([0-9]+)(?::([0-9]+|\*))?$/.exec(t.image);
              if (!m) return syntaxError(t, `'${t.image}' is not a port or port range`);
              return { from: portOf(t, m[1]), to: m[2] === undefined ? null : m[2] === '*' ? '*' : portOf(t, m[2]) };
            });
          },
        },
        { ALT: () => { type = this.SUBRULE(this.poolType); } },
        { ALT: () => { this.CONSUME(T.StaticPort); staticPort = true; } },
        { ALT: () => { this.CONSUME(T.StickyAddress); stickyAddress = true; } },
      ]);
    });
    return { hosts, port, type, staticPort, stickyAddress };
  });

  /** A tag name: quoted or a bare word. */
  tagName = this.RULE('tagName', (): string => {
    const t = this.OR([{ ALT: () => this.CONSUME(T.StringLit) }, { ALT: () => this.CONSUME(T.Word) }]);
    return unquote(t);
  });
}
