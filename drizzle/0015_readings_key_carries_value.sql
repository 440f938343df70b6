-- The readings' key carries each reading's value (INCLUDE), so the alerter's rule windows, the
-- charts' raw tails and the latest values are read from the key alone (index-only scans) instead
-- of one heap page per reading: rows are stored in arrival order, all devices interleaved, so a
-- series' readings lie each on its own page. About 10 bytes more per reading (docs/storage.md).
-- Partitions attached later get this key from the parent. On an existing database this rebuilds
-- every partition's key while holding the readings' lock, so the ingest waits (and devices with
-- it) for as long as the rebuild takes: docs/storage.md gives the measured time per million.
ALTER TABLE "sensor_readings"
	DROP CONSTRAINT "sensor_readings_pkey",
	ADD CONSTRAINT "sensor_readings_pkey" PRIMARY KEY ("device_id", "metric", "recorded_at") INCLUDE ("value");
