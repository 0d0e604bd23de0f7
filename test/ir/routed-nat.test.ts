import { describe, expect, it } from 'vitest';
import { isRoutedNat, logicalRouteTarget, rivalNat } from '../../src/ir/routed-nat.js';
import { rule } from '../emit/fixtures/build.js';

// Which rules 14.x can give a legacy nat on their route-to interface, and what stops it.

const snat = rule({
  id: 'from_cube.1', interface: 'sandbox_taps', direction: 'in', action: 'pass',
  translations: [{ kind: 'nat', to: { kind: 'set', set: 'pool' } }],
  routeTo: { interface: { kind: 'interface', name: 'host_nic' }, nexthop: '192.0.2.1' },
});

describe('routed nat', () => {
  it('is an inbound rule that routes and translates the source only', () => {
    expect(isRoutedNat(snat)).toBe(true);
    expect(logicalRouteTarget(snat)).toBe('host_nic');
    const { routeTo: _r, ...unrouted } = snat;
    expect(isRoutedNat(unrouted)).toBe(false);
    expect(isRoutedNat({ ...snat, direction: 'out' })).toBe(false);
    expect(isRoutedNat({ ...snat, translations: [...snat.translations, { kind: 'rdr', to: { kind: 'cidr', cidr: '10.0.0.1' } }] })).toBe(false);
    expect(isRoutedNat({ ...snat, translations: [{ kind: 'rdr', to: { kind: 'cidr', cidr: '10.0.0.1' } }] })).toBe(false);
    expect(logicalRouteTarget({ ...snat, routeTo: { interface: { kind: 'familyInterface' } } })).toBeNull();
  });

  it('has a rival in an outbound nat on its route-to interface, or on any interface when it routes to an instance', () => {
    const outNat = rule({ id: 'x.1', interface: 'host_nic', direction: 'out', action: 'pass', translations: [{ kind: 'nat', to: { kind: 'cidr', cidr: '192.0.2.9' } }] });
    const elsewhere = { ...outNat, id: 'x.2', interface: 'cube_dev' };
    const plain = rule({ id: 'x.3', interface: 'host_nic', direction: 'out', action: 'pass' });
    expect(rivalNat(snat, [snat, plain, elsewhere])).toBeUndefined();
    expect(rivalNat(snat, [snat, plain, elsewhere, outNat])?.id).toBe('x.1');
    const toInstance = { ...snat, routeTo: { interface: { kind: 'instance' as const, ifindex: 7 } } };
    expect(rivalNat(toInstance, [toInstance, elsewhere])?.id).toBe('x.2');
  });
});
