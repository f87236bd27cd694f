import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// Migrations are the only source of the schema: apply them as `npm start` does.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
