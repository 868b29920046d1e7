import { defineConfig } from 'drizzle-kit'

// `npm run db:generate` writes migrations/ from the schema. Applying them is
// `npm run migrate` (scripts/migrate.ts: the same bookkeeping table as drizzle-kit's
// migrator, with integer ids and errors that say what failed); `npx drizzle-kit migrate`
// also works with these credentials.
export default defineConfig({
  dialect: 'turso',
  schema: './src/store/schema.ts',
  out: './migrations',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'file:./data/edgelog.db',
    authToken: process.env.DATABASE_AUTH_TOKEN,
  },
})
