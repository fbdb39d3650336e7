-- CreateTable
CREATE TABLE "Testdrive" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "buildId" TEXT NOT NULL,
    "userId" TEXT,
    "format" TEXT NOT NULL,
    "ports" TEXT NOT NULL DEFAULT '[]',
    "forwards" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "memoryMb" INTEGER NOT NULL,
    "cpus" INTEGER NOT NULL,
    "limitSeconds" INTEGER NOT NULL,
    "queuedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "expiresAt" DATETIME,
    "endedAt" DATETIME,
    "endReason" TEXT,
    "error" TEXT,
    "workerId" TEXT,
    "transcriptKey" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Testdrive_buildId_fkey" FOREIGN KEY ("buildId") REFERENCES "Build" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Testdrive_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Testdrive_buildId_idx" ON "Testdrive"("buildId");

-- CreateIndex
CREATE INDEX "Testdrive_userId_status_idx" ON "Testdrive"("userId", "status");

-- CreateIndex
CREATE INDEX "Testdrive_status_idx" ON "Testdrive"("status");

