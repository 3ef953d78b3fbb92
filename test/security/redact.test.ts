import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/security/redact.js';

describe('secret redaction before relaying to broad channels', () => {
  it.each([
    ['my password is hunter22, please reset', 'my password is [redacted], please reset'],
    ['Mitt lösenord är Sommar2024! funkar inte', 'Mitt lösenord är [redacted] funkar inte'],
    ['mi contraseña: "Perro.123"', 'mi contraseña: "[redacted]"'],
    ['minha senha = abc12345', 'minha senha = [redacted]'],
    ['token xoxb-1234567890-abcdefghij in the log', 'token [redacted] in the log'],
    ['key AKIAIOSFODNN7EXAMPLE leaked', 'key [redacted] leaked'],
    ['card 4111 1111 1111 1111 was charged', 'card [redacted] was charged'],
    ['Authorization: Bearer abcdefghijklmnop1234', 'Authorization: [redacted]'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary reports alone', () => {
    for (const text of [
      'VPN drops every 10 minutes since 2024-03-04',
      'Printer on floor 3 (HP 4250) jams; asset tag 1234 5678',
      'Ticket INC-000123 is still open, phone ext 4455',
      'I forgot my password',
      'Outlook asks for the password again and again',
    ]) expect(redactSecrets(text)).toBe(text);
  });

  it('masks PEM private keys and JWTs', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    expect(redactSecrets(`here: ${pem}`)).toBe('here: [redacted]');
    expect(redactSecrets('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toBe('jwt [redacted]');
  });
});
