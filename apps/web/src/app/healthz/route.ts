// Liveness: the server process answers. (Readiness of the database is the workers' /readyz.)
export function GET() {
  return Response.json({ status: "ok" });
}
