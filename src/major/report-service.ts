/**
 * The service (and CI) a report is about: the catalogue's names and CI aliases first (they can name a CI),
 * else the triage's service when the catalogue knows it.
 */
import type { ServiceCatalog } from '../services/catalog.js';

export interface ReportService {
  serviceId: string | null;
  ciId: string | null;
}

export function reportService(catalog: ServiceCatalog, text: string, triageService?: string | null, language?: string): ReportService {
  const match = catalog.matchText(text, language);
  if (match) return { serviceId: match.service.id, ciId: match.ci?.id ?? null };
  if (triageService && catalog.find(triageService)) return { serviceId: triageService, ciId: null };
  return { serviceId: null, ciId: null };
}
