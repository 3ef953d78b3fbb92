import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate, and `migrate deploy` for users who have the native engine).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/frontline' },
});
