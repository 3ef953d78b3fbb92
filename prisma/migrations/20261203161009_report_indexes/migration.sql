BEGIN;

-- CreateIndex
CREATE INDEX "incident_created_at_idx" ON "incident"("created_at");

-- CreateIndex
CREATE INDEX "incident_resolved_at_idx" ON "incident"("resolved_at");

-- CreateIndex
CREATE INDEX "incident_event_type_created_at_idx" ON "incident_event"("type", "created_at");

COMMIT;
