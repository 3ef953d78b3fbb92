/**
 * What a report already says about impact and urgency ("the whole office", "I can't work", "deadline
 * today"), so the dialog skips questions it can answer itself. Levels follow ITIL: 1 = high … 3 = low.
 * Only explicit phrases count; "set priority P1" is not a cue: priority comes from the matrix alone.
 */
const IMPACT_MANY = /\b(everyone|everybody|whole (office|company|department|floor|team)|all (users|staff|employees)|customers?|entire)\b|\b(alla|hela (kontoret|avdelningen|företaget|foretaget)|kunder(na)?)(?=$|[\s.,!?])|\b(todos|toda la (oficina|empresa)|todo el (departamento|equipo)|clientes)(?=$|[\s.,!?])|\b(todos|toda a (empresa|equipe)|todo o (departamento|escritório)|clientes)(?=$|[\s.,!?])/iu;
const IMPACT_TEAM = /\b(my team|our team|several (people|users|colleagues)|colleagues too)\b|\b(mitt team|vårt team|flera (kollegor|personer))(?=$|[\s.,!?])|\b(mi equipo|nuestro equipo|varios compañeros)(?=$|[\s.,!?])|\b(minha equipe|nossa equipe|vários colegas)(?=$|[\s.,!?])/iu;
const URGENCY_BLOCKED = /\b(can'?t|cannot|unable to) work\b|\b(completely (down|blocked)|production (is )?down|urgent|asap|emergency)\b|\b(kan inte jobba|kan inte arbeta|akut|brådskande)(?=$|[\s.,!?])|\b(no puedo trabajar|urgente|caído por completo)(?=$|[\s.,!?])|\b(não consigo trabalhar|nao consigo trabalhar|urgente)(?=$|[\s.,!?])/iu;
const URGENCY_LOW = /\b(no rush|not urgent|when(ever)? you have time|workaround)\b|\b(inte bråttom|ingen brådska)(?=$|[\s.,!?])|\b(no es urgente|sin prisa)(?=$|[\s.,!?])|\b(não é urgente|sem pressa)(?=$|[\s.,!?])/iu;

export interface Cues {
  impact?: 1 | 2 | 3;
  urgency?: 1 | 2 | 3;
}

export function readCues(text: string): Cues {
  const sample = text.slice(0, 5_000);
  const cues: Cues = {};
  if (IMPACT_MANY.test(sample)) cues.impact = 1;
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
