// CatalogEntry row → the API shape (JSON text columns parsed, BigInt size as a number).
import type { CatalogEntry as Row } from '@oscompose/db';

export interface CatalogEntryDto {
  id: string;
  reference: string;
  name: string;
  kind: string;
  title: string;
  description: string;
  defaultConfig: Record<string, unknown>;
  pinnedDigest: string | null;
  tags: { tag: string; digest: string | null }[];
  size: number | null;
  architectures: string[];
  source: string;
  deprecated: boolean;
  /** Why it is deprecated / what to use instead; empty when not deprecated. */
  deprecationNote: string;
  teamId: string | null;
}

function parse(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** Tags are stored as strings or `{ tag, digest }` objects; the API always gives objects. */
export function normalizeTags(raw: unknown, pinnedDigest: string | null, reference: string): { tag: string; digest: string | null }[] {
  const list = Array.isArray(raw) ? raw : [];
  const refTag = reference.split('@')[0]?.split('/').pop()?.split(':')[1];
  return list.flatMap((t) => {
    if (typeof t === 'string') return [{ tag: t, digest: t === refTag ? pinnedDigest : null }];
    if (t && typeof t === 'object' && typeof (t as { tag?: unknown }).tag === 'string') {
      const o = t as { tag: string; digest?: unknown };
      return [{ tag: o.tag, digest: typeof o.digest === 'string' ? o.digest : null }];
    }
    return [];
  });
}

export function serializeCatalogEntry(row: Row): CatalogEntryDto {
  const defaultConfig = parse(row.defaultConfig, {});
  const architectures = parse(row.architectures, []);
  return {
    id: row.id,
    reference: row.reference,
    name: row.name,
    kind: row.kind,
    title: row.title,
    description: row.description,
    defaultConfig: defaultConfig && typeof defaultConfig === 'object' && !Array.isArray(defaultConfig) ? (defaultConfig as Record<string, unknown>) : {},
    pinnedDigest: row.pinnedDigest,
    tags: normalizeTags(parse(row.tags, []), row.pinnedDigest, row.reference),
    size: row.size === null ? null : Number(row.size),
    architectures: Array.isArray(architectures) ? architectures.filter((a): a is string => typeof a === 'string') : [],
    source: row.source,
    deprecated: row.deprecated,
    deprecationNote: row.deprecationNote ?? '',
    teamId: row.teamId,
  };
}
