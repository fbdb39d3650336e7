// `tsx packages/db/src/bin/migrate.ts`: applies pending migrations to DATABASE_URL (default the
// SQLite file under ./data). Used by scripts/start.mjs, scripts/test.mjs and the containers.
import { applyMigrations } from '../migrate';
import { DEFAULT_DATABASE_URL, redactUrl } from '../url';

// A command of its own: DATABASE_URL is its whole configuration.
const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
try {
  const applied = await applyMigrations(url);
  console.log(
    applied.length
      ? `database ${redactUrl(url)}: applied ${applied.join(', ')}`
      : `database ${redactUrl(url)}: up to date`,
  );
} catch (err) {
  console.error(`database ${redactUrl(url)}: ${(err as Error).message}`);
  process.exit(1);
}
