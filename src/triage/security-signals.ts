/**
 * Security signals that no single keyword carries: "an email from 'Microsoft Support' asked me to confirm my
 * password through a link and I clicked it" names a password and a link, which alone read as an account
 * problem. Families of cues (credential, lure, action, solicitation/suspicion; ransom demand, encryption,
 * renamed files) are matched on normalised text in en/sv/es/pt and combined, so paraphrases count too.
 */
import { normalizeText } from './normalize.js';

export type SecuritySignal = 'credential_phish' | 'phishing' | 'ransomware';

/** Word-start patterns over accent-free lowercase text; `\b` keeps "link" out of "linkedin"-like noise. */
const family = (...parts: string[]): RegExp => new RegExp(`\\b(?:${parts.join('|')})`, 'u');

const CREDENTIAL = family(
  'password', 'passwd', 'passcode', 'credential', 'login details', 'log in details', 'sign in details', 'username and',
  'mfa code', 'verification code', 'one time code', 'pin code',
  'losenord', 'inloggningsuppgift', 'anvandarnamn', 'bank ?id', 'engangskod',
  'contrasen', 'clave', 'credencial', 'datos de acceso', 'codigo de verificacion',
  'senha', 'credenciais', 'dados de acesso', 'codigo de verificacao',
);
/** A message that can carry a lure: someone else sent it. */
const MESSAGE = family(
  'link', 'url', 'e ?mail', 'mail', 'message', 'sms', 'text message', 'qr', 'popup', 'pop up',
  'lank', 'mejl', 'meddelande',
  'enlace', 'vinculo', 'correo', 'mensaje',
  'mensagem',
);
/** Where a credential is typed: suspicious only when the reporter says it looked wrong. */
const PAGE = family('website', 'web ?site', 'page', 'form', 'sida', 'webbsida', 'formular', 'sitio', 'pagina', 'formulario', 'site');
const ACTION = family(
  'click', 'entered', 'typed', 'gave', 'submitted', 'filled', 'put in', 'logged in', 'signed in', 'followed', 'opened', 'did it', 'did so',
  'klickade', 'klickat', 'tryckte', 'skrev in', 'angav', 'fyllde', 'loggade in', 'lamnade', 'oppnade', 'gav',
  'hice clic', 'di clic', 'clique', 'pulse', 'introduje', 'ingrese', 'escribi', 'puse', 'di mi', 'abri', 'rellene',
  'cliquei', 'clicou', 'digitei', 'inseri', 'informei', 'coloquei', 'preenchi', 'entrei',
);
/** Someone asked for the credential: what a legitimate reset never does. */
const SOLICIT = family(
  'asking me', 'asked me', 'wanted me', 'asked for my', 'requesting my', 'told me to',
  'bad mig', 'bad om mitt', 'ville att jag', 'uppmanade',
  'me pidio', 'me pedia', 'pidiendo', 'me solicit',
  'me pediu', 'me pedia', 'pedindo', 'solicitando',
);
/** The reporter finds it odd. */
const SUSPICIOUS = family(
  'phish', 'suspicious', 'fake', 'scam', 'fraud', 'strange', 'weird', 'pretend', 'claiming', 'spoof', 'looked wrong', 'not real',
  'natfiske', 'misstankt', 'konstig', 'falsk', 'bedrag',
  'suplant', 'sospechos', 'falso', 'extran', 'estafa', 'fraude',
  'suspeit', 'estranh', 'golpe',
);
const RANSOM_DEMAND = family(
  'ransom', 'bitcoin', 'btc', 'monero', 'crypto ?wallet', 'pay to (?:decrypt|unlock|get)',
  'losensumma', 'losenbrev', 'losen (?:for|att)', 'losenkrav',
  'rescate', 'pagar para descifrar',
  'resgate', 'pagar para descriptografar',
);
const ENCRYPTED = family('encrypt', 'krypter', 'cifrad', 'encriptad', 'criptograf', 'cifrou', 'cifraron');
const RENAMED = family('renamed', 'rename', 'extension', 'bytt namn', 'bytte namn', 'dopts om', 'andelse', 'filandelse', 'renombr', 'renome', 'extensao');
/** ".locked", ".lockbit", ".crypt", ".enc" after a file-ish word: the raw text keeps the dot that normalising drops. */
const LOCKED_EXTENSION = /(?:^|[\s'"(])\.(?:locked|lockbit|crypt\w*|encrypted|cry|wncry|ryk|conti)\b/iu;

/** The strongest security signal in a report, or null. */
export function securitySignal(raw: string): SecuritySignal | null {
  const text = normalizeText(raw);
  const demand = RANSOM_DEMAND.test(text);
  const encrypted = ENCRYPTED.test(text);
  const renamed = RENAMED.test(text) || LOCKED_EXTENSION.test(raw);
  if (demand || (encrypted && renamed) || LOCKED_EXTENSION.test(raw)) return 'ransomware';
  if (!CREDENTIAL.test(text)) return null;
  const suspicious = SUSPICIOUS.test(text);
  const lured = MESSAGE.test(text) ? suspicious || SOLICIT.test(text) : PAGE.test(text) && suspicious;
  if (!lured) return null;
  return ACTION.test(text) ? 'credential_phish' : 'phishing';
}

/** Taxonomy service and handling for a signal; impact floors make a live compromise P1/P2 whatever "only me" says. */
export const SIGNAL_ROUTING: Record<SecuritySignal, { service: string; minImpact: 1 | 2 | 3 }> = {
  // Ransomware spreads through shares: treat it as affecting many from the start.
  ransomware: { service: 'malware', minImpact: 1 },
  // A password typed into a phishing page is a compromised account that can reach others' data.
  credential_phish: { service: 'phishing', minImpact: 2 },
  phishing: { service: 'phishing', minImpact: 3 },
};
