import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../src/triage/taxonomy.js';
import { loadServiceCatalog, parseServiceCatalog } from '../../src/services/catalog.js';

const catalog = loadServiceCatalog();

describe('service catalogue (dialogs/services.yaml)', () => {
  it('loads, and its ids are taxonomy service ids where the taxonomy has the service', () => {
    const taxonomy = loadTaxonomy();
    const taxonomyServices = new Set(taxonomy.categories.flatMap((c) => c.services.map((s) => s.id)));
    expect(catalog.services.length).toBeGreaterThanOrEqual(5);
    const known = catalog.services.filter((s) => taxonomyServices.has(s.id)).map((s) => s.id);
    expect(known).toEqual(expect.arrayContaining(['vpn', 'wifi', 'exchange_outlook', 'sso', 'printers']));
    expect(catalog.find('vpn')?.criticality).toBe('critical');
    expect(catalog.find('nope')).toBeUndefined();
  });

  it.each([
    ['The VPN is down, cannot connect from home', 'vpn', undefined],
    ['VPN:en fungerar inte hemifrån', 'vpn', undefined],
    ['No puedo conectarme a la VPN desde casa, falla el acceso remoto', 'vpn', undefined],
    ['A VPN caiu, não consigo acessar de casa', 'vpn', undefined],
    ['the madrid gateway drops my vpn every minute', 'vpn', 'vpn-gw-mad'],
    ['Outlook does not open my inbox', 'exchange_outlook', undefined],
    ['Skrivaren på plan 3 skriver inte ut', 'printers', undefined],
  ])('names the service in %j', (text, service, ci) => {
    const match = catalog.matchText(text);
    expect(match?.service.id).toBe(service);
    expect(match?.ci?.id).toBe(ci);
    expect(match?.matched.length).toBeGreaterThan(0);
  });

  it('names no service in unrelated text', () => {
    expect(catalog.matchText('My chair is broken and the coffee machine leaks')).toBeUndefined();
  });

  it('maps Alertmanager labels to a service and CI, the most specific matcher set winning', () => {
    expect(catalog.matchLabels({ alertname: 'VpnDown', service: 'vpn', ci: 'vpn-gw-sto' })).toMatchObject({ service: { id: 'vpn' }, ci: { id: 'vpn-gw-sto' } });
    expect(catalog.matchLabels({ job: 'exchange', severity: 'critical' })?.service.id).toBe('exchange_outlook');
    expect(catalog.matchLabels({ job: 'unknown' })).toBeUndefined();
  });

  it('refuses invalid catalogues naming the offending entry', () => {
    const service = { id: 'x', name: { en: 'X', sv: 'X', es: 'X', pt: 'X' }, ownerGroup: 'G', criticality: 'high' };
    expect(() => parseServiceCatalog({ version: 1, services: [service, service] })).toThrow(/duplicate service id "x"/);
    expect(() => parseServiceCatalog({ version: 1, services: [{ ...service, criticality: 'huge' }] })).toThrow(/criticality/);
    expect(() => parseServiceCatalog({ version: 1, services: [{ ...service, audience: { email: ['not-an-address'] } }] })).toThrow(/email/);
    expect(() => parseServiceCatalog({ version: 1, services: [{ ...service, colour: 'red' }] })).toThrow(/colour/);
  });
});
