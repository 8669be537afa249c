/**
 * The actor started the instance, or holds or held one of its tasks. `user` and `roles` are the
 * placeholders ($n) of the user id and the roles array. Used wherever instance visibility is
 * decided, so the rule lives in one place.
 */
export function participationSql(user: string, roles: string): string {
  return `(i.started_by = ${user} OR EXISTS (
  SELECT 1 FROM workflow_instance_nodes p WHERE p.instance_id = i.id AND (
    p.assigned_user_id = ${user} OR p.decided_by = ${user} OR ${user} = ANY (p.previous_assignees)
    OR p.on_behalf_of = ${user} OR ${user} = ANY (p.candidate_users)
    OR (p.votes <> '[]' AND p.votes @> jsonb_build_array(jsonb_build_object('userId', ${user}::text)))
    OR (p.assigned_user_id IS NULL AND p.assigned_role = ANY (${roles}::text[]))
    OR (p.escalated_at IS NOT NULL AND p.escalation_role = ANY (${roles}::text[])))))`;
}
