-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "defaultCompositionId" TEXT;

-- AlterTable
ALTER TABLE "CatalogEntry" ADD COLUMN     "deprecationNote" TEXT NOT NULL DEFAULT '';

