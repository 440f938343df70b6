import { describe, expect, it } from "vitest";
import { deviceKeyFromTopic, filterMatches, isForbiddenSubscription, topicForLog } from "./mqtt-topics";

describe("MQTT topics", () => {
  it("takes the device key from devices/<key>/readings only", () => {
    expect(deviceKeyFromTopic("devices/dk_abc/readings")).toBe("dk_abc");
    expect(deviceKeyFromTopic("devices/dk_abc/readings/extra")).toBeUndefined();
    expect(deviceKeyFromTopic("devices//readings")).toBeUndefined();
    expect(deviceKeyFromTopic("sensors/dk_abc/readings")).toBeUndefined();
  });

  it("matches filters with + and #", () => {
    expect(filterMatches("devices/+/readings", "devices/a/readings")).toBe(true);
    expect(filterMatches("devices/#", "devices/a/readings")).toBe(true);
    expect(filterMatches("#", "devices/a/readings")).toBe(true);
    expect(filterMatches("+/+/readings", "devices/a/readings")).toBe(true);
    expect(filterMatches("devices/a", "devices/a/readings")).toBe(false);
    expect(filterMatches("devices/+/status", "devices/a/readings")).toBe(false);
  });

  it("refuses subscriptions that could carry device topics", () => {
    for (const filter of [
      "devices/#",
      "#",
      "devices/+/readings",
      "+/+/+",
      "$share/g/devices/#",
      "devices/dk_x/readings",
    ]) {
      expect(isForbiddenSubscription(filter), filter).toBe(true);
    }
    for (const filter of ["weather/today", "+/status", "$SYSTEM/x"]) {
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
