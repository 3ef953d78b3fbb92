import { describe, expect, it } from 'vitest';
import { securitySignal } from '../../src/triage/security-signals.js';
import { loadTaxonomy } from '../../src/triage/taxonomy.js';
import { createTriage } from '../../src/triage/triage.js';

const triage = createTriage({ taxonomy: loadTaxonomy() });

/** Combinations of cue families, not exact phrases: paraphrases in all four languages count. */
describe('security signals', () => {
  it.each([
    ["I got an email from 'Microsoft Support' asking me to confirm my password through a link and I clicked it", 'credential_phish'],
    ["Jag fick ett mejl från 'Microsoft Support' som bad mig bekräfta mitt lösenord via en länk och jag klickade på den", 'credential_phish'],
    ["Recibí un correo de 'Soporte de Microsoft' que me pedía confirmar mi contraseña con un enlace y hice clic", 'credential_phish'],
    ["Recebi um e-mail do 'Suporte Microsoft' pedindo para confirmar minha senha por um link e cliquei nele", 'credential_phish'],
    ['I typed my password into a fake Microsoft login page', 'credential_phish'],
    ['Someone sent me a weird SMS about my bank ID and I entered the code', 'credential_phish'],
    ['A suspicious email asked me to verify my password', 'phishing'],
    ['all files on the shared drive got renamed to .locked and there is a ransom note', 'ransomware'],
    ['Alla filer på den delade disken har bytt namn och det ligger ett lösenbrev där', 'ransomware'],
    ['Todos los archivos de la unidad compartida están cifrados y piden un rescate en bitcoin', 'ransomware'],
    ['Todos os arquivos foram criptografados e renomeados, há um pedido de resgate', 'ransomware'],
    ['my documents were encrypted and their extension changed', 'ransomware'],
  ])('%s → %s', (text, signal) => {
    expect(securitySignal(text)).toBe(signal);
  });

  it.each([
    'I forgot my password and the reset link in the email has expired',
    'I clicked the password reset link but it says the link expired',
    'Outlook keeps asking for my password',
    'Jag har glömt mitt lösenord',
    'I need access to the shared drive',
    'I renamed a file and now Excel cannot open it',
    'No puedo cambiar mi contraseña en la página de perfil',
    'I cannot decrypt an S/MIME email from a customer',
  ])('no signal: %s', (text) => {
    expect(securitySignal(text)).toBeNull();
  });

  it('routes a signal to Security, confidential, with floors whatever category the words scored for', () => {
    expect(triage("I got an email from 'Microsoft Support' asking me to confirm my password through a link and I clicked it")).toMatchObject({
      category: 'security', service: 'phishing', assignmentGroup: 'Security Operations', confidential: true, minUrgency: 'high', minImpact: 2,
    });
    expect(triage('all files on the shared drive got renamed to .locked and there is a ransom note')).toMatchObject({
      category: 'security', service: 'malware', confidential: true, minUrgency: 'critical', minImpact: 1,
    });
    expect(triage('I forgot my password').category).toBe('account_access');
  });
});
