import Link from "next/link";

export default function DeviceNotFound() {
  return (
    <section className="card empty" data-testid="not-found">
      <h1>Device not found</h1>
      <p>
        There is no such device among yours. <Link href="/dashboard/devices">Back to your devices</Link>
      </p>
    </section>
  );
}
