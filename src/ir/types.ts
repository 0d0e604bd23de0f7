/**
 * PolicyIR: what the eBPF programs mean, in terms a packet filter can express. Plain
 * JSON-serialisable data (numbers, strings, arrays, records; no bigint), versioned, in a
 * deterministic order. Produced by the recognisers (src/lift), consumed by the emitters
 * (src/emit/*), the report (src/report) and the IR evaluator (src/ir/evaluate.ts).
 *
 * Names that reach pf.conf (sets, families, instances, tags, interfaces) are validated
 * when the IR is built (src/ir/names.ts): an object can never inject text into a rule.
 */
export const IR_VERSION = 1;

export interface PolicyIR {
  readonly version: typeof IR_VERSION;
  readonly target: IrTarget;
  readonly inputs: readonly IrInput[];
  readonly interfaces: readonly IrInterface[];
  readonly sets: readonly IrSet[];
  readonly families: readonly IrFamily[];
  /** In evaluation order: first match decides (every deciding rule is `quick`). */
  readonly rules: readonly IrRule[];
  readonly pipes: readonly IrPipe[];
  readonly classifiers: readonly IrClassifier[];
  readonly state: IrState;
  readonly controlPlane: readonly IrControlPlane[];
  readonly findings: readonly Finding[];
  readonly coverage: readonly ProgramCoverage[];
}

export interface IrTarget {
  readonly os: 'freebsd';
  /** '15.0' or a 14.x release: 14.x has no nat-to/rdr-to on filter rules. */
  readonly release: string;
}

export interface IrInput {
  /** As given on the command line. */
  readonly object: string;
  readonly sha256: string;
  readonly programs: readonly string[];
}

/** A logical interface of the profile and the FreeBSD interface (or group) it is. */
export interface IrInterface {
  /** A pf macro name: [A-Za-z_][A-Za-z0-9_]*. */
  readonly name: string;
  readonly freebsd: string;
  readonly group: boolean;
  /** The Linux ifindex the objects use for it, when there is one. */
  readonly ifindex: number | null;
}

export type IrScope = { readonly kind: 'global' } | { readonly kind: 'family'; readonly family: string };

/** An address set from a map: a pf table. */
export interface IrSet {
  /** pf table name (at most 31 characters, validated). */
  readonly name: string;
  readonly scope: IrScope;
  /** The map the set mirrors, and the key field holding the address. */
  readonly source: { readonly map: string; readonly keyField: string; readonly inner: boolean };
  readonly element: 'ipv4' | 'ipv6';
  /**
   * Entries whose value must satisfy a condition to belong (e.g. an allow entry that
   * also carries the L7 flag): a human-readable statement, or null for "any entry".
   */
  readonly valueCondition: string | null;
  /** Global sets: contents from the map snapshot, CIDR-normalised. Family sets: per instance. */
  readonly contents: readonly string[];
}

/**
 * Rules and sets instantiated once per key of a map keyed by the interface's ifindex:
 * one pf anchor per instance (a sandbox), loaded and reloaded as a unit.
 */
export interface IrFamily {
  /** Anchor path prefix component, e.g. 'coppice'. */
  readonly name: string;
  /** The map whose keys are the instances (a lookup that must hit for traffic to pass). */
  readonly keyedBy: { readonly map: string; readonly keyField: string };
  /** The logical interface (a group) whose members the instances are. */
  readonly interface: string;
  readonly instances: readonly IrFamilyInstance[];
}

export interface IrFamilyInstance {
  /** The key in the map, hex in the object's byte order. */
  readonly key: string;
  readonly ifindex: number;
  /** Anchor component and FreeBSD interface name (validated). */
  readonly name: string;
  readonly interface: string;
  /** Per-instance values rules refer to (`familyValue` addresses), e.g. { ip: '10.0.0.3' }. */
  readonly values: Readonly<Record<string, string>>;
  /** Contents of each family set for this instance. */
  readonly sets: Readonly<Record<string, readonly string[]>>;
}

export type IrAddress =
  | { readonly kind: 'any' }
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'set'; readonly set: string }
  /** A per-instance value of the rule's family (e.g. the sandbox's host-side address). */
  | { readonly kind: 'familyValue'; readonly field: string }
  /** The address(es) of an interface, `(vtnet0)` in pf. */
  | { readonly kind: 'interface'; readonly interface: string };

export interface IrAddressMatch {
  readonly address: IrAddress;
  readonly negate: boolean;
}

export type IrPortMatch =
  | { readonly op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; readonly port: number }
  | { readonly op: 'range'; readonly from: number; readonly to: number }
  /** Ports listed in a set of the rule's family (pf: a `{ }` list rendered per instance). */
  | { readonly op: 'familySet'; readonly set: string };

export interface IrMatch {
  readonly af?: 'inet' | 'inet6';
  readonly proto?: readonly number[];
  readonly src?: IrAddressMatch;
  readonly dst?: IrAddressMatch;
  readonly srcPort?: IrPortMatch;
  readonly dstPort?: IrPortMatch;
  /** TCP flags: the bits of `mask` must equal `set` (pf `flags S/SA` is set S, mask SA). */
  readonly tcpFlags?: { readonly set: number; readonly mask: number };
  readonly icmpType?: { readonly type: number; readonly code?: number };
  readonly tagged?: { readonly tag: string; readonly negate: boolean };
  /** Only fragments (true) or never fragments (false). */
  readonly fragment?: boolean;
}

