import { NotFoundCard } from "@/components/not-found-card";

export default function DeviceNotFound() {
  return <NotFoundCard what="Device" backHref="/dashboard/devices" backLabel="Back to your devices" />;
}
