import express, { type Router } from 'express';
import type { Database } from '../db/database.js';

/**
 * `GET /kb/articles/:id`: the full article behind "open the full article" in a conversation. KB articles are
 * self-help for every reporter, so the page is public like the web chat; it is plain escaped text (no script).
 */
export function kbPageRouter(db: Database): Router {
  const router = express.Router();
  router.get('/articles/:id', async (req, res) => {
    const id = String(req.params.id);
    const article = /^[a-z0-9][a-z0-9_-]{0,120}$/i.test(id) ? await db.prisma.kbArticle.findUnique({ where: { id } }) : null;
    res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.setHeader('x-content-type-options', 'nosniff');
    if (!article) {
      res.status(404).type('html').send(page('Not found', '<p>There is no such article.</p>', 'en'));
      return;
    }
    res.type('html').send(page(article.title, bodyHtml(article.body), article.language));
  });
  return router;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The stored Markdown as headings, lists and paragraphs; everything else is text. */
function bodyHtml(body: string): string {
  return body
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => {
      const lines = block.split('\n').map((l) => l.trim());
      if (block.startsWith('#')) return `<h2>${escape(block.replace(/^#+\s*/, ''))}</h2>`;
      if (lines.every((l) => /^\d+\.\s/.test(l))) return `<ol>${lines.map((l) => `<li>${escape(l.replace(/^\d+\.\s*/, ''))}</li>`).join('')}</ol>`;
      if (lines.every((l) => /^-\s/.test(l))) return `<ul>${lines.map((l) => `<li>${escape(l.replace(/^-\s*/, ''))}</li>`).join('')}</ul>`;
      return `<p>${escape(block)}</p>`;
    })
    .join('\n');
}

function page(title: string, html: string, lang: string): string {
  return `<!doctype html><html lang="${escape(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font:16px/1.55 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d2330}h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem}li{margin:.35rem 0}</style></head>
<body><main><h1>${escape(title)}</h1>
${html}</main></body></html>`;
}
