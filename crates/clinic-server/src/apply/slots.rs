//! One practitioner, no overlapping active appointments: each active appointment holds its time
//! in `appointment_slot` (an exclusion constraint); one that clashes holds none and opens a
//! conflict, and takes its time once the one it clashed with moves or ends.

use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{truthy, Batch};
use crate::error::ApiResult;

impl Batch<'_> {
    /// Whether this appointment's clash is already open, or was kept deliberately: no second conflict.
    pub(super) fn clash_settled_or_open(&self, appointment: Uuid) -> bool {
        self.conflicts_about.get(&appointment).is_some_and(|c| c.iter().any(|(status, resolution)| {
            status == "open" || resolution.as_deref() == Some("kept_both")
        }))
    }

    /// Appointments that clashed with this one hold no time; now that this one may have moved or
    /// ended, each takes its time if it is free (and a later booking there is flagged against it).
    pub(super) async fn free_waiting(&self, conn: &mut PgConnection, freed_by: Uuid) -> ApiResult<()> {
        let freed = freed_by.to_string();
        let mut waiting: Vec<Uuid> = sqlx::query_scalar!(
            r#"SELECT (data->>'entity_id')::uuid AS "entity_id!" FROM record
             WHERE org_id = $1 AND entity = 'sync_conflict' AND data->>'kind' = 'appointment_clash' AND data->>'other_id' = $2"#,
            self.auth.org_id, &freed,
        ).fetch_all(&mut *conn).await?;
        waiting.extend(self.records.iter()
            .filter(|((e, _), r)| e == "sync_conflict" && r.data.get("other_id").and_then(Value::as_str) == Some(freed.as_str()))
            .filter_map(|(_, r)| r.data.get("entity_id").and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok())));
        waiting.sort();
        waiting.dedup();
        for appointment in waiting.into_iter().filter(|w| *w != freed_by) {
            let data = match self.records.get(&("appointment".to_string(), appointment)) {
                Some(rec) => rec.data.clone(),
                None => match sqlx::query_scalar!(
                    r#"SELECT data AS "data: Json<Map<String, Value>>" FROM record WHERE org_id = $1 AND entity = 'appointment' AND entity_id = $2"#,
                    self.auth.org_id, appointment,
                ).fetch_optional(&mut *conn).await? {
                    Some(data) => data.0,
                    None => continue,
                },
            };
            // Still clashing with something else: it keeps the conflict it has.
            self.hold_slot(conn, appointment, &data).await?;
        }
        Ok(())
    }

    /// Holds the appointment's time for its practitioner, or names the appointment already there.
    pub(super) async fn hold_slot(&self, conn: &mut PgConnection, id: Uuid, data: &Map<String, Value>) -> ApiResult<Option<Uuid>> {
        let active = matches!(data.get("status").and_then(Value::as_str), Some("booked" | "arrived" | "in_consultation"))
            && data.get("deleted_at").is_none_or(Value::is_null)
            // Booked over another on purpose, by someone who may: holds no exclusive time.
            && !truthy(data.get("double_booked"));
        let (practitioner, starts, until) = (
            data.get("practitioner_id").and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok()),
            data.get("starts_at").and_then(Value::as_i64),
            data.get("busy_until").and_then(Value::as_i64),
        );
        sqlx::query!("DELETE FROM appointment_slot WHERE org_id = $1 AND appointment_id = $2", self.auth.org_id, id).execute(&mut *conn).await?;
        let (true, Some(practitioner), Some(starts), Some(until)) = (active, practitioner, starts, until) else { return Ok(None) };
        let other: Option<Uuid> = sqlx::query_scalar!(
            "SELECT appointment_id FROM appointment_slot
             WHERE org_id = $1 AND practitioner_id = $2 AND appointment_id <> $5
               AND during && tstzrange(to_timestamp($3::bigint / 1000.0), to_timestamp($4::bigint / 1000.0), '[)') LIMIT 1",
            self.auth.org_id, practitioner, starts, until, id,
        )
        .fetch_optional(&mut *conn).await?;
        if other.is_none() {
            sqlx::query!(
                "INSERT INTO appointment_slot (org_id, practitioner_id, during, appointment_id)
                 VALUES ($1, $2, tstzrange(to_timestamp($3::bigint / 1000.0), to_timestamp($4::bigint / 1000.0), '[)'), $5)",
                self.auth.org_id, practitioner, starts, until, id,
            )
                .execute(&mut *conn).await?;
        }
        Ok(other)
    }
}
