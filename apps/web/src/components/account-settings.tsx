"use client";

import type { AccountFootprint } from "@pulseboard/schema/queries/account";
import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import { authClient } from "@/lib/auth-client";
import { keepFocusIn } from "@/lib/focus-trap";
import { formatNumber } from "@/lib/locale";
import { sendJson } from "@/lib/send-json";
import { FormError } from "./form-error";
import { usePrefs } from "./prefs";

/** The time zone every day, week, month and date of the app is in (GET/PUT /api/settings). */
export function TimeZoneForm({ zones }: { zones: string[] }) {
  const router = useRouter();
  const { timeZone } = usePrefs();
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await sendJson("/api/settings", "PUT", { timeZone: new FormData(event.currentTarget).get("timeZone") });
      setSaved(true);
      router.refresh();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <form className="form-inline" onSubmit={onSubmit} aria-label="Time zone">
      <label className="field">
        <span>Time zone</span>
        <select name="timeZone" defaultValue={timeZone} data-testid="time-zone">
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll("_", " ")}
            </option>
          ))}
        </select>
      </label>
      <button className="btn" type="submit">
        Save time zone
      </button>
      {saved && (
        <span className="success small" role="status">
          Saved: dates now show in {timeZone.replaceAll("_", " ")}.
        </span>
      )}
      <FormError error={error} labels={{ timeZone: "Time zone" }} />
    </form>
  );
}

/** Better Auth: a new password, the current one confirming it; other sessions are signed out. */
export function ChangePasswordForm() {
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const currentPassword = String(form.get("currentPassword") ?? "");
    const newPassword = String(form.get("newPassword") ?? "");
    setError(null);
    setDone(false);
    if (newPassword.length < 8) return setError("The new password needs at least 8 characters.");
    if (newPassword !== form.get("confirmPassword"))
      return setError("The two new passwords differ: type it again.");
    setPending(true);
    const result = await authClient.changePassword({
      currentPassword,
      newPassword,
      revokeOtherSessions: true,
    });
    setPending(false);
    if (result.error) {
      return setError(
        result.error.status === 400 || result.error.code === "INVALID_PASSWORD"
          ? "The current password is not right."
          : result.error.message || "The password could not be changed. Try again.",
      );
    }
    formElement.reset();
    setDone(true);
  }
  return (
    <form className="form" onSubmit={onSubmit} aria-label="Change password">
      <label className="field">
        <span>Current password</span>
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <label className="field">
        <span>New password (at least 8 characters)</span>
        <input name="newPassword" type="password" autoComplete="new-password" required minLength={8} />
      </label>
      <label className="field">
        <span>New password again</span>
        <input name="confirmPassword" type="password" autoComplete="new-password" required minLength={8} />
      </label>
      <div className="form-actions">
        <button className="btn btn-primary" type="submit" disabled={pending}>
          Change password
        </button>
      </div>
      {done && (
        <p className="success" role="status">
          Password changed. Your other sessions are signed out.
        </p>
      )}
      <FormError error={error} />
    </form>
  );
}

/**
 * Deleting the account (Better Auth): a dialog that says what goes, asks for the password, and
 * deletes the user (the database deletes everything the account owns with it; readings are purged
 * in the background). Focus stays in the dialog while it is open and returns to its button.
 */
export function DeleteAccount({ footprint }: { footprint: AccountFootprint }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const { locale } = usePrefs();
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const n = (count: number, one: string, many: string) =>
    `${formatNumber(count, locale)} ${count === 1 ? one : many}`;
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setError(null);
    setPending(true);
    let result: Awaited<ReturnType<typeof authClient.deleteUser>>;
    try {
      result = await authClient.deleteUser({ password });
    } catch (e) {
      setPending(false);
      return setError(e);
    }
    if (result.error) {
      setPending(false);
      return setError(
        result.error.code === "INVALID_PASSWORD"
          ? "The password is not right."
          : result.error.message || "Try again.",
      );
    }
    window.location.assign("/sign-up?deleted=1");
  }
  return (
    <>
      <button
        ref={opener}
        type="button"
        className="btn btn-danger"
        onClick={() => {
          setError(null);
          dialog.current?.showModal();
        }}
      >
        Delete account…
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="delete-account-title"
        onKeyDown={keepFocusIn}
        onClose={() => opener.current?.focus()}
      >
        <form className="form" onSubmit={onSubmit}>
          <h2 id="delete-account-title">Delete your account?</h2>
          <p>This cannot be undone. Everything your account owns goes with it:</p>
          <ul data-testid="deletion-footprint">
            <li>
              {n(footprint.devices, "device", "devices")} with all their readings,{" "}
              {n(footprint.rules, "rule", "rules")} and their alerts
            </li>
            <li>
              {n(footprint.workouts, "workout", "workouts")} and {n(footprint.plans, "plan", "plans")}
            </li>
            <li>
              In the community: {n(footprint.threads, "thread", "threads")} you started (with the replies
              others wrote in them), {n(footprint.replies, "reply", "replies")} and your votes
            </li>
          </ul>
          <label className="field">
            <span>Your password, to confirm</span>
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <FormError error={error} />
          <div className="row form-actions">
            <button className="btn btn-danger" type="submit" disabled={pending}>
              Delete my account and its data
            </button>
            <button className="btn" type="button" onClick={() => dialog.current?.close()}>
              Keep my account
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
