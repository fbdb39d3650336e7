-- AlterTable
ALTER TABLE "Build" ADD COLUMN "bootExpectations" TEXT;
ALTER TABLE "Build" ADD COLUMN "bootVerdict" TEXT;

