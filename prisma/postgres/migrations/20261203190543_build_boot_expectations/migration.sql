-- AlterTable
ALTER TABLE "Build" ADD COLUMN     "bootExpectations" TEXT,
ADD COLUMN     "bootVerdict" TEXT;

