-- CreateTable
CREATE TABLE "NetbootLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "token" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "buildId" TEXT,
    "compositionId" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    CONSTRAINT "NetbootLink_buildId_fkey" FOREIGN KEY ("buildId") REFERENCES "Build" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "NetbootLink_compositionId_fkey" FOREIGN KEY ("compositionId") REFERENCES "Composition" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "NetbootLink_token_key" ON "NetbootLink"("token");

-- CreateIndex
CREATE INDEX "NetbootLink_buildId_idx" ON "NetbootLink"("buildId");

-- CreateIndex
CREATE INDEX "NetbootLink_compositionId_idx" ON "NetbootLink"("compositionId");

