#include "probe.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket") int legacy(struct __sk_buff *skb) {
  __u64 proto = load_byte(skb, 23);
  __u64 ethertype = load_half(skb, 12);
  __u64 word = load_word(skb, 14 + (skb->len & 7));
  __u64 idx = load_byte(skb, skb->mark & 0x3f);
  return proto + ethertype + word + idx;
}
