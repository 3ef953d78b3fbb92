import type { UpdateStatus } from '../status/render.js';
import { STATUS_STRINGS, type StatusLanguage } from '../status/locales.js';

export const BROADCAST_LANGUAGES = ['en', 'sv', 'es', 'pt'] as const;

export const toLanguage = (locale: string | null | undefined): StatusLanguage => {
  const l = (locale ?? '').slice(0, 2).toLowerCase();
  return (BROADCAST_LANGUAGES as readonly string[]).includes(l) ? (l as StatusLanguage) : 'en';
};

/** The text in the reader's language: the stored translation, else the language the agent wrote (marked). */
export function pickText(texts: Record<string, string>, language: StatusLanguage): { text: string; language: string } {
  if (texts[language]) return { text: texts[language], language };
  const fallback = texts.en ? 'en' : Object.keys(texts)[0]!;
  return { text: texts[fallback]!, language: fallback };
}

const WORDS: Record<StatusLanguage, { redacted: string; unsubscribe: string; stillWorking: string; statusPage: string; confirm: (service: string) => string }> = {
  en: {
    redacted: 'There is news on the outage your report is linked to. The details are restricted; the service desk will contact you if you need to act.',
    unsubscribe: 'Stop these updates',
    stillWorking: 'We are still working on it. You will get the next update as soon as there is news.',
    statusPage: 'Status page',
    confirm: (s) => `Please confirm that you want updates about ${s}:`,
  },
  sv: {
    redacted: 'Det finns nyheter om störningen som din anmälan hör till. Detaljerna är begränsade; servicedesk hör av sig om du behöver göra något.',
    unsubscribe: 'Avsluta uppdateringarna',
    stillWorking: 'Vi arbetar fortfarande med det. Du får nästa uppdatering så snart det finns nyheter.',
    statusPage: 'Driftstatus',
    confirm: (s) => `Bekräfta att du vill ha uppdateringar om ${s}:`,
  },
  es: {
    redacted: 'Hay novedades sobre la incidencia a la que está vinculado su aviso. Los detalles son restringidos; el service desk le contactará si debe hacer algo.',
    unsubscribe: 'Dejar de recibir estos avisos',
    stillWorking: 'Seguimos trabajando en ello. Recibirá la próxima actualización en cuanto haya novedades.',
    statusPage: 'Página de estado',
    confirm: (s) => `Confirme que desea recibir avisos sobre ${s}:`,
  },
  pt: {
    redacted: 'Há novidades sobre a falha a que o seu pedido está associado. Os detalhes são restritos; o service desk contacta-o se precisar de agir.',
    unsubscribe: 'Deixar de receber estas atualizações',
    stillWorking: 'Continuamos a trabalhar nisto. Receberá a próxima atualização assim que houver novidades.',
    statusPage: 'Página de estado',
    confirm: (s) => `Confirme que quer receber atualizações sobre ${s}:`,
  },
};

export const broadcastWords = (language: StatusLanguage) => WORDS[language];

/** One update as a recipient reads it: "MI-7 Email (Outlook) — Identified: <text>". */
export function updateText(input: {
  language: StatusLanguage;
  number: string;
  title: string;
  status: UpdateStatus;
  texts: Record<string, string>;
  decision: 'full' | 'redacted';
  unsubscribeUrl?: string;
  statusUrl?: string;
}): string {
  const w = WORDS[input.language];
  const label = STATUS_STRINGS[input.language].updateStatus[input.status];
  if (input.decision === 'redacted') return `${input.number}: ${w.redacted}`;
  const picked = pickText(input.texts, input.language);
  const lines = [`${input.number} ${input.title} — ${label}: ${picked.text}`];
  if (input.statusUrl) lines.push(`${w.statusPage}: ${input.statusUrl}`);
  if (input.unsubscribeUrl) lines.push(`${w.unsubscribe}: ${input.unsubscribeUrl}`);
  return lines.join('\n\n');
}
