/**
 * Interface strings of the console in the four languages of the project. Missing keys fall back to English.
 * The language is the browser's (`?locale=` overrides), like the web chat's.
 */
const STRINGS = {
  en: {
    kb: 'Knowledge base', language: 'Language', newArticle: 'New article', save: 'Save', cancel: 'Cancel', kbFigures: 'Suggested / opened / helped',
    appTitle: 'Frontline console', signIn: 'Sign in', email: 'Email', password: 'Password', signOut: 'Sign out',
    signOutEverywhere: 'Sign out everywhere', queue: 'Queue', reports: 'Reports', audit: 'Audit log', admin: 'Admin',
    status: 'Status', priority: 'Priority', group: 'Group', assignee: 'Assignee', channel: 'Channel', search: 'Search',
    any: 'Any', mine: 'Mine', unassigned: 'Unassigned', open: 'Open', all: 'All', number: 'Number', title: 'Title',
    sla: 'SLA', lastActivity: 'Last activity', noIncidents: 'No incidents match these filters.', live: 'Live',
    breached: 'breached {time} ago', left: '{time} left', paused: 'paused', met: 'met',
    transcript: 'Conversation', timeline: 'Timeline', reply: 'Reply to the reporter', note: 'Internal note',
    send: 'Send', addNote: 'Add note', take: 'Take', resolve: 'Resolve', pending: 'Waiting on reporter',
    start: 'Start work', resolution: 'Resolution', setPriority: 'Set priority', assignTo: 'Assign to',
    assign: 'Assign', back: 'Back to the queue', reporter: 'Reporter', bot: 'Bot', agent: 'Agent', internal: 'internal',
    queued: 'queued', sent: 'sent', delivered: 'delivered', failed: 'failed', responseDue: 'Response due',
    resolutionDue: 'Resolution due', category: 'Category', service: 'Service', confidential: 'Confidential',
    saved: 'Saved.', wrongCredentials: 'Wrong email or password.', actor: 'Who', action: 'Action', target: 'Target',
    when: 'When', via: 'Via', downloadCsv: 'Download CSV', period: 'Period', days: 'Last {n} days', accounts: 'Accounts',
    role: 'Role', groups: 'Groups', disabled: 'Disabled', disable: 'Disable', enable: 'Enable', tokens: 'API tokens',
    deadLetters: 'Dead letters', retry: 'Retry', health: 'Channel health', create: 'Create', name: 'Name',
    resolutionRequired: 'Write the resolution first.', notFound: 'Not found.', signedInAs: 'Signed in as {name}',
    filters: 'Filters', apply: 'Apply', error: 'Something went wrong: {message}', volume: 'Incidents by channel',
    mttr: 'Time to resolve (hours, median / p90)', mtta: 'Time to first response (minutes, median / p90)',
    slaCompliance: 'SLA compliance', backlog: 'Open backlog by age', csat: 'Satisfaction (CSAT)', fcr: 'First-contact resolution',
    deflection: 'Self-service deflection', reopenRate: 'Reopen rate', byHour: 'Incidents by hour of day', previous: 'previous period',
    st_new: 'new', st_assigned: 'assigned', st_in_progress: 'in progress', st_pending: 'pending', st_resolved: 'resolved', st_closed: 'closed', st_cancelled: 'cancelled', st_reopened: 'reopened',
  },
  sv: {
    kb: 'Kunskapsbas', language: 'Språk', newArticle: 'Ny artikel', save: 'Spara', cancel: 'Avbryt', kbFigures: 'Föreslagen / öppnad / hjälpte',
    appTitle: 'Frontline-konsol', signIn: 'Logga in', email: 'E-post', password: 'Lösenord', signOut: 'Logga ut',
    signOutEverywhere: 'Logga ut överallt', queue: 'Kö', reports: 'Rapporter', audit: 'Granskningslogg', admin: 'Administration',
    status: 'Status', priority: 'Prioritet', group: 'Grupp', assignee: 'Handläggare', channel: 'Kanal', search: 'Sök',
    any: 'Alla', mine: 'Mina', unassigned: 'Ej tilldelade', open: 'Öppna', all: 'Alla', number: 'Nummer', title: 'Rubrik',
    sla: 'SLA', lastActivity: 'Senaste aktivitet', noIncidents: 'Inga ärenden matchar filtren.', live: 'Live',
    breached: 'överskriden för {time} sedan', left: '{time} kvar', paused: 'pausad', met: 'uppfylld',
    transcript: 'Konversation', timeline: 'Tidslinje', reply: 'Svara anmälaren', note: 'Intern anteckning',
    send: 'Skicka', addNote: 'Lägg till anteckning', take: 'Ta', resolve: 'Lös', pending: 'Väntar på anmälaren',
    start: 'Påbörja', resolution: 'Lösning', setPriority: 'Sätt prioritet', assignTo: 'Tilldela', assign: 'Tilldela',
    back: 'Tillbaka till kön', reporter: 'Anmälare', bot: 'Bot', agent: 'Handläggare', internal: 'intern',
    queued: 'i kö', sent: 'skickat', delivered: 'levererat', failed: 'misslyckades', responseDue: 'Svar senast',
    resolutionDue: 'Lösning senast', category: 'Kategori', service: 'Tjänst', confidential: 'Konfidentiell',
    saved: 'Sparat.', wrongCredentials: 'Fel e-post eller lösenord.', actor: 'Vem', action: 'Åtgärd', target: 'Mål',
    when: 'När', via: 'Via', downloadCsv: 'Ladda ner CSV', period: 'Period', days: 'Senaste {n} dagarna', accounts: 'Konton',
    role: 'Roll', groups: 'Grupper', disabled: 'Avstängt', disable: 'Stäng av', enable: 'Aktivera', tokens: 'API-nycklar',
    deadLetters: 'Olevererade', retry: 'Försök igen', health: 'Kanalstatus', create: 'Skapa', name: 'Namn',
    resolutionRequired: 'Skriv lösningen först.', notFound: 'Hittades inte.', signedInAs: 'Inloggad som {name}',
    filters: 'Filter', apply: 'Använd', error: 'Något gick fel: {message}', volume: 'Ärenden per kanal',
    mttr: 'Tid till lösning (timmar, median / p90)', mtta: 'Tid till första svar (minuter, median / p90)',
    slaCompliance: 'SLA-uppfyllnad', backlog: 'Öppna ärenden efter ålder', csat: 'Nöjdhet (CSAT)', fcr: 'Löst vid första kontakt',
    deflection: 'Självbetjäning', reopenRate: 'Återöppnade', byHour: 'Ärenden per timme', previous: 'föregående period',
    st_new: 'ny', st_assigned: 'tilldelad', st_in_progress: 'pågår', st_pending: 'väntar', st_resolved: 'löst', st_closed: 'stängd', st_cancelled: 'avbruten', st_reopened: 'återöppnad',
  },
  es: {
    kb: 'Base de conocimiento', language: 'Idioma', newArticle: 'Nuevo artículo', save: 'Guardar', cancel: 'Cancelar', kbFigures: 'Sugerido / abierto / ayudó',
    appTitle: 'Consola de Frontline', signIn: 'Iniciar sesión', email: 'Correo', password: 'Contraseña', signOut: 'Cerrar sesión',
    signOutEverywhere: 'Cerrar sesión en todas partes', queue: 'Cola', reports: 'Informes', audit: 'Registro de auditoría', admin: 'Administración',
    status: 'Estado', priority: 'Prioridad', group: 'Grupo', assignee: 'Asignado a', channel: 'Canal', search: 'Buscar',
    any: 'Todos', mine: 'Míos', unassigned: 'Sin asignar', open: 'Abiertos', all: 'Todos', number: 'Número', title: 'Título',
    sla: 'SLA', lastActivity: 'Última actividad', noIncidents: 'Ningún incidente coincide con los filtros.', live: 'En vivo',
    breached: 'incumplido hace {time}', left: 'quedan {time}', paused: 'en pausa', met: 'cumplido',
    transcript: 'Conversación', timeline: 'Historial', reply: 'Responder al usuario', note: 'Nota interna',
    send: 'Enviar', addNote: 'Añadir nota', take: 'Tomar', resolve: 'Resolver', pending: 'Esperando al usuario',
    start: 'Empezar', resolution: 'Solución', setPriority: 'Cambiar prioridad', assignTo: 'Asignar a', assign: 'Asignar',
    back: 'Volver a la cola', reporter: 'Usuario', bot: 'Bot', agent: 'Agente', internal: 'interna',
    queued: 'en cola', sent: 'enviado', delivered: 'entregado', failed: 'fallido', responseDue: 'Respuesta antes de',
    resolutionDue: 'Solución antes de', category: 'Categoría', service: 'Servicio', confidential: 'Confidencial',
    saved: 'Guardado.', wrongCredentials: 'Correo o contraseña incorrectos.', actor: 'Quién', action: 'Acción', target: 'Objeto',
    when: 'Cuándo', via: 'Vía', downloadCsv: 'Descargar CSV', period: 'Periodo', days: 'Últimos {n} días', accounts: 'Cuentas',
    role: 'Rol', groups: 'Grupos', disabled: 'Desactivada', disable: 'Desactivar', enable: 'Activar', tokens: 'Tokens de API',
    deadLetters: 'Mensajes no entregados', retry: 'Reintentar', health: 'Estado de los canales', create: 'Crear', name: 'Nombre',
    resolutionRequired: 'Escribe primero la solución.', notFound: 'No encontrado.', signedInAs: 'Sesión de {name}',
    filters: 'Filtros', apply: 'Aplicar', error: 'Algo salió mal: {message}', volume: 'Incidentes por canal',
    mttr: 'Tiempo de resolución (horas, mediana / p90)', mtta: 'Tiempo a la primera respuesta (minutos, mediana / p90)',
    slaCompliance: 'Cumplimiento del SLA', backlog: 'Pendientes por antigüedad', csat: 'Satisfacción (CSAT)', fcr: 'Resolución en el primer contacto',
    deflection: 'Autoservicio', reopenRate: 'Tasa de reapertura', byHour: 'Incidentes por hora del día', previous: 'periodo anterior',
    st_new: 'nuevo', st_assigned: 'asignado', st_in_progress: 'en curso', st_pending: 'pendiente', st_resolved: 'resuelto', st_closed: 'cerrado', st_cancelled: 'cancelado', st_reopened: 'reabierto',
  },
  pt: {
    kb: 'Base de conhecimento', language: 'Idioma', newArticle: 'Novo artigo', save: 'Guardar', cancel: 'Cancelar', kbFigures: 'Sugerido / aberto / ajudou',
    appTitle: 'Consola do Frontline', signIn: 'Entrar', email: 'E-mail', password: 'Senha', signOut: 'Sair',
    signOutEverywhere: 'Sair de todos os dispositivos', queue: 'Fila', reports: 'Relatórios', audit: 'Registo de auditoria', admin: 'Administração',
    status: 'Estado', priority: 'Prioridade', group: 'Grupo', assignee: 'Responsável', channel: 'Canal', search: 'Pesquisar',
    any: 'Todos', mine: 'Meus', unassigned: 'Sem responsável', open: 'Abertos', all: 'Todos', number: 'Número', title: 'Título',
    sla: 'SLA', lastActivity: 'Última atividade', noIncidents: 'Nenhum incidente corresponde aos filtros.', live: 'Ao vivo',
    breached: 'violado há {time}', left: 'faltam {time}', paused: 'em pausa', met: 'cumprido',
    transcript: 'Conversa', timeline: 'Histórico', reply: 'Responder ao utilizador', note: 'Nota interna',
    send: 'Enviar', addNote: 'Adicionar nota', take: 'Assumir', resolve: 'Resolver', pending: 'À espera do utilizador',
    start: 'Começar', resolution: 'Solução', setPriority: 'Mudar prioridade', assignTo: 'Atribuir a', assign: 'Atribuir',
    back: 'Voltar à fila', reporter: 'Utilizador', bot: 'Bot', agent: 'Agente', internal: 'interna',
    queued: 'na fila', sent: 'enviado', delivered: 'entregue', failed: 'falhou', responseDue: 'Resposta até',
    resolutionDue: 'Solução até', category: 'Categoria', service: 'Serviço', confidential: 'Confidencial',
    saved: 'Guardado.', wrongCredentials: 'E-mail ou senha errados.', actor: 'Quem', action: 'Ação', target: 'Alvo',
    when: 'Quando', via: 'Via', downloadCsv: 'Descarregar CSV', period: 'Período', days: 'Últimos {n} dias', accounts: 'Contas',
    role: 'Função', groups: 'Grupos', disabled: 'Desativada', disable: 'Desativar', enable: 'Ativar', tokens: 'Tokens de API',
    deadLetters: 'Mensagens não entregues', retry: 'Tentar de novo', health: 'Estado dos canais', create: 'Criar', name: 'Nome',
    resolutionRequired: 'Escreva primeiro a solução.', notFound: 'Não encontrado.', signedInAs: 'Sessão de {name}',
    filters: 'Filtros', apply: 'Aplicar', error: 'Algo correu mal: {message}', volume: 'Incidentes por canal',
    mttr: 'Tempo de resolução (horas, mediana / p90)', mtta: 'Tempo até à primeira resposta (minutos, mediana / p90)',
    slaCompliance: 'Cumprimento do SLA', backlog: 'Pendentes por idade', csat: 'Satisfação (CSAT)', fcr: 'Resolução no primeiro contacto',
    deflection: 'Autoatendimento', reopenRate: 'Taxa de reabertura', byHour: 'Incidentes por hora do dia', previous: 'período anterior',
    st_new: 'novo', st_assigned: 'atribuído', st_in_progress: 'em curso', st_pending: 'pendente', st_resolved: 'resolvido', st_closed: 'fechado', st_cancelled: 'cancelado', st_reopened: 'reaberto',
  },
};

