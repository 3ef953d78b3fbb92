BEGIN;

-- CreateTable
CREATE TABLE "channel_blob" (
    "channel" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_blob_pkey" PRIMARY KEY ("channel","key")
);

COMMIT;
