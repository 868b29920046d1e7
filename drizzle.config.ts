import { defineConfig } from 'drizzle-kit'

// `npm run migrate` applies migrations/ to DATABASE_URL (a remote libSQL server or a file).
export default defineConfig({
  dialect: 'turso',
  schema: './src/store/schema.ts',
  out: './migrations',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'file:./data/edgelog.db',
    authToken: process.env.DATABASE_AUTH_TOKEN,
  },
})
