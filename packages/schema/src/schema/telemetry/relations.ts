import { relations } from "drizzle-orm";
import { user } from "../auth/tables";
import {
  alertDeliveries,
  maintenanceWindows,
  notificationChannels,
  notificationSettings,
} from "./notifications";
import { alertEvents, alertRules, alerts, deviceRejections, devices, sensorReadings } from "./tables";

export const devicesRelations = relations(devices, ({ one, many }) => ({
  owner: one(user, { fields: [devices.ownerId], references: [user.id] }),
  readings: many(sensorReadings),
  rules: many(alertRules),
  rejections: many(deviceRejections),
}));

export const deviceRejectionsRelations = relations(deviceRejections, ({ one }) => ({
  device: one(devices, { fields: [deviceRejections.deviceId], references: [devices.id] }),
}));

export const sensorReadingsRelations = relations(sensorReadings, ({ one }) => ({
  device: one(devices, { fields: [sensorReadings.deviceId], references: [devices.id] }),
}));

export const alertRulesRelations = relations(alertRules, ({ one, many }) => ({
  device: one(devices, { fields: [alertRules.deviceId], references: [devices.id] }),
  alerts: many(alerts),
}));

export const alertsRelations = relations(alerts, ({ one, many }) => ({
  rule: one(alertRules, { fields: [alerts.ruleId], references: [alertRules.id] }),
  device: one(devices, { fields: [alerts.deviceId], references: [devices.id] }),
  events: many(alertEvents),
}));

export const alertEventsRelations = relations(alertEvents, ({ one, many }) => ({
  alert: one(alerts, { fields: [alertEvents.alertId], references: [alerts.id] }),
  owner: one(user, { fields: [alertEvents.ownerId], references: [user.id] }),
  deliveries: many(alertDeliveries),
}));

export const alertDeliveriesRelations = relations(alertDeliveries, ({ one }) => ({
  event: one(alertEvents, { fields: [alertDeliveries.eventId], references: [alertEvents.id] }),
  channel: one(notificationChannels, {
    fields: [alertDeliveries.channelId],
    references: [notificationChannels.id],
  }),
}));

export const notificationSettingsRelations = relations(notificationSettings, ({ one }) => ({
  owner: one(user, { fields: [notificationSettings.ownerId], references: [user.id] }),
}));

export const notificationChannelsRelations = relations(notificationChannels, ({ one, many }) => ({
  owner: one(user, { fields: [notificationChannels.ownerId], references: [user.id] }),
  deliveries: many(alertDeliveries),
}));

export const maintenanceWindowsRelations = relations(maintenanceWindows, ({ one }) => ({
  owner: one(user, { fields: [maintenanceWindows.ownerId], references: [user.id] }),
  device: one(devices, { fields: [maintenanceWindows.deviceId], references: [devices.id] }),
}));