function pickLocale() {
  const asked = new URLSearchParams(location.search).get('locale');
  for (const tag of [asked, ...(navigator.languages ?? [navigator.language])]) {
    const base = tag?.toLowerCase().split(/[-_]/)[0];
    if (base && STRINGS[base]) return { lang: base, tag };
  }
  return { lang: 'en', tag: 'en' };
}

export const { lang, tag: localeTag } = pickLocale();
document.documentElement.lang = lang;

/** The text of `key` in the page's language with `{name}` placeholders filled in. */
export function t(key, values = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
}

const dateTime = new Intl.DateTimeFormat(localeTag, { dateStyle: 'medium', timeStyle: 'short' });
export const formatDate = (iso) => (iso ? dateTime.format(new Date(iso)) : '—');
const relative = new Intl.RelativeTimeFormat(localeTag, { numeric: 'auto' });
/** "5 minutes ago" in the page's language (Intl does the words). */
export function ago(iso) {
  const s = (new Date(iso).getTime() - Date.now()) / 1000;
  const [v, u] = Math.abs(s) < 3600 ? [s / 60, 'minute'] : Math.abs(s) < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  return relative.format(Math.round(v), u);
}
/** A duration as "2 h 5 min" / "3 d 4 h", with Intl's unit names. */
export function duration(ms) {
  const unit = (value, u) => new Intl.NumberFormat(localeTag, { style: 'unit', unit: u, unitDisplay: 'narrow' }).format(value);
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${unit(hours, 'hour')} ${unit(minutes % 60, 'minute')}`;
  return `${unit(Math.floor(hours / 24), 'day')} ${unit(hours % 24, 'hour')}`;
}
