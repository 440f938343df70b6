"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

export function DeleteDeviceButton({ deviceId, name }: { deviceId: string; name: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="row">
      <button
        type="button"
        className="btn btn-danger"
        onClick={async () => {
          if (!window.confirm(`Delete ${name}? Its readings, rules and alerts are deleted with it.`)) return;
          const res = await fetch(`/api/devices/${deviceId}`, { method: "DELETE" });
          if (!res.ok && res.status !== 404) return setError(`Could not delete (HTTP ${res.status}).`);
          router.replace("/dashboard/devices");
          router.refresh();
        }}
      >
        Delete device
      </button>
      {error && <span className="error">{error}</span>}
    </span>
  );
}
