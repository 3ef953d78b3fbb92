import { eld } from 'eld/small';

/**
 * Detects the reporter's language with eld (a maintained n-gram detector), restricted to the languages we
 * have catalogs for. Short or ambiguous text returns undefined, so the conversation keeps its locale: "ok",
 * "hej" or an incident number say nothing reliable about a language.
 */
const MIN_LETTERS = 12;
const MIN_MARGIN = 0.03; // Spanish and Portuguese are close; demand a lead before switching

export function createLanguageDetector(languages: readonly string[]): (text: string) => string | undefined {
  const detector = eld.newInstance();
  detector.setLanguageSubset([...languages]);
  return (text) => {
    const sample = text.slice(0, 2_000);
    if ((sample.match(/\p{L}/gu)?.length ?? 0) < MIN_LETTERS) return undefined;
    const result = detector.detect(sample);
    if (!result.language || !result.isReliable() || !languages.includes(result.language)) return undefined;
    const scores = Object.values(result.getScores()).sort((a, b) => b - a);
    if (scores.length > 1 && scores[0]! - scores[1]! < MIN_MARGIN) return undefined;
    return result.language;
  };
}
