import type { Database } from '../db/database.js';
import { createKbRanker, kbRankerKindFromEnv } from '../kb/ranker.js';
import { loadSlaConfig, type SlaConfig } from '../sla/config.js';
import { loadTaxonomy, type Taxonomy } from '../triage/taxonomy.js';
import { createTriage, type Triage } from '../triage/triage.js';
import { createTxKbSearch, type KbSearch } from './kb-access.js';

/** What the dialog's actions need besides incidents: the SLA config, triage and KB search. */
export async function createDialogServices(
  db: Database,
  options: { modelDir?: string } = {},
): Promise<{ sla: SlaConfig; triage: Triage; kbSearch: KbSearch; serviceName: (id: string) => string | undefined; taxonomy: Taxonomy }> {
  const sla = await loadSlaConfig();
  // Keyword rules over dialogs/taxonomy.yaml unless a model trained with `frontline triage train` is given.
  const taxonomy = loadTaxonomy();
  const triage = createTriage({ taxonomy, modelDir: options.modelDir });
  const serviceName = (id: string) => taxonomy.findService(id)?.service.name;
  const kind = kbRankerKindFromEnv();
  const kbSearch = createTxKbSearch(db, (proxied) => createKbRanker(proxied, kind));
  return { sla, triage, kbSearch, serviceName, taxonomy };
}
