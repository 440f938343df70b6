import { NotFoundCard } from "@/components/not-found-card";

export default function AlertNotFound() {
  return <NotFoundCard what="Alert" backHref="/dashboard/alerts" backLabel="Back to your alerts" />;
}
