import { BPF_EXIST, BPF_NOEXIST, E } from './errno.js';
import { newValue, type QueueStackModel } from './model.js';

/**
 * QUEUE and STACK (kernel/bpf/queue_stack_maps.c): push fails with E2BIG when full unless
 * BPF_EXIST asks to overwrite the oldest element; pop and peek fail with ENOENT when empty.
 */
export function queuePush(m: QueueStackModel, value: Uint8Array, flags: number): number {
  if (flags & BPF_NOEXIST || flags > BPF_EXIST) return -E.INVAL;
  if (m.items.length >= m.def.maxEntries) {
    if (!(flags & BPF_EXIST)) return -E.E2BIG;
    m.items.shift();
  }
  m.items.push(newValue(m.def, value));
  return 0;
}

/** The element pop or peek returns, undefined when empty. */
export function queueFront(m: QueueStackModel): Uint8Array | undefined {
  return m.stack ? m.items[m.items.length - 1] : m.items[0];
}

export function queuePop(m: QueueStackModel): Uint8Array | undefined {
  return m.stack ? m.items.pop() : m.items.shift();
}

/** Elements in the order pop would return them. */
export function queuePopOrder(m: QueueStackModel): Uint8Array[] {
  return m.stack ? [...m.items].reverse() : [...m.items];
}
