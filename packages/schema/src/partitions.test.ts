import { describe, expect, it } from "vitest";
import {
  closedPartitions,
  expiredPartitions,
  parsePartitionName,
  partitionFor,
  partitionsCovering,
  rawDropBefore,
  retentionStart,
  unitStart,
} from "./partitions";

const at = (iso: string) => new Date(iso);

describe("partitions", () => {
  it("name a UTC day or month and give its bounds", () => {
    expect(partitionFor("sensor_readings", "day", at("2026-12-03T23:59:59.999Z"))).toEqual({
      name: "sensor_readings_20261203",
      from: at("2026-12-03T00:00:00Z"),
      to: at("2026-12-04T00:00:00Z"),
    });
    expect(partitionFor("reading_rollups_1m", "month", at("2026-12-31T23:00:00Z"))).toEqual({
      name: "reading_rollups_1m_202612",
      from: at("2026-12-01T00:00:00Z"),
      to: at("2027-01-01T00:00:00Z"),
    });
    // Time zones play no part: 2026-03-01T00:30+02:00 is still February in UTC.
    expect(partitionFor("t", "month", at("2026-03-01T00:30:00+02:00")).name).toBe("t_202602");
    expect(unitStart("day", at("2028-02-29T12:00:00Z"))).toEqual(at("2028-02-29T00:00:00Z"));
  });

  it("cover a range with every partition it touches, ends included", () => {
    const names = partitionsCovering("r", "day", at("2026-02-27T10:00:00Z"), at("2026-03-02T00:00:00Z")).map(
      (p) => p.name,
    );
    expect(names).toEqual(["r_20260227", "r_20260228", "r_20260301", "r_20260302"]);
    const months = partitionsCovering("m", "month", at("2026-11-15T00:00:00Z"), at("2027-01-01T00:00:00Z"));
    expect(months.map((p) => p.name)).toEqual(["m_202611", "m_202612", "m_202701"]);
    expect(partitionsCovering("r", "day", at("2026-03-02T00:00:00Z"), at("2026-03-01T00:00:00Z"))).toEqual(
      [],
    );
  });

  it("read bounds back from names, and ignore names that are not theirs", () => {
    expect(parsePartitionName("r", "day", "r_20260301")?.to).toEqual(at("2026-03-02T00:00:00Z"));
    expect(parsePartitionName("r", "month", "r_202612")?.to).toEqual(at("2027-01-01T00:00:00Z"));
    for (const name of ["r_20260231", "r_2026031", "x_20260301", "r_20260301_old", "r_202613", "r_legacy"]) {
      expect(parsePartitionName("r", "day", name), name).toBeNull();
    }
    expect(parsePartitionName("r", "month", "r_20260301")).toBeNull();
  });

  it("expire only partitions wholly before the retention start, oldest first", () => {
    const now = at("2026-12-03T15:00:00Z");
    const keepFrom = retentionStart(now, 30);
    expect(keepFrom).toEqual(at("2026-11-03T00:00:00Z"));
    const expired = expiredPartitions(
      "r",
      "day",
      ["r_20261103", "r_20261102", "r_20261101", "r_legacy", "r_20261204"],
      keepFrom,
    );
    expect(expired.map((p) => p.name)).toEqual(["r_20261101", "r_20261102"]);
  });

  it("drop raw days only as far as the roll-up has got", () => {
    const now = at("2026-12-03T15:00:00Z");
    expect(rawDropBefore(now, null, 30)).toBeNull();
    expect(rawDropBefore(now, at("2026-12-03T14:58:00Z"), 30)).toEqual(at("2026-11-03T00:00:00Z"));
    // A roll-up stuck since November 20th holds back the days it has not rolled up.
    expect(rawDropBefore(now, at("2026-11-20T08:00:00Z"), 30)).toEqual(at("2026-10-21T00:00:00Z"));
  });

  it("a partition is closed an hour after it ends, and the newest closed comes first", () => {
    const names = ["r_20261201", "r_20261202", "r_20261203", "r_20261204", "r_legacy"];
    // December 2nd ended at midnight: not closed at 00:59, closed at 01:00.
    expect(closedPartitions("r", "day", names, at("2026-12-03T00:59:59Z")).map((p) => p.name)).toEqual([
      "r_20261201",
    ]);
    expect(closedPartitions("r", "day", names, at("2026-12-03T01:00:00Z")).map((p) => p.name)).toEqual([
      "r_20261202",
      "r_20261201",
    ]);
    expect(
      closedPartitions("m", "month", ["m_202610", "m_202611", "m_202612"], at("2026-12-03T00:00:00Z")),
    ).toEqual([
      { name: "m_202611", from: at("2026-11-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z") },
      { name: "m_202610", from: at("2026-10-01T00:00:00Z"), to: at("2026-11-01T00:00:00Z") },
    ]);
  });
});
