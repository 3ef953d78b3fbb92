import express, { type Router } from 'express';
import type { Database } from '../db/database.js';

/** `/api/v1/reports/*` (see src/reports/queries.ts). */
export function reportsRouter(_db: Database): Router {
  return express.Router();
}
