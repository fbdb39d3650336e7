-- AlterTable
ALTER TABLE "CompositionVersion" ADD COLUMN "bootExpectations" TEXT;

