import { fail } from '../../errors.js';
import { addRegion, markTaint, readValue, regionHi, writeValue, type ContextAccess, type Memory } from '../memory/memory.js';
import { testRunSocket } from './skb-setup.js';
import { SKB, type SkbState } from './skb-state.js';

/**
 * Loads and stores through a tc program's `__sk_buff *`, with the verifier's rules
 * (tc_cls_act_is_valid_access, bpf_skb_is_valid_access; reference §3.5, §5.1): offsets
 * aligned to the access size; data, data_end and data_meta read as 4-byte loads that
 * yield 64-bit packet pointers; tstamp and hwtstamp 8 bytes only; cb[] any size; other
 * fields readable with narrow loads, writable (mark, priority, tc_index, tc_classid,
 * queue_mapping, cb, tstamp) only at full width; family..local_port, flow_keys and the
 * padding not at all. Anything else is VM_BAD_CONTEXT, which the verifier would reject.
 */
export function skbContextAccess(skb: SkbState): ContextAccess {
  return {
    load(mem, off, size, signExtend, slot) {
      const bad = (): never => badContext(mem, slot, off, size, 'read');
      if (off % size !== 0) bad();
      if (off >= SKB.cb && off < SKB.hash) {
        if (off + size > SKB.hash) bad();
      } else if ((off >= SKB.data && off < SKB.napi_id) || (off >= SKB.data_meta && off < SKB.flow_keys)) {
        if (size !== 4) bad();
        mem.vlo = off === SKB.data_end ? skb.packet.end : skb.packet.start;
        mem.vhi = regionHi(skb.packet);
        mem.vtaint = 0;
        return;
      } else if (off >= SKB.family && off < SKB.data_meta) bad();
      else if (off >= SKB.flow_keys && off < SKB.tstamp) bad();
      else if (off === SKB.tstamp || off === SKB.hwtstamp) {
        if (size !== 8) bad();
      } else if (off >= SKB.tstamp && off < SKB.wire_len) bad();
      else if (off === SKB.sk) {
        if (size !== 8) bad();
        skb.sock ??= addRegion(mem, 'plain', 'test_run socket (struct bpf_sock)', testRunSocket(skb, mem.littleEndian), false, {
          handle: { socket: { protocol: 0, listener: false } },
        });
        mem.vlo = 0;
        mem.vhi = regionHi(skb.sock);
        mem.vtaint = 0;
        return;
      } else if (off > SKB.sk && off < SKB.gso_size) bad();
      else if (off === SKB.tstamp_type) {
        if (size !== 1) bad();
      } else if (off > SKB.tstamp_type && off < SKB.hwtstamp) bad();
      else if (off > SKB.hwtstamp) bad();
      else if (size > 4) bad();
      readValue(mem, skb.ctx, off, size, signExtend);
      const t = skb.ctx.taint;
      mem.vtaint = t !== null && t.subarray(off, off + size).some((x) => x !== 0) ? 1 : 0;
    },
    store(mem, off, size, lo, hi, taint, slot) {
      const bad = (): never => badContext(mem, slot, off, size, 'write');
      if (off % size !== 0) bad();
      if (off >= SKB.cb && off < SKB.hash) {
        if (off + size > SKB.hash) bad();
        writeValue(mem, skb.ctx, off, size, lo, hi);
      } else if (off === SKB.tstamp) {
        if (size !== 8) bad();
        writeValue(mem, skb.ctx, off, 8, lo, hi);
      } else {
        if (size !== 4) bad();
        switch (off) {
          case SKB.mark:
          case SKB.priority:
            writeValue(mem, skb.ctx, off, 4, lo, 0);
            break;
          case SKB.tc_index:
          case SKB.tc_classid:
            // u16 in the skb (tc_index, the qdisc cb's tc_classid): the upper half is lost.
            writeValue(mem, skb.ctx, off, 4, lo & 0xffff, 0);
            break;
          case SKB.queue_mapping:
            // The rewrite skips values >= NO_QUEUE_MAPPING (0xffff) and stores a u16.
            if (hi === 0 && lo < 0xffff) writeValue(mem, skb.ctx, off, 4, lo, 0);
            return;
          default:
            bad();
        }
      }
      markTaint(skb.ctx, off, size, taint);
    },
  };
}

function badContext(mem: Memory, slot: number, off: number, size: number, what: string): never {
  fail('VM_BAD_CONTEXT', `${mem.section}+${slot}: invalid __sk_buff ${what} of ${size} bytes at offset ${off} (the verifier rejects it)`);
}

/** Names of the `__sk_buff` fields covering [off, off + size), for taint reports. */
export function skbFieldName(off: number): string {
  const names: [number, string][] = [
    [SKB.len, 'len'], [SKB.pkt_type, 'pkt_type'], [SKB.mark, 'mark'], [SKB.queue_mapping, 'queue_mapping'],
    [SKB.protocol, 'protocol'], [SKB.vlan_present, 'vlan_present'], [SKB.vlan_tci, 'vlan_tci'],
    [SKB.vlan_proto, 'vlan_proto'], [SKB.priority, 'priority'], [SKB.ingress_ifindex, 'ingress_ifindex'],
    [SKB.ifindex, 'ifindex'], [SKB.tc_index, 'tc_index'], [SKB.cb, 'cb[0]'], [SKB.cb + 4, 'cb[1]'],
    [SKB.cb + 8, 'cb[2]'], [SKB.cb + 12, 'cb[3]'], [SKB.cb + 16, 'cb[4]'], [SKB.hash, 'hash'],
    [SKB.tc_classid, 'tc_classid'], [SKB.napi_id, 'napi_id'], [SKB.tstamp, 'tstamp'], [SKB.wire_len, 'wire_len'],
    [SKB.gso_segs, 'gso_segs'], [SKB.gso_size, 'gso_size'], [SKB.tstamp_type, 'tstamp_type'], [SKB.hwtstamp, 'hwtstamp'],
  ];
  let best = `offset ${off}`;
  for (const [o, n] of names) if (o <= off) best = n;
  return best;
}
