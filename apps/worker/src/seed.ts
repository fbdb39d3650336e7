// `tsx apps/worker/src/seed.ts`: builds the starter catalog (cached after the first run) and
// writes it and the default compositions into the database. scripts/start.mjs runs it on first
// start and whenever the catalog recipes change. A failure (e.g. no network to the Debian
// archive) is reported and exits 1; the app still runs without the starter content.
import path from 'node:path';
import { createPrisma, redactUrl, type PrismaClient } from '@oscompose/db';
import { loadWorkerConfig, type WorkerConfig } from './config';
import { digestOf, ensureLocalOwner, seedDatabase, tagOf, type SeedCatalogEntry } from './seed/seedDatabase';

type Catalog = typeof import('@oscompose/catalog');

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const log = (m: string) => console.log(`seed: ${m}`);

  // One client for the whole run; first the local owner, so the app is usable even when the
  // catalog build below fails.
  const prisma = createPrisma(config.databaseUrl);
  try {
    if (await ensureLocalOwner(prisma)) log('created the local owner (single-user mode until the first sign-up, see docs/auth.md)');
    await seedCatalog(prisma, config, log);
  } finally {
    await prisma.$disconnect();
  }
}

async function seedCatalog(prisma: PrismaClient, config: WorkerConfig, log: (m: string) => void): Promise<void> {
  const { imageStore, debianCache: cacheDir } = config;

  const catalog: Catalog = await import('@oscompose/catalog');
  const entries: SeedCatalogEntry[] = [];

  log(`building the starter catalog into ${imageStore} (first run downloads Debian packages)…`);
  const images = await catalog.buildStarterCatalog({ imageStore, cacheDir, referenceHost: config.registry, onProgress: (m) => log(m) });
  const tagsByName = new Map<string, string[]>();
  for (const im of images) tagsByName.set(im.name, [...(tagsByName.get(im.name) ?? []), im.tag]);
  for (const im of images) {
    entries.push({
      reference: im.reference,
      name: im.name,
      kind: im.kind,
      title: im.tag === tagsByName.get(im.name)?.[0] ? im.title : `${im.title} (${im.tag})`,
      description: im.description,
      defaultConfig: im.defaultConfig,
      pinnedDigest: im.digest,
      tags: tagsByName.get(im.name) ?? [im.tag],
      source: 'starter',
      size: im.size,
    });
  }
  for (const r of await catalog.loadRemoteCatalog()) {
    const tag = tagOf(r.reference);
    entries.push({
      reference: r.reference,
      name: r.name,
      kind: r.kind,
      title: r.title,
      description: r.description,
      defaultConfig: r.defaultConfig,
      pinnedDigest: digestOf(r.reference),
      tags: tag ? [tag] : [],
      source: 'remote',
      size: null,
    });
  }
  const compositions = (await catalog.loadDefaultCompositions({ registryHost: config.registry })).map((c) => ({
    name: c.title || c.name,
    description: c.description,
    specText: c.yaml,
  }));

  const r = await seedDatabase(prisma, { catalog: entries, compositions });
  log(
    `${redactUrl(config.databaseUrl)}: catalog ${r.catalogCreated} new, ${r.catalogUpdated} updated; ` +
      `compositions ${r.compositionsCreated} new, ${r.compositionVersionsAdded} new versions`,
  );
}

main().catch((err: Error) => {
  console.error(`seed: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
  process.exit(1);
});
