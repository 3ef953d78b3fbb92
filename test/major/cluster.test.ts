import { describe, expect, it } from 'vitest';
import { clusterAction, decideCluster, saysOutage } from '../../src/major/cluster.js';
import { clusterStream } from '../../src/major/cluster-eval.js';
import { DEFAULT_THRESHOLD, DEFAULT_WINDOW_MINUTES } from '../../src/major/settings.js';
import { loadServiceCatalog } from '../../src/services/catalog.js';
import { outageStream } from '../fixtures/major/outage-stream.js';

const catalog = loadServiceCatalog();
const options = {
  catalog,
  thresholdFor: (id: string) => DEFAULT_THRESHOLD[catalog.find(id)!.criticality],
  windowMsFor: (id: string) => DEFAULT_WINDOW_MINUTES[catalog.find(id)!.criticality] * 60_000,
};
const at = (min: number) => new Date(Date.UTC(2026, 11, 3, 9, min));
const member = (id: string, text: string, min: number, groupId: string | null = null, ciId: string | null = null) => ({ id, text, serviceId: 'vpn', ciId, at: at(min), groupId });

describe('clustering decisions', () => {
  it.each([13, 7, 2026])('links the 300-report outage stream (seed %i) with precision ≥ 0.95 and recall ≥ 0.9', (seed) => {
    const stream = outageStream(seed);
    expect(stream.filter((r) => r.truth === 'vpn-outage')).toHaveLength(300);
    expect(new Set(stream.map((r) => r.language))).toEqual(new Set(['en', 'sv', 'es', 'pt']));
    const result = clusterStream(stream, options);
    expect(result.precision).toBeGreaterThanOrEqual(0.95);
    expect(result.recall).toBeGreaterThanOrEqual(0.9);
    // The two outages stay apart, and no request ("install the VPN client") is pulled into either.
    const groupsOf = (truth: string | null) => new Set(stream.filter((r) => r.truth === truth).map((r) => result.groups.get(r.id)).filter(Boolean));
    expect(groupsOf('vpn-outage').size).toBe(1);
    expect(groupsOf('mail-outage').size).toBe(1);
    expect([...groupsOf('vpn-outage')][0]).not.toBe([...groupsOf('mail-outage')][0]);
    expect(groupsOf(null).size).toBe(0);
  });

  it('is deterministic: the same stream gives the same groups and reasons', () => {
    const a = clusterStream(outageStream(5), options);
    const b = clusterStream(outageStream(5), options);
    expect([...a.groups]).toEqual([...b.groups]);
    expect([...a.reasons]).toEqual([...b.reasons]);
  });

  it('explains why a report joins, seeds, or stays out', () => {
    const members = [member('a', 'The VPN is down, cannot connect', 1, 'mi-1'), member('b', 'VPN not working since 9am', 2)];
    const joined = decideCluster({ id: 'n', text: 'VPN:en ligger nere, kan inte ansluta', serviceId: 'vpn', ciId: null, at: at(5) }, members, { windowMs: 30 * 60_000 });
    expect(joined.join).toBe('mi-1');
    expect(joined.reason).toMatch(/same service vpn, text \d+% similar to a, both say it is failing/);

    const request = decideCluster({ id: 'n', text: 'Please install the VPN client on my new laptop', serviceId: 'vpn', ciId: null, at: at(5) }, members, { windowMs: 30 * 60_000 });
    expect(request).toMatchObject({ join: null, peers: [] });
    expect(request.reason).toMatch(/does not say vpn is failing/);

    const late = decideCluster({ id: 'n', text: 'The VPN is down', serviceId: 'vpn', ciId: null, at: at(59) }, members, { windowMs: 30 * 60_000 });
    expect(late.reason).toMatch(/no recent report of vpn within the window/);

    const otherCi = decideCluster({ id: 'n', text: 'The VPN is down', serviceId: 'vpn', ciId: 'vpn-gw-mad', at: at(5) }, [member('a', 'The VPN is down', 1, 'mi-1', 'vpn-gw-sto')], { windowMs: 30 * 60_000 });
    expect(otherCi.join).toBeNull();

    const none = decideCluster({ id: 'n', text: 'my chair is broken', serviceId: null, ciId: null, at: at(5) }, members, { windowMs: 30 * 60_000 });
    expect(none.reason).toBe('no service recognised in the report');
  });

  it('joins a group with a firing alert on a failure report alone, and seeds a group at the threshold', () => {
    const members = [member('alert', 'VpnGatewayDown: vpn-gw-sto unreachable', 0, 'mi-9')];
    const decision = decideCluster({ id: 'n', text: 'no puedo conectar a la VPN', serviceId: 'vpn', ciId: null, at: at(3) }, members, { windowMs: 30 * 60_000, alertGroups: new Set(['mi-9']) });
    expect(decision).toMatchObject({ join: 'mi-9' });
    expect(decision.reason).toMatch(/firing monitoring alert/);

    const seeds = decideCluster({ id: 'n', text: 'VPN is down for me too', serviceId: 'vpn', ciId: null, at: at(3) }, [member('a', 'The VPN is down', 1), member('b', 'vpn down, cannot connect', 2)], { windowMs: 30 * 60_000 });
    expect(seeds.peers).toEqual(['a', 'b']);
    expect(clusterAction(seeds, 3)).toEqual({ kind: 'create', members: ['a', 'b'] });
    expect(clusterAction(seeds, 4)).toEqual({ kind: 'none' });
  });

  it.each([
    ['VPN:en ligger nere', true], ['la VPN está caída', true], ['a VPN caiu', true], ['Outlook is down', true],
    ['Please install the VPN client', false], ['How do I set up an out of office reply?', false],
  ])('reads %j as a failure: %s', (text, expected) => {
    expect(saysOutage(text)).toBe(expected);
  });
});
