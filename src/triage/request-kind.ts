/**
 * Incident or service request (ITIL: level 1 decides "is something broken, or is something wanted?"). A request
 * asks for something new — access or a permission, hardware, a software install, an account for a new hire, a
 * booking, or how to do something — while an incident says something that worked has stopped ("I can't log in",
 * "access denied", "it crashes"). Pure and synchronous like the rest of triage; explicit phrases only, in the
 * four languages of the dialog. A report that asks for something *because* a thing is broken ("please reset my
 * password, I can't log in") is an incident: the fault wins unless the ask is for a replacement or new item.
 */

export type ReportKind = 'incident' | 'request';
/** What is requested: decides the routing of a request (dialogs/taxonomy.yaml `requests`). */
export type RequestTopic = 'access' | 'onboarding' | 'hardware' | 'software' | 'howto' | 'other';
export const REQUEST_TOPICS: readonly RequestTopic[] = ['access', 'onboarding', 'hardware', 'software', 'howto', 'other'];

export interface KindResult {
  kind: ReportKind;
  /** Set for requests. */
  topic?: RequestTopic;
  /** The phrase that decided, for the agent and the tests. */
  cue?: string;
}

const START = '(?<![\\p{L}\\p{N}])';
const END = '(?![\\p{L}\\p{N}])';
const phrase = (alternatives: string[]) => new RegExp(`${START}(?:${alternatives.join('|')})${END}`, 'iu');

// Things people order. "new" alone is too weak ("since the new update"): it must govern a device.
const EN_DEVICES = '(?:laptop|computer|pc|mac(?:book)?|monitor|screen|display|keyboard|mouse|headset|headphones|webcam|phone|mobile|iphone|docking station|dock|charger|tablet|ipad|desk phone|printer|sim card|badge|token)s?';
const SV_DEVICES = '(?:dator|laptop|skärm|bildskärm|tangentbord|mus|headset|hörlurar|webbkamera|telefon|mobil|dockningsstation|docka|laddare|surfplatta|skrivare)(?:n|en)?';
const ES_DEVICES = '(?:port[áa]til|ordenador|pc|monitor|pantalla|teclado|rat[óo]n|auriculares|cascos|webcam|m[óo]vil|tel[ée]fono|cargador|tablet|impresora|docking)';
const PT_DEVICES = '(?:notebook|computador|pc|monitor|tela|teclado|mouse|fone(?: de ouvido)?|headset|webcam|celular|telefone|carregador|tablet|impressora|dock)';

const APPS = '(?:[A-Z][\\p{L}0-9.+-]*(?:\\s+[A-Z][\\p{L}0-9.+-]*){0,2})';

