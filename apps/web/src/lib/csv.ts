// CSV for the sets export (RFC 4180 quoting), safe to open in a spreadsheet.

/**
 * One field. A leading character a spreadsheet would run as a formula (= + - @ tab, carriage
 * return) is neutralised with a leading apostrophe first. Then the field is quoted (quotes
 * doubled) when it holds a quote, a line break, or a separator of either locale (`,` or `;`,
 * since a `;`-locale spreadsheet splits on semicolons), and always when it was neutralised.
 */
export function csvField(value: string): string {
  const formula = /^[=+\-@\t\r]/.test(value);
  const safe = formula ? `'${value}` : value;
  return formula || /[",;\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
