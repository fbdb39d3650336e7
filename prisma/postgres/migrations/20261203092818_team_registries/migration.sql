-- CreateTable
CREATE TABLE "TeamRegistry" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TeamRegistry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TeamRegistry_teamId_host_key" ON "TeamRegistry"("teamId", "host");

-- AddForeignKey
ALTER TABLE "TeamRegistry" ADD CONSTRAINT "TeamRegistry_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