const TOPIC_PATTERNS: [RequestTopic, RegExp][] = [
  [
    'onboarding',
    phrase([
      'new (?:hire|starter|joiner|employee|colleague|team member|consultant)s?|(?:is |are )?(?:starting|joining) (?:on |next |this )?(?:monday|tuesday|wednesday|thursday|friday|next week|tomorrow)|onboard(?:ing)?|offboard(?:ing)?|(?:is )?leaving the company|last day (?:is|will be)',
      'nyanställd(?:a)?|ny (?:medarbetare|kollega|anställd)|börjar (?:hos oss |på )?(?:måndag|tisdag|onsdag|torsdag|fredag|nästa vecka|imorgon)|slutar (?:hos oss|på fredag|nästa vecka)|introduktion för',
      'se incorpora|nuev[oa] (?:emplead[oa]|incorporaci[óo]n|compañer[oa])|empieza (?:el )?(?:lunes|martes|mi[ée]rcoles|jueves|viernes|la semana que viene)|deja la empresa|alta de usuario|baja de usuario',
      '(?:funcion[áa]ri[oa]|colaborador(?:a)?) nov[oa]|vai entrar (?:um|uma)|come[çc]a (?:na )?(?:segunda|ter[çc]a|quarta|quinta|sexta)|sai da empresa|desligamento|cadastr(?:ar|o) de usu[áa]rio',
    ]),
  ],
  [
    'access',
    phrase([
      "(?:want|need|would like|'d like) to change my password|" + '(?:get|give|grant|request|needs?|want|with|like) (?:me |him |her |them |us )?(?:read |write |edit |admin |full )?(?:access|permissions?|rights)(?: to| for| on)?|access request|add (?:me|him|her|them|us|[A-Z]\\p{L}+) (?:to|as)|(?:be )?added to(?: the)?|invite me to|membership (?:of|in)|(?:an? )?(?:new )?(?:account|licen[cs]e) for|set up (?:an? )?account|(?:need|want) (?:an? )?(?:account|licen[cs]e)',
      '(?:vill|behöver|ska) byta (?:mitt )?lösenord',
      '(?:få|ge|behöver|vill ha|önskar) (?:mig |honom |henne |oss )?\\p{L}*(?:behörighet(?:er)?|åtkomst|tillgång|rättigheter)|(?:behöver|vill) komma åt|lägg(?:a)? till (?:mig|honom|henne|oss)|läggas till i|(?:ett )?(?:nytt )?konto (?:för|till)|(?:behöver|vill ha) (?:en )?licens',
      '(?:quiero|necesito|quer[ií]a) cambiar (?:mi |la )?contrase[ñn]a',
      '(?:dar|dame|darme|darle|tener|pedir|solicitar|necesito|necesita|quer[ií]a) (?:el |un )?(?:acceso|permisos?)|(?:a[ñn]adir|agregar)(?:me|le|nos)? (?:a|al|en)|(?:me )?a[ñn]ad[aá]is|(?:una )?cuenta (?:para|nueva)|(?:necesito|necesita) (?:una )?licencia',
      '(?:quero|preciso|queria|gostaria de) (?:trocar|mudar|alterar) (?:a |minha )?senha',
      '(?:dar|me dar|ter|pedir|solicitar|preciso de|preciso|precisa de|gostaria de) (?:o |um )?(?:acesso|permiss[ãa]o|permiss[õo]es)|preciso entrar na (?:organiza[çc][ãa]o|equipe|pasta|lista)|(?:me )?(?:adicionar|incluir) (?:no|na|em)|(?:uma )?conta (?:para|nova)|(?:preciso de|precisa de) (?:uma )?licen[çc]a',
    ]),
  ],
  [
    'hardware',
    phrase([
      `(?:need|want|order|request|get|have|like|replace) (?:a |an |one )?(?:new |second |another |extra |replacement |bigger |larger )${EN_DEVICES}|(?:can|could|may) (?:i|we) (?:get|have|order) (?:a |an )?(?:new |second |another |extra )?${EN_DEVICES}|order(?:ed|ing)? (?:me )?(?:a |an |the )?(?:new )?(?:[\\p{L}0-9-]+ ){0,2}${EN_DEVICES}|(?:replacement|new) ${EN_DEVICES} (?:for|because)`,
      `beställ(?:a|t)? (?:en |ett )?(?:ny |nytt |extra )?[\\p{L}0-9-]*${SV_DEVICES}|(?:behöver|vill ha|få|beställa|beställt|beställning av) (?:en |ett )?(?:ny|nytt|extra|till|andra|större) ${SV_DEVICES}|(?:kan|får) jag få (?:en |ett )?(?:ny |nytt |extra )?${SV_DEVICES}`,
      `(?:pedid(?:me|nos)?|p[ií]deme|encargad(?:me)?|comprad(?:me)?) (?:un|una|unos|unas) (?:[\\p{L}0-9-]+ ){0,2}${ES_DEVICES}|(?:necesito|quer[ií]a|pedir|solicitar|tener|encargar) (?:un |una |otro |otra )?(?:${ES_DEVICES}) (?:nuev[oa]|adicional)|(?:un |una )(?:segund[oa]|otr[oa]|nuev[oa]) ${ES_DEVICES}|(?:pedir|solicitar|encargar) (?:un|una|unos|unas) ${ES_DEVICES}`,
      `(?:pe[çc]am|pe[çc]a|encomendem|comprem) (?:um|uma|uns|umas) (?:[\\p{L}0-9-]+ ){0,2}${PT_DEVICES}|(?:preciso de|gostaria de|pedir|solicitar|conseguir|ter) (?:um |uma |outro |outra )?(?:${PT_DEVICES}) (?:nov[oa]|adicional)|(?:um |uma )(?:segund[oa]|outr[oa]|nov[oa]) ${PT_DEVICES}|(?:pedir|solicitar|encomendar) (?:um|uma|uns|umas) ${PT_DEVICES}`,
    ]),
  ],
  [
    'software',
    phrase([
      `(?:please |could you |can you |can i get |need |want )(?:install|set up|get me|add)\\s+${APPS}|install(?:ed|ing)? (?:${APPS} )?(?:on|for) (?:my|his|her|our|the new)|(?:software|app|tool) request|(?:need|want|request) (?:a |an )?(?:licen[cs]e|copy|subscription) (?:of|for)`,
      'installera (?:\\p{L}+ )?på (?:min|hans|hennes|vår)|(?:behöver|vill ha) (?:programmet|appen)|installera [A-Z]',
      'instal\\p{L}*(?: [\\p{L}0-9.+-]+){1,3} en (?:el|mi|mis|los|nuestro)|instal(?:a|ad|á|e)(?:me|dme|rme|le|nos)? (?:el |la )?(?:\\p{L}+ )?(?:en (?:el|mi)|el programa)|(?:me )?instal[aáé]is|instalar(?:me)? [A-Z]|(?:necesito|quer[ií]a) (?:el programa|la aplicaci[óo]n)',
      'instal(?:a|em|e)(?:m)? o [A-Z]|instalar o [A-Z]|instalem|(?:preciso|gostaria) (?:do programa|do aplicativo)',
    ]),
  ],
  [
    'howto',
    phrase([
      "how (?:do|can|should|would) (?:i|we|you)|how to|is it possible to|where (?:do|can) i (?:find|request|order|change|set)|can'?t work out how|what(?:'s| is) the (?:way|process) to",
      '(?:^|[.!?]\\s*)hur \\p{L}+ (?:jag|man|vi)',
      'hur (?:gör|ställer|flyttar|ändrar|lägger|får|kan|byter|skapar|bokar) (?:jag|man|vi)|går det att',
      '(?:^|[.!?¿]\\s*)c[óo]mo \\p{L}+o(?: \\p{L}+)?',
      'c[óo]mo lo hago|c[óo]mo (?:pongo|hago|cambio|configuro|paso|puedo|se|a[ñn]ado|creo|reservo)|es posible (?!tener)|d[óo]nde (?:puedo|se) (?:pedir|cambiar|configurar)',
      '(?:^|[.!?]\\s*)como (?:eu )?\\p{L}+o',
      'como (?:eu )?fa[çc]o (?:para|pra)|como (?:configuro|fa[çc]o|passo|mudo|coloco|posso|se|adiciono|crio|reservo)|[ée] poss[íi]vel|onde (?:posso|eu) (?:pedir|mudar|configurar)',
    ]),
  ],
  [
    'other',
    phrase([
      // Something new to be created for people: a channel, a group, a list, a site.
      '(?:create|set up|make|open) (?:a |an )?(?:new )?(?:teams? )?(?:channel|group|distribution list|mailing list|shared mailbox|site|folder|team)s?|(?:we|i) need (?:a |an )(?:new )?(?:e-?mail )?(?:distribution list|mailing list|channel|group|site|shared mailbox|folder)',
      '(?:skapa|sätta upp|lägga upp) (?:en |ett )?(?:ny |nytt )?[\\p{L}-]*(?:kanal|grupp|lista|brevlåda|webbplats|mapp)|behöver (?:en |ett )[\\p{L}-]*(?:lista|kanal|grupp|brevlåda)',
      '(?:crear|montar) (?:un |una )?(?:nuev[oa] )?(?:canal|grupo|lista de distribuci[óo]n|buz[óo]n|sitio|carpeta)|necesitamos (?:un|una) (?:canal|grupo|lista|buz[óo]n|carpeta)',
      '(?:criar|montar) (?:um |uma )?(?:nov[oa] )?(?:canal|grupo|lista de distribui[çc][ãa]o|caixa|site|pasta)|precisamos de (?:um|uma) (?:canal|grupo|lista|caixa|pasta)',
      "i'?d like(?: to (?:have|get|order|request))?|i would like(?: to (?:have|get|order|request))?|(?:could|may|can) i (?:please )?have",
      '(?:book|reserve|set up|prepare) (?:the |a )?(?:conference |meeting |board )?room|(?:booked|set up) for the (?:board |team )?meeting|(?:can|could) (?:we|you) (?:get|set up|prepare|book)|(?:my|an?) (?:order|request) (?:for|of)|(?:no ?one|nobody) (?:has )?(?:answered|replied) (?:to )?my (?:order|request)',
      '(?:skulle vilja ha|vill gärna ha|önskar få)',
      '(?:boka|koppla upp|förbereda) (?:och koppla upp )?(?:skärmen|rummet|konferensrummet|mötesrummet)|min beställning|kan ni (?:boka|ordna|fixa|förbereda)',
      'me gustar[ií]a (?:tener|pedir|solicitar|que me)|quisiera (?:tener|pedir|solicitar)',
      '(?:preparar|reservar) la sala|(?:pod[ée]is|puedes|podr[ií]ais) (?:preparar|reservar|organizar)|mi pedido|mi solicitud',
      'queria (?:o|a|um|uma|ter|pedir)|gostaria de (?:ter|pedir|solicitar|receber)',
      '(?:deixar|preparar|reservar) a sala|conseguem (?:deixar|preparar|reservar)|meu pedido|minha solicita[çc][ãa]o',
    ]),
  ],
];

