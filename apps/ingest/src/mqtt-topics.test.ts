import { describe, expect, it } from "vitest";
import { deviceKeyFromTopic, isForbiddenSubscription, isReadingsTopic, topicForLog } from "./mqtt-topics";

describe("MQTT topics", () => {
  it("takes the device key from devices/<key>/readings only", () => {
    expect(deviceKeyFromTopic("devices/dk_abc/readings")).toBe("dk_abc");
    expect(deviceKeyFromTopic("devices/dk_abc/readings/extra")).toBeUndefined();
    expect(deviceKeyFromTopic("devices//readings")).toBeUndefined();
    expect(deviceKeyFromTopic("sensors/dk_abc/readings")).toBeUndefined();
  });

  it("knows a readings topic", () => {
    expect(isReadingsTopic("devices/dk_abc/readings")).toBe(true);
    expect(isReadingsTopic("devices/dk_abc/status")).toBe(false);
    expect(isReadingsTopic("devices/a/b/readings")).toBe(false);
  });

  it("refuses subscriptions that could carry device topics", () => {
    for (const filter of [
      "devices/#",
      "#",
      "devices/+/readings",
      "+/+/+",
      "$share/g/devices/#",
      "devices/dk_x/readings",
      "+/dk_x/readings",
      "+/+/#",
      "$share/g/+/dk_x/+",
    ]) {
      expect(isForbiddenSubscription(filter), filter).toBe(true);
    }
    for (const filter of ["weather/today", "+/status", "$SYSTEM/x", "+/dk_x/status", "+/+/+/+"]) {
      expect(isForbiddenSubscription(filter), filter).toBe(false);
    }
  });

  it("refuses the broker's $SYS topics to devices", () => {
    for (const filter of ["$SYS/#", "$SYS", "$SYS/broker/uptime", "$SYS/+/heartbeat", "$share/g/$SYS/#"]) {
      expect(isForbiddenSubscription(filter), filter).toBe(true);
    }
  });
});

describe("topicForLog", () => {
  const key = "dk_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
  it("never carries a device key, wherever the devices/ segment is", () => {
    for (const topic of [
      `devices/${key}/readings`,
      `$share/g/devices/${key}/readings`,
      `$share/${key}x/devices/${key}/#`,
      `devices/${key}`,
    ]) {
      expect(topicForLog(topic), topic).not.toContain(key.slice(3));
    }
    expect(topicForLog(`$share/g/devices/${key}/readings`)).toBe("$share/g/devices/…");
  });

  it("leaves topics without device keys as they are", () => {
    expect(topicForLog("$SYS/broker/uptime")).toBe("$SYS/broker/uptime");
    expect(topicForLog("#")).toBe("#");
  });
});
