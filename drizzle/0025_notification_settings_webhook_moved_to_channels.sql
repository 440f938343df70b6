ALTER TABLE "notification_settings" DROP COLUMN "webhook_url";--> statement-breakpoint
ALTER TABLE "notification_settings" DROP COLUMN "webhook_secret";--> statement-breakpoint
ALTER TABLE "notification_settings" DROP COLUMN "webhook_test_sends";