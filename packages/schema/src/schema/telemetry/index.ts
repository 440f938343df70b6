export * from "./device-key";
export * from "./notifications";
export * from "./relations";
export * from "./tables";
export * from "./validation";

import type {
  alertDeliveries,
  localMailbox,
  maintenanceWindows,
  notificationChannels,
  notificationSettings,
} from "./notifications";
import type {
  alertEvents,
  alertRules,
  alerts,
  deviceRejections,
  devices,
  metricDisplay,
  sensorReadings,
} from "./tables";

export type Device = typeof devices.$inferSelect;
export type DeviceRejection = typeof deviceRejections.$inferSelect;
export type NewDevice = typeof devices.$inferInsert;
export type SensorReading = typeof sensorReadings.$inferSelect;
export type NewSensorReading = typeof sensorReadings.$inferInsert;
export type AlertRule = typeof alertRules.$inferSelect;
export type Alert = typeof alerts.$inferSelect;
export type AlertEvent = typeof alertEvents.$inferSelect;
export type AlertDelivery = typeof alertDeliveries.$inferSelect;
export type NotificationSettings = typeof notificationSettings.$inferSelect;
export type MetricDisplaySetting = typeof metricDisplay.$inferSelect;
export type NotificationChannel = typeof notificationChannels.$inferSelect;
export type MaintenanceWindow = typeof maintenanceWindows.$inferSelect;
export type LocalMail = typeof localMailbox.$inferSelect;
