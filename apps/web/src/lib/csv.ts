// CSV for the sets export (RFC 4180 quoting), safe to open in a spreadsheet.

/**
 * One field: quoted when it holds a quote, comma or line break (quotes doubled); a leading
 * character a spreadsheet would run as a formula (= + - @ tab, carriage return) is neutralised
 * with a leading apostrophe first.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
