import express, { type Router } from 'express';
import QRCode from 'qrcode';
import type { ChannelHost, JsonValue } from '../types.js';

/** The QR code waiting for a scan, kept in the channel state so every instance can show it. */
export const QR_STATE_KEY = 'qr';
export type StoredQr = { qr: string; at: string } | null;

/** Prints the QR in the server's terminal (the library only hands over its payload). */
export async function printQrToTerminal(qr: string): Promise<void> {
  process.stdout.write(`\nWhatsApp Web: scan this code with the phone (WhatsApp → Linked devices):\n${await QRCode.toString(qr, { type: 'terminal', small: true })}\n`);
}

/**
 * `GET /api/v1/admin/whatsapp-web/qr`: the code to scan — JSON with a PNG data URL by default, `?format=png` or
 * `?format=svg` for the image itself. Mounted under /api/v1/admin, whose router requires an admin token for
 * every path below it before anything else there runs (test: whatsapp-web/adapter.test.ts).
 */
export function qrRouter(host: ChannelHost, status: () => { phase: string; detail?: string | undefined }): Router {
  const router = express.Router();
  router.get('/qr', async (req, res) => {
    const stored = await host.state.get<Exclude<StoredQr, null> & { [k: string]: JsonValue }>(QR_STATE_KEY);
    const { phase, detail } = status();
    const format = typeof req.query.format === 'string' ? req.query.format : 'json';
    if (!['json', 'png', 'svg'].includes(format)) {
      res.status(400).json({ error: { code: 'BAD_REQUEST', message: 'format must be json, png or svg' } });
      return;
    }
    if (!stored?.qr) {
      if (format !== 'json') {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: `no QR code waiting for a scan (${detail ?? phase})` } });
        return;
      }
      res.json({ status: phase, detail: detail ?? null, qr: null });
      return;
    }
    res.set('Cache-Control', 'no-store');
    if (format === 'png') {
      res.type('image/png').send(await QRCode.toBuffer(stored.qr, { type: 'png', margin: 2, width: 320 }));
      return;
    }
    if (format === 'svg') {
      res.type('image/svg+xml').send(await QRCode.toString(stored.qr, { type: 'svg', margin: 2 }));
      return;
    }
    res.json({ status: phase, detail: detail ?? null, qr: stored.qr, createdAt: stored.at, dataUrl: await QRCode.toDataURL(stored.qr, { margin: 2, width: 320 }) });
  });
  return router;
}
