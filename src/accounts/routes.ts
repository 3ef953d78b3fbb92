import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { requireRole } from '../http/auth.js';
import { parseRequest } from '../http/validate.js';
import { recordFor, writeAudit } from '../audit/log.js';
import { accountPatchInput, createAccount, listAccounts, newAccountInput, presentAccount, updateAccount } from './accounts.js';

/** `/api/v1/admin/accounts`: people who sign in to the console. Admin only; every change is audited. */
export function accountsRouter(db: Database): Router {
  const router = express.Router();
  router.use('/accounts', requireRole(db, 'admin'));
  const system = { actor: 'unknown', via: 'api' };

  router.get('/accounts', async (_req, res) => {
    res.json({ items: await listAccounts(db.prisma) });
  });

  router.post('/accounts', async (req, res) => {
    const input = parseRequest(newAccountInput, req.body);
    const view = await db.prisma.$transaction(async (tx) => {
      const account = presentAccount(await createAccount(tx, input));
      await writeAudit(tx, recordFor('account.create', system, { target: `account:${account.email}`, after: account }));
      return account;
    });
    res.status(201).json(view);
  });

  router.patch('/accounts/:id', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new FrontlineError('NOT_FOUND', 'no such account');
    const patch = parseRequest(accountPatchInput, req.body);
    const view = await db.prisma.$transaction(async (tx) => {
      const { before, after } = await updateAccount(tx, id.data, patch);
      const [b, a] = [presentAccount(before), presentAccount(after)];
      // Passwords never enter the log; that one was changed does.
      await writeAudit(tx, recordFor('account.update', system, { target: `account:${a.email}`, before: b, after: { ...a, ...(patch.password ? { passwordChanged: true } : {}) } }));
      return a;
    });
    res.json(view);
  });

  return router;
}
