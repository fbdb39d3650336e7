-- CreateTable
CREATE TABLE "Testdrive" (
    "id" TEXT NOT NULL,
    "buildId" TEXT NOT NULL,
    "userId" TEXT,
    "format" TEXT NOT NULL,
    "ports" TEXT NOT NULL DEFAULT '[]',
    "forwards" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "memoryMb" INTEGER NOT NULL,
    "cpus" INTEGER NOT NULL,
    "limitSeconds" INTEGER NOT NULL,
    "queuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "endReason" TEXT,
    "error" TEXT,
    "workerId" TEXT,
    "transcriptKey" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Testdrive_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Testdrive_buildId_idx" ON "Testdrive"("buildId");

-- CreateIndex
CREATE INDEX "Testdrive_userId_status_idx" ON "Testdrive"("userId", "status");

-- CreateIndex
CREATE INDEX "Testdrive_status_idx" ON "Testdrive"("status");

-- AddForeignKey
ALTER TABLE "Testdrive" ADD CONSTRAINT "Testdrive_buildId_fkey" FOREIGN KEY ("buildId") REFERENCES "Build"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Testdrive" ADD CONSTRAINT "Testdrive_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

