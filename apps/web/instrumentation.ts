// Runs once when the server starts: validate the environment before the first request, so a
// missing secret stops the app with one line instead of failing on some later page.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    await import("./src/env");
  }
}
