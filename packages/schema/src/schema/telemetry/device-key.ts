import { createHash, randomBytes } from "node:crypto";

/** Device keys are `dk_` + 32 base64url characters: 192 random bits. */
export const DEVICE_KEY_PATTERN = /^dk_[A-Za-z0-9_-]{32}$/;

/** A new device key, shown to the owner once; only its digest is stored. */
export function generateDeviceKey(): string {
  return `dk_${randomBytes(24).toString("base64url")}`;
}

/** The stored form of a key (`devices.device_key`): its SHA-256 as lowercase hex. */
export function deviceKeyDigest(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
