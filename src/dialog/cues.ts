/**
 * What a report already says about impact and urgency ("the whole finance department", "I can't work",
 * "SAP is down"), so the dialog skips questions it can answer itself. Levels follow ITIL: 1 = high … 3 = low.
 * Only explicit phrases count; "set priority P1" is not a cue: priority comes from the matrix alone.
 *
 * An impact cue must be about *who is affected*: a quantifier ("all", "whole", "nobody", "alla", "todo el",
 * "ninguém") that governs a group of people or a place ("users", "department", "office", "kontoret"), not any
 * "customer" or "entire" in the sentence ("the PDF a customer sent me", "my entire spreadsheet" affect one
 * person). A reporter who says it is only them is believed over a stray wide phrase.
 */

/** Letters and digits of any script: `\b` in JavaScript knows only ASCII, so "företaget" needs this. */
const START = '(?<![\\p{L}\\p{N}])';
const END = '(?![\\p{L}\\p{N}])';
const phrase = (alternatives: string[]) => new RegExp(`${START}(?:${alternatives.join('|')})${END}`, 'iu');
/** A quantifier, up to three words in between ("the whole finance department"), then one of the nouns. */
const governs = (quantifiers: string, nouns: string) => `(?:${quantifiers})(?:\\s+[\\p{L}'’-]+){0,3}?\\s+(?:${nouns})`;

// Groups of people and places, per language. Swedish compounds ("Malmökontoret", "ekonomiavdelningen") are
// matched by their head noun at the end of the word.
const EN_GROUPS = "users|staff|employees|people|colleagues|customers|clients|students|offices?|departments?|floors?|buildings?|compan(?:y|ies)|sites?|branch(?:es)?|organi[sz]ation|stores?|shops?|warehouses?|hospitals?|schools?|campus|regions?";
const SV_GROUPS = '\\p{L}*(?:kontoret|kontor|avdelningen|avdelning|företaget|bolaget|användare|användarna|anställda|personalen|kunder|kunderna|kollegor|våningen|huset|skolan|butiken|butikerna|lagret|sjukhuset|regionen|organisationen)';
const ES_GROUPS = 'oficinas?|empresa|departamento|usuarios|clientes|empleados|personal|planta|edificio|sede|sucursal(?:es)?|tiendas?|almacén|colegio|hospital|compañía';
const PT_GROUPS = 'escrit[óo]rios?|empresa|departamento|usu[áa]rios|utilizadores|clientes|funcion[áa]rios|colaboradores|andar|pr[ée]dio|filial|filiais|setor|sede|lojas?|armaz[ée]m|hospital|escola';

const IMPACT_MANY = phrase([
  // en
  'everyone|everybody|nobody|no[ -]one|all of us|for all',
  governs('all(?: the| our)?|whole|entire|every', EN_GROUPS),
  '(?:company|organi[sz]ation|site|office|country)[ -]wide',
  '\\d{2,}\\s+(?:users|people|employees|colleagues|customers|clients)',
  // sv
  'för alla|ingen (?:kan|har|når|kommer|får)|alla (?:kan|har|får)|samtliga',
  governs('alla|hela|ingen|inga|samtliga', SV_GROUPS),
  // es
  'para todos|nadie (?:puede|tiene|consigue|logra)|todos (?:los|nosotros)',
  governs('tod[oa]s?(?: el| la| los| las| nuestr[oa]s?)?|nadie (?:en|de)', ES_GROUPS),
  // pt
  'para todos|ningu[ée]m (?:consegue|pode|tem)|todos n[óo]s',
  governs('tod[oa]s?(?: o| a| os| as| noss[oa]s?)?|ningu[ée]m (?:no|na|do|da)', PT_GROUPS),
]);

const IMPACT_TEAM = phrase([
  "my team|our team|(?:whole|entire) team|several (?:people|users|colleagues|of us)|a few (?:people|colleagues|of us)|colleagues too|my colleagues? (?:also|too)|(?:two|three|four|\\d) (?:of us|colleagues|people)",
  'mitt team|vårt team|hela teamet|flera (?:kollegor|personer|av oss)|några kollegor|kollegorna också|min kollega också',
  'mi equipo|nuestro equipo|todo el equipo|varios (?:compañeros|usuarios)|algunos compañeros|mis compañeros también',
  'minha equipe|nossa equipe|toda a equipe|meu time|v[áa]rios colegas|alguns colegas|meus colegas tamb[ée]m',
]);

// "not just me" says the opposite of "just me": the negated forms are excluded by a look-behind.
const IMPACT_SINGLE = new RegExp(
  `${START}(?<!(?:not|inte|no|não|nao)\\s)(?:only me|just me|only i|only my (?:laptop|computer|pc|account|phone|machine)|others (?:are|seem) fine|my colleagues (?:can|are fine)|bara jag|bara min|bara mig|solo yo|sólo yo|solo a mí|solo mi (?:portátil|ordenador|cuenta)|só eu|só comigo|apenas eu|apenas comigo)${END}`,
  'iu',
);

const URGENCY_BLOCKED = phrase([
  "(?:can'?t|cannot|unable to) work|(?:can'?t|cannot|unable to) (?:close|invoice|pay|ship|sell|serve|trade)|completely (?:down|blocked)|production (?:is )?down|(?:is|are|went|has gone|have gone|goes) (?:down|offline)|outage|nothing works|urgent|asap|emergency",
  'kan inte (?:jobba|arbeta|stänga|fakturera)|ligger nere|är nere|har gått ner|avbrott|ingenting fungerar|akut|brådskande',
  // "se cayó" / "caiu" also mean a dropped phone: only a service that fell counts.
  'no (?:puedo|podemos) (?:trabajar|cerrar|facturar)|est[áa] caíd[oa]|(?:sistema|servidor|red|internet|web|servicio|sap|vpn|correo|wi-?fi) se (?:ha caído|cayó)|caída del servicio|no funciona nada|urgente|caído por completo',
  'n[ãa]o (?:consigo|conseguimos) (?:trabalhar|fechar|faturar)|est[áa] fora do ar|fora do ar|(?:sistema|servidor|rede|internet|site|servi[çc]o|sap|vpn|e-?mail|wi-?fi) caiu|n[ãa]o funciona nada|urgente',
]);
const URGENCY_LOW = phrase([
  'no rush|not urgent|when(?:ever)? you have time|workaround',
  'inte bråttom|ingen brådska',
  'no es urgente|sin prisa',
  'n[ãa]o [ée] urgente|sem pressa',
]);

export interface Cues {
  impact?: 1 | 2 | 3;
  urgency?: 1 | 2 | 3;
}

export function readCues(text: string): Cues {
  const sample = text.slice(0, 5_000);
  const cues: Cues = {};
  if (IMPACT_SINGLE.test(sample)) cues.impact = 3;
  else if (IMPACT_MANY.test(sample)) cues.impact = 1;
  else if (IMPACT_TEAM.test(sample)) cues.impact = 2;
  // "not urgent" contains "urgent": the calm phrases are checked first.
  if (URGENCY_LOW.test(sample)) cues.urgency = 3;
  else if (URGENCY_BLOCKED.test(sample)) cues.urgency = 1;
  return cues;
}

/** Taxonomy `minUrgency` words as urgency levels. */
export function urgencyFloor(word: string | null | undefined): 1 | 2 | 3 {
  return word === 'critical' || word === 'high' ? 1 : word === 'medium' ? 2 : 3;
}
