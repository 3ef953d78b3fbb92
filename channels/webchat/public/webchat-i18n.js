/**
 * Interface strings of the web chat. Adding a language means adding one object; missing keys fall back to
 * English. Message text itself comes from the server already translated.
 */
const STRINGS = {
  en: {
    title: 'Frontline — IT help',
    intro: 'Describe your IT problem in your own words. We will ask a few questions and open a ticket for you.',
    introEmbed: 'Describe your IT problem and we will help you.',
    inputLabel: 'Message',
    inputPlaceholder: 'Type your message…',
    send: 'Send',
    attach: 'Attach a file',
    removeAttachment: 'Remove {name}',
    newConversation: 'New conversation',
    newConversationDone: 'Started a new conversation.',
    close: 'Close chat',
    you: 'You',
    bot: 'Assistant',
    agentRole: 'support agent',
    system: 'Notice',
    choicesLabel: 'Suggested answers',
    transcriptLabel: 'Conversation',
    composerLabel: 'Write a message',
    attachmentsLabel: 'Files to send',
    sending: 'Sending…',
    notSent: 'Not sent.',
    tooLong: 'Your message is {length} characters long; messages can be at most {max}. Please shorten it or send it in parts — your text is still here.',
    retry: 'Retry',
    uploading: 'Uploading…',
    uploadFailed: 'Could not upload {name}: {reason}',
    tooLarge: '“{name}” is {size}; files can be at most {max}. Please choose a smaller file.',
    offline: 'Connection lost. Reconnecting…',
    online: 'Connected again.',
    startFailed: 'The chat service is not reachable right now. Please try again in a moment.',
    sendFailed: 'Your message could not be sent: {reason}',
    busy: 'Many people are reporting at the moment. Your message is kept and will be sent in a few seconds.',
    sessionExpired: 'Your previous conversation is no longer available, so a new one will start.',
    empty: 'No messages yet. Say hello to get started.',
    keyboardHint: 'Enter to send, Shift+Enter for a new line.',
    attachmentAria: 'File {name}, {size}',
  },
  sv: {
    title: 'Frontline — IT-hjälp',
    intro: 'Beskriv ditt IT-problem med egna ord. Vi ställer några frågor och skapar ett ärende åt dig.',
    introEmbed: 'Beskriv ditt IT-problem så hjälper vi dig.',
    inputLabel: 'Meddelande',
    inputPlaceholder: 'Skriv ditt meddelande…',
    send: 'Skicka',
    attach: 'Bifoga en fil',
    removeAttachment: 'Ta bort {name}',
    newConversation: 'Ny konversation',
    newConversationDone: 'En ny konversation har startats.',
    close: 'Stäng chatten',
    you: 'Du',
    bot: 'Assistent',
    agentRole: 'supportagent',
    system: 'Meddelande',
    choicesLabel: 'Förslag på svar',
    transcriptLabel: 'Konversation',
    composerLabel: 'Skriv ett meddelande',
    attachmentsLabel: 'Filer att skicka',
    sending: 'Skickar…',
    notSent: 'Inte skickat.',
    tooLong: 'Ditt meddelande är {length} tecken långt; ett meddelande får vara högst {max}. Korta det eller skicka det i delar – texten finns kvar.',
    retry: 'Försök igen',
    uploading: 'Laddar upp…',
    uploadFailed: 'Kunde inte ladda upp {name}: {reason}',
    tooLarge: '”{name}” är {size}; filer får vara högst {max}. Välj en mindre fil.',
    offline: 'Anslutningen bröts. Återansluter…',
    online: 'Ansluten igen.',
    startFailed: 'Chatten går inte att nå just nu. Försök igen om en stund.',
    sendFailed: 'Meddelandet kunde inte skickas: {reason}',
    busy: 'Många rapporterar just nu. Ditt meddelande sparas och skickas om några sekunder.',
    sessionExpired: 'Din tidigare konversation finns inte längre, så en ny startas.',
    empty: 'Inga meddelanden ännu. Säg hej för att börja.',
    keyboardHint: 'Enter skickar, Skift+Enter ger ny rad.',
    attachmentAria: 'Fil {name}, {size}',
  },
  es: {
    title: 'Frontline — ayuda de TI',
    intro: 'Describa su problema de TI con sus propias palabras. Le haremos unas preguntas y abriremos un ticket.',
    introEmbed: 'Describa su problema de TI y le ayudaremos.',
    inputLabel: 'Mensaje',
    inputPlaceholder: 'Escriba su mensaje…',
    send: 'Enviar',
    attach: 'Adjuntar un archivo',
    removeAttachment: 'Quitar {name}',
    newConversation: 'Nueva conversación',
    newConversationDone: 'Se ha iniciado una nueva conversación.',
    close: 'Cerrar el chat',
    you: 'Usted',
    bot: 'Asistente',
    agentRole: 'agente de soporte',
    system: 'Aviso',
    choicesLabel: 'Respuestas sugeridas',
    transcriptLabel: 'Conversación',
    composerLabel: 'Escribir un mensaje',
    attachmentsLabel: 'Archivos para enviar',
    sending: 'Enviando…',
    notSent: 'No enviado.',
    tooLong: 'Tu mensaje tiene {length} caracteres; el máximo es {max}. Acórtalo o envíalo en partes: tu texto sigue aquí.',
    retry: 'Reintentar',
    uploading: 'Subiendo…',
    uploadFailed: 'No se pudo subir {name}: {reason}',
    tooLarge: '«{name}» ocupa {size}; el máximo es {max}. Elija un archivo más pequeño.',
    offline: 'Se perdió la conexión. Reconectando…',
    online: 'Conectado de nuevo.',
    startFailed: 'El chat no está disponible en este momento. Inténtelo de nuevo en unos instantes.',
    sendFailed: 'No se pudo enviar su mensaje: {reason}',
    busy: 'Muchas personas están informando en este momento. Su mensaje se conserva y se enviará en unos segundos.',
    sessionExpired: 'Su conversación anterior ya no está disponible; se iniciará una nueva.',
    empty: 'Aún no hay mensajes. Salude para empezar.',
    keyboardHint: 'Intro para enviar, Mayús+Intro para una nueva línea.',
    attachmentAria: 'Archivo {name}, {size}',
  },
  pt: {
    title: 'Frontline — suporte de TI',
    intro: 'Descreva o seu problema de TI com as suas palavras. Faremos algumas perguntas e abriremos um chamado para você.',
    introEmbed: 'Descreva o seu problema de TI e nós ajudamos.',
    inputLabel: 'Mensagem',
    inputPlaceholder: 'Digite a sua mensagem…',
    send: 'Enviar',
    attach: 'Anexar um arquivo',
    removeAttachment: 'Remover {name}',
    newConversation: 'Nova conversa',
    newConversationDone: 'Uma nova conversa foi iniciada.',
    close: 'Fechar o chat',
    you: 'Você',
    bot: 'Assistente',
    agentRole: 'agente de suporte',
    system: 'Aviso',
    choicesLabel: 'Respostas sugeridas',
    transcriptLabel: 'Conversa',
    composerLabel: 'Escrever uma mensagem',
    attachmentsLabel: 'Arquivos para enviar',
    sending: 'Enviando…',
    notSent: 'Não enviada.',
    tooLong: 'Sua mensagem tem {length} caracteres; o máximo é {max}. Encurte-a ou envie em partes — o seu texto continua aqui.',
    retry: 'Tentar novamente',
    uploading: 'Enviando arquivo…',
    uploadFailed: 'Não foi possível enviar {name}: {reason}',
    tooLarge: '“{name}” tem {size}; o limite é {max}. Escolha um arquivo menor.',
    offline: 'Conexão perdida. Reconectando…',
    online: 'Conectado novamente.',
    startFailed: 'O chat não está disponível agora. Tente novamente daqui a pouco.',
    sendFailed: 'Não foi possível enviar a sua mensagem: {reason}',
    busy: 'Muitas pessoas estão a reportar neste momento. A sua mensagem fica guardada e será enviada dentro de segundos.',
    sessionExpired: 'A sua conversa anterior não está mais disponível; uma nova será iniciada.',
    empty: 'Ainda não há mensagens. Diga olá para começar.',
    keyboardHint: 'Enter envia, Shift+Enter cria uma nova linha.',
    attachmentAria: 'Arquivo {name}, {size}',
  },
};

/** The UI language for a locale such as `sv-SE`, or English. */
export function uiLanguage(locale) {
  const lang = String(locale || '').toLowerCase().split(/[-_]/)[0];
  return Object.prototype.hasOwnProperty.call(STRINGS, lang) ? lang : 'en';
}

/** A translator bound to one language: `t('tooLarge', {name, size, max})`. */
export function createTranslator(locale) {
  const lang = uiLanguage(locale);
  const table = STRINGS[lang];
  const t = (key, params = {}) => {
    const source = table[key] ?? STRINGS.en[key] ?? key;
    return source.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  };
  t.lang = lang;
  return t;
}

/** Human file size in the UI language, e.g. `2.5 MB`. */
export function formatBytes(bytes, locale) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(locale || undefined, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
