// drizzle-kit writes migrations/ from the schema; wrangler applies them (`wrangler d1 migrations apply`).
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './worker/src/db/schema.ts',
  out: './migrations',
})
