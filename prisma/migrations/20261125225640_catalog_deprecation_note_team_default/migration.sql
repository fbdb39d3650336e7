-- AlterTable
ALTER TABLE "Team" ADD COLUMN "defaultCompositionId" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CatalogEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "teamId" TEXT,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "defaultConfig" TEXT NOT NULL DEFAULT '{}',
    "pinnedDigest" TEXT,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "source" TEXT NOT NULL DEFAULT 'team',
    "deprecated" BOOLEAN NOT NULL DEFAULT false,
    "deprecationNote" TEXT NOT NULL DEFAULT '',
    "size" BIGINT,
    "architectures" TEXT NOT NULL DEFAULT '["amd64"]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CatalogEntry_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CatalogEntry" ("architectures", "createdAt", "defaultConfig", "deprecated", "description", "id", "kind", "name", "pinnedDigest", "reference", "size", "source", "tags", "teamId", "title", "updatedAt") SELECT "architectures", "createdAt", "defaultConfig", "deprecated", "description", "id", "kind", "name", "pinnedDigest", "reference", "size", "source", "tags", "teamId", "title", "updatedAt" FROM "CatalogEntry";
DROP TABLE "CatalogEntry";
ALTER TABLE "new_CatalogEntry" RENAME TO "CatalogEntry";
CREATE INDEX "CatalogEntry_kind_idx" ON "CatalogEntry"("kind");
CREATE INDEX "CatalogEntry_reference_idx" ON "CatalogEntry"("reference");
CREATE UNIQUE INDEX "CatalogEntry_teamId_reference_key" ON "CatalogEntry"("teamId", "reference");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

