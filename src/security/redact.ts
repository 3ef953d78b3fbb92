/**
 * Removes secrets from text before it leaves for a broad audience (Slack triage channels, and any future LLM
 * call). Reporters paste passwords, tokens and card numbers into chats; agents never need them in a channel.
 * The stored incident keeps the original, visible to the reporter and through the authenticated API.
 */
const MASK = '[redacted]';

const PATTERNS: RegExp[] = [
  // PEM private keys.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // Well-known token formats: Slack, OpenAI-style, GitHub, AWS access keys, Google API keys, JWTs.
  /\bxox[abpors]-[A-Za-z0-9-]{10,}/g,
  /\bsk-[A-Za-z0-9_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/gi,
];

// "password: hunter2", "lösenord är Sommar2024", "contraseña = x", "senha: y", "PIN 1234" → keep the label.
const LABELLED = /\b(passwords?|passwd|pwd|passcode|pin|lösenord(?:et)?|contraseñas?|contrasena|clave|senhas?|api[ _-]?key|secret|token)\b(\s*(?:is|är|es|é|=|:|->)?\s*)(["']?)([^\s"',;]{3,})\3/giu;

const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;

export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, MASK);
  out = out.replace(LABELLED, (match: string, label: string, sep: string, quote: string, value: string) =>
    // "the password again" is prose; a value needs a separator ("is", ":", "=") or must look like a secret.
    !sep.trim() && !quote && /^\p{L}+$/u.test(value) ? match : `${label}${sep}${quote}${MASK}${quote}`);
  out = out.replace(CARD, (m) => (luhn(m.replace(/\D/g, '')) ? MASK : m));
  return out;
}

function luhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
