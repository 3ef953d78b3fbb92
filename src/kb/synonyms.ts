import { fold } from './text.js';

/**
 * IT synonym groups across the four KB languages, in folded form (no diacritics). A query word found in a group
 * also searches the other members, at a lower weight. Groups are concepts, not translations: a user writing
 * "wlan" in an English query should still find the Wi-Fi article, and Swedish users mix in English words.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['wifi', 'wlan', 'wireless', 'tradlost', 'tradlosa', 'tradlos', 'inalambrico', 'inalambrica', 'wi-fi'],
  ['network', 'natverk', 'natverket', 'natet', 'rede', 'lan', 'ethernet'],
  ['internet', 'web', 'online', 'uppkoppling', 'uppkopplad', 'conexion', 'conexao'],
  ['password', 'passcode', 'passwd', 'pwd', 'losenord', 'losen', 'contrasena', 'clave', 'senha'],
  ['email', 'e-mail', 'mail', 'mails', 'emails', 'correo', 'correos', 'epost', 'e-post', 'mejl', 'mejlen', 'mailen', 'e-mails'],
  ['login', 'logon', 'signin', 'sign-in', 'log', 'inloggning', 'logga', 'iniciar', 'sesion', 'acceder', 'entrar', 'acesso', 'acessar', 'logar'],
  ['locked', 'lockout', 'blocked', 'utelast', 'sparrad', 'sparrat', 'sparrad', 'bloqueado', 'bloqueada', 'bloqueio', 'bloqueo'],
  ['mfa', '2fa', 'two-factor', 'twofactor', 'authenticator', 'tvafaktor', 'multifactor', 'multifactorial', 'autenticacion', 'autenticacao', 'verificacion', 'verificacao'],
  ['sso', 'single-sign-on', 'saml', 'federated', 'okta', 'entra', 'azure'],
  ['printer', 'print', 'printing', 'skrivare', 'skrivaren', 'skriva', 'utskrift', 'impresora', 'imprimir', 'impressora', 'imprime', 'impresion', 'impressao'],
  ['monitor', 'screen', 'display', 'skarm', 'skarmen', 'bildskarm', 'pantalla', 'tela', 'ecra'],
  ['laptop', 'notebook', 'computer', 'pc', 'dator', 'datorn', 'portatil', 'ordenador', 'computador', 'computadora', 'maquina'],
  ['headset', 'headphones', 'earphones', 'earbuds', 'horlurar', 'lurar', 'auriculares', 'cascos', 'fone', 'fones', 'airpods'],
  ['microphone', 'mic', 'mikrofon', 'mikrofonen', 'microfono', 'microfone'],
  ['audio', 'sound', 'ljud', 'ljudet', 'sonido', 'volume', 'volym'],
  ['slow', 'sluggish', 'laggy', 'lag', 'langsam', 'langsamt', 'segt', 'seg', 'lento', 'lenta', 'lentitud', 'lentidao'],
  ['crash', 'crashes', 'crashing', 'freezes', 'frozen', 'hangs', 'kraschar', 'krasch', 'hanger', 'fryser', 'cuelga', 'congela', 'trava', 'travando'],
  ['install', 'installation', 'installera', 'installerar', 'instalar', 'instalacion', 'instalacao', 'software', 'programvara', 'programa'],
  ['virus', 'malware', 'ransomware', 'trojan', 'skadlig', 'skadeprogram', 'malicioso', 'maliciosa', 'spyware'],
  ['phishing', 'natfiske', 'spam', 'scam', 'suspicious', 'misstankt', 'bedrageri', 'sospechoso', 'suspeito', 'estafa', 'golpe', 'fraude'],
  ['lost', 'stolen', 'tappat', 'tappade', 'stulen', 'stulits', 'borttappad', 'perdido', 'perdi', 'robado', 'roubado', 'extraviado', 'roubaram', 'robaron'],
  ['disk', 'drive', 'storage', 'ssd', 'hdd', 'lagring', 'harddisk', 'disco', 'almacenamiento', 'armazenamento'],
  ['space', 'full', 'utrymme', 'fullt', 'full', 'lleno', 'espacio', 'cheio', 'espaco', 'quota', 'kvot', 'cuota', 'cota'],
  ['calendar', 'kalender', 'kalendern', 'calendario', 'agenda'],
  ['invite', 'invitation', 'meeting', 'mote', 'motet', 'inbjudan', 'kallelse', 'invitacion', 'reunion', 'convite', 'reuniao'],
  ['ooo', 'out-of-office', 'autoreply', 'auto-reply', 'franvaro', 'franvarande', 'semester', 'vacation', 'vacaciones', 'ausencia', 'ferias', 'ausente'],
  ['mailbox', 'inbox', 'inkorg', 'inkorgen', 'brevlada', 'postlada', 'buzon', 'bandeja', 'caixa'],
  ['dock', 'docking', 'dockningsstation', 'dockan', 'dockning', 'replicador'],
  ['battery', 'batteri', 'batteriet', 'bateria', 'charging', 'charge', 'charger', 'laddar', 'laddare', 'ladda', 'carga', 'cargador', 'carregar', 'carregador'],
  ['keyboard', 'tangentbord', 'tangentbordet', 'teclado'],
  ['mouse', 'mus', 'musen', 'raton', 'rato', 'trackpad', 'touchpad', 'styrplatta'],
  ['cache', 'cookies', 'kakor', 'historik', 'historial', 'historico'],
  ['browser', 'chrome', 'edge', 'firefox', 'safari', 'webblasare', 'webblasaren', 'navegador'],
  ['activation', 'activate', 'license', 'licens', 'licensen', 'aktivera', 'aktivering', 'licencia', 'activar', 'ativar', 'ativacao', 'licenca', 'unlicensed', 'olicensierad'],
  ['vpn', 'anyconnect', 'globalprotect', 'forticlient', 'tunnel', 'distansatkomst'],
  ['camera', 'webcam', 'kamera', 'kameran', 'webbkamera', 'camara', 'video'],
  ['sync', 'syncing', 'synk', 'synkar', 'synkroniserar', 'synkronisering', 'sincroniza', 'sincronizar', 'sincronizacion', 'sincronizacao'],
  ['share', 'shared', 'fileshare', 'gemensam', 'delad', 'delade', 'compartida', 'compartido', 'compartilhada', 'compartilhado'],
  ['phone', 'mobile', 'cellphone', 'smartphone', 'iphone', 'android', 'telefon', 'telefonen', 'mobil', 'mobilen', 'movil', 'celular', 'telefono', 'telemovel'],
  ['boot', 'startup', 'start', 'starta', 'startar', 'arranca', 'arrancar', 'enciende', 'encender', 'liga', 'ligar', 'inicia'],
];

const index = new Map<string, Set<string>>();
for (const group of SYNONYM_GROUPS) {
  const members = group.map((w) => fold(w).replace(/-/g, ''));
  for (const word of members) {
    const set = index.get(word) ?? new Set<string>();
    for (const other of members) if (other !== word) set.add(other);
    index.set(word, set);
  }
}

/** Other members of every synonym group the (folded) word belongs to; tolerates a trailing plural "s". */
export function synonymsOf(word: string): string[] {
  const direct = index.get(word) ?? (word.endsWith('s') ? index.get(word.slice(0, -1)) : undefined);
  return direct ? [...direct] : [];
}