export type IrTranslation =
  /** Source rewrite: to an address (or the interface's), with an optional port range. */
  | {
      readonly kind: 'nat';
      readonly to: IrAddress;
      readonly ports?: { readonly from: number; readonly to: number };
      /** The source port stays as it is (pf `static-port`); never with `ports`. */
      readonly staticPort?: boolean;
    }
  /** Destination rewrite. */
  | { readonly kind: 'rdr'; readonly to: IrAddress; readonly port?: number }
  /** One-to-one address rewrite both ways. */
  | { readonly kind: 'binat'; readonly to: IrAddress };

export interface IrRoute {
  /** A logical interface, or the rule's family instance interface. */
  readonly interface:
    | { readonly kind: 'interface'; readonly name: string }
    | { readonly kind: 'familyInterface' }
    /** The family instance with this Linux ifindex (a map entry named it: host-port forwarding). */
    | { readonly kind: 'instance'; readonly ifindex: number };
  readonly nexthop?: string;
}

export type Fidelity = { readonly level: 'exact' } | { readonly level: 'approximate'; readonly reason: string };

/** Where a rule came from: follow it back to the instructions and source lines. */
export interface Provenance {
  readonly object: string;
  readonly program: string;
  readonly section: string;
  /** Slots of the instructions that decided (guards) and acted (effects, the exit). */
  readonly slots: readonly number[];
  readonly sources: readonly { readonly file: string; readonly line: number }[];
}

export interface IrRule {
  /** Stable: program name and a sequence number. */
  readonly id: string;
  readonly program: string;
  readonly scope: IrScope;
  /** A logical interface name; family rules are rendered on the instance's interface. */
  readonly interface: string;
  readonly direction: 'in' | 'out';
  readonly action: 'pass' | 'block' | 'match';
  readonly quick: boolean;
  readonly match: IrMatch;
  readonly translations: readonly IrTranslation[];
  readonly routeTo?: IrRoute;
  readonly tag?: string;
  /** A dummynet pipe (IrPipe id) shaping this rule's traffic. */
  readonly dnpipe?: number;
  /** Pass packets with IP options too (pf `allow-opts`; without it a pass rule drops them). */
  readonly allowOpts?: boolean;
  readonly keepState: boolean;
  readonly fidelity: Fidelity;
  readonly provenance: readonly Provenance[];
  /** One line for the emitted comment: what the program did. */
  readonly note: string;
}

/** A dummynet pipe; for family scope one per instance, rate from the instance's map entry. */
export interface IrPipe {
  readonly id: number;
  readonly scope: IrScope;
  readonly name: string;
  /** bytes per second as the map holds it, or a constant. */
  readonly rate: { readonly kind: 'map'; readonly map: string; readonly field: string } | { readonly kind: 'const'; readonly bytesPerSecond: number };
  readonly burstBytes?: number;
  readonly delayMs?: number;
  readonly fidelity: Fidelity;
}

/**
 * An ng_bpf classifier (classic BPF over the frame) on an interface's ng_ether hook.
 * `lower` takes the frames the interface receives (from the wire; on a TAP, what the VM
 * sends), `upper` the frames the host sends out of it.
 */
export interface IrClassifier {
  readonly name: string;
  /**
   * Global: one node on `interface`. Family: one node per instance of the family, on the
   * instance's interface (IrFamilyInstance.interface); `interface` is then the family's
   * logical interface (a group), as for its rules.
   */
  readonly scope: IrScope;
  readonly interface: string;
  readonly hook: 'lower' | 'upper';
  /** The predicate in the small language the cBPF code generator compiles. */
  readonly predicate: string;
  readonly onMatch: 'pass' | 'drop';
  readonly onMiss: 'pass' | 'drop';
  readonly fidelity: Fidelity;
  readonly provenance: readonly Provenance[];
}

export interface IrState {
  /** pf timeout name -> seconds. */
  readonly timeouts: Readonly<Record<string, number>>;
  /** pf limit name -> value. */
  readonly limits: Readonly<Record<string, number>>;
  /** pf reassembles IP fragments before filtering (`set reassemble yes`): rules see whole datagrams. */
  readonly reassemble: boolean;
}

/** What a control plane's map updates become on FreeBSD. */
export interface IrControlPlane {
  readonly map: string;
  readonly role: string;
  readonly operations: readonly { readonly change: 'insert' | 'delete' | 'replace'; readonly becomes: string }[];
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * Where in the C source a finding is (BTF line info): the line's number and its text,
 * whitespace collapsed ("" when the object records none).
 */
export interface FindingSource {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

export interface Finding {
  /** Stable, e.g. B2P-UNTRANSLATABLE-HELPER. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly object: string | null;
  readonly program: string | null;
  readonly section: string | null;
  readonly slot: number | null;
  readonly source: FindingSource | null;
  /** The eBPF construct, e.g. "bpf_fib_lookup", "DNS parser tail-call chain". */
  readonly construct: string;
  /** What to do on FreeBSD instead. */
  readonly suggestion: string;
}

export interface ProgramCoverage {
  readonly object: string;
  readonly program: string;
  readonly paths: { readonly total: number; readonly exact: number; readonly approximate: number; readonly untranslated: number };
  readonly instructions: { readonly total: number; readonly covered: number };
}
