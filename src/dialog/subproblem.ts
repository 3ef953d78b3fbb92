/**
 * The sub-problem a report is about, so the follow-up questions fit it: an Outlook *sign-in* problem is asked
 * which system and what error, not "sending or receiving?"; a *slow* laptop is not asked for a building and room.
 * Explicit phrases only, in the four languages; undefined when the report says neither.
 */
export type SubProblem = 'sign_in' | 'slow';

const START = '(?<![\\p{L}\\p{N}])';
const END = '(?![\\p{L}\\p{N}])';
const phrase = (alternatives: string[]) => new RegExp(`${START}(?:${alternatives.join('|')})${END}`, 'iu');

const SIGN_IN = phrase([
  "log ?in|log ?on|logging in|sign(?:ing)? ?in|sign-in|log-in|login|password|locked out|account (?:is )?locked|credentials|keeps asking (?:me )?for (?:my )?password",
  'logga in|loggar in|inloggning(?:en)?|lösenord(?:et)?|utelåst|kontot är låst',
  'iniciar sesi[óo]n|inicio de sesi[óo]n|contrase[ñn]a|credenciales|cuenta bloqueada',
  'fazer login|logar|login|senha|conta bloqueada|credenciais',
]);
const SLOW = phrase([
  "slow(?:ly|er)?|sluggish|laggy|takes (?:ages|forever)|very long to (?:start|load|open)",
  'seg(?:t|a)?|långsam(?:t|ma)?|går trögt|tar (?:jättelång|lång) tid',
  'lent[oa]s?|va muy lento|tarda (?:mucho|una eternidad)',
  'lent[oa]s?|devagar|demora (?:muito|demais)|travando muito',
]);

export function subProblem(text: string): SubProblem | undefined {
  const sample = text.slice(0, 3_000);
  if (SIGN_IN.test(sample)) return 'sign_in';
  if (SLOW.test(sample)) return 'slow';
  return undefined;
}
