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

const IMPACT_MANY = new RegExp(`${START}(?:${[
  // en: a bare "everyone"/"nobody" is too often about something else ("everyone says…", "nobody can hear me")
  'for (?:everyone|everybody|all of us)|all of us|(?:everyone|everybody) (?:here|in (?:the|our) office)|affects everyone|(?:company|organi[sz]ation|site|office|country)[ -]wide',
  governs('all(?: the| our)?|whole|entire|every|nobody|no[ -]one|everyone', EN_GROUPS),
  '\\d{2,}\\s+(?:users|people|employees|colleagues|customers|clients)',
  // sv
  'för alla|samtliga användare',
  governs('alla|hela|ingen|inga|samtliga', SV_GROUPS),
  // es
  'para todos|todos nosotros',
  governs('tod[oa]s?(?: el| la| los| las| nuestr[oa]s?)?|nadie (?:en|de)', ES_GROUPS),
  // pt
  'para todos|todos n[óo]s',
  governs('tod[oa]s?(?: o| a| os| as| noss[oa]s?)?|ningu[ée]m (?:no|na|do|da)', PT_GROUPS),
].join('|')})${END}`, 'giu');

// A group the reporter writes *to* or who *watches* ("send the invoice to all our customers", "all the customers
// on the call see my initials") is not affected by the problem.
const RECIPIENTS_BEFORE = /(?:send|sending|mail|e-?mail|invite|forward|skicka|mejla|maila|mandar|enviar|envi\p{L}*|mand\p{L}*)\b[^.!?]{0,50}?(?:to|till|a|para)\s+$/iu;
const WATCHERS_AFTER = /^\s*(?:(?:on|in) (?:the |a )?(?:call|meeting)|i (?:samtalet|mötet)|en (?:la )?(?:llamada|reunión)|na (?:chamada|reunião))/iu;

function wideImpact(sample: string): boolean {
  for (const m of sample.matchAll(IMPACT_MANY)) {
    const before = sample.slice(Math.max(0, m.index - 80), m.index);
    const after = sample.slice(m.index + m[0].length, m.index + m[0].length + 30);
    if (!RECIPIENTS_BEFORE.test(before) && !WATCHERS_AFTER.test(after)) return true;
  }
  return false;
}

const IMPACT_TEAM = phrase([
  "my team|our team|(?:whole|entire) team|several (?:people|users|colleagues|of us)|a few (?:people|colleagues|of us)|colleagues too|my colleagues? (?:also|too)|(?:two|three|four|\\d) (?:of us|colleagues|people)",
  'mitt team|vårt team|hela teamet|flera (?:kollegor|personer|av oss)|några kollegor|kollegorna också|min kollega också',
  // "en mi equipo" is as often "on my computer" as "in my team": only the unambiguous forms count.
  '(?<!en )mi equipo|nuestro equipo|todo el equipo|varios (?:compañeros|usuarios)|algunos compañeros|mis compañeros también',
  'minha equipe|nossa equipe|toda a equipe|meu time|v[áa]rios colegas|alguns colegas|meus colegas tamb[ée]m',
]);

// "not just me" says the opposite of "just me": the negated forms are excluded by a look-behind.
const IMPACT_SINGLE = new RegExp(
  `${START}(?<!(?:not|inte|no|não|nao)\\s)(?:only me|just me|only i|only (?:my|on my) (?:laptop|computer|pc|account|phone|machine)|bara jag|bara min|bara mig|bara på min (?:dator|laptop)|solo yo|sólo yo|solo a mí|solo (?:mi|en mi) (?:portátil|ordenador|cuenta|equipo|pc)|só eu|só comigo|só no meu (?:computador|notebook|pc)|apenas eu|apenas comigo)${END}`,
  'iu',
);

// "The others are fine": whoever else the report mentions is not affected (unless it names a few colleagues).
const OTHERS_FINE = phrase([
  "(?:colleagues|others|everyone else|the rest)(?: [\\p{L}']+){0,3} (?:are|is|seem|seems) (?:fine|ok|okay)|theirs works?|my colleagues can",
  '(?:deras|de andras|kollegornas) (?:funkar|fungerar)|andra (?:funkar|fungerar)',
  'les va bien|a los demás sí|a los demás les funciona|los demás están bien',
  'aos outros funciona|os outros est[ãa]o bem|pros outros funciona',
]);
const TEAM_NAMED = phrase([
  'me and (?:two|three|four|a few|some|\\d+) (?:colleagues|others|people)|jag och (?:två|tre|några) kollegor|yo y (?:dos|tres|unos) compañeros|eu e (?:dois|três|alguns) colegas',
]);

const URGENCY_BLOCKED = phrase([
  "(?:can'?t|cannot|unable to) work(?! out)|(?:can'?t|cannot|unable to) (?:close|invoice|pay|ship|sell|serve|trade)|completely (?:down|blocked)|production (?:is )?down|(?:is|are|went|has gone|have gone|goes) (?:down|offline)|outage|nothing works|urgent(?!-)|asap|emergency",
  'kan inte (?:jobba|arbeta|stänga|fakturera)|ligger nere|är nere|har gått ner|avbrott|ingenting fungerar|akut(?!-)|brådskande',
  // "se cayó" / "caiu" also mean a dropped phone: only a service that fell counts.
  'no (?:puedo|podemos) (?:trabajar|cerrar|facturar)|est[áa] caíd[oa]|(?:sistema|servidor|red|internet|web|servicio|sap|vpn|correo|wi-?fi) se (?:ha caído|cayó)|caída del servicio|no funciona nada|urgente|caído por completo',
  'n[ãa]o (?:consigo|conseguimos) (?:trabalhar|fechar|faturar)|est[áa] fora do ar|fora do ar|(?:sistema|servidor|rede|internet|site|servi[çc]o|sap|vpn|e-?mail|wi-?fi) caiu|n[ãa]o funciona nada|urgente',
]);
const URGENCY_LOW = phrase([
  // A workaround in hand ("I'll use the one down the hall") means work goes on.
  "no rush|not urgent|when(?:ever)? you have time|workaround|not a big deal|no big deal|i'?ll use (?:the|another|my)|i can use (?:the|another|my)",
  'inte bråttom|ingen brådska|ingen fara|kan använda (?:en|min|den)',
  'no es urgente|sin prisa|no pasa nada|puedo usar (?:otr|el|la|mi)',
  'n[ãa]o [ée] urgente|sem pressa|d[áa] pra usar|posso usar (?:o|a|outr)',
]);

export interface Cues {
  impact?: 1 | 2 | 3;
  urgency?: 1 | 2 | 3;
}

export function readCues(text: string): Cues {
  const sample = text.slice(0, 5_000);
  const cues: Cues = {};
  if (IMPACT_SINGLE.test(sample)) cues.impact = 3;
  else if (OTHERS_FINE.test(sample)) cues.impact = TEAM_NAMED.test(sample) ? 2 : 3;
  else if (wideImpact(sample)) cues.impact = 1;
  else if (IMPACT_TEAM.test(sample) || TEAM_NAMED.test(sample)) cues.impact = 2;
  // "not urgent" contains "urgent": the calm phrases are checked first.
  if (URGENCY_LOW.test(sample)) cues.urgency = 3;
  else if (URGENCY_BLOCKED.test(sample)) cues.urgency = 1;
  return cues;
}

/** Taxonomy `minUrgency` words as urgency levels. */
export function urgencyFloor(word: string | null | undefined): 1 | 2 | 3 {
  return word === 'critical' || word === 'high' ? 1 : word === 'medium' ? 2 : 3;
}
