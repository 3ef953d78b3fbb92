/** The status page's own words in the four UI languages (the page is server-rendered, no client script). */
export const STATUS_LANGUAGES = ['en', 'sv', 'es', 'pt'] as const;
export type StatusLanguage = (typeof STATUS_LANGUAGES)[number];

export interface StatusStrings {
  title: string;
  skip: string;
  allOperational: string;
  someAffected: string;
  services: string;
  state: Record<'operational' | 'degraded' | 'outage' | 'maintenance', string>;
  activeIncidents: string;
  noActiveIncidents: string;
  updateStatus: Record<'investigating' | 'identified' | 'monitoring' | 'resolved', string>;
  maintenance: string;
  noMaintenance: string;
  uptime: (percent: string) => string;
  uptimeDay: Record<'ok' | 'maintenance' | 'outage', string>;
  daysAgo: (n: number) => string;
  today: string;
  subscribe: string;
  subscribeHelp: string;
  email: string;
  service: string;
  allServices: string;
  subscribeButton: string;
  subscribed: string;
  confirmed: string;
  unsubscribed: string;
  /** The subscribe form refused a post over its rate limit (429). */
  tooManySubscribes: string;
  feeds: string;
  language: string;
  updated: string;
  affects: string;
  from: string;
  until: string;
  signIn: string;
  signInHelp: string;
  token: string;
}

