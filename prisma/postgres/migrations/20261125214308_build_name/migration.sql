-- AlterTable
ALTER TABLE "Build" ADD COLUMN     "name" TEXT;

