/**
 * Multilingual markers of quoted history and signatures, as written by Outlook, Gmail, Apple Mail, Thunderbird
 * and mobile clients. Kept apart from the splitting logic so a new language is a one-line change.
 */

/** Verbs closing an attribution line: "On <date>, <name> wrote:". */
const WROTE = [
  'wrote', 'writes', 'has written', // en
  'skrev', 'skriver', 'skrev følgende', // sv, da, no
  'escribió', 'escribio', // es
  'escreveu', // pt
  'schrieb', 'hat geschrieben', // de
  'a écrit', 'a ecrit', // fr
  'ha scritto', 'scrisse', // it
  'schreef', 'heeft geschreven', // nl
  'kirjoitti', // fi
  'napisał', 'napisała', 'napisał\\(a\\)', // pl
  'napsal', 'napsala', 'napísal', // cs, sk
  'írta', // hu
  'написал', 'написала', 'пишет', // ru
  '寫道', '写道', // zh
];

/** An attribution line, possibly wrapped over up to three lines and joined with spaces before testing. */
export const ATTRIBUTION = new RegExp(`^.{0,250}(?<!\\p{L})(?:${WROTE.join('|')})\\s*(?:\\(.{0,40}\\))?\\s*[:：]\\s*$`, 'iu');
/** The verb followed by the sender's address, wrapped: "schreef Company <\nq@company.com>:". */
export const ATTRIBUTION_VERB_THEN_ADDRESS = new RegExp(
  `^.{0,200}(?<!\\p{L})(?:${WROTE.join('|')})(?!\\p{L}).{0,120}@.{0,120}[:：]\\s*$`,
  'iu',
);
/** No verb at all: "30.09.2017, 18.30, "John" <j@x.com>:" / "ср, 30 апр. 2025 г. в 15:19, John <j@x.com>:". */
export function isDateAddressAttribution(line: string): boolean {
  const t = line.trim();
  // Cheap checks first: this runs on every line of every mail and the address pattern backtracks.
  if (t.length > 400 || !/[:：]$/.test(t) || !t.includes('@') || !/\d/.test(t)) return false;
  return /(?:^|[\s<(,"])<?[^\s<>@()"]+@[^\s<>@()"]+\.[^\s<>@()"]+>?\)?\s*[:：]$/u.test(t);
}
/** "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote" without the colon. */
export const ATTRIBUTION_NO_COLON = new RegExp(
  `^\\s*(?:on|den|el|em|am|le|il|op)\\b.{0,200}\\d.{0,200}(?<!\\p{L})(?:${WROTE.join('|')})\\s*$`,
  'iu',
);
/** Japanese clients put the verb first: "2024年12月4日(水) 18:36 Person <a@b>:". */
export const ATTRIBUTION_JA = /^\s*\d{4}年\d{1,2}月\d{1,2}日.{0,200}[:：]\s*$/u;
/** Attribution lines mention a date, time or address; that keeps "Bob wrote:" in prose from matching. */
export const ATTRIBUTION_EVIDENCE = /\d|@|^\s*(on|den|el|em|am|le|il|op|w dniu|dne)\b/i;

const FROM_KEYS = [
  'From', 'Från', 'De', 'Von', 'Van', 'Da', 'Fra', 'Od', 'Lähettäjä', 'Feladó', 'От', 'Afsender', 'Remitente',
  '发件人', '寄件者', '差出人',
];
const OTHER_KEYS = [
  'Sent', 'Date', 'To', 'Subject', 'Cc', 'Reply-To',
  'Skickat', 'Datum', 'Till', 'Ämne', 'Kopia', // sv
  'Enviado', 'Fecha', 'Para', 'Asunto', 'CC', // es, pt
  'Data', 'Assunto', // pt
  'Gesendet', 'An', 'Betreff', 'Kopie', // de
  'Envoyé', 'À', 'A', 'Objet', 'Date d\'envoi', 'Sujet', 'Copie à', // fr, it
  'Inviato', 'Oggetto', // it
  'Verzonden', 'Aan', 'Onderwerp', // nl
  'Sendt', 'Til', 'Emne', // da, no
  'Lähetetty', 'Vastaanottaja', 'Aihe', // fi
  'Wysłane', 'Wysłano', 'Do', 'Temat', // pl
  'Odesláno', 'Komu', 'Předmět', // cs
  'Elküldve', 'Címzett', 'Tárgy', 'Dátum', // hu
  'Отправлено', 'Кому', 'Тема', 'Дата', // ru
  '发送时间', '收件人', '主题', '送信日時', '宛先', '件名',
];
const key = (keys: string[]): string => `^\\s*[*_]?(?:${keys.join('|')})[*_]?\\s*[:：]`;
/** First line of an Outlook-style header block ("From: …" / "Från: …" / "De : …"). */
export const HEADER_FROM = new RegExp(key(FROM_KEYS), 'iu');
/** Any other line of such a block. */
export const HEADER_OTHER = new RegExp(key(OTHER_KEYS), 'iu');

/** "-----Original Message-----", "---------- Forwarded message ---------", "—— Ursprungligt meddelande ——". */
export const SEPARATOR = /^\s*[-—–_=]{2,}\s*[\p{L}][\p{L}\s'’.]{2,50}[-—–_=]{2,}\s*$/u;
/** "Begin forwarded message:" and friends, used by Apple Mail. */
export const FORWARD_INTRO =
  /^\s*(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|início da mensagem reencaminhada|vidarebefordrat brev|videresendt besked)\s*:\s*$/i;
/** Outlook's line of underscores above its header block. */
export const UNDERSCORE_RULE = /^\s*_{10,}\s*$/;

export const QUOTED = /^\s*>/;

/** Rules and short labels left above a header block ("====", "Message du : 12/12/2016 13:20"). */
export const HISTORY_LEAD_IN =
  /^\s*([-=_—*]{3,}|(message du|original message|message d'origine|mensaje original|mensagem original|ursprüngliche nachricht|ursprungligt meddelande)\b.{0,40})\s*$/i;

/** A mailing-list footer rule followed by the list's name/URL. */
export const LIST_FOOTER = /mailing list|listinfo|unsubscribe|googlegroups|list-manage/i;

/** The conventional signature delimiter "-- " (many clients trim it to "--"). */
export const SIGNATURE_DELIMITER = /^--\s*$/;

/** Mobile and webmail footers; only honoured near the end of the reply. */
export const SENT_FROM = new RegExp(
  '^\\s*(' +
    [
      'sent from', 'sent with', 'sent via', 'get outlook for', 'download outlook for',
      'skickat från', 'skickades från', 'hämta outlook för', // sv
      'enviado desde', 'enviado con', 'obtener outlook para', // es
      'enviado do', 'enviado de', 'enviado a partir', 'obter o outlook', // pt
      'von meinem', 'gesendet von', 'gesendet mit', 'outlook für', // de
      'envoyé de', 'envoyé depuis', 'envoyé à partir de', 'envoyé avec', 'obtenir outlook pour', // fr
      'inviato da', 'sendt fra', 'verzonden (vanaf|met|van)', 'lähetetty', 'wysłane z', 'odesláno z',
      'отправлено с', 'enviat des de',
    ].join('|') +
    ')\\b.{0,120}$',
  'iu',
);

/** A valediction alone on its line starts the signature when only a short block follows. */
export const VALEDICTION = new RegExp(
  '^\\s*(' +
    [
      '(best|kind|warm|many)? ?regards', 'best( wishes)?', 'cheers', 'thanks( again| a lot)?', 'thank you', 'sincerely',
      'yours( truly| sincerely)?', 'br',
      'mvh', 'med vänliga? hälsningar?', 'vänliga hälsningar', 'hälsningar', 'tack', // sv
      'saludos( cordiales)?', 'atentamente', 'un saludo', 'gracias', // es
      'atenciosamente', 'cumprimentos', 'abraços?', 'obrigad[oa]', // pt
      'mit freundlichen grüßen', 'mfg', 'viele grüße', 'beste grüße', 'liebe grüße', 'grüße', 'danke', // de
      'cordialement', 'bien cordialement', 'bien à vous', 'salutations', 'merci', // fr
      'med venlig hilsen', 'venlig hilsen', 'med vennlig hilsen', 'hilsen', // da, no
      'met vriendelijke groet(en)?', 'groeten', 'cordiali saluti', 'saluti', 'ystävällisin terveisin', 'pozdrawiam',
    ].join('|') +
    ')\\s*[,.!]?\\s*$',
  'iu',
);

/** External-sender warning banners that gateways prepend to the body. */
export const EXTERNAL_BANNER = /^\s*\[?(caution|external|warning|varning|achtung|attention)\b.{0,20}\]?\s*:?.{0,200}\b(outside|external|extern|externe|utanför|utomstående)\b/i;