// Something that worked has stopped: the report is an incident even when it also asks for something.
const FAULT = phrase([
  "(?:can'?t|cannot|couldn'?t|unable to|not able to) (?:log ?in|sign ?in|log on|access|open|connect|print|send|receive|see|start|use|hear|install|update)|(?:doesn'?t|does not|don'?t|won'?t|isn'?t|is not|stopped|no longer|not) (?:work(?:ing)?|load(?:ing)?|open(?:ing)?|start(?:ing)?|connect(?:ing)?|sync(?:ing)?|respond(?:ing)?|charg(?:e|ing)|turn(?:ing)? on|print(?:ing)?|let me)|access denied|permission denied|locked out|(?:is|are|went|has gone) (?:down|offline|broken)|broken|crash(?:es|ed|ing)?|error|fail(?:s|ed|ing)|expired|forgot(?:ten)? my password|keeps? (?:dropping|freezing|crashing|asking)|black (?:screen|image)|blue screen",
  'kan inte (?:logga in|komma åt|öppna|ansluta|skriva ut|skicka|ta emot|se|starta|använda|höra|installera|uppdatera)|(?:fungerar|funkar|startar|laddar|synkar|svarar) inte|slutat (?:fungera|funka)|åtkomst nekad|utelåst|ligger nere|är nere|trasig|kraschar|krascha(?:t|de)|felmeddelande|fel(?:kod)?:|glömt (?:mitt )?lösenord|gått ut|hänger sig|svart skärm',
  'no (?:puedo|podemos) (?:entrar|acceder|abrir|conectar|imprimir|enviar|recibir|ver|iniciar|usar|o[íi]r|instalar|actualizar)|no (?:funciona|carga|arranca|conecta|sincroniza|responde|enciende|imprime|me deja)|dej[óo] de funcionar|acceso denegado|bloquead[oa]|est[áa] ca[íi]d[oa]|se (?:ha )?ca[íi]do|roto|se cierra|se cuelga|se bloquea|error|olvid[ée] (?:mi )?contrase[ñn]a|caducad[oa]|pantalla negra',
  'n[ãa]o (?:consigo|conseguimos) (?:entrar|acessar|abrir|conectar|imprimir|enviar|receber|ver|iniciar|usar|ouvir|logar|instalar|atualizar)|n[ãa]o (?:funciona|carrega|liga|conecta|sincroniza|responde|imprime|abre|deixa)|parou de funcionar|acesso negado|bloquead[oa]|caiu|fora do ar|quebr(?:ou|ado|ada)|trava(?:ndo)?|fecha sozinho|erro|esqueci (?:a |minha )?senha|expirou|expirad[oa]|tela preta',
]);

/**
 * Asks that stay requests even next to fault words: a replacement device for an old or broken one, a new hire's
 * setup. "I need a new laptop, mine is really slow" is a hardware request.
 */
const STRONG: ReadonlySet<RequestTopic> = new Set(['hardware', 'onboarding']);

export function reportKind(text: string): KindResult {
  const sample = text.slice(0, 3_000);
  const matched = TOPIC_PATTERNS.map(([topic, re]) => ({ topic, m: re.exec(sample) })).filter((x) => x.m !== null);
  if (matched.length === 0) return { kind: 'incident' };
  const fault = FAULT.exec(sample);
  const strong = matched.find((x) => STRONG.has(x.topic));
  if (fault && !strong) return { kind: 'incident', cue: fault[0] };
  const chosen = strong ?? matched[0]!;
  return { kind: 'request', topic: chosen.topic, cue: chosen.m![0] };
}
