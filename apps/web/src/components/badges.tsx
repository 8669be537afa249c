/**
 * Urgency and status, each by colour AND text (colour alone fails people who cannot tell the
 * colours apart, and screen readers): `OVERDUE`, `AT_RISK`, `URGENT`, `NORMAL`; instance and node
 * statuses as the API names them.
 */

const URGENCY_LABEL: Record<string, string> = { OVERDUE: 'Overdue', AT_RISK: 'At risk', URGENT: 'Urgent', NORMAL: 'Normal' };

export function UrgencyBadge({ urgency }: { urgency: string }) {
  return (
    <span className={`badge urgency-${urgency.toLowerCase().replace('_', '-')}`} data-urgency={urgency}>
      {URGENCY_LABEL[urgency] ?? urgency}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-status={status}>
      {status.replace(/_/g, ' ')}
    </span>
  );
}
