/**
 * Emit every fixture, parse every emitted pf file back with src/pf, and check that the
 * parsed statements mean what the IR says: for each IR rule (and each family instance),
 * the rule labelled with its id has the IR's interface, direction, quick, action, family,
 * protocols, addresses and tables, ports, flags, icmp-type, tags, state, dnpipe,
 * route-to and translation; tables hold the IR's contents; options and anchor calls are
 * where the IR puts them. 14.x fixtures are checked against pf's legacy semantics: the
 * translation rule tests the IR's criteria and the filter rule the translated packet.
 */
import { describe, it } from 'vitest';
import { checkEmission } from './check-parsed.js';
import { FIXTURES } from './fixtures/index.js';

describe('emitted pf files mean what the IR says', () => {
  for (const [name, ir] of Object.entries(FIXTURES)) {
    it(name, () => checkEmission(ir));
  }
});
