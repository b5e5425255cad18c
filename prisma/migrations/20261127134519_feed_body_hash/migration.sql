-- AlterTable
ALTER TABLE "feeds" ADD COLUMN     "body_hash" TEXT;
