import { z } from 'zod';
import type { LlmClient } from './client.js';

export interface RetrievedArticle {
  id: string;
  title: string;
  body: string;
  /** Where the reporter can read it (the web chat's article link, the KB URL). */
  url?: string;
}

export interface GroundedAnswer {
  text: string;
  /** Only ids of the retrieved articles; the answer is refused when it cites none. */
  cited: RetrievedArticle[];
}

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', sv: 'Swedish', es: 'Spanish', pt: 'Portuguese' };

/**
 * A short answer composed only from the retrieved KB articles, with links to them. The model must say when the
 * articles do not support an answer (`supported: false`); then, or on any failure, the caller shows its plain
 * suggestions. Citations are an enum of the retrieved ids: the model cannot cite anything else.
 */
export class KbAnswerer {
  constructor(private readonly llm: LlmClient) {}

  async answer(question: string, articles: RetrievedArticle[], language: string, context: { incidentId?: string; confidential?: boolean } = {}): Promise<GroundedAnswer | undefined> {
    if (!this.llm.enabled('kb') || articles.length === 0) return undefined;
    const ids = articles.map((a) => a.id) as [string, ...string[]];
    const schema = z.object({ supported: z.boolean(), answer: z.string().max(1_200), cited: z.array(z.enum(ids)).max(ids.length) });
    const data: Record<string, string> = { question };
    for (const [i, a] of articles.entries()) data[`article_${i + 1}`] = `id: ${a.id}\ntitle: ${a.title}\n\n${a.body.slice(0, 4_000)}`;
    const result = await this.llm.structured({
      feature: 'kb',
      instructions:
        `Answer the reporter's question (data block "question") in ${LANGUAGE_NAMES[language] ?? language} in at most four short ` +
        'sentences, using only facts from the article data blocks. List the ids of the articles you used in cited. ' +
        'If the articles do not answer the question, set supported to false and leave answer empty. Never add steps ' +
        'that are not in the articles.',
      data,
      schema,
      schemaName: 'kb_answer',
      ...(context.incidentId ? { incidentId: context.incidentId } : {}),
      confidential: context.confidential ?? false,
    });
    if (!result || !result.supported || !result.answer.trim() || result.cited.length === 0) return undefined;
    const cited = [...new Set(result.cited)].map((id) => articles.find((a) => a.id === id)!);
    const links = cited.map((a) => `• ${a.title}${a.url ? `: ${a.url}` : ''}`).join('\n');
    return { text: `${result.answer.trim()}\n\n${links}`, cited };
  }
}
