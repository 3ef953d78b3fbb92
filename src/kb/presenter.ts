/**
 * How a KB article is shown in a conversation, the same data for every channel (web chat, Slack, Teams, email,
 * WhatsApp render the dialog's text): the title, a short summary (the article's opening paragraph) and a link to
 * the full article when Frontline knows its public address; without one, the numbered steps, whole, at most five.
 * No cut-off wall of text in a chat bubble.
 */
export interface ArticlePresentation {
  title: string;
  summary: string;
  /** The numbered steps (without a link), or '' when a link is given. */
  steps: string;
  /** Absolute address of the full article, or 'none'. */
  link: string;
}

const SUMMARY_MAX = 220;
const MAX_STEPS = 5;

export function presentArticle(article: { title: string; body: string }, url?: string): ArticlePresentation {
  const lines = article.body.split('\n');
  // The opening paragraph: the free text before the first heading or list (see kb/article.ts renderBody).
  const opening = article.body.split(/\n\s*\n/).map((p) => p.trim()).find((p) => p && !p.startsWith('#') && !/^(?:-|\d+\.)\s/.test(p)) ?? '';
  const steps = lines.filter((l) => /^\d+\.\s/.test(l.trim())).map((l) => l.trim());
  const shown = steps.slice(0, MAX_STEPS).join('\n');
  return {
    title: article.title,
    summary: shorten(opening.replace(/\s+/g, ' '), SUMMARY_MAX),
    steps: url ? '' : steps.length > MAX_STEPS ? `${shown}\n…` : shown,
    link: url ?? 'none',
  };
}

/** Whole sentences up to `max` characters, else whole words and an ellipsis. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const sentences = text.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let out = '';
  for (const s of sentences) {
    if ((out + s).trim().length > max) break;
    out += s;
  }
  return out.trim() || `${text.slice(0, max).replace(/\s+\S*$/, '')}…`;
}