const en: StatusStrings = {
  title: 'IT service status',
  skip: 'Skip to content',
  allOperational: 'All services are operating normally',
  someAffected: 'Some services are affected',
  services: 'Services',
  state: { operational: 'Operational', degraded: 'Degraded', outage: 'Outage', maintenance: 'Maintenance' },
  activeIncidents: 'Active incidents',
  noActiveIncidents: 'No active incidents.',
  updateStatus: { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' },
  maintenance: 'Scheduled maintenance',
  noMaintenance: 'No maintenance scheduled.',
  uptime: (p) => `${p} % uptime in the last 90 days`,
  uptimeDay: { ok: 'no outage', maintenance: 'maintenance', outage: 'outage' },
  daysAgo: (n) => `${n} days ago`,
  today: 'Today',
  subscribe: 'Get updates by email',
  subscribeHelp: 'We send you a link to confirm. Every message has a link to stop.',
  email: 'Email address',
  service: 'Service',
  allServices: 'All services',
  subscribeButton: 'Subscribe',
  subscribed: 'Check your inbox: we sent you a link to confirm the subscription.',
  confirmed: 'You are subscribed. Every update will reach you by email.',
  unsubscribed: 'You will not get these updates any more.',
  tooManySubscribes: 'Too many subscription requests. Please wait a while and try again.',
  feeds: 'Feeds',
  language: 'Language',
  updated: 'Updated',
  affects: 'Affects',
  from: 'From',
  until: 'until',
  signIn: 'Sign in to see the status page',
  signInHelp: 'This status page is for the service desk only. Enter an agent API token.',
  token: 'API token',
};

const sv: StatusStrings = {
  title: 'Driftstatus för IT-tjänster',
  skip: 'Hoppa till innehållet',
  allOperational: 'Alla tjänster fungerar normalt',
  someAffected: 'Vissa tjänster är påverkade',
  services: 'Tjänster',
  state: { operational: 'I drift', degraded: 'Störd', outage: 'Avbrott', maintenance: 'Underhåll' },
  activeIncidents: 'Pågående störningar',
  noActiveIncidents: 'Inga pågående störningar.',
  updateStatus: { investigating: 'Felsöks', identified: 'Orsak hittad', monitoring: 'Bevakas', resolved: 'Löst' },
  maintenance: 'Planerat underhåll',
  noMaintenance: 'Inget planerat underhåll.',
  uptime: (p) => `${p} % tillgänglighet de senaste 90 dagarna`,
  uptimeDay: { ok: 'inget avbrott', maintenance: 'underhåll', outage: 'avbrott' },
  daysAgo: (n) => `för ${n} dagar sedan`,
  today: 'I dag',
  subscribe: 'Få uppdateringar via e-post',
  subscribeHelp: 'Vi skickar en länk som du bekräftar med. Varje meddelande har en länk för att avsluta.',
  email: 'E-postadress',
  service: 'Tjänst',
  allServices: 'Alla tjänster',
  subscribeButton: 'Prenumerera',
  subscribed: 'Titta i din inkorg: vi har skickat en länk för att bekräfta prenumerationen.',
  confirmed: 'Prenumerationen är klar. Varje uppdatering når dig via e-post.',
  unsubscribed: 'Du får inte de här uppdateringarna längre.',
  tooManySubscribes: 'För många prenumerationsförfrågningar. Vänta en stund och försök igen.',
  feeds: 'Flöden',
  language: 'Språk',
  updated: 'Uppdaterad',
  affects: 'Påverkar',
  from: 'Från',
  until: 'till',
  signIn: 'Logga in för att se driftstatus',
  signInHelp: 'Den här sidan är bara för servicedesk. Ange en API-token för handläggare.',
  token: 'API-token',
};

const es: StatusStrings = {
  title: 'Estado de los servicios de TI',
  skip: 'Saltar al contenido',
  allOperational: 'Todos los servicios funcionan con normalidad',
  someAffected: 'Algunos servicios están afectados',
  services: 'Servicios',
  state: { operational: 'Operativo', degraded: 'Degradado', outage: 'Caída', maintenance: 'Mantenimiento' },
  activeIncidents: 'Incidentes activos',
  noActiveIncidents: 'No hay incidentes activos.',
  updateStatus: { investigating: 'Investigando', identified: 'Identificado', monitoring: 'En observación', resolved: 'Resuelto' },
  maintenance: 'Mantenimiento programado',
  noMaintenance: 'No hay mantenimiento programado.',
  uptime: (p) => `${p} % de disponibilidad en los últimos 90 días`,
  uptimeDay: { ok: 'sin caídas', maintenance: 'mantenimiento', outage: 'caída' },
  daysAgo: (n) => `hace ${n} días`,
  today: 'Hoy',
  subscribe: 'Recibir avisos por correo',
  subscribeHelp: 'Le enviamos un enlace para confirmar. Cada mensaje trae un enlace para darse de baja.',
  email: 'Correo electrónico',
  service: 'Servicio',
  allServices: 'Todos los servicios',
  subscribeButton: 'Suscribirse',
  subscribed: 'Revise su bandeja de entrada: le enviamos un enlace para confirmar la suscripción.',
  confirmed: 'Suscripción confirmada. Recibirá cada actualización por correo.',
  unsubscribed: 'Ya no recibirá estos avisos.',
  tooManySubscribes: 'Demasiadas solicitudes de suscripción. Espere un rato y vuelva a intentarlo.',
  feeds: 'Canales',
  language: 'Idioma',
  updated: 'Actualizado',
  affects: 'Afecta a',
  from: 'Desde',
  until: 'hasta',
  signIn: 'Inicie sesión para ver el estado',
  signInHelp: 'Esta página es solo para el service desk. Introduzca un token de API de agente.',
  token: 'Token de API',
};

const pt: StatusStrings = {
  title: 'Estado dos serviços de TI',
  skip: 'Ir para o conteúdo',
  allOperational: 'Todos os serviços estão a funcionar normalmente',
  someAffected: 'Alguns serviços estão afetados',
  services: 'Serviços',
  state: { operational: 'Operacional', degraded: 'Degradado', outage: 'Indisponível', maintenance: 'Manutenção' },
  activeIncidents: 'Incidentes ativos',
  noActiveIncidents: 'Nenhum incidente ativo.',
  updateStatus: { investigating: 'Em investigação', identified: 'Identificado', monitoring: 'Em monitorização', resolved: 'Resolvido' },
  maintenance: 'Manutenção programada',
  noMaintenance: 'Nenhuma manutenção programada.',
  uptime: (p) => `${p} % de disponibilidade nos últimos 90 dias`,
  uptimeDay: { ok: 'sem indisponibilidade', maintenance: 'manutenção', outage: 'indisponibilidade' },
  daysAgo: (n) => `há ${n} dias`,
  today: 'Hoje',
  subscribe: 'Receber atualizações por e-mail',
  subscribeHelp: 'Enviamos um link para confirmar. Cada mensagem tem um link para cancelar.',
  email: 'Endereço de e-mail',
  service: 'Serviço',
  allServices: 'Todos os serviços',
  subscribeButton: 'Subscrever',
  subscribed: 'Verifique a sua caixa de entrada: enviámos um link para confirmar a subscrição.',
  confirmed: 'Subscrição confirmada. Cada atualização chega-lhe por e-mail.',
  unsubscribed: 'Deixará de receber estas atualizações.',
  tooManySubscribes: 'Demasiados pedidos de subscrição. Aguarde um pouco e tente novamente.',
  feeds: 'Feeds',
  language: 'Idioma',
  updated: 'Atualizado',
  affects: 'Afeta',
  from: 'De',
  until: 'até',
  signIn: 'Inicie sessão para ver o estado',
  signInHelp: 'Esta página é só para o service desk. Introduza um token de API de agente.',
  token: 'Token de API',
};

export const STATUS_STRINGS: Record<StatusLanguage, StatusStrings> = { en, sv, es, pt };

/** `?lang=` first, then the browser's Accept-Language, then English. */
export function pickLanguage(query: unknown, acceptLanguage: string | undefined): StatusLanguage {
  const asked = typeof query === 'string' ? query.slice(0, 2).toLowerCase() : '';
  if ((STATUS_LANGUAGES as readonly string[]).includes(asked)) return asked as StatusLanguage;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if ((STATUS_LANGUAGES as readonly string[]).includes(tag)) return tag as StatusLanguage;
  }
  return 'en';
}
