export default function HomePage() {
  return (
    <main style={{ maxWidth: 640, margin: "4rem auto", padding: "0 1rem" }}>
      <h1>Pulseboard</h1>
      <p>Telemetry from your devices, alerts when it matters, and your workouts beside it.</p>
    </main>
  );
}
