export * from "./device-key";
export * from "./relations";
export * from "./tables";
export * from "./validation";

import type { alertRules, alerts, devices, sensorReadings } from "./tables";

export type Device = typeof devices.$inferSelect;
export type NewDevice = typeof devices.$inferInsert;
export type SensorReading = typeof sensorReadings.$inferSelect;
export type NewSensorReading = typeof sensorReadings.$inferInsert;
export type AlertRule = typeof alertRules.$inferSelect;
export type Alert = typeof alerts.$inferSelect;
