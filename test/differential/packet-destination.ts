/**
 * Where a packet goes after one program or one pf rule pass, in terms both sides share:
 * - `drop`;
 * - `stack`: on into the host's own stack (tc TC_ACT_OK or TC_ACT_UNSPEC; a pf pass with
 *   no route-to), which delivers or forwards it by its routing table;
 * - `out`: sent out of an interface (bpf_redirect without BPF_F_INGRESS; pf route-to);
 * - `in`: received anew on an interface (bpf_redirect with BPF_F_INGRESS). pf has no
 *   such thing: a pass with no route whose destination is an address of that interface
 *   (local delivery) is its counterpart.
 */
export type PacketDestination =
  | { readonly kind: 'drop' }
  | { readonly kind: 'stack' }
  | { readonly kind: 'out'; readonly ifindex: number }
  | { readonly kind: 'in'; readonly ifindex: number };

export function describeDestination(d: PacketDestination): string {
  switch (d.kind) {
    case 'drop':
    case 'stack':
      return d.kind;
    case 'out':
      return `out of ifindex ${d.ifindex}`;
    case 'in':
      return `in on ifindex ${d.ifindex}`;
    default: {
      const never: never = d;
      return never;
    }
  }
}
