// Secrets are not in wrangler.toml, so `wrangler types` cannot see them.
// Set them with `wrangler secret put` (deploy) or `.dev.vars` (local).
interface Secrets {
  /** Key material for the daily session-id HMAC. */
  SESSION_SECRET: string;
  /** Bearer token for `/api/v1`. */
  API_TOKEN: string;
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
