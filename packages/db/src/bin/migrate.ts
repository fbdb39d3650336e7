// `tsx packages/db/src/bin/migrate.ts`: applies pending migrations to DATABASE_URL (default the
// SQLite file under ./data). Used by scripts/start.mjs, scripts/test.mjs and the containers.
import { applyMigrations } from '../migrate';
import { databaseUrl } from '../client';
import { redactUrl } from '../url';

const url = databaseUrl();
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
